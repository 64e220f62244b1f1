//! A merchant's site for the widget's browser tests: pages on their own loopback origin (as
//! shops embed the widget, never on cvgate's) under a strict Content-Security-Policy (nonces, only
//! cvgate's origin allowed), each recording the widget's `data-event-*` callbacks in
//! `window.__events` and any CSP violation in `window.__csp`; and what a buyer's browser does
//! with the widget.

#![allow(dead_code)]

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use browser::Browser;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a widget state may take to show.
pub const WAIT: Duration = Duration::from_secs(20);

/// The nonce of the merchant pages' own inline scripts and styles.
pub const NONCE: &str = "bWVyY2hhbnQtdGVzdC1ub25jZQ";

/// The published pages by name, and the policy they are served with.
#[derive(Clone, Default)]
struct Pages {
    html: Arc<Mutex<HashMap<String, String>>>,
    policy: String,
}

/// The merchant's site: pages the test publishes, and the shop's return and cancel pages.
#[derive(Clone)]
pub struct MerchantSite {
    pub base: String,
    pages: Pages,
}

impl MerchantSite {
    /// Starts the site; its pages may load scripts, styles and images, call and frame only from
    /// cvgate (`cvgate`, its base URL) and run only the inline code that carries [`NONCE`].
    pub async fn start(cvgate: &str) -> MerchantSite {
        let pages = Pages {
            html: Arc::default(),
            policy: format!(
                "default-src 'none'; script-src 'nonce-{NONCE}' {cvgate}; \
                 style-src 'nonce-{NONCE}' {cvgate}; img-src {cvgate}; connect-src {cvgate}; \
                 frame-src {cvgate}; form-action 'self'; base-uri 'none'"
            ),
        };
        let app = Router::new()
            .route("/page/{name}", get(page))
            .route(
                "/return",
                get(|| async { Html("<h1>Thank you for your order</h1>") }),
            )
            .route(
                "/cancel",
                get(|| async { Html("<h1>Order cancelled</h1>") }),
            )
            .with_state(pages.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        // `localhost`, not 127.0.0.1: another origin than cvgate's, as a real shop's.
        let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
        tokio::spawn(axum::serve(listener, app).into_future());
        MerchantSite { base, pages }
    }

    /// Serves `html` at `/page/<name>`; returns its URL.
    pub fn publish(&self, name: &str, html: String) -> String {
        self.pages
            .html
            .lock()
            .unwrap()
            .insert(name.to_owned(), html);
        format!("{}/page/{name}", self.base)
    }

    /// Where the buyer comes back after paying.
    pub fn return_url(&self) -> String {
        format!("{}/return", self.base)
    }
}

async fn page(State(pages): State<Pages>, Path(name): Path<String>) -> Response {
    let html = pages.html.lock().unwrap().get(&name).cloned();
    (
        [(CONTENT_SECURITY_POLICY, pages.policy.clone())],
        Html(html.unwrap_or_default()),
    )
        .into_response()
}

/// The callbacks every test page records: (attribute, global function).
const CALLBACKS: [(&str, &str); 7] = [
    ("willinit", "onWillInit"),
    ("willshow", "onWillShow"),
    ("didshowstate", "onDidShowState"),
    ("finalstatehasbeenreached", "onFinalState"),
    ("willdisplaymessage", "onWillDisplayMessage"),
    ("willremovemessage", "onWillRemoveMessage"),
    ("beforepayment", "onBeforePayment"),
];

/// A merchant's checkout page with the widget, as the official plugins write it.
pub struct WidgetPage<'a> {
    /// cvgate's base URL, where the widget's files come from.
    pub cvgate: &'a str,
    /// `data-token`; `None`: the page calls `Payline.Api.init` itself.
    pub token: Option<&'a str>,
    pub template: &'a str,
    /// Extra `data-*` attributes of the widget's div.
    pub attributes: &'a str,
    /// Extra markup at the end of `<head>` (the merchant's own CSS…); its `<script>` and
    /// `<style>` elements get the page's nonce.
    pub head: &'a str,
    /// Extra markup after the widget's script (nonces added likewise).
    pub body: &'a str,
}

/// `markup` with the page's nonce on its inline `<script>` and `<style>` elements.
fn with_nonce(markup: &str) -> String {
    markup
        .replace("<script>", &format!("<script nonce=\"{NONCE}\">"))
        .replace("<style>", &format!("<style nonce=\"{NONCE}\">"))
}

impl WidgetPage<'_> {
    pub fn html(&self) -> String {
        let events: String = CALLBACKS
            .iter()
            .map(|(event, function)| format!(" data-event-{event}=\"{function}\""))
            .collect();
        let recorders: String = CALLBACKS
            .iter()
            .map(|(event, function)| format!("var {function} = record('{event}');\n"))
            .collect();
        let token = self
            .token
            .map_or(String::new(), |t| format!(" data-token=\"{t}\""));
        format!(
            r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{cvgate}/styles/widget-min.css">
<script nonce="{NONCE}">
// Each callback is recorded with its argument; it answers what the test put in __returns.
window.__events = []; window.__returns = {{}}; window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {{
  window.__csp.push(e.effectiveDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber);
}});
function record(name) {{
  return function (argument) {{
    window.__events.push({{ name: name, arg: argument === undefined ? null : JSON.parse(JSON.stringify(argument)) }});
    return window.__returns[name];
  }};
}}
{recorders}</script>
{head}
</head><body><main><h1>Checkout</h1>
<div id="PaylineWidget"{token} data-template="{template}" data-cspnonce="{NONCE}"{attributes}{events}></div>
<script src="{cvgate}/scripts/widget-min.js"></script>
{body}
</main></body></html>"#,
            cvgate = self.cvgate,
            template = self.template,
            attributes = self.attributes,
            head = with_nonce(self.head),
            body = with_nonce(self.body),
        )
    }
}

