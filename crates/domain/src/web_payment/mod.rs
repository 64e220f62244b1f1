//! Web payments (Payline's WebPaymentAPI): the `doWebPayment` request and its rules, and the
//! web payment session the buyer goes through on the hosted page.

pub mod request;
pub mod session;

pub use request::{ValidWebPayment, WebPaymentRequest, validate};
pub use session::{Session, SessionEvent, SessionState};
