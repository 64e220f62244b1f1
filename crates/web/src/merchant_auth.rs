//! HTTP Basic authentication of merchants (user = merchant id, password = access key), shared by
//! the SOAP endpoints and the JSON API: the same credentials work on both.

use crate::state::AppState;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::merchant::MerchantId;
use gateway::merchant_config::ConfigError;

/// Why a call is not authenticated.
#[derive(Debug)]
pub(crate) enum AuthFailure {
    /// No Basic credentials, or wrong ones (the same answer, so as not to tell which).
    Unauthorized,
    /// The credentials could not be checked (database).
    Failed(ConfigError),
}

/// The merchant the request's Basic credentials name, if they are right; `surface` names the
/// API in the log of a refusal.
pub(crate) async fn authenticated_merchant(
    state: &AppState,
    headers: &HeaderMap,
    surface: &str,
) -> Result<MerchantId, AuthFailure> {
    let Some((user, password)) = credentials(headers) else {
        return Err(AuthFailure::Unauthorized);
    };
    match state.config.authenticate(&user, &password).await {
        Ok(Some(merchant)) => Ok(merchant),
        Ok(None) => {
            let merchant = loggable_user(&user);
            tracing::warn!(%merchant, surface, "call with wrong credentials");
            Err(AuthFailure::Unauthorized)
        }
        Err(error) => Err(AuthFailure::Failed(error)),
    }
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

/// A layer over an API surface: a caller whose failed authentications went over a throttle's
/// limit (per merchant id, per address) gets `refused(seconds)` (429) without being checked;
/// each 401 the surface answers counts as a failure; a merchant that authenticates has its
/// failures forgotten. If the counts cannot be read, the call goes on: authentication itself
/// still holds.
pub(crate) async fn throttle_failures(
    state: &AppState,
    request: Request,
    next: Next,
    refused: fn(u64) -> Response,
) -> Response {
    let address = state
        .trusted_proxies
        .client_address(request.extensions(), request.headers());
    let user = credentials(request.headers()).map(|(user, _)| user);
    let throttle = &state.api_throttle;
    match throttle.retry_after(user.as_deref(), &address).await {
        Ok(Some(seconds)) => {
            let merchant = user.as_deref().map(loggable_user);
            tracing::warn!(?merchant, %address, seconds, "call refused: too many failed authentications");
            return refused(seconds);
        }
        Ok(None) => {}
        Err(error) => tracing::error!(%error, "failed authentications cannot be counted"),
    }
    let response = next.run(request).await;
    let counted = if response.status() == StatusCode::UNAUTHORIZED {
        throttle.failed(user.as_deref(), &address).await
    } else {
        match user
            .as_deref()
            .map(|user| MerchantId::parse("merchant", user))
        {
            Some(Ok(merchant)) if response.status() != StatusCode::TOO_MANY_REQUESTS => {
                throttle.succeeded(&merchant).await
            }
            _ => Ok(()),
        }
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
