// Progressive enhancement only: the page works without JavaScript (meta refresh while waiting).
// While the Chèque-Vacances app is asked, tick the countdown and reload as soon as the payment
// moves on.
(function () {
  "use strict";
  var counter = document.querySelector("[data-countdown]");
  if (counter) {
    var left = parseInt(counter.getAttribute("data-countdown"), 10);
    setInterval(function () {
      if (left > 0) { left -= 1; }
      var minutes = Math.floor(left / 60), seconds = left % 60;
      counter.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    }, 1000);
  }
  var waiting = document.querySelector("[data-poll]");
  if (waiting) {
    var url = waiting.getAttribute("data-poll"), state = waiting.getAttribute("data-state");
    setInterval(function () {
      fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (status) { if (status.state !== state) { window.location.reload(); } })
        .catch(function () {});
    }, 2000);
  }
})();
