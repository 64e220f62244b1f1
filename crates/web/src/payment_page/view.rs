//! What the page shows for a session: the view (choose / waiting / partial / challenge /
//! result) and every value the templates need, already formatted.

use crate::sandbox_app::SandboxAppLink;
use crate::texts::{Texts, money, refusal, texts};
use domain::clock::Timestamp;
use domain::contract::Contract;
use domain::web_payment::request::{ANCV_MINIMUM_AMOUNT, Language};
use domain::web_payment::{Session, SessionState, WebPayment};
use gateway::web_payments::Snapshot;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct PageView {
    pub t: &'static Texts,
    pub view: &'static str,
    pub state: &'static str,
    pub token: String,
    pub csrf: String,
    pub merchant: Option<String>,
    pub order_ref: String,
    pub amount: String,
    pub error: Option<String>,
    pub error_field: Option<String>,
    pub beneficiary: String,
    pub ancv: Option<AncvView>,
    pub sandbox: Option<SandboxAppLink>,
    pub cards: Vec<CardContract>,
    pub card_amount: Option<String>,
    pub attempts_left: Option<u8>,
    pub paid_vouchers: Option<String>,
    pub remaining: Option<String>,
    pub seconds_left: i64,
    pub time_left: String,
    pub challenge_url: Option<String>,
    pub result_kind: &'static str,
    pub result_message: &'static str,
    pub result_detail: Option<&'static str>,
    pub shop_url: String,
    pub cancellable: bool,
    pub refresh_seconds: Option<u32>,
    pub refresh_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AncvView {
    pub offered: bool,
    /// No card contract can take a remainder: the beneficiary must validate the full amount.
    pub full_only: bool,
}

#[derive(Debug, Serialize)]
pub struct CardContract {
    pub number: String,
    pub label: String,
}

/// A problem to show on the form, and which field it concerns.
pub struct FormError {
    pub message: String,
    pub field: Option<String>,
}

pub struct Inputs<'a> {
    pub snapshot: &'a Snapshot,
    pub now: Timestamp,
    pub form_error: Option<FormError>,
    pub beneficiary: &'a str,
    pub sandbox: Option<SandboxAppLink>,
    pub challenge_url: Option<String>,
}

pub fn language(snapshot: &Snapshot) -> Language {
    snapshot.payment.request.language
}

/// Everything the page shows for the session in `inputs`.
pub fn build(inputs: Inputs<'_>) -> PageView {
    let snapshot = inputs.snapshot;
    let payment = &snapshot.payment;
    let session = &payment.session;
    let language = language(snapshot);
    let t = texts(language);
    let view = view_name(session.state, inputs.challenge_url.is_some());
    let (result_kind, result_message) = result_words(session.state, t);
    let shop_url = shop_url(payment);
    let complementary = snapshot.complementary_contracts();
    let cards = card_contracts(session.state, &complementary);
    let ancv = snapshot.ancv_contract().map(|_| AncvView {
        offered: payment.request.amount >= ANCV_MINIMUM_AMOUNT,
        full_only: complementary.is_empty(),
    });
    let seconds_left = seconds_left(snapshot, inputs.now);
    let (error, error_field) = shown_error(inputs.form_error, session, view, language);
    let partial = session.state == SessionState::AncvPartial;
    PageView {
        t,
        view,
        state: session.state.as_str(),
        token: payment.token.clone(),
        csrf: payment.page_secret.clone(),
        merchant: payment.request.merchant_name.clone(),
        order_ref: payment.request.order_ref.clone(),
        amount: money(language, payment.request.amount),
        error,
        error_field,
        beneficiary: inputs.beneficiary.to_owned(),
        ancv: if view == "choose" { ancv } else { None },
        sandbox: inputs.sandbox,
        card_amount: (!cards.is_empty()).then(|| money(language, session.card_amount())),
        cards,
        attempts_left: (session.attempts > 0 && !session.state.is_final())
            .then(|| session.attempts_left()),
        paid_vouchers: partial.then(|| money(language, session.ancv_validated.unwrap_or(0))),
        remaining: partial.then(|| money(language, session.card_amount())),
        seconds_left,
        time_left: format!("{}:{:02}", seconds_left / 60, seconds_left % 60),
        challenge_url: inputs.challenge_url,
        result_kind,
        result_message,
        result_detail: (session.state == SessionState::Refused)
            .then(|| session.last_code.map(|c| refusal(language, c)))
            .flatten(),
        shop_url: shop_url.clone(),
        cancellable: !session.state.is_final(),
        refresh_seconds: refresh_seconds(view),
        refresh_url: (view == "result").then_some(shop_url),
    }
}

