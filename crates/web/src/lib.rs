//! cvgate's HTTP surfaces.
//!
//! - [`AppState`] (`state`) is what every handler shares.
//! - [`operations`], [`partner`], [`soap_api`] and [`payment_page`] are one router each.
//! - `retail_api` is the JSON API under `/v1/` (Monext Retail API compatible).
//! - `token_api` is the widget's JSON API (`/services/token/…`) and [`widget_assets`] its
//!   script and stylesheet.
//! - [`demo_shop`] is homologation's merchant checkout showing the widget.
//! - `texts` is the one fr/en catalogue of what buyers read.
//! - `client_address` tells who calls (the peer, or behind trusted proxies their client).
//! - [`metrics`] counts and logs requests and renders the Prometheus text.
//! - [`app`] (`router`) assembles the routers with the cross-cutting layers (request metrics and
//!   logs).

mod after_sale_answers;
mod back_office;
mod client_address;
pub mod demo_shop;
mod html_templates;
mod merchant_auth;
pub mod metrics;
pub mod operations;
mod page_policy;
pub mod partner;
pub mod payment_page;
mod problem;
mod retail_api;
mod router;
mod sandbox_app;
pub mod soap_api;
mod state;
mod texts;
mod token_api;
pub mod widget_assets;
mod widget_state;

pub use client_address::TrustedProxies;
pub use router::{Extras, app};
pub use state::AppState;
