//! The connector: cvgate's client of the ANCV acquisition API (or of its sandbox).
//!
//! Retry rule (spec §5): only `status` is retried automatically. `create`, `payer` and
//! `cancellation` are never retried blindly: when their outcome is unknown (timeout after the
//! request left) the caller reconciles — `create` again with the same `paymentId` (idempotent per
//! shop), `status` for a cancellation.

use crate::error_code::ErrorCode;
use crate::seal::{Operation, SealKey};
use crate::wire::{
    Amount, CancellationRequest, CreateRequest, Envelope, ErrorBody, Merchant, Order, PayerInput,
    PayerRequest, PaymentMethod, RedirectUrls, Transaction,
};
use domain::clock::Clock;
use reqwest::Method;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The HTTP header that carries the seal, on every request and on sealed notifications.
pub const SEAL_HEADER: &str = "ANCV-Security";

/// How the client reaches ANCV (or the sandbox) and signs its requests.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Ends in `/acquisition/api/public/v1` (no trailing slash needed).
    pub base_url: String,
    /// cvgate's `merchant.serviceProviderId` at ANCV, sent in every `create`.
    pub service_provider_id: String,
    /// The key (and its version) that seals every request.
    pub seal_key: SealKey,
    /// How long establishing the connection may take (ancv-connect.md §5: 5 s).
    pub connect_timeout: Duration,
    /// How long the answer may take once connected (ancv-connect.md §5: 10 s); a call as a whole is cut after
    /// `connect_timeout + read_timeout`, its outcome then unknown.
    pub read_timeout: Duration,
}

/// Why an ANCV call gave no transaction, told apart by what the caller may then do.
#[derive(Debug, thiserror::Error)]
pub enum AncvError {
    /// ANCV answered with an `errorCode`: nothing was done.
    #[error("ANCV refused the {operation}: {code} ({message})")]
    Refused {
        /// The call: `create`, `payer`, `status` or `cancellation`.
        operation: &'static str,
        /// ANCV's `errorCode`.
        code: ErrorCode,
        /// ANCV's `errorMessage`.
        message: String,
    },
    /// The request may or may not have been processed (timeout or broken connection after
    /// sending): reconcile, do not repeat blindly.
    #[error("the outcome of the ANCV {operation} is unknown: {detail}")]
    OutcomeUnknown {
        /// The call: `create`, `payer`, `status` or `cancellation`.
        operation: &'static str,
        /// What happened (timeout, cut body, HTTP 5xx without JSON), the URL left out.
        detail: String,
    },
    /// The connection could not be made: nothing was sent.
    #[error("ANCV is unreachable for the {operation}: {detail}")]
    Unreachable {
        /// The call: `create`, `payer`, `status` or `cancellation`.
        operation: &'static str,
        /// The connection error, the URL left out.
        detail: String,
    },
    /// ANCV answered, but not with something this client understands.
    #[error("ANCV answered the {operation} unreadably: {detail}")]
    InvalidResponse {
        /// The call: `create`, `payer`, `status` or `cancellation`.
        operation: &'static str,
        /// What could not be read.
        detail: String,
    },
}

impl AncvError {
    /// What goes into Payline's `partnerCode`: the ANCV error code, or a transport marker.
    pub fn partner_code(&self) -> String {
        match self {
            AncvError::Refused { code, .. } => code.as_str().to_owned(),
            AncvError::OutcomeUnknown { .. } => "TIMEOUT".to_owned(),
            AncvError::Unreachable { .. } => "UNREACHABLE".to_owned(),
            AncvError::InvalidResponse { .. } => "INVALID_RESPONSE".to_owned(),
        }
    }

    /// Whether the call certainly did nothing at ANCV.
    pub fn certainly_not_done(&self) -> bool {
        match self {
            AncvError::Refused { .. } | AncvError::Unreachable { .. } => true,
            AncvError::OutcomeUnknown { .. } | AncvError::InvalidResponse { .. } => false,
        }
    }
}

/// What cvgate asks ANCV to create.
#[derive(Debug, Clone)]
pub struct NewTransaction {
    /// The merchant's ANCV Shop ID (`merchant.shopId`).
    pub shop_id: String,
    /// The merchant's order reference (cut to 20 characters here).
    pub order_ref: String,
    /// cvgate's transaction id: the idempotency key.
    pub payment_id: String,
    /// The soft descriptor the beneficiary sees in the app (`order.label`).
    pub label: Option<String>,
    /// The order's total (`order.amount`), EUR minor units, at least 2000.
    pub amount: Amount,
    /// cvgate's notification endpoint (both redirect URLs: server to server).
    pub notification_url: String,
}

