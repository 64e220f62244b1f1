//! The fault gate: a layer in front of the partners' APIs (cvgate → ANCV, cvgate → acquirer)
//! and of cvgate's ANCV notification endpoint (ANCV → cvgate), deciding from the run's seed what
//! happens to each request:
//!
//! - a partner call passes, fails before the partner does anything (an HTTP error), loses its
//!   answer after the partner did the work (the body is cut: cvgate sees an unknown outcome), or
//!   **crashes cvgate** before or after the partner did the work: the gate tells the simulation,
//!   which drops the request's future (as a dead process would) and rebuilds cvgate on the same
//!   database; the gate's pending answer is released afterwards to nobody;
//! - a notification is delivered, lost (answered 200 without cvgate seeing it), delayed (answered
//!   500: ANCV sends it again later, maybe after newer ones) or duplicated (delivered, then
//!   answered 500 so that ANCV sends it again).
//!
//! Requests reach the gate one at a time (the simulation runs one step at a time), so the order
//! of decisions, hence the run, depends on the seed only.

use crate::rng::Rng;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::sync::Notify;

/// How often each fault happens, in requests per thousand.
#[derive(Debug, Clone, Copy)]
pub struct FaultRates {
    /// A partner call answers an error before the partner does anything.
    pub fail_before: u32,
    /// A partner call does its work but its answer never arrives (the outcome is unknown).
    pub lose_answer: u32,
    /// cvgate dies while its partner call is on the way, before the partner acts.
    pub crash_before: u32,
    /// cvgate dies after the partner did the work, before it reads the answer.
    pub crash_after: u32,
    /// An ANCV notification is answered 200 but never reaches cvgate.
    pub notification_lost: u32,
    /// An ANCV notification is refused (500), so ANCV sends it again later.
    pub notification_delayed: u32,
    /// An ANCV notification is delivered, then refused, so ANCV sends it once more.
    pub notification_duplicated: u32,
}

impl FaultRates {
    /// No fault at all (the world settles down with it after the last flow).
    pub const NONE: FaultRates = FaultRates {
        fail_before: 0,
        lose_answer: 0,
        crash_before: 0,
        crash_after: 0,
        notification_lost: 0,
        notification_delayed: 0,
        notification_duplicated: 0,
    };

