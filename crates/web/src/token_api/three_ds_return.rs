//! The end of a 3-D Secure challenge started from the widget. The ACS sends the buyer here with
//! `challenge=<ref>`; the challenge is completed, then either the widget's iframe is told it is
//! over (`mode=iframe`: a tiny page posting a message to its parent) or the buyer goes back to
//! the merchant's page (`back=<url>`, with `paylinetoken` and `paymentEndpoint=1` appended as
//! Payline does, naively, fragment or not).

use super::calls::is_web_url;
use crate::state::AppState;
use crate::widget_assets::THREE_DS_DONE_SCRIPT;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use gateway::web_payments::{WebPaymentError, page_path};
use serde::Deserialize;

/// The ACS's query, and where the widget asked to go afterwards.
#[derive(Deserialize)]
pub(super) struct ChallengeReturn {
    challenge: Option<String>,
    mode: Option<String>,
    back: Option<String>,
}

/// Framed by the merchant's page (any origin); only our own script runs.
const IFRAME_PAGE_POLICY: &str =
    "default-src 'none'; script-src 'self'; frame-ancestors *; base-uri 'none'; form-action 'none'";

/// `GET threeDSReturn?challenge=…`.
pub(super) async fn back_from_challenge(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<ChallengeReturn>,
) -> Response {
    if let Some(challenge) = &query.challenge {
        match state
            .web_payments
            .complete_three_ds(&token, challenge)
            .await
        {
            Ok(_) | Err(WebPaymentError::NotNow(_)) => {}
            Err(WebPaymentError::UnknownToken) => {
                return Redirect::to(&page_path(&token)).into_response();
            }
            Err(error) => {
                tracing::warn!(%error, "completing a widget's 3-D Secure challenge failed; the card job will catch up");
            }
        }
    }
    match (query.mode.as_deref(), query.back.as_deref()) {
        (Some("iframe"), _) => iframe_page(&token),
        (_, Some(back)) if is_web_url(back) => {
            let back = domain::web_payment::shop_return_url(back, &token);
            Redirect::to(&format!("{back}&paymentEndpoint=1")).into_response()
        }
        _ => Redirect::to(&page_path(&token)).into_response(),
    }
}

/// The page the iframe lands on: its script tells the widget (the parent) to read the state.
fn iframe_page(token: &str) -> Response {
    // Tokens are URL-safe base64; anything else in the path is dropped, never echoed.
    let token: String = token
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let body = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>3-D Secure</title></head>\
         <body data-token=\"{token}\"><p>3-D Secure ✓</p><script src=\"{THREE_DS_DONE_SCRIPT}\"></script></body></html>"
    );
    (
        [
            (header::CONTENT_SECURITY_POLICY, IFRAME_PAGE_POLICY),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Html(body),
    )
        .into_response()
}
