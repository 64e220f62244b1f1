//! The page's forms, checked once for every handler: a post must come from the session's own
//! page. The browser's word first (`Origin`, `Sec-Fetch-Site`), then the form's CSRF secret
//! against the session's; either failing ends the request with 403 and changes nothing. Form
//! fields a buyer fills are read as empty when missing, so the service names them like any other
//! mistake; a missing secret is simply a wrong one.

use super::messages::{self, Message};
use crate::state::AppState;
use axum::extract::{Form, FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gateway::web_payments::Snapshot;
use serde::de::DeserializeOwned;

/// A page form: what it carries besides the buyer's fields.
pub(super) trait PageForm: DeserializeOwned + Send {
    /// The CSRF secret the page put in the form (empty when the post had none).
    fn csrf(&self) -> &str;
}

/// A post from the session's page: its token, the session as it is now, and the form.
pub(super) struct PagePost<F> {
    /// The session's token (the page's path).
    pub token: String,
    /// The session, read after the origin check.
    pub snapshot: Snapshot,
    /// The form, its secret checked.
    pub form: F,
}

impl<F: PageForm> FromRequest<AppState> for PagePost<F> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Path(token) = Path::<String>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if !crate::page_policy::same_origin(&parts.headers, &state.public_base) {
            let refused = Message::CrossSite;
            return Err(messages::page(StatusCode::FORBIDDEN, refused, Some(&token)));
        }
        let Form(form) = Form::<F>::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let snapshot = match state.web_payments.snapshot(&token).await {
            Ok(snapshot) => snapshot,
            Err(error) => return Err(messages::error_page(&error)),
        };
        if !crate::page_policy::csrf_matches(&snapshot.payment.page_secret, form.csrf()) {
            let expired = Message::FormExpired;
            return Err(messages::page(StatusCode::FORBIDDEN, expired, Some(&token)));
        }
        Ok(PagePost {
            token,
            snapshot,
            form,
        })
    }
}
