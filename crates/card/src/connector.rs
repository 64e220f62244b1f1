//! [`HttpAcquirer`]: the [`Acquirer`] over the card sandbox's JSON API (see [`crate::wire`]),
//! over real HTTP.
//!
//! Nothing is retried here: a timeout after sending is reported as
//! [`AcquirerError::OutcomeUnknown`] and the caller reconciles with [`Acquirer::status`].
//! The card data goes into the request body only; errors and logs never carry it.

use crate::acquirer::{
    Acquirer, AcquirerError, AcquirerFuture, AuthorizationRequest, AuthorizationState,
    OperationRequest, OperationResult, Remitted,
};
use crate::wire::{
    ErrorBody, OperationBody, OperationRequestBody, RemitRequestBody, RemitResponseBody,
    ThreeDsBody, TransactionBody, UNKNOWN_REFERENCE,
};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::time::Duration;

/// Where the acquirer's API is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct HttpAcquirerConfig {
    /// Where the sandbox's API is mounted, e.g. `http://127.0.0.1:8080/sandbox/card`.
    pub base_url: String,
    /// How long establishing the connection may take; past it nothing was sent (unreachable).
    pub connect_timeout: Duration,
    /// How long to wait for an answer once connected; past it the outcome is unknown.
    pub read_timeout: Duration,
}

/// The [`Acquirer`] over the acquirer's JSON API ([`crate::wire`]). Clones share one connection
/// pool.
#[derive(Clone)]
pub struct HttpAcquirer {
    http: reqwest::Client,
    base_url: String,
}

impl HttpAcquirer {
    /// A connector with the config's timeouts; fails only when the HTTP stack cannot be built.
    pub fn new(config: HttpAcquirerConfig) -> Result<HttpAcquirer, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.connect_timeout + config.read_timeout)
            .user_agent(concat!("cvgate/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(HttpAcquirer {
            http,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// Sends one request; `Ok(None)` is a 404 "unknown reference".
    async fn call<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Option<T>, AcquirerError> {
        let url = format!("{}/api/{path}", self.base_url);
        let mut request = self.http.request(method, &url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|error| transport_error(operation, &error))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|error| AcquirerError::OutcomeUnknown {
                operation,
                detail: format!("the response body was cut: {}", without_url(&error)),
            })?;
        let outcome = read_response(operation, status, &text);
        if let Err(error) = &outcome {
            tracing::warn!(operation, http_status = status, %error, "acquirer call failed");
        }
        outcome
    }

    fn operation<'a>(
        &'a self,
        kind: &'static str,
        request: &'a OperationRequest,
    ) -> AcquirerFuture<'a, OperationResult> {
        Box::pin(async move {
            let path = format!(
                "authorizations/{}/{kind}",
                path_id(kind, &request.reference)?
            );
            let body = serde_json::to_value(OperationRequestBody {
                operation_ref: request.operation_ref.clone(),
                amount: request.amount,
            })
            .expect("wire types serialise");
            let answer: OperationBody = self
                .call(kind, Method::POST, &path, Some(&body))
                .await?
                .ok_or_else(|| unknown_reference(kind))?;
            answer
                .into_result()
                .map_err(|detail| AcquirerError::InvalidResponse {
                    operation: kind,
                    detail,
                })
        })
    }
}

impl Acquirer for HttpAcquirer {
    fn authorize<'a>(
        &'a self,
        request: &'a AuthorizationRequest<'a>,
    ) -> AcquirerFuture<'a, AuthorizationState> {
        Box::pin(async move {
            // Written field by field: the card types are deliberately not serialisable.
            let body = json!({
                "reference": request.reference,
                "order_ref": request.order_ref,
                "amount": request.amount,
                "currency": request.currency.code(),
                "action": request.action.code(),
                "card": {
                    "number": request.card.number.expose(),
                    "expiry": request.card.expiry.as_mmyy(),
                    "cvv": request.card.cvv.expose(),
                },
                "three_ds_return_url": request.three_ds_return_url,
            });
            let answer: TransactionBody = self
                .call("authorization", Method::POST, "authorizations", Some(&body))
                .await?
                .ok_or_else(|| unknown_reference("authorization"))?;
            transaction_state("authorization", answer)
        })
    }

    fn complete_three_ds<'a>(
        &'a self,
        reference: &'a str,
        challenge_ref: &'a str,
    ) -> AcquirerFuture<'a, AuthorizationState> {
        Box::pin(async move {
            let operation = "3-D Secure completion";
            let path = format!("authorizations/{}/three-ds", path_id(operation, reference)?);
            let body = serde_json::to_value(ThreeDsBody {
                challenge_ref: challenge_ref.to_owned(),
            })
            .expect("wire types serialise");
            let answer: TransactionBody = self
                .call(operation, Method::POST, &path, Some(&body))
                .await?
                .ok_or_else(|| unknown_reference(operation))?;
            transaction_state(operation, answer)
        })
    }

    fn status<'a>(&'a self, reference: &'a str) -> AcquirerFuture<'a, Option<AuthorizationState>> {
        Box::pin(async move {
            let path = format!("authorizations/{}", path_id("status", reference)?);
            match self
                .call::<TransactionBody>("status", Method::GET, &path, None)
                .await?
            {
                Some(answer) => transaction_state("status", answer).map(Some),
                None => Ok(None),
            }
        })
    }

    fn capture<'a>(&'a self, request: &'a OperationRequest) -> AcquirerFuture<'a, OperationResult> {
        self.operation("captures", request)
    }

    fn reset<'a>(&'a self, request: &'a OperationRequest) -> AcquirerFuture<'a, OperationResult> {
        self.operation("resets", request)
    }

    fn refund<'a>(&'a self, request: &'a OperationRequest) -> AcquirerFuture<'a, OperationResult> {
        self.operation("refunds", request)
    }

    fn remit<'a>(&'a self, references: &'a [String]) -> AcquirerFuture<'a, Vec<Remitted>> {
        Box::pin(async move {
            let body = serde_json::to_value(RemitRequestBody {
                references: references.to_vec(),
            })
            .expect("wire types serialise");
            let answer: RemitResponseBody = self
                .call("remittance", Method::POST, "remittances", Some(&body))
                .await?
                .ok_or_else(|| unknown_reference("remittance"))?;
            Ok(answer.transactions.iter().map(Remitted::from).collect())
        })
    }
}

