//! HTTP Basic authentication of merchants: user = merchant id, password = access key.

use crate::AppState;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::merchant::MerchantId;

/// The authenticated merchant, or the 401 to send.
pub async fn merchant(state: &AppState, headers: &HeaderMap) -> Result<MerchantId, Response> {
    let Some((user, password)) = credentials(headers) else {
        return Err(unauthorized());
    };
    match state.config.authenticate(&user, &password).await {
        Ok(Some(merchant)) => Ok(merchant),
        Ok(None) => {
            tracing::warn!(merchant = %user, "SOAP call with wrong credentials");
            Err(unauthorized())
        }
        Err(error) => Err(super::server_fault(&error)),
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

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Basic realm=\"cvgate\"")],
        "merchant id and access key required (HTTP Basic)\n",
    )
        .into_response()
}