/// Which view the page shows in `state`.
fn view_name(state: SessionState, has_challenge: bool) -> &'static str {
    match state {
        SessionState::Created | SessionState::OnPage => "choose",
        SessionState::AncvWaiting => "waiting",
        SessionState::AncvPartial => "partial",
        SessionState::CardInProgress if has_challenge => "challenge",
        SessionState::CardInProgress => "processing",
        SessionState::Accepted
        | SessionState::Refused
        | SessionState::Cancelled
        | SessionState::ExpiredOnPage
        | SessionState::ExpiredUnopened => "result",
    }
}

/// The result's kind (a CSS class) and headline; empty while the session is not final.
fn result_words(state: SessionState, t: &'static Texts) -> (&'static str, &'static str) {
    match state {
        SessionState::Accepted => ("accepted", t.result_accepted),
        SessionState::Refused => ("refused", t.result_refused),
        SessionState::Cancelled => ("cancelled", t.result_cancelled),
        SessionState::ExpiredOnPage | SessionState::ExpiredUnopened => {
            ("expired", t.result_expired)
        }
        SessionState::Created
        | SessionState::OnPage
        | SessionState::AncvWaiting
        | SessionState::AncvPartial
        | SessionState::CardInProgress => ("", ""),
    }
}

/// Where the buyer goes back to: `cancelURL` after a cancel, `returnURL` otherwise, with the
/// token appended as `paylinetoken`.
fn shop_url(payment: &WebPayment) -> String {
    let shop_base = if payment.session.state == SessionState::Cancelled {
        &payment.request.cancel_url
    } else {
        &payment.request.return_url
    };
    let separator = if shop_base.contains('?') { '&' } else { '?' };
    format!("{shop_base}{separator}paylinetoken={}", payment.token)
}

/// The card contracts the buyer may pay with now (none once a payment is under way or over).
fn card_contracts(state: SessionState, complementary: &[&Contract]) -> Vec<CardContract> {
    match state {
        SessionState::Created | SessionState::OnPage | SessionState::AncvPartial => complementary
            .iter()
            .map(|c| CardContract {
                number: c.number.to_string(),
                label: format!("{} ({})", c.label, c.card_code),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Seconds until the session (or the ANCV request, when it ends first) expires, never negative.
fn seconds_left(snapshot: &Snapshot, now: Timestamp) -> i64 {
    let session = &snapshot.payment.session;
    let deadline = snapshot
        .ancv
        .as_ref()
        .and_then(|a| a.expires_at)
        .map_or(session.expires_at, |at| at.min(session.expires_at));
    ((deadline.millis() - now.millis()) / 1000).max(0)
}

/// The error to show and the field it concerns: the form's own, else the last refusal (not on
/// a result page, which says it otherwise).
fn shown_error(
    form_error: Option<FormError>,
    session: &Session,
    view: &str,
    language: Language,
) -> (Option<String>, Option<String>) {
    let last_failure = session
        .last_code
        .filter(|_| !session.state.is_final() || session.state == SessionState::Refused);
    match form_error {
        Some(error) => (Some(error.message), error.field),
        None => (
            last_failure
                .filter(|_| view != "result")
                .map(|code| refusal(language, code).to_owned()),
            None,
        ),
    }
}

/// Without JavaScript the waiting page refreshes itself; a result page goes back to the shop.
fn refresh_seconds(view: &str) -> Option<u32> {
    match view {
        "waiting" => Some(5),
        "processing" => Some(3),
        "result" => Some(10),
        _ => None,
    }
}
