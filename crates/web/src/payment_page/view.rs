//! What the page shows for a session: the view (choose / waiting / partial / challenge /
//! result) and every value the templates need, already formatted.

use super::texts::{Texts, money, refusal, texts};
use domain::clock::Timestamp;
use domain::web_payment::SessionState;
use domain::web_payment::request::{ANCV_MINIMUM_AMOUNT, Language};
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
    pub sandbox: Option<SandboxView>,
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
pub struct SandboxView {
    pub app_url: String,
    pub qr_svg: String,
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
    pub sandbox: Option<SandboxView>,
    pub challenge_url: Option<String>,
}

pub fn language(snapshot: &Snapshot) -> Language {
    snapshot.payment.request.language
}

pub fn build(inputs: Inputs<'_>) -> PageView {
    let snapshot = inputs.snapshot;
    let payment = &snapshot.payment;
    let session = &payment.session;
    let language = language(snapshot);
    let t = texts(language);
    let view = match session.state {
        SessionState::Created | SessionState::OnPage => "choose",
        SessionState::AncvWaiting => "waiting",
        SessionState::AncvPartial => "partial",
        SessionState::CardInProgress if inputs.challenge_url.is_some() => "challenge",
        SessionState::CardInProgress => "processing",
        SessionState::Accepted
        | SessionState::Refused
        | SessionState::Cancelled
        | SessionState::ExpiredOnPage
        | SessionState::ExpiredUnopened => "result",
    };
    let (result_kind, result_message) = match session.state {
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
    };
    let shop_base = if session.state == SessionState::Cancelled {
        &payment.request.cancel_url
    } else {
        &payment.request.return_url
    };
    let separator = if shop_base.contains('?') { '&' } else { '?' };
    let shop_url = format!("{shop_base}{separator}paylinetoken={}", payment.token);
    let complementary = snapshot.complementary_contracts();
    let cards: Vec<CardContract> = match session.state {
        SessionState::Created | SessionState::OnPage | SessionState::AncvPartial => complementary
            .iter()
            .map(|c| CardContract {
                number: c.number.to_string(),
                label: format!("{} ({})", c.label, c.card_code),
            })
            .collect(),
        _ => Vec::new(),
    };
    let ancv = snapshot.ancv_contract().map(|_| AncvView {
        offered: payment.request.amount >= ANCV_MINIMUM_AMOUNT,
        full_only: complementary.is_empty(),
    });
    let deadline = snapshot
        .ancv
        .as_ref()
        .and_then(|a| a.expires_at)
        .map_or(session.expires_at, |at| at.min(session.expires_at));
    let seconds_left = ((deadline.millis() - inputs.now.millis()) / 1000).max(0);
    let last_failure = session
        .last_code
        .filter(|_| !session.state.is_final() || session.state == SessionState::Refused);
    let (error, error_field) = match inputs.form_error {
        Some(error) => (Some(error.message), error.field),
        None => (
            last_failure
                .filter(|_| view != "result")
                .map(|code| refusal(language, code).to_owned()),
            None,
        ),
    };
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
        // Without JavaScript the waiting page refreshes itself; a result page goes back to the shop.
        refresh_seconds: match view {
            "waiting" => Some(5),
            "processing" => Some(3),
            "result" => Some(10),
            _ => None,
        },
        refresh_url: (view == "result").then_some(shop_url),
    }
}