fn transaction_state(
    operation: &'static str,
    answer: TransactionBody,
) -> Result<AuthorizationState, AcquirerError> {
    answer
        .into_state()
        .map_err(|detail| AcquirerError::InvalidResponse { operation, detail })
}

fn unknown_reference(operation: &'static str) -> AcquirerError {
    AcquirerError::Refused {
        operation,
        detail: "unknown transaction reference".to_owned(),
    }
}

/// 2xx: the answer; 404 `UNKNOWN_REFERENCE`: `None`; other 4xx: refused (nothing done); 5xx or
/// unreadable: unknown outcome.
fn read_response<T: DeserializeOwned>(
    operation: &'static str,
    status: u16,
    text: &str,
) -> Result<Option<T>, AcquirerError> {
    if (200..300).contains(&status) {
        return serde_json::from_str(text)
            .map(Some)
            .map_err(|e| AcquirerError::InvalidResponse {
                operation,
                detail: format!("HTTP {status}: {e}"),
            });
    }
    let error: Option<ErrorBody> = serde_json::from_str(text).ok();
    match (status, error) {
        (404, Some(error)) if error.error == UNKNOWN_REFERENCE => Ok(None),
        (400..=499, Some(error)) => Err(AcquirerError::Refused {
            operation,
            detail: format!("{}: {}", error.error, error.message),
        }),
        (400..=499, None) => Err(AcquirerError::Refused {
            operation,
            detail: format!("HTTP {status}"),
        }),
        _ => Err(AcquirerError::OutcomeUnknown {
            operation,
            detail: format!("HTTP {status}"),
        }),
    }
}

fn transport_error(operation: &'static str, error: &reqwest::Error) -> AcquirerError {
    let detail = without_url(error);
    if error.is_connect() {
        AcquirerError::Unreachable { operation, detail }
    } else {
        AcquirerError::OutcomeUnknown { operation, detail }
    }
}

/// The error text without the URL (it names internal hosts; enough is said without it).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "<acquirer>");
    }
    text
}

/// References go into paths: only plain identifiers are sent.
fn path_id<'a>(operation: &'static str, id: &'a str) -> Result<&'a str, AcquirerError> {
    if !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(id)
    } else {
        Err(AcquirerError::Refused {
            operation,
            detail: "the reference is not a plain identifier".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_decide_the_error_kind() {
        let unknown = read_response::<TransactionBody>(
            "status",
            404,
            r#"{"error":"UNKNOWN_REFERENCE","message":"x"}"#,
        );
        assert!(matches!(unknown, Ok(None)));
        let refused = read_response::<TransactionBody>(
            "authorization",
            400,
            r#"{"error":"INVALID_REQUEST","message":"m"}"#,
        );
        assert!(matches!(refused, Err(AcquirerError::Refused { .. })));
        let unknown_outcome = read_response::<TransactionBody>("authorization", 502, "<html>");
        assert!(matches!(
            unknown_outcome,
            Err(AcquirerError::OutcomeUnknown { .. })
        ));
        let unreadable = read_response::<TransactionBody>("authorization", 200, "{}");
        assert!(matches!(
            unreadable,
            Err(AcquirerError::InvalidResponse { .. })
        ));
    }

    #[test]
    fn only_plain_references_go_into_paths() {
        assert!(path_id("status", "12345678901234").is_ok());
        for bad in ["", "../admin", "a/b", "a?b"] {
            assert!(path_id("status", bad).is_err(), "{bad}");
        }
    }
}