    /// The default mix: every kind of fault, often enough that each run meets them.
    pub const DEFAULT: FaultRates = FaultRates {
        fail_before: 30,
        lose_answer: 30,
        crash_before: 10,
        crash_after: 15,
        notification_lost: 100,
        notification_delayed: 80,
        notification_duplicated: 80,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallFault {
    Pass,
    FailBefore,
    LoseAnswer,
    CrashBefore,
    CrashAfter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotificationFault {
    Deliver,
    Lose,
    Delay,
    Duplicate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Partner {
    Ancv,
    Acquirer,
}

/// The fault gate's state, shared between the middleware and the simulation that drives it.
pub struct Gate {
    state: Mutex<GateState>,
    crashed: AtomicBool,
    crash_signal: Notify,
    resume: Notify,
}

struct GateState {
    rng: Rng,
    rates: FaultRates,
    /// Crashes only when the simulation drives a step that can be crashed.
    crashes_allowed: bool,
    /// What the gate did since the simulation last read it (for the trace).
    log: Vec<String>,
}

impl Gate {
    /// A gate deciding with `rng` at `rates`; crashes stay off until [`Gate::allow_crashes`].
    pub(crate) fn new(rng: Rng, rates: FaultRates) -> Arc<Gate> {
        Arc::new(Gate {
            state: Mutex::new(GateState {
                rng,
                rates,
                crashes_allowed: false,
                log: Vec::new(),
            }),
            crashed: AtomicBool::new(false),
            crash_signal: Notify::new(),
            resume: Notify::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes how often faults happen from the next request on.
    pub fn set_rates(&self, rates: FaultRates) {
        self.lock().rates = rates;
    }

    /// Whether a partner call may crash cvgate now (only while a step is driven).
    pub(crate) fn allow_crashes(&self, allowed: bool) {
        self.lock().crashes_allowed = allowed;
    }

    /// What the gate did since the last call.
    pub fn take_log(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().log)
    }

    /// Resolves when a partner call crashed cvgate (the step's future must then be dropped).
    pub(crate) async fn crashed(&self) {
        self.crash_signal.notified().await;
    }

    /// Whether a crash happened since the last call (and forgets it).
    pub(crate) fn take_crash(&self) -> bool {
        self.crashed.swap(false, Ordering::SeqCst)
    }

    /// cvgate was rebuilt: the answers held back by crashes go out, to nobody.
    pub(crate) fn resume(&self) {
        self.resume.notify_waiters();
    }

    fn call_fault(&self, partner: Partner, path: &str) -> CallFault {
        let mut state = self.lock();
        let rates = state.rates;
        let crashes = state.crashes_allowed;
        let rng = &mut state.rng;
        let fault = rng.weighted(&[
            (rates.fail_before, CallFault::FailBefore),
            (rates.lose_answer, CallFault::LoseAnswer),
            (
                if crashes { rates.crash_before } else { 0 },
                CallFault::CrashBefore,
            ),
            (
                if crashes { rates.crash_after } else { 0 },
                CallFault::CrashAfter,
            ),
            (
                1000u32.saturating_sub(
                    rates.fail_before + rates.lose_answer + rates.crash_before + rates.crash_after,
                ),
                CallFault::Pass,
            ),
        ]);
        if fault != CallFault::Pass {
            state
                .log
                .push(format!("gate: {partner:?} {} {fault:?}", short_path(path)));
        }
        fault
    }

    fn notification_fault(&self) -> NotificationFault {
        let mut state = self.lock();
        let rates = state.rates;
        let rng = &mut state.rng;
        let fault = rng.weighted(&[
            (rates.notification_lost, NotificationFault::Lose),
            (rates.notification_delayed, NotificationFault::Delay),
            (rates.notification_duplicated, NotificationFault::Duplicate),
            (
                1000u32.saturating_sub(
                    rates.notification_lost
                        + rates.notification_delayed
                        + rates.notification_duplicated,
                ),
                NotificationFault::Deliver,
            ),
        ]);
        if fault != NotificationFault::Deliver {
            state.log.push(format!("gate: notification {fault:?}"));
        }
        fault
    }

    /// Tells the simulation that cvgate died here, then holds the answer until cvgate is
    /// rebuilt (the request's future is gone by then).
    async fn crash_here(&self) -> Response {
        let resumed = self.resume.notified();
        tokio::pin!(resumed);
        resumed.as_mut().enable();
        self.crashed.store(true, Ordering::SeqCst);
        self.crash_signal.notify_one();
        resumed.await;
        StatusCode::SERVICE_UNAVAILABLE.into_response()
    }
}

/// The middleware (`axum::middleware::from_fn_with_state`).
pub(crate) async fn gate(State(gate): State<Arc<Gate>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path == web::partner::ANCV_NOTIFICATIONS {
        return match gate.notification_fault() {
            NotificationFault::Deliver => next.run(request).await,
            NotificationFault::Lose => StatusCode::OK.into_response(),
            NotificationFault::Delay => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            NotificationFault::Duplicate => {
                let _ = next.run(request).await;
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        };
    }
    let Some(partner) = partner_of(&path) else {
        return next.run(request).await;
    };
    match gate.call_fault(partner, &path) {
        CallFault::Pass => next.run(request).await,
        CallFault::FailBefore => failure(partner),
        CallFault::LoseAnswer => {
            let _ = next.run(request).await;
            cut_answer()
        }
        CallFault::CrashBefore => gate.crash_here().await,
        CallFault::CrashAfter => {
            let _ = next.run(request).await;
            gate.crash_here().await
        }
    }
}

/// The partner APIs cvgate calls (not the buyer's pages: the ACS, the app).
fn partner_of(path: &str) -> Option<Partner> {
    if path.starts_with("/sandbox/ancv/acquisition/") {
        Some(Partner::Ancv)
    } else if path.starts_with("/sandbox/card/api/") {
        Some(Partner::Acquirer)
    } else {
        None
    }
}

fn short_path(path: &str) -> &str {
    path.trim_start_matches("/sandbox/ancv/acquisition/api/public/v1")
        .trim_start_matches("/sandbox/card/api")
}

/// The partner's error answer when it did nothing.
fn failure(partner: Partner) -> Response {
    let body = match partner {
        Partner::Ancv => {
            r#"{"errorCode":"INTERNAL_SERVER_ERROR","errorMessage":"simulated failure"}"#
        }
        Partner::Acquirer => r#"{"error":"INTERNAL","message":"simulated failure"}"#,
    };
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [("content-type", "application/json")],
        body,
    )
        .into_response()
}

/// An answer whose body breaks off: the caller cannot know what the partner did.
fn cut_answer() -> Response {
    Response::new(Body::new(CutBody))
}

struct CutBody;

impl http_body::Body for CutBody {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::other("the answer was lost"))))
    }
}
