//! cvgate's application services: what the CLI, the SOAP API and the pages ask for, done by
//! combining the pure domain, the store and the partner connectors.

pub mod after_sale;
pub mod ancv_payments;
pub mod api_access;
pub mod back_office_sign_in;
pub mod back_office_users;
pub mod card_payments;
pub mod config_error;
pub mod configuration_cache;
pub mod demo;
mod failure_throttle;
pub mod job_wiring;
pub mod merchant_config;
pub(crate) mod merchant_http;
pub mod notification_signing;
pub mod notifications;
pub mod observer;
pub mod transaction_ids;
pub mod web_payments;

pub use back_office_users::BackOfficeUsers;
pub use merchant_config::{ConfigError, MerchantConfig};
