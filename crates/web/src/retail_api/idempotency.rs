//! `Idempotency-Key` (retail-api.md §3): a POST repeated with the same key and the same body
//! gets the first answer (status and body) and does nothing twice, also when the calls race;
//! the same key with another body gets 422. The keys live in the replay store SOAP's
//! `sequenceNumber` uses (`AfterSale::once_per_request`): captures, refunds and cancels share
//! their key space with SOAP (`operations`); every other POST is remembered whole by
//! [`remember_answers`], keyed by its path.

use super::request::{MAX_BODY_BYTES, internal, merchant, too_large};
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gateway::after_sale::{Reply, Unanswered};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use store::StoreError;
use store::repos::ReplayKey;

/// The header's name.
pub(super) const HEADER: &str = "Idempotency-Key";
/// The longest key taken.
const MAX_KEY_CHARS: usize = 255;

/// The call's `Idempotency-Key`, if it has one; 400 when it is empty, too long or not
/// printable ASCII.
pub(super) fn key_of(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().ok().filter(|key| {
        (1..=MAX_KEY_CHARS).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
    });
    match key {
        Some(key) => Ok(Some(key.to_owned())),
        None => Err(Problem::field(
            StatusCode::BAD_REQUEST,
            HEADER,
            format!("must be 1 to {MAX_KEY_CHARS} printable ASCII characters without spaces"),
        )),
    }
}

/// What tells two requests with one key apart: the call and its body, as JSON values (so that
/// spacing and the order of members do not count), or as bytes when it is not JSON.
pub(super) fn digest(call: &str, body: &[u8]) -> String {
    let canonical = match serde_json::from_slice::<Value>(body) {
        Ok(value) => value.to_string().into_bytes(),
        Err(_) => body.to_vec(),
    };
    let mut hasher = Sha256::new();
    hasher.update(call.as_bytes());
    hasher.update([0]);
    hasher.update(&canonical);
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// 422: the key was first used for another request.
fn key_reused() -> Problem {
    Problem::field(
        StatusCode::UNPROCESSABLE_ENTITY,
        HEADER,
        "was already used for another request: use a new key for a new request",
    )
}

/// Why a call with a key got no answer, as a problem.
pub(super) fn unanswered(why: Unanswered) -> Problem {
    match why {
        Unanswered::KeyReused => key_reused(),
        Unanswered::FirstCallRunning => still_running(),
    }
}

/// 409: the first call with this key has not finished within the wait.
fn still_running() -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "the first request with this Idempotency-Key is still running: try again shortly",
    )
    .retry_after(1)
}

/// Middleware for the POSTs that are not after-sale operations (other methods pass through): a call with an
/// `Idempotency-Key` runs once per (merchant, path, key); its answer, unless a 5xx, is kept and
/// given to every repeat with the same body. Calls without a key, or not authenticated, pass
/// through (the handler answers them).
pub(super) async fn remember_answers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let key = match key_of(request.headers()) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(request).await,
        Err(problem) => return problem.into_response(),
    };
    let Ok(merchant) = merchant() else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return too_large().into_response();
    };
    let call = format!("POST {}", parts.uri.path());
    let digest = digest(&call, &bytes);
    let replay_key = ReplayKey {
        merchant_id: &merchant,
        operation: &call,
        transaction_id: "",
        sequence_number: &key,
    };
    let run = |_request_key: Option<String>| async move {
        let response = next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
        let stored = StoredResponse::of(response).await?;
        Ok::<_, StoreError>(Reply {
            settled: stored.status < 500,
            body: stored.to_json(),
        })
    };
    match state
        .after_sale
        .once_per_request(&replay_key, Some(&digest), run)
        .await
    {
        Ok(Ok(stored)) => match StoredResponse::from_json(&stored) {
            Some(stored) => stored.into_response(),
            None => internal(&"a remembered answer is unreadable").into_response(),
        },
        Ok(Err(why)) => unanswered(why).into_response(),
        Err(error) => internal(&error).into_response(),
    }
}

/// An answer as the replay store keeps it: status, media type and body.
struct StoredResponse {
    status: u16,
    content_type: Option<String>,
    body: String,
}

impl StoredResponse {
    async fn of(response: Response) -> Result<StoredResponse, StoreError> {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body: Bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .map_err(|error| StoreError::corrupt("operation_replays", error.to_string()))?;
        Ok(StoredResponse {
            status,
            content_type,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    fn to_json(&self) -> String {
        json!({"status": self.status, "contentType": self.content_type, "body": self.body})
            .to_string()
    }

    fn from_json(stored: &str) -> Option<StoredResponse> {
        let value: Value = serde_json::from_str(stored).ok()?;
        Some(StoredResponse {
            status: u16::try_from(value["status"].as_u64()?).ok()?,
            content_type: value["contentType"].as_str().map(str::to_owned),
            body: value["body"].as_str()?.to_owned(),
        })
    }
}

impl IntoResponse for StoredResponse {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, self.body).into_response();
        if let Some(content_type) = self
            .content_type
            .and_then(|v| HeaderValue::from_str(&v).ok())
        {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, content_type);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_and_member_order_do_not_change_the_digest() {
        let call = "POST /checkout/sessions";
        assert_eq!(
            digest(call, br#"{"a": 1, "b": [1, 2]}"#),
            digest(call, br#"{"b":[1,2],"a":1}"#)
        );
        assert_ne!(digest(call, br#"{"a": 1}"#), digest(call, br#"{"a": 2}"#));
        assert_ne!(
            digest(call, br#"{"a": 1}"#),
            digest("POST /checkout/payments/sessions", br#"{"a": 1}"#)
        );
    }

    #[test]
    fn keys_are_printable_ascii_of_at_most_255_characters() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(HEADER, HeaderValue::from_str(value).unwrap());
            key_of(&headers)
        };
        assert_eq!(
            with("order-42/refund-1").unwrap(),
            Some("order-42/refund-1".into())
        );
        assert!(with("").is_err());
        assert!(with("two words").is_err());
        assert!(with(&"k".repeat(256)).is_err());
        assert!(with(&"k".repeat(255)).is_ok());
        assert_eq!(key_of(&HeaderMap::new()).unwrap(), None);
    }
}
