//! The JSON API's wire types and its OpenAPI document (retail-api.md).
//!
//! Every body the JSON API reads or writes is one of these types: the handlers in `web` fill
//! them, serde writes them, and [`openapi`] describes them from the same definitions, so the
//! document cannot drift from the answers. Field names are Monext's (camelCase); amounts are
//! integers in minor units; dates are ISO 8601 with their offset.

mod common;
mod configuration;
mod document;
mod sale;
mod sessions;
mod transactions;

pub use common::{PaylineResult, Problem};
pub use configuration::{
    Contract, ContractBody, ContractStatus, Contracts, PointOfSale, PointOfSaleBody, PointsOfSale,
};
pub use document::{openapi, openapi_json};
pub use sale::{Buyer, Order};
pub use sessions::{CreateSession, NewOrder, PaymentKind, PaymentMethod, Session, SessionCreated};
pub use transactions::{
    AncvData, AssociatedTransaction, AuthenticationResult, MadeTransaction, OperationAnswer,
    OperationRequest, PartnerReturnedData, PaymentInstrumentData, PaymentInstrumentType,
    Transaction, TransactionDetails, TransactionPage,
};
