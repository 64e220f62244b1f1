//! HTTP Basic authentication of merchants (user = merchant id, password = access key), shared by
//! the SOAP endpoints and the JSON API: the same credentials work on both.

use crate::state::AppState;
use axum::http::{HeaderMap, header};
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
            tracing::warn!(merchant = %user, surface, "call with wrong credentials");
            Err(AuthFailure::Unauthorized)
        }
        Err(error) => Err(AuthFailure::Failed(error)),
    }
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
