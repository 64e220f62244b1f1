// Ticks each pending request's "time left" down once a second. The server wrote the starting
// value (from its own clock); without this script the page shows it as it was and works the
// same. No reload at zero: the server decides what has expired when the list is next asked for.
(function () {
  "use strict";
  var timers = document.querySelectorAll("time[data-seconds-left]");
  if (timers.length === 0) {
    return;
  }
  var started = Date.now();
  function pad(number) {
    return number < 10 ? "0" + number : String(number);
  }
  function tick() {
    var elapsed = Math.floor((Date.now() - started) / 1000);
    timers.forEach(function (timer) {
      var left = Math.max(0, parseInt(timer.getAttribute("data-seconds-left"), 10) - elapsed);
      timer.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
      timer.setAttribute("datetime", "PT" + left + "S");
    });
  }
  window.setInterval(tick, 1000);
})();
