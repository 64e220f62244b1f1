//! The bridge to fantoccini, which speaks the WebDriver protocol to chromedriver: the session
//! handshake, a time bound per command, error translation, and the few raw commands fantoccini
//! has no method for.

use std::{future::Future, time::Duration};

use fantoccini::{Client, ClientBuilder, error::CmdError, wd::WebDriverCompatibleCommand};
use http::Method;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Map, Value};
use url::Url;

use crate::BrowserError;

/// Bounds one command, so that a hung chromedriver fails the test instead of hanging it.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// Opens a session on the chromedriver listening on `port` (plain HTTP on loopback: no TLS, and
/// hyper's connector reads no proxy from the environment).
pub(crate) async fn connect(
    port: u16,
    capabilities: Map<String, Value>,
) -> Result<Client, fantoccini::error::NewSessionError> {
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
}

/// Runs one fantoccini call named `command` (e.g. `POST /url`, for error messages), bounded by
/// [`COMMAND_TIMEOUT`].
pub(crate) async fn run<T>(
    command: &str,
    call: impl Future<Output = Result<T, CmdError>>,
) -> Result<T, BrowserError> {
    match tokio::time::timeout(COMMAND_TIMEOUT, call).await {
        Ok(result) => result.map_err(|err| translate(command, err)),
        Err(_) => Err(BrowserError::Timeout {
            what: format!("chromedriver to answer `{command}`"),
            timeout: COMMAND_TIMEOUT,
            last: None,
        }),
    }
}

/// A WebDriver error keeps its code and message; anything else (chromedriver unreachable, an
/// answer that is not WebDriver) is a [`BrowserError::Protocol`].
fn translate(command: &str, err: CmdError) -> BrowserError {
    match err {
        CmdError::Standard(error) => BrowserError::WebDriver {
            command: command.to_owned(),
            error: error.error.description().to_owned(),
            message: error.message.into_owned(),
        },
        other => BrowserError::Protocol {
            command: command.to_owned(),
            detail: other.to_string(),
        },
    }
}

/// Sends a session command fantoccini has no method for (`path` is relative to the session),
/// bounded and with errors translated as by [`run`].
pub(crate) async fn raw(
    session: &Client,
    method: Method,
    path: String,
    body: Option<Value>,
) -> Result<Value, BrowserError> {
    let command = Raw { method, path, body };
    let name = command.name();
    run(&name, session.issue_cmd(command)).await
}

/// A session command fantoccini has no method for: `path` is relative to the session.
#[derive(Debug)]
struct Raw {
    method: Method,
    path: String,
    body: Option<Value>,
}

impl Raw {
    /// The name used in error messages, e.g. `POST /goog/cdp/execute`.
    fn name(&self) -> String {
        format!("{} /{}", self.method, self.path)
    }
}

impl WebDriverCompatibleCommand for Raw {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, url::ParseError> {
        let session = session.unwrap_or_default();
        base.join(&format!("session/{session}/{}", self.path))
    }

    fn method_and_body(&self, _: &Url) -> (Method, Option<String>) {
        (
            self.method.clone(),
            self.body.as_ref().map(Value::to_string),
        )
    }
}

#[cfg(test)]
mod tests {
    use fantoccini::error::{ErrorStatus, WebDriver};

    use super::*;

    #[test]
    fn a_webdriver_error_keeps_its_code_and_message() {
        let error = WebDriver::new(ErrorStatus::NoSuchElement, "Unable to locate");
        let err = translate("POST /element", CmdError::Standard(error));
        assert_eq!(err.webdriver_code(), Some("no such element"));
        assert_eq!(
            err.to_string(),
            "WebDriver command `POST /element` failed: no such element: Unable to locate"
        );
    }

    #[test]
    fn a_non_webdriver_answer_is_a_protocol_error() {
        let err = translate("GET /x", CmdError::NotJson("oops".to_owned()));
        assert!(matches!(err, BrowserError::Protocol { .. }), "{err}");
    }

    #[test]
    fn a_raw_command_is_relative_to_the_session() {
        let raw = Raw {
            method: Method::POST,
            path: "goog/cdp/execute".to_owned(),
            body: None,
        };
        let base = Url::parse("http://127.0.0.1:9515/").unwrap();
        let url = raw.endpoint(&base, Some("abc")).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9515/session/abc/goog/cdp/execute"
        );
        assert_eq!(raw.name(), "POST /goog/cdp/execute");
    }
}
