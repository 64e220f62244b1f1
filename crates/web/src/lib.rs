//! cvgate's HTTP surfaces.
//!
//! - [`AppState`] (`state`) is what every handler shares.
//! - [`operations`], [`partner`], [`soap_api`] and [`payment_page`] are one router each.
//! - `texts` is the one fr/en catalogue of what buyers read.
//! - [`metrics`] counts and logs requests and renders the Prometheus text.
//! - [`app`] (`router`) assembles the routers with the cross-cutting layers (request metrics and
//!   logs).

pub mod metrics;
pub mod operations;
pub mod partner;
pub mod payment_page;
mod router;
mod sandbox_app;
pub mod soap_api;
mod state;
mod texts;

pub use router::{Extras, app};
pub use state::AppState;
