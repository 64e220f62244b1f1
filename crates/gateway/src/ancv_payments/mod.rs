//! ANCV Connect payments, cvgate's side: record one, send it (create + attach the payer), follow
//! it (notifications as hints, then GET status; a poll job while it is pending), cancel it.
//!
//! Every call to ANCV is recorded first, with the job that finishes it, in the same unit of
//! work: the poll job ([`POLL_JOB`]) is queued with the request itself, so a request that dies
//! half-way (client gone, crash, redeploy) is sent or followed by the job. Answers are applied
//! forward-only (see [`AncvPaymentState::may_become`]), so duplicates and stale news change
//! nothing; every change of state is told to the [`AncvPaymentObserver`] inside the unit of work
//! that records it, so a payment and its session never disagree. No database transaction is open
//! during an HTTP call.
//!
//! [`AncvPaymentState::may_become`]: domain::ancv_payment::AncvPaymentState::may_become

mod background;
mod changes;
mod commands;
mod job_wiring;
mod model;
mod partner_notifications;
mod requests;
mod service;

pub(crate) use model::refusal_code;
pub use model::{
    AncvPaymentError, AncvPaymentObserver, AncvPaymentsConfig, NotificationRejected, POLL_JOB,
    REFRESH_JOB, SETTLEMENT_JOB, StartPayment,
};
pub use service::AncvPayments;
