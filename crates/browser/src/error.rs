use std::{io, time::Duration};

/// Everything that can go wrong while driving the browser.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// The binaries are missing: see [`crate::unavailable_reason`].
    #[error("no browser here: {0}")]
    Unavailable(String),

    /// chromedriver or the Chromium session could not be started.
    #[error(
        "could not launch the browser: {detail}\n--- chromedriver output (last lines) ---\n{output}"
    )]
    Launch {
        /// What went wrong while starting chromedriver or opening the Chromium session.
        detail: String,
        /// The last lines chromedriver printed, to see why.
        output: String,
    },

    /// chromedriver answered a command with a WebDriver error.
    #[error("WebDriver command `{command}` failed: {error}: {message}")]
    WebDriver {
        /// The command, e.g. `POST /url`.
        command: String,
        /// The WebDriver error code, e.g. `no such element`.
        error: String,
        /// chromedriver's explanation of the error.
        message: String,
    },

    /// chromedriver's `/status` could not be reached, or its answer could not be read.
    #[error("HTTP request for WebDriver command `{command}` failed: {source}")]
    Http {
        /// The command, e.g. `POST /url`.
        command: String,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },

    /// chromedriver could not be reached during a session, or answered something that is not
    /// what the WebDriver protocol says (fantoccini's error, in `detail`).
    #[error("unexpected answer to WebDriver command `{command}`: {detail}")]
    Protocol {
        /// The command, e.g. `GET /title`.
        command: String,
        /// What was expected and what came instead.
        detail: String,
    },

    /// A wait ran out of time. `last` says what was seen on the last try.
    #[error("timed out after {timeout:?} waiting for {what}{}", last_seen(.last))]
    Timeout {
        /// What was awaited, in words (e.g. `chromedriver /status to be ready`).
        what: String,
        /// How long it was awaited.
        timeout: Duration,
        /// What the last try saw, if anything was seen.
        last: Option<String>,
    },

    /// A local file or process operation failed (the profile folder, chromedriver's process).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

impl BrowserError {
    /// The WebDriver error code (`no such element`, `stale element reference`, …), if any.
    pub fn webdriver_code(&self) -> Option<&str> {
        match self {
            BrowserError::WebDriver { error, .. } => Some(error),
            _ => None,
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> BrowserError {
        BrowserError::Io {
            context: context.into(),
            source,
        }
    }
}

fn last_seen(last: &Option<String>) -> String {
    last.as_ref()
        .map(|seen| format!(" (last seen: {seen})"))
        .unwrap_or_default()
}
