//! HTTP Basic authentication of merchants (user = merchant id, password = access key), before a
//! SOAP request's envelope is parsed.

use super::reply::SoapError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::merchant::MerchantId;
use soap::envelope::{SoapRequest, parse_request};

/// The authenticated merchant and the parsed envelope.
pub(super) async fn authenticated_request(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(MerchantId, SoapRequest), SoapError> {
    let merchant = merchant(state, headers).await?;
    let request = parse_request(body).map_err(|error| SoapError::Client(error.to_string()))?;
    Ok((merchant, request))
}

/// The merchant the credentials name, if they are right.
async fn merchant(state: &AppState, headers: &HeaderMap) -> Result<MerchantId, SoapError> {
    let Some((user, password)) = credentials(headers) else {
        return Err(SoapError::Unauthorized);
    };
    match state.config.authenticate(&user, &password).await {
        Ok(Some(merchant)) => Ok(merchant),
        Ok(None) => {
            tracing::warn!(merchant = %user, "SOAP call with wrong credentials");
            Err(SoapError::Unauthorized)
        }
        Err(error) => Err(SoapError::internal(error)),
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
