/*
 * cvgate payment widget: the Payline "PW" surface (docs/widget.md) on cvgate's token JSON API
 * (/services/token/{token}/…). Plain ES5, no framework, no eval, nothing downloaded at run time.
 * Every word shown comes from the server's `labels` in the session's language; the few English
 * fallbacks below only cover what can show before the first state arrives.
 * Card data is read from the inputs at the moment of paying, sent once and never kept or logged.
 */
(function (window, document) {
  "use strict";

  var Payline = window.Payline = window.Payline || {};
  // Magento removes and re-appends the script on every rebuild: the first load owns the single
  // instance (listeners, timers, Payline.Api); a later load only re-binds to a rebuilt div.
  if (Payline.__cvgate) {
    Payline.__cvgate.reloaded();
    return;
  }

  var FINAL = { PAYMENT_SUCCESS: 1, PAYMENT_FAILURE: 1, PAYMENT_CANCELED: 1, TOKEN_EXPIRED: 1, PAYMENT_ONHOLD_PARTNER: 1 };
  // final state -> [label key, css modifier, where the ticket button goes]
  var RESULT = {
    PAYMENT_SUCCESS: ["result_accepted", "accepted", "returnUrl"],
    PAYMENT_FAILURE: ["result_refused", "refused", "cancelUrl"],
    PAYMENT_CANCELED: ["result_cancelled", "cancelled", "cancelUrl"],
    TOKEN_EXPIRED: ["result_expired", "expired", "cancelUrl"],
    PAYMENT_ONHOLD_PARTNER: ["result_onhold", "onhold", "returnUrl"]
  };
  var FALLBACK = {
    loading: "Loading…", network_error: "The connection failed. Please try again.", retry: "Retry",
    close: "Close", pay: "Pay", cancel: "Cancel", back_to_shop: "Return to the shop",
    required_field: "This field is required.", choose_method: "Choose how to pay",
    not_supported: "This payment cannot be shown here.", result_onhold: "Your payment is pending.",
    unknown_token: "This payment does not exist or is no longer available."
  };
  var MSG_TYPES = { success: 1, info: 1, error: 1, warn: 1 };
  var BASE = scriptBase();

  // The one instance. `gen` changes on every (re)initialisation so late answers for an old token
  // are dropped; `seq` changes on every render so pollers of a former state stop.
  var w = {
    root: null, token: "", layout: "column", unsupported: false, state: null, gen: 0, seq: 0,
    timers: [], open: false, busy: false, restore: null, overflow: "", tab: null, ctxs: {},
    body: null, view: null, msgs: null, live: null, summary: null, dialog: null, title: null, close: null
  };

  // ---- small helpers -------------------------------------------------------------------------

  // cvgate's origin, taken from this script's own URL (the merchant page may be on another origin).
  function scriptBase() {
    var src = document.currentScript && document.currentScript.src, all, i;
    if (!src) {
      all = document.getElementsByTagName("script");
      for (i = all.length - 1; i >= 0; i--) {
        if (/widget-min\.js$/.test(String(all[i].src).split(/[?#]/)[0])) { src = all[i].src; break; }
      }
    }
    if (!src) { return window.location.protocol + "//" + window.location.host; }
    var a = document.createElement("a");
    a.href = src;
    return a.protocol + "//" + a.host;
  }

  function el(tag, attrs, kids) {
    var n = document.createElement(tag), k, i, v;
    for (k in attrs) {
      if (!attrs.hasOwnProperty(k)) { continue; }
      v = attrs[k];
      if (v === null || v === undefined || v === false) { continue; }
      if (k === "text") { n.textContent = v; } else { n.setAttribute(k, v === true ? "" : String(v)); }
    }
    for (i = 0; kids && i < kids.length; i++) {
      if (kids[i] !== null && kids[i] !== undefined) {
        n.appendChild(typeof kids[i] === "string" ? document.createTextNode(kids[i]) : kids[i]);
      }
    }
    return n;
  }
  function button(text, cls, fn) {
    var b = el("button", { type: "button", "class": cls, text: text });
    b.addEventListener("click", fn);
    return b;
  }
  function heading(text) { return el("h2", { "class": "pl-title", tabindex: "-1", text: text }); }
  function spinner() { return el("span", { "class": "pl-spinner", "aria-hidden": "true" }); }
  function trim(s) { return String(s === null || s === undefined ? "" : s).replace(/^\s+|\s+$/g, ""); }
  function safe(s) { return String(s).replace(/[^A-Za-z0-9_-]/g, "_"); }
  function each(list, fn) { for (var i = 0; list && i < list.length; i++) { fn(list[i], i); } }
  function warn(text) { if (window.console && console.warn) { console.warn("[cvgate widget] " + text); } }
  function attr(name) { return w.root ? w.root.getAttribute(name) : null; }
  // Boolean attributes, also in their unquoted or odd forms (data-auto-init=false, "False", 0…).
  function flag(value, dflt) {
    if (value === null || value === undefined) { return dflt; }
    var v = String(value).replace(/["'\s]/g, "").toLowerCase();
    if (v === "false" || v === "0" || v === "no" || v === "off") { return false; }
    return v === "" ? dflt : true;
  }
  function L(key) {
    var l = w.state && w.state.labels;
    return (l && typeof l[key] === "string" && l[key]) || FALLBACK[key] || "";
  }
  function colon() { return (w.state && w.state.language === "fr") ? " : " : ": "; }
  function abs(url) {
    url = trim(url);
    if (/^https?:\/\//i.test(url)) { return url; }
    return url.charAt(0) === "/" && url.charAt(1) !== "/" ? BASE + url : null;
  }
  // The server wants an absolute URL; a merchant may write data-partnerreturnurl="/checkout/return".
  function absoluteUrl(url) {
    var a = document.createElement("a");
    a.href = url;
    return a.href;
  }
  function later(fn, ms) { w.timers.push(setTimeout(fn, ms)); }
  function every(fn, ms) { w.timers.push(setInterval(fn, ms)); }
  function stopTimers() {
    // clearTimeout and clearInterval share one pool of ids in browsers.
    each(w.timers, function (id) { clearTimeout(id); clearInterval(id); });
    w.timers = [];
    w.seq++;
  }

  // ---- server --------------------------------------------------------------------------------

  // XHR rather than fetch: no promise, so no unhandled rejection whatever the network does.
  // cb(networkFailed, httpStatus, parsedJsonOrNull)
  function request(token, method, path, body, cb) {
    var xhr = new XMLHttpRequest(), done = false;
    function finish(failed) {
      if (done) { return; }
      done = true;
      var json = null;
      if (!failed) { try { json = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (e) { json = null; } }
      cb(failed, failed ? 0 : xhr.status, json);
    }
    try {
      xhr.open(method, BASE + "/services/token/" + encodeURIComponent(token) + "/" + path, true);
      xhr.setRequestHeader("Accept", "application/json");
      if (body !== undefined) { xhr.setRequestHeader("Content-Type", "application/json"); }
      xhr.timeout = 30000;
      xhr.onload = function () { finish(xhr.status === 0); };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { finish(true); };
      xhr.send(body === undefined ? null : JSON.stringify(body));
    } catch (e) {
      setTimeout(function () { finish(true); }, 0);
    }
  }

  // opts: focus (move focus to the new heading), silent (no focus move, no announcement),
  // ifChanged (do not re-render the same state type; then call opts.unchanged), seq (a poller's
  // render number: drop the answer if another state was rendered since), quiet (errors ignored).
  function fetchState(opts) {
    opts = opts || {};
    var g = w.gen;
    request(w.token, "GET", "state/current", undefined, function (failed, status, json) {
      if (g !== w.gen || (opts.seq !== undefined && opts.seq !== w.seq)) { return; }
      var ok = !failed && status === 200 && json && json.type;
      if (ok && !(opts.ifChanged && w.state && json.type === w.state.type)) { renderState(json, opts); return; }
      if (ok) { w.state = json; }
      if (ok || opts.quiet) { if (opts.unchanged) { opts.unchanged(); } return; }
      if (failed) { networkError(function () { fetchState({ focus: true }); }); } else { problem(status, json, null); }
    });
  }

  // ---- callbacks and native bridges ------------------------------------------------------------

  // data-event-<name>="fnName" (or "a.b.c"): called synchronously; a throwing callback is logged
  // and treated as if it returned nothing, so a merchant bug cannot wedge the widget.
  function fire(name, arg) {
    var ref = attr("data-event-" + name), fn = window, parts, i;
    if (!ref) { return undefined; }
    parts = trim(ref).replace(/\(\)\s*;?$/, "").split(".");
    for (i = 0; i < parts.length && fn; i++) { fn = fn[trim(parts[i])]; }
    if (typeof fn !== "function") { warn("data-event-" + name + ": no function " + ref); return undefined; }
    try { return arguments.length > 1 ? fn(arg) : fn(); } catch (e) {
      if (window.console && console.error) { console.error(e); }
      return undefined;
    }
  }
  // Older Payline mobile SDKs follow the payment through these bridges when the page runs in a WebView.
  function bridge(name, payload) {
    try {
      var a = window.PaylineSdkAndroid;
      if (a && typeof a[name] === "function") { a[name](JSON.stringify(payload)); }
    } catch (e) { /* a broken bridge must not break the payment */ }
    try {
      var h = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers[name];
      if (h && typeof h.postMessage === "function") { h.postMessage(payload); }
    } catch (e2) { /* idem */ }
  }

  // ---- messages and announcements ----------------------------------------------------------------

  function showMessage(type, key, text, retry) {
    var id = "pl-message-" + safe(key), old = document.getElementById(id), m;
    if (old && w.msgs.contains(old)) { w.msgs.removeChild(old); }
    if (!MSG_TYPES[type]) { type = "error"; }
    if (fire("willdisplaymessage", { id: id, type: type, key: key, message: text }) === false) { return null; }
    m = el("div", { "class": "pl-message pl-message-" + type, id: id, role: type === "error" ? "alert" : "status" },
      [el("p", { text: text })]);
    if (retry) {
      m.appendChild(button(L("retry"), "pl-btn pl-btn-secondary pl-retry-btn", function () { removeMessage(m); retry(); }));
    }
    w.msgs.appendChild(m);
    return m;
  }
  function removeMessage(m) {
    if (m && m.parentNode && fire("willremovemessage", { id: m.id }) !== false) { m.parentNode.removeChild(m); }
  }
  function clearMessages() {
    var list = w.msgs ? w.msgs.querySelectorAll(".pl-message") : [];
    each(list, removeMessage);
  }
  function announce(text) {
    var live = w.live;
    live.textContent = "";
    // A short delay so the same text twice in a row is still announced.
    setTimeout(function () { live.textContent = text; }, 80);
  }

  function networkError(retry) {
    if (w.view && /pl-loading/.test(w.view.className)) { swap(el("div", { "class": "pl-view" }), null, { silent: true }); }
    showMessage("error", "network_error", L("network_error"), retry);
  }
  // A non-200 answer: problem JSON {title, detail, field?}.
  function problem(status, json, ctx) {
    var text = (json && (json.detail || json.title)) || L(status === 404 ? "unknown_token" : "network_error");
    if (status === 404) { renderText(text); return; }
    if (ctx && json && json.field) { applyFormError(ctx, { field: json.field, message: text }); return; }
    showMessage("error", "http_" + status, text, status >= 500 ? function () { fetchState({ ifChanged: true, focus: true }); } : null);
  }

  // ---- rendering -------------------------------------------------------------------------------

  function swap(view, head, opts) {
    opts = opts || {};
    var a = document.activeElement, inside = opts.focus || (a && a !== document.body && w.root.contains(a));
    w.body.replaceChild(view, w.view);
    w.view = view;
    if (!head || opts.silent) { return; }
    // Focus follows the state only when the buyer was working inside the widget.
    if (inside) { head.focus(); } else { announce(head.textContent); }
  }

  function renderLoading() {
    swap(el("div", { "class": "pl-view pl-loading" }, [spinner(), el("p", { text: L("loading") })]), null, { silent: true });
  }
  function renderText(text) {
    stopTimers();
    clearMessages();
    var h = heading(text);
    swap(el("div", { "class": "pl-view pl-state-message" }, [h]), h, {});
  }

  function renderState(s, opts) {
    opts = opts || {};
    stopTimers();
    var keep = collectValues(), type = s.type, v;
    w.state = s;
    w.busy = false;
    if (s.language) { w.root.setAttribute("lang", s.language); }
    updateChrome(s);
    if (FINAL[type] && !w.unsupported) {
      bridge("finalStateHasBeenReached", { state: type });
      if (fire("finalstatehasbeenreached", { state: type }) === false) {
        // The merchant takes over: show nothing more (and get the lightbox out of the way).
        clearMessages();
        swap(el("div", { "class": "pl-view" }), null, { silent: true });
        if (w.layout === "lightbox") { hide(); }
        return;
      }
    }
    if (w.unsupported) {
      v = textView(L("not_supported"));
    } else if (type === "PAYMENT_METHODS_LIST" || type === "PAYMENT_FAILURE_WITH_RETRY" || type === "PAYMENT_CANCELED_WITH_RETRY") {
      v = methodsView(s);
    } else if (type === "ACTIVE_WAITING") {
      v = waitingView(s);
    } else if (type === "PAYMENT_REDIRECT_NO_RESPONSE") {
      v = redirectView(s);
    } else if (FINAL[type]) {
      v = finalView(s);
    } else {
      v = textView(L("not_supported")); // wallets, shortcut, anything newer than this script
    }
    restoreValues(v.node, keep);
    clearMessages();
    swap(v.node, v.heading, opts);
    each(v.msgs, function (m) { showMessage(m[0], m[1], m[2]); });
    bridge("didShowState", { state: type });
    fire("didshowstate", { state: type });
    if (v.start) { v.start(); }
  }

  function updateChrome(s) {
    // After a partial Chèque-Vacances validation the buyer pays what is left, not the total.
    var rest = !s.isFinal && s.fragmented && s.fragmented.formattedRemainingAmount;
    var amount = rest || (s.info && s.info.PaylineFormattedAmount);
    w.summary.textContent = "";
    if (amount) {
      var label = rest ? "remaining" : (s.isFinal ? "order_total" : "amount_to_pay");
      w.summary.appendChild(document.createTextNode(L(label) + colon()));
      w.summary.appendChild(el("strong", { "class": "pl-amount", text: amount }));
    }
    w.summary.hidden = !amount;
    if (w.title) {
      w.title.textContent = s.merchantName || s.pointOfSale || L("amount_to_pay") || L("loading");
      w.close.setAttribute("aria-label", L("close"));
    }
  }

  function textView(text) {
    var h = heading(text);
    return { node: el("div", { "class": "pl-view pl-state-message" }, [h]), heading: h };
  }

  function failureMessage(s, dflt) {
    var m = s.paymentFailure && s.paymentFailure.message;
    if (!m || !m.localizedMessage) { return null; }
    return [MSG_TYPES[m.type] ? m.type : dflt, "payment_failure", m.localizedMessage];
  }

  // PAYMENT_METHODS_LIST and the *_WITH_RETRY states (the server sends the list in all three).
  function methodsView(s) {
    var h = heading(L("choose_method")), node = el("div", { "class": "pl-view pl-state-methods" }, [h]);
    var retry = s.type !== "PAYMENT_METHODS_LIST", msgs = [], fm = retry && failureMessage(s, "error"), list = [], f = s.fragmented;
    if (fm) { msgs.push(fm); }
    if (f) {
      // After a partial Chèque-Vacances payment: what is paid and what is left, before anything else.
      node.appendChild(el("dl", { "class": "pl-fragmented" }, [
        el("div", { "class": "pl-fragmented-paid" }, [el("dt", { text: L("paid_with_vouchers") }), el("dd", { text: f.formattedPaidAmount || String(f.paidAmount) })]),
        el("div", { "class": "pl-fragmented-remaining" }, [el("dt", { text: L("remaining") }), el("dd", { text: f.formattedRemainingAmount || String(f.remainingAmount) })])
      ]));
    }
    if (retry && s.attemptsLeft !== undefined && s.attemptsLeft !== null) {
      var t = L("attempts_left");
      node.appendChild(el("p", { "class": "pl-attempts", text: t.indexOf("{n}") >= 0 ? t.replace("{n}", s.attemptsLeft) : t + colon() + s.attemptsLeft }));
    }
    each((s.paymentMethodsList && s.paymentMethodsList.paymentMethods) || [], function (m) {
      // With a voucher part paid, only the complementary card contracts the server listed remain.
      if (m && !(f && m.cardCode === "ANCV_CONNECT")) { list.push(m); }
    });
    w.ctxs = {};
    if (!list.length) {
      node.appendChild(el("p", { "class": "pl-notice", text: L("not_supported") }));
    } else {
      node.appendChild(w.layout === "tab" ? tabs(list) : column(list));
    }
    return { node: node, heading: h, msgs: msgs };
  }

  function methodKey(m) { return safe(m.cardCode) + "-" + safe(m.contractNumber); }
  function methodOff(m) { return !!m.disabled || (m.state !== undefined && m.state !== "AVAILABLE"); }
  function methodBox(m, extra) {
    var a = { id: "pl-pmLayout-" + w.layout + "-" + methodKey(m),
      "class": "pl-pmContainer pl-" + String(m.cardCode).toLowerCase() + (methodOff(m) ? " pl-disabled" : "") }, k;
    for (k in extra) { if (extra.hasOwnProperty(k)) { a[k] = extra[k]; } }
    return el("div", a);
  }
  function logo(m) {
    var url = m.hasLogo && m.logo && abs(m.logo.url);
    // alt="": the method's name is written right beside it.
    return url ? el("img", { "class": "pl-logo", src: url, alt: "", width: "32", height: "32" }) : null;
  }

  function column(list) {
    var wrap = el("div", { "class": "pl-paymentMethods pl-paymentMethods-column" });
    each(list, function (m) {
      var box = methodBox(m, {});
      box.appendChild(el("h3", { "class": "pl-pm-title" }, [logo(m), el("span", { text: m.label || m.cardCode })]));
      box.appendChild(formBlock(m));
      wrap.appendChild(box);
    });
    return wrap;
  }

  // WAI-ARIA tabs with automatic activation; arrows, Home and End move between tabs.
  function tabs(list) {
    var bar = el("div", { "class": "pl-paymentMethods", role: "tablist", "aria-label": L("choose_method") });
    var panels = el("div", { "class": "pl-tabPanels" }), ts = [], ps = [], keys = [], start = 0;
    function select(j, focus) {
      each(ts, function (t, i) {
        var on = i === j;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        t.className = t.className.replace(/\s*\bpl-active\b/g, "") + (on ? " pl-active" : "");
        ps[i].hidden = !on;
        ps[i].style.display = on ? "" : "none"; // also beats a merchant's `#PaylineWidget .pl-pmContainer {display:…}`
      });
      w.tab = keys[j];
      if (focus) { ts[j].focus(); }
    }
    each(list, function (m, i) {
      var key = methodKey(m), tid = "pl-tab-" + key, p = methodBox(m, { role: "tabpanel", "aria-labelledby": tid }), t;
      t = el("button", { type: "button", role: "tab", id: tid, "class": "pl-tab pl-" + String(m.cardCode).toLowerCase(), "aria-controls": p.id },
        [logo(m), el("span", { text: m.label || m.cardCode })]);
      t.addEventListener("click", function () { select(i, false); });
      p.appendChild(formBlock(m));
      if (key === w.tab) { start = i; }
      ts.push(t); ps.push(p); keys.push(key);
      bar.appendChild(t);
      panels.appendChild(p);
    });
    bar.addEventListener("keydown", function (e) {
      var i = -1, n = ts.length, k = e.key, j;
      each(ts, function (t, x) { if (t === document.activeElement) { i = x; } });
      if (i < 0) { return; }
      j = (k === "ArrowRight" || k === "ArrowDown" || k === "Right" || k === "Down") ? (i + 1) % n
        : (k === "ArrowLeft" || k === "ArrowUp" || k === "Left" || k === "Up") ? (i + n - 1) % n
        : k === "Home" ? 0 : k === "End" ? n - 1 : -1;
      if (j < 0) { return; }
      e.preventDefault();
      select(j, true);
    });
    select(start, false);
    return el("div", { "class": "pl-tabs" }, [bar, panels]);
  }

  function fieldNode(f, idp, off) {
    var name = String(f.name), id = idp + "-" + safe(name), help = f.help ? id + "-help" : null;
    var secured = !!f.secured || name === "PAN" || name === "CVV";
    var type = name === "CVV" ? "password" : (/^(text|email|tel|password)$/.test(f.type) ? f.type : "text");
    var input = el("input", { id: id, name: name, type: type, autocomplete: f.autocomplete || null,
      inputmode: f.inputmode || null, required: f.required ? true : null, "aria-describedby": help,
      disabled: off || null, spellcheck: "false", "data-pl-secured": secured ? "true" : null, "class": "pl-input" });
    var err = el("p", { "class": "pl-field-error", id: id + "-error", hidden: true });
    var group = el("div", { "class": "pl-input-group-container pl-field-" + safe(name).toLowerCase() }, [
      el("label", { "class": "pl-label-input", "for": id, text: f.label || name }),
      help ? el("p", { "class": "pl-help", id: help, text: f.help }) : null,
      input, err]);
    return { f: f, name: name, secured: secured, input: input, err: err, help: help, group: group };
  }

  function formBlock(m) {
    var off = methodOff(m), form = (m.hasForm !== false && m.form) || {}, idp = "pl-" + w.layout + "-" + methodKey(m);
    var inputs = [], fields = el("div", { "class": "pl-form-fields" }), f, btn, ctx;
    each(form.fields, function (fd) {
      if (!fd || !fd.name) { return; }
      var r = fieldNode(fd, idp, off);
      inputs.push(r);
      fields.appendChild(r.group);
    });
    // A <form> so browsers offer card/e-mail autofill; it is never submitted natively.
    f = el("form", { "class": "pl-form", novalidate: true, autocomplete: "on" }, [fields]);
    each(form.notices, function (n) { f.appendChild(el("p", { "class": "pl-notice", text: n })); });
    btn = el("button", { type: "button", "class": "pl-btn pl-pay-btn", disabled: off || null, text: form.submitLabel || L("pay") });
    ctx = { m: m, inputs: inputs, btn: btn, spin: null };
    w.ctxs[methodKey(m)] = ctx;
    // An ordinary (bubbling) listener: a merchant's capture-phase listener that calls
    // preventDefault()/stopImmediatePropagation() (terms-and-conditions gating) wins.
    btn.addEventListener("click", function (e) { pay(ctx, e); });
    f.addEventListener("submit", function (e) { e.preventDefault(); });
    f.addEventListener("keydown", function (e) {
      // Enter in a field = a click on the pay button, through the same listeners (gating included).
      if ((e.key === "Enter" || e.keyCode === 13) && e.target && e.target.tagName === "INPUT") {
        e.preventDefault();
        btn.click();
      }
    });
    f.appendChild(el("div", { "class": "pl-pay-btn-container" }, [btn]));
    return el("div", { "class": "pl-form-container" }, [f]);
  }

  // Non-card values survive a re-render of the same list (retry, amount update); PAN/CVV never do.
  function collectValues() {
    var out = {};
    each(w.view ? w.view.querySelectorAll("input") : [], function (n) {
      if (n.id && n.value && !n.getAttribute("data-pl-secured")) { out[n.id] = n.value; }
    });
    return out;
  }
  function restoreValues(node, keep) {
    var k, n;
    for (k in keep) {
      if (keep.hasOwnProperty(k)) {
        n = node.querySelector("#" + k);
        if (n && !n.disabled) { n.value = keep[k]; }
      }
    }
  }

  function setError(r, text, key) {
    r.input.setAttribute("aria-invalid", "true");
    if (fire("willdisplaymessage", { id: r.err.id, type: "error", key: key, message: text }) === false) { return; }
    r.err.textContent = text;
    r.err.hidden = false;
    r.input.setAttribute("aria-describedby", (r.help ? r.help + " " : "") + r.err.id);
  }
  function clearError(r) {
    r.input.removeAttribute("aria-invalid");
    if (r.err.hidden || fire("willremovemessage", { id: r.err.id }) === false) { return; }
    r.err.hidden = true;
    r.err.textContent = "";
    if (r.help) { r.input.setAttribute("aria-describedby", r.help); } else { r.input.removeAttribute("aria-describedby"); }
  }
  function applyFormError(ctx, fe) {
    var r = null;
    each(ctx.inputs, function (x) { if (x.name === fe.field) { r = x; } });
    if (r) {
      setError(r, fe.message || L("required_field"), "form_error");
      r.input.focus();
    } else {
      showMessage("error", "form_error", fe.message || L("network_error"));
    }
  }
  function clearCard(ctx, cvvOnly) {
    each(ctx.inputs, function (r) { if (r.secured && (!cvvOnly || r.name === "CVV")) { r.input.value = ""; } });
  }

  // "MM/YY", "MM / YY", "M/YY", "MM/YYYY", "MMYY" -> "MMYY".
  function expiry(v) {
    var m = /^(\d{1,2})\s*[\/\-. ]\s*(\d{2}|\d{4})$/.exec(v);
    if (m) { return (m[1].length < 2 ? "0" : "") + m[1] + m[2].slice(-2); }
    v = v.replace(/\D/g, "");
    return v.length === 6 ? v.slice(0, 2) + v.slice(4) : v;
  }

  function setBusy(ctx, on) {
    var b = ctx.btn;
    w.busy = on;
    b.disabled = on;
    if (on) {
      b.setAttribute("aria-busy", "true");
      ctx.spin = spinner();
      b.appendChild(ctx.spin);
    } else {
      b.removeAttribute("aria-busy");
      if (ctx.spin && ctx.spin.parentNode) { ctx.spin.parentNode.removeChild(ctx.spin); }
      if (document.activeElement === document.body) { b.focus(); }
    }
  }

  function pay(ctx, e) {
    if ((e && e.defaultPrevented) || w.busy || ctx.btn.disabled) { return; }
    var bad = null, m = ctx.m, pp = {}, sp = {}, secured = false, body, g = w.gen, key = methodKey(m);
    each(ctx.inputs, clearError);
    each(ctx.inputs, function (r) {
      if (r.f.required && !trim(r.input.value)) {
        setError(r, L("required_field"), "required_field");
        bad = bad || r;
      }
    });
    if (bad) { bad.input.focus(); return; }
    if (fire("beforepayment") === false) { return; }
    each(ctx.inputs, function (r) {
      var v = trim(r.input.value);
      if (r.name === "PAN") { v = v.replace(/[\s-]/g, ""); } else if (r.name === "EXPI_DATE") { v = expiry(v); }
      if (r.secured) { secured = true; sp[r.name] = v; } else { pp[r.name] = v; }
    });
    body = {
      cardCode: m.cardCode, contractNumber: m.contractNumber,
      merchantReturnUrl: absoluteUrl(trim(attr("data-partnerreturnurl")) || window.location.href),
      isEmbeddedRedirectionAllowed: flag(attr("data-embeddedredirectionallowed"), true),
      paymentParams: pp
    };
    if (secured) { body.securedPaymentParams = sp; body.deviceInfo = {}; }
    setBusy(ctx, true);
    request(w.token, "POST", secured ? "securedPaymentRequest" : "paymentRequest", body, function (failed, status, json) {
      body = sp = null; // drop the only references to the card data
      if (g !== w.gen) { return; }
      setBusy(ctx, false);
      if (failed) {
        showMessage("error", "network_error", L("network_error"), function () { fetchState({ ifChanged: true, focus: true }); });
        return;
      }
      if (status !== 200 || !json || !json.type) { problem(status, json, ctx); return; }
      clearCard(ctx, !!json.formError);
      if (json.formError && w.state && json.type === w.state.type) {
        // Same state plus a field error: keep the form as typed, point at the field.
        w.state = json;
        applyFormError(ctx, json.formError);
        return;
      }
      renderState(json, { focus: true });
      if (json.formError) {
        if (w.ctxs[key]) { applyFormError(w.ctxs[key], json.formError); } else { showMessage("error", "form_error", json.formError.message); }
      }
    });
  }

  function cancelSession(btn) {
    var g = w.gen;
    btn.disabled = true;
    btn.setAttribute("aria-busy", "true");
    btn.appendChild(spinner());
    request(w.token, "POST", "cancel", {}, function (failed, status, json) {
      if (g !== w.gen) { return; }
      if (!failed && status === 200 && json && json.type) { renderState(json, { focus: true }); return; }
      btn.disabled = false;
      btn.removeAttribute("aria-busy");
      if (btn.lastChild && btn.lastChild.className === "pl-spinner") { btn.removeChild(btn.lastChild); }
      if (failed) { showMessage("error", "network_error", L("network_error")); } else { problem(status, json, null); }
    });
  }

  function mmss(n) { var s = n % 60; return Math.floor(n / 60) + ":" + (s < 10 ? "0" : "") + s; }

  // Only a plain SVG drawing survives (no script, no foreign content, no event handler, no external link).
  function parseSvg(text) {
    try {
      // Handlers are renamed before parsing too: Chrome fires an inert SVG document's load event,
      // which a strict CSP would report as a blocked inline handler.
      text = String(text).replace(/([\s\/"'])on([a-z]+\s*=)/gi, "$1data-removed-on$2");
      var doc = new DOMParser().parseFromString(text, "image/svg+xml"), root = doc.documentElement, list = [root];
      if (!root || root.localName !== "svg" || doc.getElementsByTagName("parsererror").length) { return null; }
      each(root.getElementsByTagName("*"), function (n) { list.push(n); });
      each(list, function (n) {
        if (/^(script|foreignobject|iframe|style|a)$/i.test(n.localName)) {
          if (n.parentNode) { n.parentNode.removeChild(n); }
          return;
        }
        for (var j = n.attributes.length - 1; j >= 0; j--) {
          var a = n.attributes[j];
          if (/^on/i.test(a.name) || (/href$/i.test(a.name) && a.value.charAt(0) !== "#")) { n.removeAttribute(a.name); }
        }
      });
      root.setAttribute("aria-hidden", "true");
      root.setAttribute("focusable", "false");
      return document.importNode(root, true);
    } catch (e) {
      return null;
    }
  }

  function waitingView(s) {
    var aw = s.activeWaiting || {}, ancv = !aw.cardCode || aw.cardCode === "ANCV_CONNECT";
    var h = heading(L(ancv ? "waiting_title" : "processing_title")), left = Math.max(0, parseInt(aw.secondsLeft, 10) || 0);
    var clock = el("span", { "class": "pl-countdown-value", role: "timer" }), node, box, link, svg, cancel;
    // The same state also covers a card payment the acquirer is still processing (no app, no cancel).
    node = el("div", { "class": "pl-view pl-state-waiting" }, [h, el("p", { text: aw.message || L(ancv ? "waiting_body" : "processing_body") })]);
    if (aw.secondsLeft !== undefined && aw.secondsLeft !== null) {
      node.appendChild(el("p", { "class": "pl-countdown" }, [L("waiting_time_left") + colon(), clock]));
    }
    clock.textContent = mmss(left);
    if (s.isSandbox && (aw.sandboxAppUrl || aw.sandboxQrSvg)) {
      box = el("div", { "class": "pl-sandbox" }, [el("h3", { text: L("homologation_title") }), el("p", { text: L("homologation_notice") })]);
      link = aw.sandboxAppUrl && abs(aw.sandboxAppUrl);
      if (link) { box.appendChild(el("p", {}, [el("a", { href: link, target: "_blank", rel: "noopener", text: L("homologation_link") })])); }
      svg = aw.sandboxQrSvg && parseSvg(aw.sandboxQrSvg);
      if (svg) { box.appendChild(el("figure", { "class": "pl-qr", role: "img", "aria-label": L("homologation_qr") }, [svg])); }
      node.appendChild(box);
    }
    if (ancv) {
      cancel = button(L("cancel"), "pl-btn pl-btn-secondary pl-cancel-btn", function () { cancelSession(cancel); });
      node.appendChild(el("div", { "class": "pl-actions" }, [cancel]));
    } else {
      node.appendChild(spinner());
    }
    return { node: node, heading: h, start: function () {
      var q = w.seq, g = w.gen;
      every(function () {
        if (left <= 0) { return; }
        left--;
        clock.textContent = mmss(left);
        if (!left) { fetchState({ ifChanged: true, seq: q, quiet: true }); }
      }, 1000);
      // isDone is cheap; the full state is fetched only once it says the waiting is over.
      function poll() {
        later(function () {
          request(w.token, "GET", "cardCode/" + encodeURIComponent(aw.cardCode || "ANCV_CONNECT") + "/activewaiting/isDone", undefined,
            function (failed, status, json) {
              if (g !== w.gen || q !== w.seq) { return; }
              if (!failed && (json === true || status === 404)) {
                fetchState({ ifChanged: true, seq: q, quiet: true, focus: true, unchanged: poll });
              } else {
                poll();
              }
            });
        }, 2500);
      }
      poll();
    } };
  }

  // A POST challenge (requestFields) is sent with a form aimed at the iframe or the whole page.
  function submitTo(rd, target) {
    var f = el("form", { method: "post", action: rd.requestUrl, target: target, "class": "pl-hidden-form", hidden: true }), k;
    for (k in rd.requestFields) {
      if (rd.requestFields.hasOwnProperty(k)) { f.appendChild(el("input", { type: "hidden", name: k, value: rd.requestFields[k] })); }
    }
    w.view.appendChild(f);
    f.submit();
  }

  function redirectView(s) {
    var rd = (s.paymentRedirectNoResponse && s.paymentRedirectNoResponse.redirectionData) || {}, url = rd.requestUrl;
    var post = String(rd.requestType || "GET").toUpperCase() === "POST", h, frame, ww, hh;
    if (url && flag(attr("data-embeddedredirectionallowed"), true) && rd.iframeEmbeddable !== false) {
      h = heading(L("challenge_title"));
      ww = parseInt(rd.iframeWidth, 10) || 400;
      hh = parseInt(rd.iframeHeight, 10) || 600;
      frame = el("iframe", { "class": "pl-challenge-frame", name: "pl-challenge-frame", title: L("challenge_title"),
        src: post ? "about:blank" : url, width: String(ww), height: String(hh),
        // no top navigation: the challenge ends on cvgate's threeDSReturn page inside the frame
        sandbox: "allow-forms allow-scripts allow-same-origin allow-popups" });
      frame.style.width = ww + "px"; // capped by max-width: 100% in the stylesheet
      frame.style.height = hh + "px";
      return { node: el("div", { "class": "pl-view pl-state-challenge" }, [h, el("div", { "class": "pl-challenge" }, [frame])]), heading: h,
        start: function () {
          var q = w.seq;
          if (post) { submitTo(rd, "pl-challenge-frame"); }
          // The threeDSReturn page posts a message; polling covers a lost message.
          function poll() { later(function () { fetchState({ ifChanged: true, seq: q, quiet: true, unchanged: poll }); }, 3000); }
          poll();
        } };
    }
    h = heading(L("processing_title"));
    return { node: el("div", { "class": "pl-view pl-state-processing" }, [h, el("p", { text: L("processing_body") }), spinner()]), heading: h,
      start: function () {
        if (!url) { return; }
        if (post) { submitTo(rd, "_self"); } else { window.location.href = url; }
      } };
  }

  function finalView(s) {
    var r = RESULT[s.type], h = heading(L(r[0])), node = el("div", { "class": "pl-view pl-state-final pl-result-" + r[1] }, [h]);
    var fm = failureMessage(s, s.type === "PAYMENT_ONHOLD_PARTNER" ? "info" : "error"), ticket = s.paymentSuccess && s.paymentSuccess.ticket, dl, b;
    var url = s[r[2]] || s.returnUrl || s.cancelUrl;
    if (ticket && ticket.length) {
      dl = el("dl", { "class": "pl-ticket" });
      each(ticket, function (t) {
        dl.appendChild(el("div", { "class": "pl-ticket-row" + (t.s ? " pl-ticket-" + safe(t.s) : "") },
          [el("dt", { text: t.k }), el("dd", { text: t.v })]));
      });
      node.appendChild(dl);
    }
    // Plugins click this button programmatically to leave; it needs no user gesture.
    b = button(L("back_to_shop"), "pl-btn pl-ticket-btn", function () { if (url) { window.location.href = url; } });
    b.id = "pl-ticket-default-ticket_btn";
    node.appendChild(el("div", { "class": "pl-actions" }, [b]));
    return { node: node, heading: h, msgs: fm ? [fm] : [] };
  }

  // ---- lightbox --------------------------------------------------------------------------------

  function focusables() {
    var out = [];
    each(w.dialog.querySelectorAll("a[href],button,input,select,textarea,iframe,[tabindex]"), function (n) {
      if (!n.disabled && n.getAttribute("tabindex") !== "-1" && (n.offsetWidth || n.offsetHeight || n.getClientRects().length)) { out.push(n); }
    });
    return out;
  }
  function onKey(e) {
    if (!w.open) { return; }
    var k = e.key || "", f, a = document.activeElement;
    if (k === "Escape" || k === "Esc" || e.keyCode === 27) { e.preventDefault(); hide(); return; }
    if (k !== "Tab" && e.keyCode !== 9) { return; }
    f = focusables();
    if (!f.length) { e.preventDefault(); w.dialog.focus(); return; }
    if (e.shiftKey && (a === f[0] || a === w.dialog || !w.dialog.contains(a))) { e.preventDefault(); f[f.length - 1].focus(); }
    else if (!e.shiftKey && a === f[f.length - 1]) { e.preventDefault(); f[0].focus(); }
  }
  function onFocusIn(e) {
    if (w.open && w.dialog && w.root.style.display !== "none" && !w.dialog.contains(e.target)) {
      (focusables()[0] || w.dialog).focus();
    }
  }
  function onMessage(e) {
    var d = e.data;
    if (!d || typeof d !== "object" || d.cvgate !== "threeDSDone" || e.origin !== BASE || !w.token || d.token !== w.token) { return; }
    if (w.state && w.state.type === "PAYMENT_REDIRECT_NO_RESPONSE") { fetchState({ ifChanged: true, focus: true, seq: w.seq }); }
  }

  function show() {
    if (!w.root || !w.body) { return; }
    w.root.style.display = "";
    if (w.layout !== "lightbox" || w.open) { return; }
    w.open = true;
    w.restore = document.activeElement;
    w.overflow = document.documentElement.style.overflow;
    document.documentElement.style.overflow = "hidden"; // the page behind must not scroll
    (w.view.querySelector(".pl-title") || w.dialog).focus();
  }
  function hide() {
    if (!w.root || !w.body) { return; }
    w.root.style.display = "none";
    if (!w.open) { return; }
    w.open = false;
    document.documentElement.style.overflow = w.overflow || "";
    var r = w.restore;
    w.restore = null;
    if (r && r.focus && r !== document.body && document.documentElement.contains(r)) { try { r.focus(); } catch (e) { /* ignore */ } }
  }
  function toggle() {
    if (w.root && w.root.style.display === "none") { show(); } else { hide(); }
  }

  // ---- life cycle ------------------------------------------------------------------------------

  function teardown() {
    var r = w.root;
    stopTimers();
    w.gen++;
    if (w.open) { hide(); }
    w.open = false;
    w.state = null;
    w.busy = false;
    w.ctxs = {};
    w.body = w.view = w.msgs = w.live = w.summary = w.dialog = w.title = w.close = null;
    if (!r) { return; }
    r.removeEventListener("keydown", onKey);
    while (r.firstChild) { r.removeChild(r.firstChild); }
    r.className = r.className.replace(/\s*\bpl-(container-lightbox|container-default|layout-tab)\b/g, "");
    r.style.display = "";
  }

  function build() {
    var r = w.root, lb = w.layout === "lightbox";
    r.className = trim(r.className.replace(/\bPaylineWidget\b/g, "") + " PaylineWidget " +
      (lb ? "pl-container-lightbox" : "pl-container-default") + (w.layout === "tab" ? " pl-layout-tab" : ""));
    w.view = el("div", { "class": "pl-view" });
    w.summary = el("p", { "class": "pl-summary", hidden: true });
    w.msgs = el("div", { "class": "pl-messages", "aria-live": "polite" });
    w.live = el("div", { "class": "pl-sr-only", "aria-live": "polite" });
    w.body = el("div", { "class": "pl-body" }, [w.summary, w.msgs, w.view]);
    if (lb) {
      w.title = el("p", { "class": "pl-dialog-title", id: "pl-dialog-title", text: L("loading") });
      w.close = el("button", { type: "button", id: "pl-container-lightbox-close", "class": "pl-close", "aria-label": L("close") },
        [el("span", { "class": "pl-icon-close", "aria-hidden": "true" })]);
      w.close.addEventListener("click", hide);
      w.dialog = el("div", { "class": "pl-dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "pl-dialog-title", tabindex: "-1" },
        [el("div", { id: "pl-container-lightbox-header-bar", "class": "pl-header-bar" }, [w.title, w.close]), w.body]);
      r.appendChild(w.dialog);
      r.addEventListener("keydown", onKey);
    } else {
      r.appendChild(w.body);
    }
    r.appendChild(w.live);
  }

  function init(token, template) {
    var div = document.getElementById("PaylineWidget"), t;
    if (!div && token && document.body) {
      div = el("div", { id: "PaylineWidget" });
      document.body.appendChild(div);
    }
    if (!div) { warn("no element #PaylineWidget"); return; }
    if (token) { div.setAttribute("data-token", token); }
    if (template) { div.setAttribute("data-template", template); }
    teardown();
    w.root = div;
    w.token = trim(div.getAttribute("data-token"));
    if (!w.token) { return; } // waits for Payline.Api.init(token, template)
    t = trim(div.getAttribute("data-template") || "lightbox").toLowerCase();
    w.unsupported = t === "shortcut";
    if (t !== "column" && t !== "tab" && t !== "lightbox") {
      if (!w.unsupported) { warn("unknown data-template \"" + t + "\": column is used"); }
      t = "column";
    }
    w.layout = t;
    fire("willinit");
    build();
    renderLoading();
    fire("willshow");
    show();
    fetchState();
  }

  function endToken(additionalData, callback, spinnerOn, handledByMerchant) {
    function done() { if (typeof callback === "function") { try { callback(); } catch (e) { if (window.console) { console.error(e); } } } }
    if (!w.token) { done(); return; }
    stopTimers();
    w.gen++; // answers to earlier requests (polls, a payment) no longer matter
    var g = w.gen;
    if (spinnerOn && w.body) { clearMessages(); renderLoading(); }
    request(w.token, "POST", "cancel", {}, function (failed, status, json) {
      var ok = !failed && status === 200 && json && json.type;
      if (ok) { bridge("didEndToken", { state: json.type }); }
      if (g === w.gen && w.body) {
        if (handledByMerchant) {
          if (ok) { w.state = json; }
          clearMessages();
          swap(el("div", { "class": "pl-view" }), null, { silent: true });
        } else if (ok) {
          renderState(json, {});
        } else if (failed) {
          networkError(function () { fetchState({ focus: true }); });
        } else {
          problem(status, json, null);
        }
      }
      done();
    });
  }

  function getTokenStatus(token, cb) {
    if (typeof token === "function") { cb = token; token = null; }
    request(token || w.token, "GET", "state/current", undefined, function (failed, status, json) {
      var r = status === 404 ? "UNKNOWN" : (json && json.type === "TOKEN_EXPIRED") ? "EXPIRED" : "ALIVE";
      if (typeof cb === "function") { cb(r); }
    });
  }

  function updateWebpaymentData(token, data, cb) {
    if (token && typeof token === "object") { cb = data; data = token; token = null; }
    var tok = token || w.token;
    request(tok, "PUT", "webpaymentdata", data || {}, function (failed, status, json) {
      var st = failed ? 0 : (json && typeof json.status === "number" ? json.status : status);
      // The amount shown (summary, pay button labels) comes from the state: refresh it quietly.
      if (st === 200 && tok === w.token && w.state && !FINAL[w.state.type]) { fetchState({ silent: true }); }
      if (typeof cb === "function") { cb({ status: st }); }
    });
  }

  function autoInit(div) { return flag(div.getAttribute("data-auto-init"), true); }
  function boot() {
    var div = document.getElementById("PaylineWidget");
    if (div && !w.root && autoInit(div) && trim(div.getAttribute("data-token"))) { init(); }
  }
  function reloaded() {
    var div = document.getElementById("PaylineWidget");
    if (!div || (div === w.root && w.token && w.body)) { return; } // the same, working widget
    if (autoInit(div) && trim(div.getAttribute("data-token"))) { init(); }
  }

  var api = {
    init: init,
    show: show,
    hide: hide,
    toggle: toggle,
    reset: function (token, template) { init(token, template); },
    endToken: endToken,
    getCancelAndReturnUrls: function () {
      var s = w.state;
      return { cancelUrl: s ? s.cancelUrl : undefined, returnUrl: s ? s.returnUrl : undefined };
    },
    getContextInfo: function (key) {
      var i = w.state && w.state.info;
      return i && Object.prototype.hasOwnProperty.call(i, key) ? i[key] : undefined;
    },
    getToken: function () { return w.token; },
    getTokenStatus: getTokenStatus,
    getLanguage: function () { return (w.state && w.state.language) || undefined; },
    isSandbox: function () { return !!(w.state && w.state.isSandbox); },
    updateWebpaymentData: updateWebpaymentData,
    updateWebPaymentData: function (data, cb) { updateWebpaymentData(w.token, data, cb); }
  };
  api.getLanguageCode = api.getLanguage;
  api.isSandBox = api.isSandbox;

  Payline.Api = api;
  try {
    Object.defineProperty(Payline, "__cvgate", { value: { reloaded: reloaded, base: BASE }, enumerable: false });
  } catch (e) {
    Payline.__cvgate = { reloaded: reloaded, base: BASE };
  }
  // Installed once for the page's life, whatever the number of loads or resets.
  window.addEventListener("message", onMessage);
  document.addEventListener("focusin", onFocusIn);

  if (document.getElementById("PaylineWidget") || document.readyState !== "loading") { boot(); }
  else { document.addEventListener("DOMContentLoaded", boot); }
})(window, document);
