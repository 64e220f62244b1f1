//! `GET /backoffice/transactions/{id}`: one payment with its split (the ANCV part and the card
//! part adding up), its history as a timeline, its means of payment, its related operations,
//! and what an operator may do now — refund (a card payment in parts up to what is left; an
//! ANCV payment in full, once), cancel before remittance, capture an authorization. An action
//! is first shown for confirmation with the amounts left, then made once (a repeated confirm
//! finds the operation it made: the after-sale service's request key).

use super::configuration::{MerchantSession, audit, merchant_post, merchant_user};
use super::render::{error, failed, page};
use super::texts::Lang;
use super::transactions::{cents, row};
use super::visit::Visit;
use crate::state::AppState;
use crate::texts::money;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::audit::AuditAction;
use domain::notification::{NotificationAttempt, NotificationOutcome};
use domain::paris_time::format_payline;
use domain::random::{OsRandom, Random};
use gateway::after_sale::{Operation, TransactionDetails, TransactionView};
use gateway::transaction_ids::TransactionKind;
use minijinja::context;
use serde::{Deserialize, Serialize};

/// What may be done to a transaction now, and how much is left to refund.
#[derive(Debug, Serialize, Default)]
struct Allowed {
    refund: bool,
    /// A refund takes an amount (card); an ANCV payment is refunded in full.
    partial: bool,
    reset: bool,
    capture: bool,
    left: i64,
    left_text: String,
}

fn allowed(details: &TransactionDetails) -> Allowed {
    let view = &details.transaction;
    if view.code.code() != "00000" {
        return Allowed::default();
    }
    let taken: i64 = details
        .associated
        .iter()
        .filter(|op| op.origin_id.as_deref() == Some(view.id.as_str()))
        .filter(|op| matches!(op.label, "REFUND" | "RESET"))
        .filter(|op| matches!(op.code.code(), "00000" | "02306"))
        .map(|op| op.amount)
        .sum();
    let left = (view.amount - taken).max(0);
    match (view.kind, view.label) {
        (TransactionKind::CardPayment, "AUTHOR") => Allowed {
            reset: true,
            capture: true,
            left,
            ..Allowed::default()
        },
        (TransactionKind::CardPayment, _) => Allowed {
            refund: left > 0,
            partial: true,
            reset: taken == 0,
            left,
            ..Allowed::default()
        },
        (TransactionKind::AncvPayment, _) => Allowed {
            refund: taken == 0,
            left,
            ..Allowed::default()
        },
        _ => Allowed::default(),
    }
}

