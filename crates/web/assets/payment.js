// Progressive enhancement only: the page works without JavaScript (a <noscript> refresh while
// a partner is at work, and back to the shop after a result). With it, the page updates in
// place: while the app or the bank is at work it asks for the session's state and, once it
// moves on, fetches the page and replaces the view, announcing the news (no reload, the focus
// stays where it was). A result page counts down to the shop, and the buyer may stay.
(function () {
  "use strict";
  var timers = [];

  function every(ms, tick) {
    timers.push(window.setInterval(tick, ms));
  }

  function announce(text) {
    var announcer = document.getElementById("announcer");
    if (!announcer) { return; }
    announcer.textContent = "";
    // A change the screen reader sees as new, even when the words are the same as before.
    window.setTimeout(function () { announcer.textContent = text; }, 100);
  }

  // "m:ss" left, counted from when the page was shown (no drift).
  function countdown(view) {
    var counter = view.querySelector("[data-countdown]");
    if (!counter) { return; }
    var end = Date.now() + 1000 * parseInt(counter.getAttribute("data-countdown"), 10);
    every(1000, function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var seconds = left % 60;
      counter.textContent = Math.floor(left / 60) + ":" + (seconds < 10 ? "0" : "") + seconds;
    });
  }

  // The view of the page as served now, in place of the current one.
  function replaceView(url) {
    return fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var next = fresh.getElementById("view");
        var view = document.getElementById("view");
        if (!next || !view) { window.location.reload(); return; }
        var hadFocus = view.contains(document.activeElement);
        view.replaceWith(document.adoptNode(next));
        document.title = fresh.title;
        start(next);
        var title = next.querySelector("#page-title");
        var news = next.querySelector("h2, #auto-return");
        announce([title, news].filter(Boolean).map(function (e) { return e.textContent.trim(); }).join(" "));
        // The element that had the focus is gone: give it to the new heading, not to the body.
        if (hadFocus && title) { title.focus(); }
      });
  }

  function poll(view) {
    var url = view.getAttribute("data-poll");
    if (!url) { return; }
    var state = view.getAttribute("data-state");
    var busy = false;
    every(2000, function () {
      if (busy) { return; }
      busy = true;
      fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          if (status.state !== state) { return replaceView(view.getAttribute("data-page")); }
        })
        .catch(function () {})
        .then(function () { busy = false; });
    });
  }

  // Back to the shop after the countdown, unless the buyer chose to stay.
  function autoReturn(view) {
    var notice = view.querySelector("#auto-return");
    var stay = view.querySelector("#stay");
    if (!notice || !stay) { return; }
    var left = parseInt(notice.getAttribute("data-return-seconds"), 10);
    var shown = notice.querySelector("[data-return-left]");
    stay.hidden = false;
    var timer = window.setInterval(function () {
      left -= 1;
      if (shown) { shown.textContent = String(Math.max(0, left)); }
      if (left <= 0) {
        window.clearInterval(timer);
        window.location.assign(notice.getAttribute("data-return-url"));
      }
    }, 1000);
    timers.push(timer);
    stay.addEventListener("click", function () {
      window.clearInterval(timer);
      notice.textContent = notice.getAttribute("data-stopped");
      stay.hidden = true;
      announce(notice.textContent);
      var back = view.querySelector("#back-to-shop");
      if (back) { back.focus(); }
    });
  }

  // The Payline mobile SDKs follow a payment through a native bridge, when the page runs in
  // their web view (widget.md §6): each state shown, and the final one.
  function tellTheApp(view) {
    var state = view.getAttribute("data-widget-state");
    if (!state) { return; }
    var final = /^(PAYMENT_SUCCESS|PAYMENT_FAILURE|PAYMENT_CANCELED|TOKEN_EXPIRED|PAYMENT_ONHOLD_PARTNER)$/.test(state);
    var names = final ? ["didShowState", "finalStateHasBeenReached"] : ["didShowState"];
    names.forEach(function (name) {
      try {
        var android = window.PaylineSdkAndroid;
        if (android && typeof android[name] === "function") { android[name](JSON.stringify({ state: state })); }
        var ios = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers[name];
        if (ios && typeof ios.postMessage === "function") { ios.postMessage({ state: state }); }
      } catch (ignored) { /* a broken bridge must not break the page */ }
    });
  }

  function start(view) {
    timers.forEach(window.clearInterval);
    timers = [];
    tellTheApp(view);
    countdown(view);
    poll(view);
    autoReturn(view);
  }

  var view = document.getElementById("view");
  if (view) { start(view); }
})();
