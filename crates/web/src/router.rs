//! The whole application: every surface's router on one state, the environment's sandboxes, and
//! the cross-cutting request metrics and logs.

use crate::state::AppState;
use crate::{
    back_office, metrics, operations, partner, payment_page, retail_api, soap_api, token_api,
    widget_assets,
};
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;

/// Routers that exist only in some environments.
#[derive(Default)]
pub struct Extras {
    /// The ANCV sandbox (homologation only), mounted at `/sandbox/ancv`. In production it is
    /// absent, so every `/sandbox/` path answers 404.
    pub ancv_sandbox: Option<Router>,
    /// The card sandbox (homologation only): its API at `/sandbox/card`, its ACS at `/sandbox/acs`.
    pub card_sandbox: Option<Router>,
    /// The demo shop (homologation only), at `/sandbox/shop/` ([`crate::demo_shop::router`]).
    pub demo_shop: Option<Router>,
}

/// The whole application.
pub fn app(state: AppState, extras: Extras) -> Router {
    let mut router = Router::new()
        .merge(operations::router(&state))
        .merge(back_office::router())
        .merge(partner::router())
        .merge(soap_api::router(&state))
        .merge(payment_page::router())
        .merge(token_api::router())
        .merge(retail_api::router(&state))
        .merge(widget_assets::router())
        .with_state(state.clone());
    if let Some(sandbox) = extras.ancv_sandbox {
        router = router.nest("/sandbox/ancv", sandbox);
    }
    if let Some(sandbox) = extras.card_sandbox {
        router = router.merge(sandbox);
    }
    if let Some(shop) = extras.demo_shop {
        router = router.merge(shop);
    }
    if state.public_base.starts_with("https://") {
        router = router.layer(axum::middleware::map_response(strict_transport_security));
    }
    router.layer(axum::middleware::from_fn_with_state(
        state.metrics,
        metrics::record,
    ))
}

/// Behind https, browsers are told to use nothing else for a year (HSTS).
async fn strict_transport_security(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    );
    response
}
