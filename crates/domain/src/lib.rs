//! The pure core of cvgate: types and rules, no I/O, no async, no SQL, no HTTP.
//!
//! Everything that a merchant, an operator or a buyer can get wrong is checked here once, and the
//! failure is a [`FieldError`] that names the field and the rule it broke.

pub mod access_key;
pub mod ancv_payment;
pub mod audit;
pub mod back_office_user;
pub mod card;
pub mod clock;
pub mod contract;
pub mod field_error;
pub mod merchant;
pub mod money;
pub mod notification;
pub mod paris_time;
pub mod point_of_sale;
pub mod random;
pub mod return_code;
pub mod web_payment;

pub use field_error::FieldError;
