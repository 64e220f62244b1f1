//! Condition waits: try, and retry every [`POLL_INTERVAL`] until done or the deadline passes.

use std::time::Duration;

use tokio::time::Instant;

use crate::BrowserError;

/// How often waits retry their condition.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// One try of a wait: done with a value, or not yet, with what was seen (for the timeout error).
pub(crate) enum Attempt<T> {
    Done(T),
    NotYet(Option<String>),
}

/// Retries `attempt` until it is done. The timeout only bounds a failure: a fast machine returns
/// as soon as the condition holds. An error from `attempt` ends the wait at once.
pub(crate) async fn poll<T>(
    what: &str,
    timeout: Duration,
    mut attempt: impl AsyncFnMut() -> Result<Attempt<T>, BrowserError>,
) -> Result<T, BrowserError> {
    let deadline = Instant::now() + timeout;
    loop {
        let last = match attempt().await? {
            Attempt::Done(value) => return Ok(value),
            Attempt::NotYet(last) => last,
        };
        if Instant::now() >= deadline {
            return Err(BrowserError::Timeout {
                what: what.to_owned(),
                timeout,
                last,
            });
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}