/// cvgate's client of the ANCV acquisition API: seals each request, retries only `status`, and
/// sorts failures into [`AncvError`]. Clones share one connection pool.
#[derive(Clone)]
pub struct AncvClient {
    http: reqwest::Client,
    config: Arc<ClientConfig>,
    clock: Arc<dyn Clock>,
}

impl AncvClient {
    /// A client with the config's timeouts; `clock` dates the requests (`requestDate`). Fails only
    /// when the HTTP stack cannot be built.
    pub fn new(config: ClientConfig, clock: Arc<dyn Clock>) -> Result<AncvClient, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.connect_timeout + config.read_timeout)
            .user_agent(concat!("cvgate/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(AncvClient {
            http,
            config: Arc::new(config),
            clock,
        })
    }

    /// cvgate's service-provider id at ANCV, as configured.
    pub fn service_provider_id(&self) -> &str {
        &self.config.service_provider_id
    }

    fn request_date(&self) -> String {
        self.clock.now().to_rfc3339()
    }

    /// Creates the transaction (INITIALIZED), NORMAL capture, both redirect URLs set to cvgate's
    /// notification endpoint. Never retried here: after an unknown outcome, call it again with the
    /// same `payment_id` (ANCV returns the same transaction).
    pub async fn create(&self, new: &NewTransaction) -> Result<Transaction, AncvError> {
        let body = CreateRequest {
            merchant: Merchant {
                shop_id: new.shop_id.clone(),
                service_provider_id: self.config.service_provider_id.clone(),
            },
            order: Order {
                id: new.order_ref.chars().take(20).collect(),
                payment_id: new.payment_id.clone(),
                label: new.label.clone(),
                amount: new.amount.clone(),
            },
            payment_method: PaymentMethod::immediate(),
            redirect_urls: RedirectUrls {
                return_url: new.notification_url.clone(),
                cancel_url: new.notification_url.clone(),
            },
            request_date: self.request_date(),
        };
        let body = to_value(&body);
        self.call(
            "create",
            Operation::Create,
            Method::POST,
            "payment-transactions/".into(),
            Some(body),
        )
        .await
    }

    /// Attaches the beneficiary (e-mail or 11-digit id) to transaction `id` for `amount`, which
    /// sends the request to their app (PROCESSING).
    pub async fn attach_payer(
        &self,
        id: &str,
        beneficiary_id: &str,
        amount: Amount,
    ) -> Result<Transaction, AncvError> {
        let path = format!("payment-transactions/{}/payer/", path_id("payer", id)?);
        let body = to_value(&PayerRequest {
            payer: PayerInput {
                beneficiary_id: beneficiary_id.to_owned(),
                amount,
            },
            request_date: self.request_date(),
        });
        self.call(
            "payer",
            Operation::Payer { id },
            Method::POST,
            path,
            Some(body),
        )
        .await
    }

    /// Reads the transaction; retried (twice, shortly) on transport errors and ANCV 500s, since
    /// reading changes nothing.
    pub async fn status(&self, id: &str) -> Result<Transaction, AncvError> {
        let path = format!("payment-transactions/{}/", path_id("status", id)?);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self
                .call(
                    "status",
                    Operation::Status { id },
                    Method::GET,
                    path.clone(),
                    None,
                )
                .await
            {
                Err(error) if attempt < 3 && retryable_read(&error) => {
                    tracing::warn!(ancv_id = id, attempt, %error, "ANCV status failed; retrying");
                    tokio::time::sleep(Duration::from_millis(100 * 3u64.pow(attempt - 1))).await;
                }
                outcome => return outcome,
            }
        }
    }

    /// Cancels (= refunds) the whole transaction.
    pub async fn cancel(&self, id: &str) -> Result<Transaction, AncvError> {
        let path = format!(
            "payment-transactions/{}/cancellation/",
            path_id("cancellation", id)?
        );
        let body = to_value(&CancellationRequest {
            reason: "OTHER".into(),
            request_date: self.request_date(),
        });
        self.call(
            "cancellation",
            Operation::Cancellation { id },
            Method::POST,
            path,
            Some(body),
        )
        .await
    }

    async fn call(
        &self,
        operation: &'static str,
        sealed: Operation<'_>,
        method: Method,
        path: String,
        body: Option<Value>,
    ) -> Result<Transaction, AncvError> {
        let url = format!("{}/{path}", self.config.base_url.trim_end_matches('/'));
        let seal = self
            .config
            .seal_key
            .seal(&sealed.fields(body.as_ref().unwrap_or(&Value::Null)));
        let mut request = self.http.request(method, &url).header(SEAL_HEADER, seal);
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|error| transport_error(operation, &error))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|error| AncvError::OutcomeUnknown {
                operation,
                detail: format!("the response body was cut: {error}"),
            })?;
        let outcome = read_response(operation, status.as_u16(), &text);
        match &outcome {
            Ok(transaction) => {
                tracing::info!(operation, ancv_id = %transaction.id, state = %transaction.state, "ANCV call done");
            }
            // What a buyer typed (an unknown account, one with a request already pending) is
            // not an operator's concern.
            Err(
                error @ AncvError::Refused {
                    code: ErrorCode::BeneficiaryNotFound | ErrorCode::OtherTransactionPending,
                    ..
                },
            ) => {
                tracing::info!(operation, http_status = status.as_u16(), %error, "ANCV refused the beneficiary")
            }
            Err(error) => {
                tracing::warn!(operation, http_status = status.as_u16(), %error, "ANCV call failed")
            }
        }
        outcome
    }
}

