//! Web payments: `doWebPayment`, the hosted page's steps, `getWebPaymentDetails`, and what
//! follows a session's end (giving back what partners hold for nothing, notifying the merchant).
//!
//! Every change to a session is a read – apply the pure state machine – conditional write
//! (`version`), and the work it calls for is queued as job rows in the same unit of work (an
//! outbox): an effect is never lost, and never done while a database transaction is open.
//!
//! - A payment step records its partner call (the ANCV request, the card attempt) and moves the
//!   session in one unit of work, then makes the call; the answer reaches the session through
//!   `follow`, the one path every outcome takes (page, ACS return, jobs, notifications).
//! - What a partner holds that no session counts on is given back by the jobs of `give_back`.
//! - The widget's merchant may update a session's data before any attempt (`data_updates`).
//! - Expiry and cancellation never wait for a card payment under way: the session ends at once
//!   and a late acceptance is given back (reset, or refunded after remittance).

mod data_updates;
mod follow;
mod give_back;
mod job_wiring;
mod merchant_calls;
mod model;
mod page_steps;
mod service;
mod session_jobs;
mod session_writes;

pub use crate::notifications::{NOTIFY_JOB, NotificationPolicy};
pub use give_back::{ANCV_GIVE_BACK_JOB, CARD_GIVE_BACK_JOB};
pub use model::{
    ANCV_REQUEST_WINDOW_MS, ANCV_REQUESTS_PER_WINDOW, BeneficiaryProblem, Snapshot,
    WebPaymentError, page_path,
};
pub use service::WebPayments;
pub use session_jobs::EXPIRY_JOB;
