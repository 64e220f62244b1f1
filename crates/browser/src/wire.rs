//! The WebDriver wire: JSON over HTTP to chromedriver, and its error format.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::BrowserError;

/// Bounds one command, so that a hung chromedriver fails the test instead of hanging it.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// The key under which WebDriver returns an element reference.
pub(crate) const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// An HTTP client bound to one chromedriver (and, once created, one session).
#[derive(Clone, Debug)]
pub(crate) struct Wire {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT` or `http://127.0.0.1:PORT/session/ID`.
    base: String,
}

impl Wire {
    pub(crate) fn new(port: u16) -> Result<Wire, BrowserError> {
        let http = reqwest::Client::builder()
            .timeout(COMMAND_TIMEOUT)
            // Loopback only: a proxy from the environment must not get in the way.
            .no_proxy()
            .build()
            .map_err(|source| BrowserError::Http {
                command: "build HTTP client".to_owned(),
                source,
            })?;
        Ok(Wire {
            http,
            base: format!("http://127.0.0.1:{port}"),
        })
    }

    /// The same client, with paths relative to the session `id`.
    pub(crate) fn for_session(&self, id: &str) -> Wire {
        Wire {
            http: self.http.clone(),
            base: format!("{}/session/{id}", self.base),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Result<Value, BrowserError> {
        self.send(Method::GET, path, None).await
    }

    /// POSTs `body`; WebDriver wants `{}` for commands without parameters.
    pub(crate) async fn post(&self, path: &str, body: Value) -> Result<Value, BrowserError> {
        self.send(Method::POST, path, Some(body)).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Result<Value, BrowserError> {
        self.send(Method::DELETE, path, None).await
    }

    /// Sends one command and returns the `value` of its answer.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, BrowserError> {
        let command = format!("{method} {path}");
        let http_error = |source| BrowserError::Http {
            command: command.clone(),
            source,
        };
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(http_error)?;
        let status = response.status();
        let text = response.text().await.map_err(http_error)?;
        parse_answer(&command, status, &text)
    }
}

/// Reads `{"value": …}`, turning a WebDriver error (`{"value": {"error", "message"}}`) into
/// [`BrowserError::WebDriver`].
fn parse_answer(command: &str, status: StatusCode, text: &str) -> Result<Value, BrowserError> {
    let protocol = |detail: String| BrowserError::Protocol {
        command: command.to_owned(),
        detail,
    };
    let mut answer: Value = serde_json::from_str(text).map_err(|err| {
        protocol(format!(
            "HTTP {status}, body is not JSON ({err}): {text:.500}"
        ))
    })?;
    let value = answer
        .get_mut("value")
        .map(Value::take)
        .ok_or_else(|| protocol(format!("HTTP {status}, no `value` in {text:.500}")))?;
    match value.get("error").and_then(Value::as_str) {
        Some(error) => Err(BrowserError::WebDriver {
            command: command.to_owned(),
            error: error.to_owned(),
            message: value["message"].as_str().unwrap_or_default().to_owned(),
        }),
        None if !status.is_success() => Err(protocol(format!("HTTP {status}: {text:.500}"))),
        None => Ok(value),
    }
}

/// The `{"using": "css selector", …}` body of the find commands.
pub(crate) fn css(selector: &str) -> Value {
    json!({ "using": "css selector", "value": selector })
}

/// The element id inside an element reference.
pub(crate) fn element_id(command: &str, reference: &Value) -> Result<String, BrowserError> {
    reference[ELEMENT_KEY]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| BrowserError::Protocol {
            command: command.to_owned(),
            detail: format!("not an element reference: {reference}"),
        })
}

/// A value that should be a string, e.g. the page title.
pub(crate) fn string(command: &str, value: Value) -> Result<String, BrowserError> {
    match value {
        Value::String(text) => Ok(text),
        other => Err(BrowserError::Protocol {
            command: command.to_owned(),
            detail: format!("expected a string, got {other}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webdriver_error_keeps_its_code_and_message() {
        let body = r#"{"value":{"error":"no such element","message":"Unable to locate","stacktrace":"x"}}"#;
        let err = parse_answer("POST /element", StatusCode::NOT_FOUND, body).unwrap_err();
        assert_eq!(err.webdriver_code(), Some("no such element"));
        assert_eq!(
            err.to_string(),
            "WebDriver command `POST /element` failed: no such element: Unable to locate"
        );
    }

    #[test]
    fn a_success_returns_the_value() {
        let value = parse_answer("GET /title", StatusCode::OK, r#"{"value":"Hi"}"#).unwrap();
        assert_eq!(value, json!("Hi"));
    }

    #[test]
    fn a_non_json_answer_is_a_protocol_error() {
        let err = parse_answer("GET /x", StatusCode::BAD_GATEWAY, "oops").unwrap_err();
        assert!(matches!(err, BrowserError::Protocol { .. }), "{err}");
    }
}