/// The client decides on the presence of `errorCode`, not on the HTTP status (spec §1).
fn read_response(
    operation: &'static str,
    status: u16,
    text: &str,
) -> Result<Transaction, AncvError> {
    let value: Value = serde_json::from_str(text).map_err(|_| {
        let detail = format!("HTTP {status} with a body that is not JSON");
        if status >= 500 {
            AncvError::OutcomeUnknown { operation, detail }
        } else {
            AncvError::InvalidResponse { operation, detail }
        }
    })?;
    if value.get("errorCode").is_some() {
        let error: ErrorBody =
            serde_json::from_value(value).map_err(|e| AncvError::InvalidResponse {
                operation,
                detail: format!("unreadable error body: {e}"),
            })?;
        return Err(AncvError::Refused {
            operation,
            code: ErrorCode::parse(&error.error_code),
            message: error.error_message,
        });
    }
    let envelope: Envelope =
        serde_json::from_value(value).map_err(|e| AncvError::InvalidResponse {
            operation,
            detail: format!("HTTP {status}: {e}"),
        })?;
    Ok(envelope.transaction)
}

fn transport_error(operation: &'static str, error: &reqwest::Error) -> AncvError {
    // Keep the URL out of messages: it is ours, but the error text is enough.
    let detail = error.without_url_ref().to_string();
    if error.is_connect() {
        AncvError::Unreachable { operation, detail }
    } else {
        AncvError::OutcomeUnknown { operation, detail }
    }
}

fn retryable_read(error: &AncvError) -> bool {
    match error {
        AncvError::OutcomeUnknown { .. } | AncvError::Unreachable { .. } => true,
        AncvError::Refused { code, .. } => *code == ErrorCode::InternalServerError,
        AncvError::InvalidResponse { .. } => false,
    }
}

/// Transaction ids go into the path: only plain identifiers are accepted.
fn path_id<'a>(operation: &'static str, id: &'a str) -> Result<&'a str, AncvError> {
    if !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(id)
    } else {
        Err(AncvError::InvalidResponse {
            operation,
            detail: format!("{id:?} is not an ANCV transaction id"),
        })
    }
}

fn to_value<T: serde::Serialize>(body: &T) -> Value {
    serde_json::to_value(body).expect("wire types always serialise")
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(url.as_str(), "<ancv>");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_win_over_http_status() {
        let refused = read_response(
            "create",
            200,
            r#"{"errorCode":"MERCHANT_NOT_ALLOWED","errorMessage":"unknown shop"}"#,
        );
        assert!(matches!(
            refused,
            Err(AncvError::Refused {
                code: ErrorCode::MerchantNotAllowed,
                ..
            })
        ));
        let not_json = read_response("create", 502, "<html>bad gateway</html>");
        assert!(matches!(not_json, Err(AncvError::OutcomeUnknown { .. })));
        let not_envelope = read_response("status", 200, r#"{"hello":1}"#);
        assert!(matches!(
            not_envelope,
            Err(AncvError::InvalidResponse { .. })
        ));
    }

    #[test]
    fn only_plain_ids_go_into_paths() {
        assert!(path_id("status", "fiawa31zot").is_ok());
        assert!(path_id("status", "098765432109876543210").is_ok());
        for bad in ["", "../admin", "a/b", "a?b", "x y"] {
            assert!(path_id("status", bad).is_err(), "{bad}");
        }
    }
}
