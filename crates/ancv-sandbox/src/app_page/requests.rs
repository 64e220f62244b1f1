//! `GET /app/requests`: the requests waiting in the signed-in beneficiary's app, as
//! [`Sandbox::pending_requests`] gives them. The same drawing serves after a refused answer,
//! with the problem shown where it belongs.

use crate::app::PendingRequests;
use crate::app_page::catalogue::fill;
use crate::app_page::cookies;
use crate::app_page::money::format_euros;
use crate::app_page::problem::{Place, Problem, Trouble};
use crate::app_page::render::{self, Frame};
use crate::app_page::visit::{SignedIn, Visit};
use crate::error::SandboxError;
use crate::sandbox::Sandbox;
use ancv::ErrorCode;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// What the redirect after an answer says (`?notice=validated&amount=2500`).
#[derive(Deserialize)]
pub(crate) struct ListQuery {
    notice: Option<String>,
    amount: Option<String>,
}

#[derive(Serialize)]
struct ListView {
    #[serde(flatten)]
    frame: Frame,
    notice: Option<String>,
    page_error: Option<String>,
    email: String,
    balance: String,
    requests: Vec<RequestView>,
}

#[derive(Serialize)]
struct RequestView {
    id: String,
    merchant: String,
    amount: String,
    seconds_left: i64,
    time_left: String,
    /// The most that can be validated, when more than zero.
    max: Option<String>,
    /// The full-amount button's text, when the balance covers it.
    full_label: Option<String>,
    amount_hint: Option<String>,
    /// Why the full amount cannot be paid.
    note: Option<&'static str>,
    entered_amount: String,
    amount_error: Option<String>,
    code_error: Option<String>,
}

pub(crate) async fn page(
    State(sandbox): State<Sandbox>,
    visit: Visit,
    Query(query): Query<ListQuery>,
) -> Response {
    let Some(signed_in) = visit.signed_in() else {
        return visit.redirect("/");
    };
    let pending = match load(&sandbox, &visit, signed_in).await {
        Ok(pending) => pending,
        Err(response) => return response,
    };
    let notice = notice(&visit, &query);
    draw(
        &sandbox,
        &visit,
        signed_in,
        &pending,
        StatusCode::OK,
        notice,
        None,
    )
}

/// The beneficiary's requests, or the answer to give instead: back to the sign-in form when
/// the account is gone, the error page when the sandbox fails.
pub(crate) async fn load(
    sandbox: &Sandbox,
    visit: &Visit,
    signed_in: SignedIn<'_>,
) -> Result<PendingRequests, Response> {
    match sandbox.pending_requests(signed_in.beneficiary).await {
        Ok(pending) => Ok(pending),
        Err(SandboxError::Refused {
            code: ErrorCode::BeneficiaryNotFound,
            ..
        }) => {
            let mut response = visit.redirect("/");
            cookies::clear_session(&mut response, &visit.base);
            Err(response)
        }
        Err(error) => Err(render::internal(visit, &error)),
    }
}

pub(crate) fn draw(
    sandbox: &Sandbox,
    visit: &Visit,
    signed_in: SignedIn<'_>,
    pending: &PendingRequests,
    status: StatusCode,
    notice: Option<String>,
    problem: Option<&Problem>,
) -> Response {
    let t = visit.lang.texts();
    let euros = |cents| format_euros(cents, visit.lang);
    // A problem about a request no longer listed says so at the top of the page.
    let mut page_error = problem.map(|_| Trouble::Gone.text(t, ""));
    let mut requests = Vec::with_capacity(pending.requests.len());
    for request in &pending.requests {
        // Shown to guide the beneficiary; the sandbox enforces the same bound when answering.
        let max = request.amount.min(pending.balance);
        let amount = euros(request.amount);
        let mut view = RequestView {
            id: request.transaction_id.clone(),
            merchant: request.merchant.clone(),
            seconds_left: request.seconds_left,
            time_left: minutes_seconds(request.seconds_left),
            max: (max > 0).then(|| euros(max)),
            full_label: (pending.balance >= request.amount).then(|| fill(t.validate_full, &amount)),
            amount_hint: (max > 0).then(|| fill(t.amount_hint, &euros(max))),
            note: if max <= 0 {
                Some(t.balance_empty)
            } else if max < request.amount {
                Some(t.balance_short)
            } else {
                None
            },
            amount,
            entered_amount: String::new(),
            amount_error: None,
            code_error: None,
        };
        if let Some(problem) = problem.filter(|p| p.transaction_id == request.transaction_id) {
            let text = problem.trouble.text(t, &euros(max));
            view.entered_amount = problem.entered_amount.clone();
            page_error = None;
            match problem.trouble.place() {
                Place::Code => view.code_error = Some(text),
                Place::Amount if view.max.is_some() => view.amount_error = Some(text),
                Place::Amount | Place::Page => page_error = Some(text),
            }
        }
        requests.push(view);
    }
    let mut frame = Frame::new(visit, "/requests", t.requests_title);
    frame.csrf = signed_in.session.csrf_token(sandbox.app_key());
    frame.signed_in = true;
    frame.has_error = problem.is_some();
    frame.countdown = !requests.is_empty();
    let view = ListView {
        frame,
        notice,
        page_error,
        email: pending.email.clone(),
        balance: euros(pending.balance),
        requests,
    };
    visit.finish(render::page(status, "requests.html", &view))
}

fn notice(visit: &Visit, query: &ListQuery) -> Option<String> {
    let t = visit.lang.texts();
    match query.notice.as_deref()? {
        "validated" => {
            let cents: i64 = query.amount.as_deref()?.parse().ok()?;
            Some(fill(t.notice_validated, &format_euros(cents, visit.lang)))
        }
        "declined" => Some(t.notice_declined.to_owned()),
        _ => None,
    }
}

/// `272` seconds → `4:32`.
fn minutes_seconds(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_as_minutes_and_seconds() {
        assert_eq!(minutes_seconds(272), "4:32");
        assert_eq!(minutes_seconds(300), "5:00");
        assert_eq!(minutes_seconds(9), "0:09");
        assert_eq!(minutes_seconds(-3), "0:00");
    }
}
