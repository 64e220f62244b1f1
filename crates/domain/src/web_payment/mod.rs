//! Web payments (Payline's WebPaymentAPI): the `doWebPayment` request and its rules, and the
//! web payment session the buyer goes through on the hosted page.

pub mod request;
pub mod session;

pub use request::{ValidWebPayment, WebPaymentRequest, validate};
pub use session::{Session, SessionEvent, SessionState};

use crate::clock::Timestamp;
use crate::merchant::MerchantId;
use crate::point_of_sale::PosId;

/// A web payment: what the merchant asked for (never changes) and how far the buyer got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebPayment {
    /// Opaque, unguessable, URL-safe.
    pub token: String,
    pub merchant_id: MerchantId,
    pub pos_id: PosId,
    pub request: ValidWebPayment,
    pub session: Session,
    /// Random secret embedded in the page's forms (CSRF protection).
    pub page_secret: String,
    pub opened_at: Option<Timestamp>,
    pub finalized_at: Option<Timestamp>,
    pub merchant_read_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Optimistic concurrency: a write succeeds only on the version it read.
    pub version: i64,
}
