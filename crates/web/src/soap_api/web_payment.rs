//! WebPaymentAPI (doWebPayment, getWebPaymentDetails): SOAP in, the web payment sessions, SOAP
//! out.

use super::auth::authenticated_request;
use super::details;
use super::reply::{SoapError, answer, result};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use domain::merchant::MerchantId;
use domain::return_code::ReturnCode;
use gateway::web_payments::WebPaymentError;
use soap::envelope::SoapRequest;
use soap::web_payment_api::{
    DoWebPaymentOut, decode_do_web_payment, decode_token, write_do_web_payment,
    write_web_payment_details,
};

/// The WebPaymentAPI endpoint: authenticate, parse, dispatch, answer.
pub(super) async fn api(State(state): State<AppState>, body: Bytes) -> Response {
    answer(dispatch(&state, &body).await)
}

async fn dispatch(state: &AppState, body: &Bytes) -> Result<String, SoapError> {
    let (merchant, request) = authenticated_request(body)?;
    match request.operation.as_str() {
        "doWebPayment" => do_web_payment(state, &merchant, &request).await,
        "getWebPaymentDetails" => get_web_payment_details(state, &merchant, &request).await,
        other => Err(SoapError::Client(format!(
            "WebPaymentAPI has no operation {other}"
        ))),
    }
}

async fn do_web_payment(
    state: &AppState,
    merchant: &MerchantId,
    request: &SoapRequest,
) -> Result<String, SoapError> {
    let input = decode_do_web_payment(&request.body);
    let out = match state.web_payments.create(merchant, &input).await {
        Ok((token, redirect_url)) => DoWebPaymentOut {
            result: result(ReturnCode::Accepted, Some("Operation Successfull".into())),
            token: Some(token),
            redirect_url: Some(redirect_url),
        },
        Err(WebPaymentError::Refused(refusal)) => {
            let message = if refusal.error.rule.starts_with(&refusal.error.field) {
                refusal.error.rule.clone()
            } else {
                format!("{} {}", refusal.error.field, refusal.error.rule)
            };
            DoWebPaymentOut {
                result: result(refusal.code, Some(message)),
                token: None,
                redirect_url: None,
            }
        }
        Err(error) => return Err(SoapError::internal(error)),
    };
    Ok(write_do_web_payment(&out))
}

async fn get_web_payment_details(
    state: &AppState,
    merchant: &MerchantId,
    request: &SoapRequest,
) -> Result<String, SoapError> {
    let Some(token) = decode_token(&request.body) else {
        let out = details::unknown_token(Some("token is mandatory".into()));
        return Ok(write_web_payment_details(&out));
    };
    let out = match state.web_payments.details(merchant, &token).await {
        Ok(snapshot) => details::of(&snapshot),
        Err(WebPaymentError::UnknownToken) => details::unknown_token(None),
        Err(error) => return Err(SoapError::internal(error)),
    };
    Ok(write_web_payment_details(&out))
}
