//! HTTP Basic authentication of merchants (user = merchant id, password = access key), shared by
//! the SOAP endpoints and the JSON API: the same credentials work on both, checked once per call
//! by the access layer ([`check_access`]).

use crate::state::AppState;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::merchant::MerchantId;
use gateway::api_access::ApiVerdict;
use std::sync::Arc;
use store::StoreError;

/// Why a call is not authenticated.
#[derive(Debug, Clone)]
pub(crate) enum AuthFailure {
    /// No Basic credentials, or wrong ones (the same answer, so as not to tell which).
    Unauthorized,
    /// The credentials could not be checked (database).
    Failed(Arc<StoreError>),
}

tokio::task_local! {
    /// The access layer's verdict on the request being handled: set by [`check_access`] around
    /// the rest of the request, read by handlers through [`authenticated_merchant`].
    static CALLER: Result<MerchantId, AuthFailure>;
}

/// The merchant the request's Basic credentials name, if they are right (as the access layer
/// found, with its one read); `surface` names the API in the log of a refusal.
pub(crate) fn authenticated_merchant(surface: &str) -> Result<MerchantId, AuthFailure> {
    CALLER.try_with(Clone::clone).unwrap_or_else(|_| {
        // A route outside the access layer: a wiring bug, never an open door.
        tracing::error!(surface, "an API route is outside the access layer");
        Err(AuthFailure::Failed(Arc::new(StoreError::corrupt(
            "access",
            "the API route was not checked",
        ))))
    })
}

/// A user name as logs may show it: letters, digits, `-`, `_` and `.` kept, anything else `?`,
/// at most 32 characters (`…` after), so that a caller cannot forge log lines or flood them.
pub(crate) fn loggable_user(user: &str) -> String {
    let mut shown: String = user
        .chars()
        .take(32)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '?'
            }
        })
        .collect();
    if user.chars().count() > 32 {
        shown.push('…');
    }
    shown
}

/// The layer over an API surface: one read ([`ApiAccess::check`]) decides on the call. A
/// caller whose failed authentications went over a throttle's limit (per merchant id, per
/// address) gets `refused(seconds)` (429) without its credentials being checked; otherwise the
/// handlers find the verdict with [`authenticated_merchant`]. Each 401 the surface answers
/// counts as a failure; a merchant that authenticates has its failures forgotten.
pub(crate) async fn check_access(
    state: &AppState,
    request: Request,
    next: Next,
    refused: fn(u64) -> Response,
) -> Response {
    let address = state
        .trusted_proxies
        .client_address(request.extensions(), request.headers());
    let credentials = credentials(request.headers());
    let user = credentials.as_ref().map(|(user, _)| user.clone());
    let access = &state.api_access;
    let presented = credentials
        .as_ref()
        .map(|(user, password)| (user.as_str(), password.as_str()));
    let (caller, has_failures) = match access.check(presented, &address).await {
        Ok(ApiVerdict::Throttled(seconds)) => {
            let merchant = user.as_deref().map(loggable_user);
            tracing::warn!(?merchant, %address, seconds, "call refused: too many failed authentications");
            return refused(seconds);
        }
        Ok(ApiVerdict::Merchant { id, has_failures }) => (Ok(id), has_failures),
        Ok(ApiVerdict::Unauthorized) => {
            if let Some(user) = &user {
                let merchant = loggable_user(user);
                tracing::warn!(%merchant, "call with wrong credentials");
            }
            (Err(AuthFailure::Unauthorized), false)
        }
        Err(error) => (Err(AuthFailure::Failed(Arc::new(error))), false),
    };
    let merchant = caller.as_ref().ok().cloned();
    let response = CALLER.scope(caller, next.run(request)).await;
    let counted = match merchant {
        _ if response.status() == StatusCode::UNAUTHORIZED => {
            access.failed(user.as_deref(), &address).await
        }
        Some(merchant) if has_failures => access.forget_failures(&merchant).await,
        _ => Ok(()),
    };
    if let Err(error) = counted {
        tracing::error!(%error, "a failed authentication cannot be counted");
    }
    response
}

fn credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::loggable_user;

    #[test]
    fn user_names_are_logged_sanitised_and_capped() {
        assert_eq!(loggable_user("123456789012"), "123456789012");
        assert_eq!(loggable_user("a\nINFO forged line"), "a?INFO?forged?line");
        let long = "x".repeat(500);
        assert_eq!(loggable_user(&long), format!("{}…", "x".repeat(32)));
        assert_eq!(loggable_user("é\u{1b}[31m"), "???31m");
    }
}
