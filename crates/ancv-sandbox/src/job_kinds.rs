//! The kinds of the sandbox's background jobs, as stored in job rows: a leaf, so that the code
//! queuing a job and the handlers running it both name them without depending on each other.

/// Sends one notification (subject: the delivery id).
pub const DELIVERY_JOB: &str = "sandbox_ancv_delivery";
/// An automatic test beneficiary answers (subject: the transaction id).
pub const AUTO_JOB: &str = "sandbox_ancv_auto";
/// The validation window of a transaction ends (subject: the transaction id).
pub const EXPIRY_JOB: &str = "sandbox_ancv_expiry";
/// A deferred capture's date comes (subject: the transaction id).
pub const CAPTURE_JOB: &str = "sandbox_ancv_capture";