#[derive(Serialize)]
struct Step {
    when: String,
    id: String,
    status: String,
    amount: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Outcome {
    done: Option<String>,
}

/// `GET /backoffice/transactions/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(outcome): Query<Outcome>,
) -> Response {
    let who = match merchant_user(&state, &visit, |_| true).await {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let texts = visit.lang.texts();
    let notice = outcome.done.map(|done| match done.as_str() {
        "ok" => texts.operation_done.to_owned(),
        reason => texts.operation_refused.replace("{reason}", reason),
    });
    match found(&state, &who, &id).await {
        Ok(Some(details)) => sale_page(&state, &visit, &who, &details, notice).await,
        Ok(None) => error(visit.lang, StatusCode::NOT_FOUND, texts.no_transaction),
        Err(answer) => answer,
    }
}

/// The merchant's transaction with this id (another merchant's is none).
async fn found(
    state: &AppState,
    who: &MerchantSession,
    id: &str,
) -> Result<Option<TransactionDetails>, Response> {
    match state
        .after_sale
        .details(&who.merchant, Some(id), None)
        .await
    {
        Ok(Ok(details)) => Ok(Some(details)),
        Ok(Err(_)) => Ok(None),
        Err(failure) => Err(failed(super::texts::Lang::Fr, &failure)),
    }
}

/// The means of payment of the sale `details` belongs to, oldest first: the ANCV part and the
/// card part of a split payment (seen from either), or the transaction alone. The session is
/// read without counting as the merchant reading its result.
async fn split_parts(
    state: &AppState,
    who: &MerchantSession,
    details: &TransactionDetails,
) -> Result<Vec<TransactionView>, Response> {
    let mut parts = vec![details.transaction.clone()];
    parts.extend(details.additional.iter().cloned());
    let ancv_id = match &details.session {
        Some(session) if details.additional.is_empty() => state
            .web_payments
            .snapshot(&session.token)
            .await
            .ok()
            .and_then(|snapshot| snapshot.ancv)
            .map(|ancv| ancv.payment_id)
            .filter(|ancv_id| *ancv_id != details.transaction.id),
        _ => None,
    };
    if let Some(ancv_id) = ancv_id
        && let Some(ancv) = found(state, who, &ancv_id).await?
        && ancv
            .additional
            .iter()
            .any(|part| part.id == details.transaction.id)
    {
        parts.push(ancv.transaction);
    }
    parts.sort_by_key(|part| part.date);
    Ok(parts)
}

/// The detail page of `details`: the sale's parts, and the notifications sent about it.
async fn sale_page(
    state: &AppState,
    visit: &Visit,
    who: &MerchantSession,
    details: &TransactionDetails,
    notice: Option<String>,
) -> Response {
    let parts = match split_parts(state, who, details).await {
        Ok(parts) => parts,
        Err(answer) => return answer,
    };
    let notifications = match state.after_sale.notifications_about(details).await {
        Ok(attempts) => attempts
            .iter()
            .map(|attempt| NotificationRow::new(attempt, visit.lang))
            .collect::<Vec<_>>(),
        Err(failure) => return failed(visit.lang, &failure),
    };
    detail_page(visit, who, details, &parts, &notifications, notice)
}

/// A call to the merchant's notification URL as the page shows it.
#[derive(Serialize)]
struct NotificationRow {
    when: String,
    kind: String,
    url: String,
    answer: String,
    outcome: &'static str,
    outcome_text: &'static str,
}

impl NotificationRow {
    fn new(attempt: &NotificationAttempt, lang: Lang) -> NotificationRow {
        let texts = lang.texts();
        let answer = match (attempt.status, attempt.detail.is_empty()) {
            (Some(status), _) => format!("HTTP {status}"),
            (None, false) => attempt.detail.clone(),
            (None, true) => texts.notification_no_answer.to_owned(),
        };
        NotificationRow {
            when: format_payline(attempt.at),
            kind: attempt.kind.clone(),
            url: attempt.url.clone(),
            answer,
            outcome: attempt.outcome.as_str(),
            outcome_text: match attempt.outcome {
                NotificationOutcome::Delivered => texts.notification_delivered,
                NotificationOutcome::WillRetry => texts.notification_will_retry,
                NotificationOutcome::Abandoned => texts.notification_abandoned,
                NotificationOutcome::Refused => texts.notification_refused,
            },
        }
    }
}

fn detail_page(
    visit: &Visit,
    who: &MerchantSession,
    details: &TransactionDetails,
    parts: &[TransactionView],
    notifications: &[NotificationRow],
    notice: Option<String>,
) -> Response {
    let lang = visit.lang;
    let view = &details.transaction;
    let total: i64 = parts.iter().map(|part| part.amount).sum();
    let history: Vec<Step> = details
        .history
        .iter()
        .map(|step| Step {
            when: format_payline(step.at),
            id: step.transaction_id.clone(),
            status: step.status.clone(),
            amount: money(lang.language(), step.amount),
        })
        .collect();
    let mut allowed = allowed(details);
    allowed.left_text = money(lang.language(), allowed.left);
    let texts = lang.texts();
    page(
        "transaction.html",
        lang,
        context! {
            title => texts.detail_title.replace("{id}", &view.id),
            transaction => row(view, lang),
            masked_card => view.masked_card,
            expiry => view.card_expiry,
            authorization => view.authorization_number,
            three_ds => view.three_ds.map(|how| match how {
                "CHALLENGE" => texts.three_ds_challenge,
                _ => texts.three_ds_frictionless,
            }),
            notifications => notifications,
            partner_code => view.partner_code,
            parts => parts.iter().map(|part| row(part, lang)).collect::<Vec<_>>(),
            total => money(lang.language(), total),
            order_total => details.session.as_ref().map(|s| money(lang.language(), s.request.amount)),
            history => history,
            associated => details.associated.iter().map(|op| row(op, lang)).collect::<Vec<_>>(),
            allowed => allowed,
            may_operate => who.session.user.role.may_operate(),
            csrf => who.session.csrf_secret,
            notice => notice,
        },
        StatusCode::OK,
    )
}

/// The action form (the detail page's, then the confirmation's).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ActionForm {
    csrf: String,
    operation: String,
    amount: String,
    key: String,
}