/// The callbacks the widget made so far: (name, argument).
pub async fn events(browser: &Browser) -> Vec<(String, Value)> {
    let recorded = browser
        .execute("return window.__events || [];", &[])
        .await
        .unwrap();
    recorded
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_owned(), e["arg"].clone()))
        .collect()
}

/// The states the widget showed (`didshowstate`), in order.
pub async fn shown_states(browser: &Browser) -> Vec<String> {
    events(browser)
        .await
        .into_iter()
        .filter(|(name, _)| name == "didshowstate")
        .map(|(_, arg)| arg["state"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Waits until the widget has shown `state` `times` times.
pub async fn wait_for_state(browser: &Browser, state: &str, times: usize) {
    browser
        .wait_until(&format!("the widget shows {state}"), WAIT, async || {
            let shown = shown_states(browser).await;
            Ok(shown.iter().filter(|s| *s == state).count() >= times)
        })
        .await
        .unwrap_or_else(|e| {
            panic!("{e}");
        });
}

/// Runs `script` in the page and returns its value.
pub async fn run(browser: &Browser, script: &str) -> Value {
    browser.execute(script, &[]).await.unwrap()
}

/// Types `text` into the element matching `css`.
pub async fn type_in(browser: &Browser, css: &str, text: &str) {
    browser
        .wait_for(css, WAIT)
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Clicks the element matching `css`, once it is there.
pub async fn press(browser: &Browser, css: &str) {
    browser
        .wait_for(css, WAIT)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// The beneficiary validates `amount` of the request waiting in their app, through the sandbox
/// app's JSON API (over HTTP, as the app's page does).
pub async fn validate_in_the_app(cvgate: &str, beneficiary: &str, amount: i64) {
    let http = reqwest::Client::new();
    let pending: Value = http
        .get(format!(
            "{cvgate}/sandbox/ancv/app/api/beneficiaries/{beneficiary}/requests"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = pending["requests"][0]["transactionId"]
        .as_str()
        .unwrap_or_else(|| panic!("a request in the app: {pending}"))
        .to_owned();
    let validated = http
        .post(format!(
            "{cvgate}/sandbox/ancv/app/api/requests/{id}/validate"
        ))
        .json(&serde_json::json!({"secretCode": "1234", "amount": amount}))
        .send()
        .await
        .unwrap();
    assert_eq!(validated.status(), 200);
}

/// Pays with a card in the widget's card form (`.pl-cb`).
pub async fn pay_by_card(browser: &Browser, number: &str) {
    type_in(browser, ".pl-pmContainer.pl-cb input[name=PAN]", number).await;
    type_in(
        browser,
        ".pl-pmContainer.pl-cb input[name=EXPI_DATE]",
        "12/30",
    )
    .await;
    type_in(browser, ".pl-pmContainer.pl-cb input[name=CVV]", "123").await;
    press(browser, ".pl-pmContainer.pl-cb .pl-pay-btn").await;
}

/// The buyer answers the 3-D Secure challenge inside the widget's iframe.
pub async fn answer_the_challenge_in_the_iframe(browser: &Browser) {
    let frame = browser
        .wait_for("iframe.pl-challenge-frame", WAIT)
        .await
        .unwrap();
    frame.enter_frame().await.unwrap();
    type_in(browser, "#code", "1234").await;
    press(browser, "#confirm").await;
    browser.enter_parent_frame().await.unwrap();
}

/// The text of the element matching `css` as the DOM has it (no-break spaces kept).
pub async fn dom_text(browser: &Browser, css: &str) -> String {
    let element = browser.wait_for(css, WAIT).await.unwrap();
    browser
        .execute(
            "return arguments[0].textContent;",
            &[element.as_script_arg()],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The Content-Security-Policy violations the page met (none: the widget works under a strict
/// policy, as on shops that have one).
pub async fn assert_no_csp_violation(browser: &Browser) {
    let violations = browser
        .execute("return window.__csp || [];", &[])
        .await
        .unwrap();
    assert_eq!(violations, serde_json::json!([]), "CSP violations");
}

/// Audits the widget's current state: no CSP violation so far, axe-core, a screenshot under
/// `CVGATE_SCREENSHOTS`. (axe-core's own injected `<style>` is reported by the policy: the
/// record is cleared after it.)
pub async fn check_state(browser: &Browser, name: &str) {
    assert_no_csp_violation(browser).await;
    crate::support::check_page(browser, name).await;
    browser
        .execute("window.__csp = []; return null;", &[])
        .await
        .unwrap();
}
