//! What ANCV payments are made of, for the rest of cvgate: the observer that counts on them, the
//! job kinds, the errors, what starting one takes, and the Payline codes for ANCV's answers.

use crate::observer::ObserverFuture;
use ancv::wire::TransactionState;
use ancv::{AncvClient, AncvError, ErrorCode, SealKeyring};
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::contract::Contract;
use domain::merchant::MerchantId;
use domain::return_code::ReturnCode;
use store::{StoreError, UnitOfWork};

/// The side that counts on ANCV payments (the web payment sessions).
pub trait AncvPaymentObserver: Send + Sync {
    /// `before` became `after`: told inside the unit of work that records it, so that what
    /// depends on the payment changes in the same commit. `Ok(false)`: something it read changed
    /// meanwhile; the caller rolls back and tries again.
    fn changed<'a>(
        &'a self,
        uow: &'a mut UnitOfWork,
        before: &'a AncvPayment,
        after: &'a AncvPayment,
    ) -> ObserverFuture<'a, bool>;

    /// Whether someone still counts on this payment (a request not sent yet is sent only then).
    fn wanted<'a>(&'a self, payment: &'a AncvPayment) -> ObserverFuture<'a, bool>;
}

/// Job kinds (subject: cvgate's payment id). The poll sends and follows a payment until ANCV says
/// how the request ended; the settlement watch then reads it every few hours until ANCV pays it
/// or takes it back (a lost PAID or REJECTED notification would otherwise never reach cvgate).
pub const POLL_JOB: &str = "ancv_poll";
/// Reads a payment's status at ANCV once, after ANCV notified a change (subject: payment id).
pub const REFRESH_JOB: &str = "ancv_refresh";
/// Reads an authorized payment every few hours until ANCV pays it or takes it back (subject:
/// payment id).
pub const SETTLEMENT_JOB: &str = "ancv_settlement";