fn operation(name: &str) -> Option<Operation> {
    match name {
        "refund" => Some(Operation::Refund),
        "reset" => Some(Operation::Reset),
        "capture" => Some(Operation::Capture),
        _ => None,
    }
}

/// `POST /backoffice/transactions/{id}/confirm` (operators): what the action will do, with
/// the amounts left, and a one-time key for the confirmation.
pub(super) async fn confirm(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Response {
    let who = match merchant_post(&state, &visit, &headers, &form.csrf, |role| {
        role.may_operate()
    })
    .await
    {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let details = match found(&state, &who, &id).await {
        Ok(Some(details)) => details,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(answer) => return answer,
    };
    let lang = visit.lang;
    let texts = lang.texts();
    let allowed = allowed(&details);
    let amount = match (form.operation.as_str(), allowed.partial) {
        ("refund", true) => match cents(&form.amount).filter(|a| (1..=allowed.left).contains(a)) {
            Some(amount) => amount,
            None => {
                let notice = Some(texts.err_amount.to_owned());
                return sale_page(&state, &visit, &who, &details, notice).await;
            }
        },
        ("refund", false) => allowed.left,
        _ => details.transaction.amount,
    };
    let euros = |cents| money(lang.language(), cents);
    let question = match form.operation.as_str() {
        "refund" => texts
            .confirm_refund
            .replace("{left}", &euros(allowed.left - amount)),
        "reset" => texts.confirm_reset.to_owned(),
        "capture" => texts.confirm_capture.to_owned(),
        _ => return StatusCode::UNPROCESSABLE_ENTITY.into_response(),
    }
    .replace("{amount}", &euros(amount))
    .replace("{id}", &id);
    page(
        "confirm.html",
        lang,
        context! {
            id => id,
            question => question,
            operation => form.operation,
            amount => amount.to_string(),
            key => OsRandom.hex(16),
            csrf => who.session.csrf_secret,
        },
        StatusCode::OK,
    )
}

/// `POST /backoffice/transactions/{id}/operate` (operators, from the confirmation): the
/// operation, made once per key; back to the detail page with its outcome.
pub(super) async fn operate(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Response {
    let who = match merchant_post(&state, &visit, &headers, &form.csrf, |role| {
        role.may_operate()
    })
    .await
    {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let Some(operation) = operation(&form.operation) else {
        return StatusCode::UNPROCESSABLE_ENTITY.into_response();
    };
    let amount = form.amount.parse::<i64>().ok().filter(|a| *a > 0);
    let key = format!("backoffice:{}", form.key);
    let answer = match state
        .after_sale
        .operate(operation, &who.merchant, &id, amount, Some(key))
        .await
    {
        Ok(answer) => answer,
        Err(failure) => return failed(visit.lang, &failure),
    };
    let code = answer.code.code();
    let detail = format!("{} {} cents: {code}", form.operation, amount.unwrap_or(0));
    audit(&state, &visit, &who, AuditAction::AfterSale, &id, detail).await;
    let outcome = if matches!(code, "00000" | "02306") {
        "ok".to_owned()
    } else {
        format!(
            "{code} {}",
            answer
                .message
                .unwrap_or_else(|| answer.code.long_message().to_owned())
        )
    };
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("done", &outcome)
        .finish();
    Redirect::to(&format!("/backoffice/transactions/{id}?{query}")).into_response()
}
