//! The SessionState JSON (widget.md §4): what the widget shows for a session, built from the
//! same snapshot as the hosted page, with every word from the page's catalogue.

use super::formats::{creation_date, info, payline_amount, with_token};
use crate::sandbox_app::SandboxAppLink;
use crate::texts::{Texts, refusal, texts};
use crate::widget_state::WidgetState;
use domain::contract::{CardCode, Contract};
use domain::web_payment::SessionState as Stored;
use domain::web_payment::request::Language;
use gateway::web_payments::Snapshot;
use serde::Serialize;
use serde_json::{Map, Value};

/// What the answer may add to the state: the field the buyer must correct.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FormError {
    /// The request's field name (`BENEFICIARY`, `PAN`, `EXPI_DATE`, `CVV`, `contractNumber`).
    pub field: &'static str,
    /// What is wrong, in the session's language.
    pub message: String,
}

/// Everything that goes into a SessionState besides the snapshot.
pub(crate) struct Context<'a> {
    /// cvgate's public base URL (logos, the sandbox app).
    pub public_base: &'a str,
    /// The sandbox app's link, in homologation.
    pub sandbox: Option<SandboxAppLink>,
    /// Milliseconds since the epoch now (time left in the app).
    pub now_millis: i64,
    /// A field to correct, from the request being answered.
    pub form_error: Option<FormError>,
}

/// The SessionState JSON of `snapshot`.
pub(crate) fn session_state(snapshot: &Snapshot, context: Context<'_>) -> Value {
    let payment = &snapshot.payment;
    let session = &payment.session;
    let language = payment.request.language;
    let t = texts(language);
    let widget_state = WidgetState::of(snapshot);
    let mut state = Map::new();
    let mut put = |key: &str, value: Value| {
        state.insert(key.to_owned(), value);
    };
    put("token", payment.token.clone().into());
    put("type", widget_state.as_str().into());
    put("isFinal", session.state.is_final().into());
    put("creationDate", creation_date(payment.created_at).into());
    put(
        "cancelUrl",
        with_token(&payment.request.cancel_url, &payment.token).into(),
    );
    put(
        "returnUrl",
        with_token(&payment.request.return_url, &payment.token).into(),
    );
    put("pointOfSale", snapshot.point_of_sale_label.clone().into());
    put("merchantName", snapshot.merchant_display_name().into());
    put("language", t.lang.into());
    put("isSandbox", context.sandbox.is_some().into());
    put("info", info(snapshot));
    put("labels", labels(t));
    if matches!(
        widget_state,
        WidgetState::PaymentMethodsList
            | WidgetState::PaymentFailureWithRetry
            | WidgetState::PaymentCanceledWithRetry
    ) {
        put(
            "paymentMethodsList",
            methods(snapshot, t, context.public_base),
        );
    }
    if let Some(fragmented) = fragmented(snapshot) {
        put("fragmented", fragmented);
    }
    match widget_state {
        WidgetState::ActiveWaiting => put("activeWaiting", active_waiting(snapshot, t, &context)),
        WidgetState::PaymentRedirectNoResponse => {
            put("paymentRedirectNoResponse", redirect(snapshot))
        }
        WidgetState::PaymentSuccess => put("paymentSuccess", success(snapshot, t)),
        WidgetState::PaymentMethodsList => {}
        WidgetState::PaymentFailureWithRetry
        | WidgetState::PaymentCanceledWithRetry
        | WidgetState::PaymentFailure
        | WidgetState::PaymentCanceled
        | WidgetState::TokenExpired => put("paymentFailure", failure(snapshot, widget_state, t)),
    }
    if session.attempts > 0 && !session.state.is_final() {
        put("attemptsLeft", session.attempts_left().into());
    }
    if let Some(error) = context.form_error {
        put("formError", serde_json::to_value(error).unwrap_or_default());
    }
    Value::Object(state)
}

/// Every word of the catalogue in the session's language: the widget has no words of its own.
fn labels(t: &Texts) -> Value {
    serde_json::to_value(t).unwrap_or_default()
}

/// The methods the buyer may use now: Chèque-Vacances Connect (before any voucher was
/// validated, from the minimum amount) and the card contracts that may take the rest.
fn methods(snapshot: &Snapshot, t: &Texts, public_base: &str) -> Value {
    let partial = snapshot.payment.session.ancv_validated.is_some();
    let mut list = Vec::new();
    if let Some(contract) = snapshot
        .ancv_contract()
        .filter(|_| !partial && snapshot.ancv_offered())
    {
        let full_only = snapshot.complementary_contracts().is_empty();
        list.push(ancv_method(contract, t, public_base, full_only));
    }
    let card_amount = payline_amount(
        snapshot.payment.request.language,
        snapshot.payment.session.card_amount(),
        snapshot.payment.request.currency,
    );
    for contract in snapshot.complementary_contracts() {
        list.push(card_method(contract, t, &card_amount));
    }
    serde_json::json!({ "paymentMethods": list })
}

fn ancv_method(contract: &Contract, t: &Texts, public_base: &str, full_only: bool) -> Value {
    let mut notices = vec![t.ancv_app_notice];
    if full_only {
        notices.push(t.ancv_full_only);
    }
    serde_json::json!({
        "cardCode": CardCode::AncvConnect.to_string(),
        "contractNumber": contract.number.to_string(),
        "label": t.ancv_title,
        "disabled": false,
        "hasForm": true,
        "hasLogo": true,
        "logo": {"url": format!("{public_base}/webpayment-assets/ancv-connect.svg"), "alt": t.ancv_title},
        "state": "AVAILABLE",
        "form": {
            "fields": [{"name": "BENEFICIARY", "label": t.ancv_identifier, "help": t.ancv_identifier_help,
                        "type": "text", "autocomplete": "email", "inputmode": "email", "required": true}],
            "notices": notices,
            "submitLabel": t.ancv_submit,
        },
    })
}