/// Why an ANCV payment step did not go through.
#[derive(Debug, thiserror::Error)]
pub enum AncvPaymentError {
    /// ANCV (or the transport) did not let the payment go on; `return_code` is what Payline
    /// reports, `partner_code` the ANCV error or state.
    #[error("ANCV payment {payment_id} failed: {return_code} ({partner_code})")]
    Failed {
        /// cvgate's id of the payment.
        payment_id: String,
        /// The Payline code to report.
        return_code: ReturnCode,
        /// ANCV's error code or state (Payline's `partnerCode`).
        partner_code: String,
    },
    /// The call may or may not have been done at ANCV, and its status could not settle it: ask
    /// again later.
    #[error("the outcome at ANCV of payment {payment_id} is unknown: {detail}")]
    OutcomeUnknown {
        /// cvgate's id of the payment.
        payment_id: String,
        /// What went wrong, for the logs.
        detail: String,
    },
    /// The contract (its number) is not an ANCV Connect contract with a shop id: nothing was
    /// recorded.
    #[error("the contract cannot take an ANCV payment: {0}")]
    NotAncvContract(String),
    /// No payment has this id.
    #[error("no ANCV payment {0}")]
    UnknownPayment(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the caller wants paid with vouchers.
#[derive(Debug, Clone)]
pub struct StartPayment {
    /// The merchant selling.
    pub merchant_id: MerchantId,
    /// The ANCV Connect contract to pay on (its shop id and currency are used).
    pub contract: Contract,
    /// The merchant's order reference (sent to ANCV as `order.id`, cut to 20 characters).
    pub order_ref: String,
    /// The soft descriptor the beneficiary sees in the app (`order.label`).
    pub label: Option<String>,
    /// The amount asked for, in minor units.
    pub amount: i64,
    /// Who pays: the e-mail or the 11-digit identifier of the beneficiary's ANCV account.
    pub beneficiary_id: String,
    /// The web payment session asking, if any.
    pub web_payment_token: Option<String>,
}

/// Why a notification was not taken (the endpoint answers with this).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotificationRejected {
    /// Not JSON, or without `transaction.id`.
    #[error("the body is not an ANCV notification")]
    Malformed,
    /// An `ANCV-Security` seal was given and does not verify (why, for the logs).
    #[error("the ANCV-Security seal does not verify: {0}")]
    BadSeal(String),
}

/// How the ANCV payment service reaches ANCV and hears from it.
pub struct AncvPaymentsConfig {
    /// The client of the ANCV acquisition API (it seals the requests).
    pub client: AncvClient,
    /// Keys that may seal notifications (the configured ANCV key).
    pub notification_keys: SealKeyring,
    /// cvgate's `/partner/ancv/notifications`, absolute.
    pub notification_url: String,
    /// How often a pending payment is read again while the beneficiary may still answer.
    pub poll_interval_ms: i64,
}

/// ANCV's state in cvgate's vocabulary.
pub(crate) fn state_of(state: TransactionState) -> AncvPaymentState {
    match state {
        TransactionState::Initialized => AncvPaymentState::Initialized,
        TransactionState::Processing => AncvPaymentState::Processing,
        TransactionState::Authorized => AncvPaymentState::Authorized,
        TransactionState::Validated => AncvPaymentState::Validated,
        TransactionState::Consigned => AncvPaymentState::Consigned,
        TransactionState::Paid => AncvPaymentState::Paid,
        TransactionState::Aborted => AncvPaymentState::Aborted,
        TransactionState::Expired => AncvPaymentState::Expired,
        TransactionState::Rejected => AncvPaymentState::Rejected,
        TransactionState::Cancelled => AncvPaymentState::Cancelled,
    }
}

/// The Payline code for an ANCV failure (spec ancv-connect §5).
pub(crate) fn return_code_for(error: &AncvError) -> ReturnCode {
    match error {
        AncvError::Refused { code, .. } => match code {
            ErrorCode::BadRequest
            | ErrorCode::BeneficiaryNotFound
            | ErrorCode::InvalidTransactionAmount
            | ErrorCode::InvalidTransactionCurrency
            | ErrorCode::OtherTransactionPending => ReturnCode::InvalidField,
            ErrorCode::MerchantNotAllowed => ReturnCode::InvalidContract,
            ErrorCode::InvalidSeal
            | ErrorCode::TransactionNotFound
            | ErrorCode::OperationTransactionNotAllowed
            | ErrorCode::InternalServerError
            | ErrorCode::Other(_) => ReturnCode::InternalError,
        },
        AncvError::OutcomeUnknown { .. }
        | AncvError::Unreachable { .. }
        | AncvError::InvalidResponse { .. } => ReturnCode::InternalError,
    }
}

/// The Payline code for a payment ANCV refused (from its recorded partner code).
pub(crate) fn refusal_code(payment: &AncvPayment) -> ReturnCode {
    let code = ErrorCode::parse(
        payment
            .partner_code
            .as_deref()
            .unwrap_or("INTERNAL_SERVER_ERROR"),
    );
    return_code_for(&AncvError::Refused {
        operation: "create",
        code,
        message: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_map_to_payline_codes() {
        let refused = |code| AncvError::Refused {
            operation: "create",
            code,
            message: String::new(),
        };
        assert_eq!(
            return_code_for(&refused(ErrorCode::MerchantNotAllowed)),
            ReturnCode::InvalidContract
        );
        assert_eq!(
            return_code_for(&refused(ErrorCode::BeneficiaryNotFound)),
            ReturnCode::InvalidField
        );
        assert_eq!(
            return_code_for(&refused(ErrorCode::InternalServerError)),
            ReturnCode::InternalError
        );
        let timeout = AncvError::OutcomeUnknown {
            operation: "create",
            detail: String::new(),
        };
        assert_eq!(return_code_for(&timeout), ReturnCode::InternalError);
    }
}
