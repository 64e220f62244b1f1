//! Authentication (`crate::merchant_auth`) before a SOAP request's envelope is parsed.

use super::reply::SoapError;
use crate::merchant_auth::{AuthFailure, authenticated_merchant};
use axum::body::Bytes;
use domain::merchant::MerchantId;
use soap::envelope::{SoapRequest, parse_request};

/// The authenticated merchant and the parsed envelope.
pub(super) fn authenticated_request(body: &Bytes) -> Result<(MerchantId, SoapRequest), SoapError> {
    let merchant = merchant()?;
    let request = parse_request(body).map_err(|error| SoapError::Client(error.to_string()))?;
    Ok((merchant, request))
}

/// The merchant the credentials name, if they are right.
fn merchant() -> Result<MerchantId, SoapError> {
    authenticated_merchant("SOAP").map_err(|failure| match failure {
        AuthFailure::Unauthorized => SoapError::Unauthorized,
        AuthFailure::Failed(error) => SoapError::internal(error),
    })
}
