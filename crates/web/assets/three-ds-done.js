// Loaded in the widget's 3-D Secure iframe once the challenge is over: tells the widget (the
// merchant's page, any origin) to read the session's state. Only the token travels, and the
// widget reads the state itself, so a forged message can at most make it read the state early.
(function () {
  "use strict";
  var token = document.body.getAttribute("data-token");
  if (window.parent && window.parent !== window) {
    window.parent.postMessage({ cvgate: "threeDSDone", token: token }, "*");
  }
})();
