// The demo shop's side of the widget integration: the data-event-* callbacks, a live log of
// what the widget reports, and two switches to try the callbacks' return values.
(function () {
  "use strict";
  var log = document.getElementById("shop-log");
  var started = Date.now();

  function write(name, argument) {
    if (!log) { return; }
    var item = document.createElement("li");
    var time = ((Date.now() - started) / 1000).toFixed(1) + " s";
    var text = time + "  " + name;
    if (argument !== undefined) {
      var shown = argument && argument.state ? { state: argument.state } : argument;
      text += "  " + JSON.stringify(shown);
    }
    item.textContent = text;
    item.setAttribute("data-callback", name);
    log.appendChild(item);
  }

  function checked(id) {
    var box = document.getElementById(id);
    return Boolean(box && box.checked);
  }

  window.cvgateShopWillInit = function () { write("willinit"); };
  window.cvgateShopWillShow = function () { write("willshow"); };
  window.cvgateShopDidShowState = function (data) { write("didshowstate", data); };
  window.cvgateShopWillDisplayMessage = function (data) { write("willdisplaymessage", data); };
  window.cvgateShopWillRemoveMessage = function (data) { write("willremovemessage", data); };
  window.cvgateShopBeforePayment = function () {
    var blocked = checked("block-payment");
    write("beforepayment", blocked ? "→ false (blocked by the shop)" : undefined);
    return !blocked;
  };
  window.cvgateShopFinalState = function (data) {
    write("finalstatehasbeenreached", data);
    if (!checked("take-over-final")) { return true; }
    var final = document.getElementById("shop-final");
    if (final) {
      final.hidden = false;
      final.textContent = "The shop took over: final state " + data.state + ".";
    }
    return false;
  };

  var open = document.getElementById("open-lightbox");
  if (open) {
    open.addEventListener("click", function () {
      if (window.Payline && window.Payline.Api) { window.Payline.Api.show(); }
    });
  }
})();