fn card_method(contract: &Contract, t: &Texts, amount: &str) -> Value {
    serde_json::json!({
        "cardCode": contract.card_code.to_string(),
        "contractNumber": contract.number.to_string(),
        "label": contract.label,
        "disabled": false,
        "hasForm": true,
        "hasLogo": false,
        "state": "AVAILABLE",
        "form": {
            "fields": [
                {"name": "PAN", "label": t.card_number, "type": "text", "autocomplete": "cc-number",
                 "inputmode": "numeric", "required": true, "secured": true},
                {"name": "EXPI_DATE", "label": t.card_expiry, "help": t.card_expiry_help, "type": "text",
                 "autocomplete": "cc-exp", "inputmode": "numeric", "required": true},
                {"name": "CVV", "label": t.card_cvv, "help": t.card_cvv_help, "type": "text",
                 "autocomplete": "cc-csc", "inputmode": "numeric", "required": true, "secured": true},
                {"name": "HOLDER", "label": t.card_holder, "type": "text", "autocomplete": "cc-name",
                 "required": false},
            ],
            "submitLabel": format!("{} {amount}", t.card_submit),
        },
    })
}

/// After a partial validation: what the vouchers paid and what is left.
fn fragmented(snapshot: &Snapshot) -> Option<Value> {
    let session = &snapshot.payment.session;
    let paid = session
        .ancv_validated
        .filter(|paid| *paid < session.amount)?;
    let language = snapshot.payment.request.language;
    let currency = snapshot.payment.request.currency;
    let remaining = session.amount - paid;
    Some(serde_json::json!({
        "paidAmount": paid,
        "remainingAmount": remaining,
        "formattedPaidAmount": payline_amount(language, paid, currency),
        "formattedRemainingAmount": payline_amount(language, remaining, currency),
    }))
}

fn active_waiting(snapshot: &Snapshot, t: &Texts, context: &Context<'_>) -> Value {
    let session = &snapshot.payment.session;
    if session.state == Stored::CardInProgress {
        let contract = snapshot
            .card
            .as_ref()
            .map(|c| c.contract_number.to_string());
        return serde_json::json!({"cardCode": card_code_of(snapshot), "contractNumber": contract,
                                  "message": t.processing_body});
    }
    let deadline = snapshot
        .ancv
        .as_ref()
        .and_then(|a| a.expires_at)
        .map_or(session.expires_at, |at| at.min(session.expires_at));
    let mut waiting = serde_json::json!({
        "cardCode": CardCode::AncvConnect.to_string(),
        "contractNumber": snapshot.ancv.as_ref().map(|a| a.contract_number.to_string()),
        "message": t.waiting_body,
        "secondsLeft": ((deadline.millis() - context.now_millis) / 1000).max(0),
    });
    if let Some(sandbox) = &context.sandbox {
        waiting["sandboxAppUrl"] = sandbox.app_url.clone().into();
        waiting["sandboxQrSvg"] = sandbox.qr_svg.clone().into();
    }
    waiting
}

fn card_code_of(snapshot: &Snapshot) -> String {
    snapshot
        .card
        .as_ref()
        .map_or_else(|| "CB".to_owned(), |c| c.card_type.to_string())
}

fn challenge_url(snapshot: &Snapshot) -> Option<&str> {
    snapshot
        .card
        .as_ref()
        .and_then(|c| c.challenge_url.as_deref())
}

/// The 3-D Secure challenge: the ACS page, to show in an iframe or to go to.
fn redirect(snapshot: &Snapshot) -> Value {
    serde_json::json!({
        "cardCode": card_code_of(snapshot),
        "contractNumber": snapshot.card.as_ref().map(|c| c.contract_number.to_string()),
        "redirectionData": {
            "requestType": "GET",
            "requestUrl": challenge_url(snapshot),
            "requestFields": {},
            "iframeEmbeddable": true,
            "iframeWidth": 400,
            "iframeHeight": 600,
        },
    })
}

/// The success ticket: the amount, each part, the card and its authorization.
fn success(snapshot: &Snapshot, t: &Texts) -> Value {
    let request = &snapshot.payment.request;
    let session = &snapshot.payment.session;
    let amount = |minor| payline_amount(request.language, minor, request.currency);
    let mut ticket = vec![line(t.order_total, amount(request.amount))];
    if let Some(vouchers) = session.ancv_validated {
        ticket.push(line(t.paid_with_vouchers, amount(vouchers)));
    }
    if let Some(card) = &snapshot.card {
        if session.ancv_validated.is_some() {
            ticket.push(line(t.card_title, amount(card.amount)));
        }
        ticket.push(line(t.card_number, card.masked_number.clone()));
        if let Some(number) = &card.authorization_number {
            ticket.push(line(t.authorization_number, number.clone()));
        }
    }
    ticket.push(line(t.order, request.order_ref.clone()));
    serde_json::json!({ "ticket": ticket })
}

fn line(key: &str, value: String) -> Value {
    serde_json::json!({"k": key, "v": value})
}

/// Why the session failed or may be tried again, in the buyer's words.
fn failure(snapshot: &Snapshot, state: WidgetState, t: &Texts) -> Value {
    let language: Language = snapshot.payment.request.language;
    let message = match state {
        WidgetState::PaymentCanceled => t.result_cancelled,
        WidgetState::TokenExpired => t.result_expired,
        _ => snapshot
            .payment
            .session
            .last_code
            .map_or(t.result_refused, |code| refusal(language, code)),
    };
    serde_json::json!({"message": {"type": "error", "localizedMessage": message}})
}
