//! Web payments (Payline's WebPaymentAPI): the `doWebPayment` request and its rules, and the
//! web payment session the buyer goes through on the hosted page.

pub mod data_update;
pub mod request;
pub mod session;

pub use data_update::DataUpdate;
pub use request::{ValidWebPayment, WebPaymentRequest, validate};
pub use session::{Session, SessionEvent, SessionState};

use crate::clock::Timestamp;
use crate::merchant::MerchantId;
use crate::point_of_sale::PosId;

/// Where the buyer goes back to the shop: the merchant's `returnURL` or `cancelURL` (its query
/// kept) with the session's token appended as `paylinetoken` (Payline's SOAP clients) and as
/// `token` (Monext's Retail API clients), whichever way the session was made.
pub fn shop_return_url(shop_url: &str, token: &str) -> String {
    let separator = if shop_url.contains('?') { '&' } else { '?' };
    format!("{shop_url}{separator}paylinetoken={token}&token={token}")
}

/// A web payment: what the merchant asked for (never changes) and how far the buyer got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebPayment {
    /// Opaque, unguessable, URL-safe.
    pub token: String,
    /// The merchant that created the session; only it may read the token.
    pub merchant_id: MerchantId,
    /// The point of sale of `payment.contractNumber`, whose session lifetime applies.
    pub pos_id: PosId,
    /// The validated `doWebPayment` request.
    pub request: ValidWebPayment,
    /// Where the buyer's session stands on the hosted page.
    pub session: Session,
    /// Random secret embedded in the page's forms (CSRF protection).
    pub page_secret: String,
    /// When the buyer first opened the page (`None`: never, which makes expiry 02534, not 02324).
    pub opened_at: Option<Timestamp>,
    /// When the session reached a final state.
    pub finalized_at: Option<Timestamp>,
    /// When the merchant read the final result (getWebPaymentDetails); stops the WEBTRS calls.
    pub merchant_read_at: Option<Timestamp>,
    /// When `doWebPayment` created the session.
    pub created_at: Timestamp,
    /// When the session was last written.
    pub updated_at: Timestamp,
    /// Optimistic concurrency: a write succeeds only on the version it read.
    pub version: i64,
}
