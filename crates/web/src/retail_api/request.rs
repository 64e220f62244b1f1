//! What every JSON API call checks first: the merchant's credentials, then the body (at most
//! 1 MiB, JSON, the shape the call takes), each refusal a problem JSON saying what is wrong.

use crate::merchant_auth::{AuthFailure, authenticated_merchant};
use crate::problem::Problem;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use domain::merchant::MerchantId;
use serde::de::DeserializeOwned;

/// Bodies above this are refused with 413 (problem JSON).
pub(super) const MAX_BODY_BYTES: usize = 1 << 20;

/// The merchant whose Basic credentials the call carries; 401 otherwise.
pub(super) fn merchant() -> Result<MerchantId, Problem> {
    authenticated_merchant("JSON API").map_err(|failure| match failure {
        AuthFailure::Unauthorized => Problem::new(
            StatusCode::UNAUTHORIZED,
            "HTTP Basic credentials (merchant id and access key) are missing or wrong",
        ),
        AuthFailure::Failed(error) => internal(&error),
    })
}

/// The body as `T`: 413 above 1 MiB, 415 unless it says it is JSON, 400 naming where the JSON
/// is malformed or which field has the wrong type.
pub(super) async fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
) -> Result<T, Problem> {
    parse_json(&body_bytes(headers, body).await?)
}

/// The raw body of a JSON call: 415 unless it says it is JSON, 413 above 1 MiB.
pub(super) async fn body_bytes(headers: &HeaderMap, body: Body) -> Result<Bytes, Problem> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            let media = media.trim().to_ascii_lowercase();
            media == "application/json" || media.ends_with("+json")
        });
    if !is_json {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be JSON (Content-Type: application/json)",
        ));
    }
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())
}

/// 413: the body is over the limit.
pub(super) fn too_large() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "the body is larger than 1 MiB",
    )
}

/// `bytes` as `T`; 400 saying where the JSON is malformed, or naming the field (`order.amount`)
/// whose value has the wrong type.
pub(super) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut reader).map_err(|error| {
        let inner = error.inner();
        if inner.is_syntax() || inner.is_eof() {
            return malformed(inner);
        }
        let field = error.path().to_string();
        let rule = inner.to_string();
        // serde adds the position to the message; the field's name says where already.
        let rule = rule.split(" at line ").next().unwrap_or(&rule);
        if field == "." {
            Problem::new(
                StatusCode::BAD_REQUEST,
                format!("the body must be a JSON object: {rule}"),
            )
            .with_code("02305")
        } else {
            Problem::field(StatusCode::BAD_REQUEST, &field, format!("is wrong: {rule}"))
                .with_code("02305")
        }
    })?;
    reader.end().map_err(|error| malformed(&error))?;
    Ok(value)
}

fn malformed(error: &serde_json::Error) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        format!("the body is not well-formed JSON: {error}"),
    )
    .with_code("02305")
}

/// A failure of cvgate's, logged; the caller may try again.
pub(super) fn internal(error: &dyn std::fmt::Display) -> Problem {
    tracing::error!(%error, "JSON API call failed");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "cvgate could not do this now; try again",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        order: Order,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Order {
        amount: i64,
    }

    fn problem_json(problem: Problem) -> serde_json::Value {
        let response = axum::response::IntoResponse::into_response(problem);
        let bytes = futures_body(response);
        serde_json::from_slice(&bytes).unwrap()
    }

    fn futures_body(response: axum::response::Response) -> Bytes {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .unwrap()
    }

    /// Hostile 1 MiB bodies, read as each body the API takes, within 50 ms of CPU each.
    #[test]
    fn hostile_bodies_are_read_within_the_cpu_budget() {
        const MIB: usize = 1 << 20;
        let repeat = |unit: &str| unit.repeat(MIB / unit.len() - 16);
        let bodies = [
            ("deep nesting", repeat("[")),
            ("many keys", format!("{{{}\"z\":0}}", repeat("\"k\":{},"))),
            (
                "escaped text",
                format!("{{\"order\":{{\"reference\":\"{}\"}}}}", repeat("\\u00e9")),
            ),
            (
                "long array",
                format!("{{\"contracts\":[{}0]}}", repeat("1e308,")),
            ),
        ];
        for (name, body) in bodies {
            assert!(body.len() <= MIB, "{name}");
            let bytes = body.as_bytes();
            let budget = |what: &str, read: fn(&[u8]) -> bool| {
                let what = format!("{name} as {what}");
                testkit::within_cpu_budget(&what, 50.0, || std::hint::black_box(read(bytes)));
            };
            budget("a session", |b| {
                parse_json::<json_api::CreateSession>(b).is_ok()
            });
            budget("an operation", |b| {
                parse_json::<json_api::OperationRequest>(b).is_ok()
            });
            budget("a point of sale", |b| {
                parse_json::<json_api::PointOfSaleBody>(b).is_ok()
            });
            budget("a contract", |b| {
                parse_json::<json_api::ContractBody>(b).is_ok()
            });
        }
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let problem = parse_json::<Body>(br#"{"order": {"amount": "ten"}}"#).unwrap_err();
        let json = problem_json(problem);
        assert_eq!(json["status"], 400);
        assert_eq!(json["field"], "order.amount");
        assert_eq!(json["code"], "02305");
        assert!(
            json["detail"]
                .as_str()
                .unwrap()
                .starts_with("order.amount is wrong: invalid type"),
            "{json}"
        );
    }

    #[test]
    fn malformed_json_says_where() {
        let problem = parse_json::<Body>(b"{\"order\": {\"amount\": 1,}}").unwrap_err();
        let json = problem_json(problem);
        assert_eq!(json["status"], 400);
        assert!(json.get("field").is_none());
        assert!(
            json["detail"].as_str().unwrap().contains("line 1 column"),
            "{json}"
        );
    }

    #[test]
    fn trailing_garbage_is_malformed() {
        let problem = parse_json::<Body>(br#"{"order": {"amount": 1}} x"#).unwrap_err();
        assert_eq!(problem_json(problem)["status"], 400);
    }
}
