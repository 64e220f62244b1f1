//! HTTP Basic authentication of merchants (user = merchant id, password = access key), before a
//! SOAP request's envelope is parsed.

use super::reply::{client_fault, server_fault};
use crate::state::AppState;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::merchant::MerchantId;
use soap::envelope::{SoapRequest, parse_request};

/// The authenticated merchant and the parsed envelope, or the 401 or Client Fault to send.
pub(super) async fn authenticated_request(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(MerchantId, SoapRequest), Response> {
    let merchant = merchant(state, headers).await?;
    let request = parse_request(body).map_err(|error| client_fault(&error.to_string()))?;
    Ok((merchant, request))
}

/// The authenticated merchant, or the 401 to send.
async fn merchant(state: &AppState, headers: &HeaderMap) -> Result<MerchantId, Response> {
    let Some((user, password)) = credentials(headers) else {
        return Err(unauthorized());
    };
    match state.config.authenticate(&user, &password).await {
        Ok(Some(merchant)) => Ok(merchant),
        Ok(None) => {
            tracing::warn!(merchant = %user, "SOAP call with wrong credentials");
            Err(unauthorized())
        }
        Err(error) => Err(server_fault(&error)),
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
