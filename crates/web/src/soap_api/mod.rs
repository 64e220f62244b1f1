//! The Payline v4 SOAP endpoints (`/V4/services/<API>`): HTTP Basic authentication, a 1 MiB body
//! limit, Faults for what is not a business outcome, and each service's WSDL on GET.

mod after_sale;
mod auth;
mod details;

use crate::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::merchant::MerchantId;
use domain::return_code::ReturnCode;
use gateway::web_payments::WebPaymentError;
use soap::envelope::{SoapRequest, parse_request};
use soap::fault::{FaultCode, fault};
use soap::objects::ResultOut;
use soap::web_payment_api::{
    DoWebPaymentOut, decode_do_web_payment, decode_token, write_do_web_payment,
    write_web_payment_details,
};
use soap::wsdl::{SERVICES, wsdl};

/// The WebPaymentAPI endpoint: `doWebPayment`, `getWebPaymentDetails`.
pub const WEB_PAYMENT_API: &str = "/V4/services/WebPaymentAPI";
/// The DirectPaymentAPI endpoint: `doRefund`, `doReset`, `doCapture`, `doAuthorization`.
pub const DIRECT_PAYMENT_API: &str = "/V4/services/DirectPaymentAPI";
/// The ExtendedAPI endpoint: `getTransactionDetails`, `transactionsSearch`.
pub const EXTENDED_API: &str = "/V4/services/ExtendedAPI";

/// Bodies above this are refused with 413 before being read whole.
pub(crate) const MAX_BODY_BYTES: usize = 1 << 20;

/// The three services: SOAP requests on POST, their WSDL on GET.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(WEB_PAYMENT_API, get(web_payment_wsdl).post(web_payment_api))
        .route(
            DIRECT_PAYMENT_API,
            get(|state| service_wsdl(state, "DirectPaymentAPI")).post(
                |State(state): State<AppState>, headers: HeaderMap, body: Bytes| {
                    after_sale_api(state, headers, body, "DirectPaymentAPI")
                },
            ),
        )
        .route(
            EXTENDED_API,
            get(|state| service_wsdl(state, "ExtendedAPI")).post(
                |State(state): State<AppState>, headers: HeaderMap, body: Bytes| {
                    after_sale_api(state, headers, body, "ExtendedAPI")
                },
            ),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn client_fault(message: &str) -> Response {
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        fault(FaultCode::Client, message),
    )
}

/// An internal failure: logged once with its details; the client only learns that it happened.
pub(crate) fn server_fault(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "SOAP request failed");
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        fault(FaultCode::Server, "internal error"),
    )
}

/// A `result` from the catalogue, with an explanation.
pub(crate) fn result(code: ReturnCode, long_message: Option<String>) -> ResultOut {
    ResultOut {
        code: code.code().to_owned(),
        short_message: code.short_message().to_owned(),
        long_message: long_message.unwrap_or_else(|| code.long_message().to_owned()),
        partner_code: None,
        partner_code_label: None,
    }
}

async fn web_payment_wsdl(state: State<AppState>) -> Response {
    service_wsdl(state, "WebPaymentAPI").await
}

/// `GET /V4/services/<service>?wsdl`: the service's WSDL with the real address.
async fn service_wsdl(State(state): State<AppState>, service: &str) -> Response {
    let Some((_, operations)) = SERVICES.iter().find(|(name, _)| *name == service) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let address = format!("{}/V4/services/{service}", state.public_base);
    xml(StatusCode::OK, wsdl(service, operations, &address))
}

/// DirectPaymentAPI or ExtendedAPI: authenticate, parse, dispatch, answer.
async fn after_sale_api(
    state: AppState,
    headers: HeaderMap,
    body: Bytes,
    service: &str,
) -> Response {
    let (merchant, request) = match authenticated_request(&state, &headers, &body).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    let outcome = match service {
        "DirectPaymentAPI" => after_sale::direct(&state, &merchant, &request).await,
        _ => after_sale::extended(&state, &merchant, &request).await,
    };
    answer(outcome, service, &request)
}

/// A business answer (HTTP 200), an unknown operation (Client Fault), or an internal failure
/// (Server Fault).
fn answer(
    outcome: Option<Result<String, String>>,
    service: &str,
    request: &SoapRequest,
) -> Response {
    match outcome {
        Some(Ok(body)) => xml(StatusCode::OK, body),
        Some(Err(error)) => server_fault(&error),
        None => client_fault(&format!("{service} has no operation {}", request.operation)),
    }
}

/// Authenticates, parses, dispatches on the Body's element.
async fn authenticated_request(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(MerchantId, SoapRequest), Response> {
    let merchant = auth::merchant(state, headers).await?;
    let request = parse_request(body).map_err(|error| client_fault(&error.to_string()))?;
    Ok((merchant, request))
}

async fn web_payment_api(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (merchant, request) = match authenticated_request(&state, &headers, &body).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    match request.operation.as_str() {
        "doWebPayment" => do_web_payment(&state, &merchant, &request).await,
        "getWebPaymentDetails" => get_web_payment_details(&state, &merchant, &request).await,
        other => client_fault(&format!("WebPaymentAPI has no operation {other}")),
    }
}

async fn do_web_payment(
    state: &AppState,
    merchant: &MerchantId,
    request: &SoapRequest,
) -> Response {
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
        Err(error) => return server_fault(&error),
    };
    xml(StatusCode::OK, write_do_web_payment(&out))
}

async fn get_web_payment_details(
    state: &AppState,
    merchant: &MerchantId,
    request: &SoapRequest,
) -> Response {
    let Some(token) = decode_token(&request.body) else {
        let out = details::unknown_token(Some("token is mandatory".into()));
        return xml(StatusCode::OK, write_web_payment_details(&out));
    };
    let out = match state.web_payments.details(merchant, &token).await {
        Ok(snapshot) => details::of(&snapshot),
        Err(WebPaymentError::UnknownToken) => details::unknown_token(None),
        Err(error) => return server_fault(&error),
    };
    xml(StatusCode::OK, write_web_payment_details(&out))
}
