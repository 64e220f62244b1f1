//! After the sale (payline-v4.md §6): doRefund, doReset, doCapture, doAuthorization,
//! getTransactionDetails, transactionsSearch — on card transactions (through the card payment
//! service) and on ANCV Connect transactions (a refund is a full cancellation at ANCV, once).
//!
//! Calls carrying a `sequenceNumber` are replayed: the first answer is stored and every repeat
//! gets it unchanged, without doing anything again ([`AfterSale::once`]). The operation such a
//! call makes carries the call's key, so a repeat after a crash finds it instead of making
//! another; an ANCV refund is recorded with the job that finishes it ([`ANCV_REFUND_JOB`]).

mod ancv_refunds;
mod job_wiring;
mod model;
mod operations;
mod queries;
mod replay;
mod service;
mod trs;
mod views;

pub use crate::notifications::TRS_JOB;
pub use ancv_refunds::ANCV_REFUND_JOB;
pub use model::{
    AuthorizeRequest, MAX_SEARCH_DAYS, MAX_SEARCH_ROWS, NoAnswer, Operation, OperationAnswer,
    PageCriteria, Reply, SearchCriteria, StatusEntry, TransactionDetails, TransactionView,
};
pub use replay::Unanswered;
pub use service::AfterSale;
pub use views::{BY_CVGATE, ancv_partner_data, card_view};
