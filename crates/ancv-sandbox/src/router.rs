//! Wiring: the sandbox's HTTP surfaces — the ANCV API, the admin API, the app's JSON and its
//! pages — merged into one router over a [`Sandbox`].

use crate::sandbox::Sandbox;
use crate::{admin, api, app_api, app_page};
use axum::Router;

impl Sandbox {
    /// The HTTP surface, paths relative to where it is mounted: the ANCV API under
    /// `/acquisition/api/public/v1/`, the admin API under `/admin/`, the app's pages under
    /// `/app/` and its JSON under `/app/api/`.
    pub fn router(&self) -> Router {
        Router::new()
            .merge(api::routes())
            .merge(admin::routes())
            .merge(app_api::routes())
            .merge(app_page::routes())
            .with_state(self.clone())
    }
}
