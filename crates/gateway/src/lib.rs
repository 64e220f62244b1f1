//! cvgate's application services: what the CLI, the SOAP API and the pages ask for, done by
//! combining the pure domain, the store and (later) the partner connectors.

pub mod ancv_payments;
pub mod card_payments;
pub mod demo;
pub mod merchant_config;
pub mod web_payments;

pub use merchant_config::{ConfigError, MerchantConfig};
