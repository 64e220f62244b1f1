//! The demo shop of homologation (`/sandbox/shop/`): a merchant's checkout that creates a payment
//! for the demo merchant and shows the payment widget, with a live log of the widget's callbacks
//! and states — a working integration a merchant developer can read and copy. It plays the
//! merchant's server: it asks the gateway for the payment (as `doWebPayment` does) and reads the
//! result when the buyer comes back (as `getWebPaymentDetails` does).

mod order;

use crate::html_templates::escaping_environment;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::merchant::MerchantId;
use domain::web_payment::SessionState;
use gateway::web_payments::{WebPaymentError, WebPayments};
use minijinja::{Environment, context};
use order::{CheckoutForm, TEMPLATES};
use serde::Deserialize;
use std::sync::{Arc, OnceLock};

/// Where the shop lives.
pub const SHOP_PATH: &str = "/sandbox/shop/";

const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What the shop's server knows: the gateway and the demo merchant it sells for.
#[derive(Clone)]
struct Shop {
    web_payments: WebPayments,
    merchant_id: Arc<MerchantId>,
    public_base: Arc<str>,
}

/// The shop's pages, for the demo merchant `merchant_id`, at [`SHOP_PATH`].
pub fn router(web_payments: WebPayments, merchant_id: MerchantId, public_base: &str) -> Router {
    let shop = Shop {
        web_payments,
        merchant_id: Arc::new(merchant_id),
        public_base: public_base.trim_end_matches('/').into(),
    };
    Router::new()
        .route(
            "/sandbox/shop",
            get(|| async { Redirect::permanent(SHOP_PATH) }),
        )
        .route(SHOP_PATH, get(home))
        .route("/sandbox/shop/checkout", post(checkout))
        .route("/sandbox/shop/return", get(back_from_payment))
        .route("/sandbox/shop/cancel", get(back_from_payment))
        .route("/sandbox/shop/assets/{file}", get(asset))
        .layer(axum::middleware::from_fn(headers))
        .with_state(shop)
}

async fn headers(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    crate::page_policy::protect(response.headers_mut(), POLICY);
    response
}

async fn home() -> Response {
    render(
        "shop.html",
        context! { amount => "60.00", template => "column", templates => TEMPLATES,
        language => "fr", email => "camille.martin@example.com" },
        StatusCode::OK,
    )
}

/// The shop's server creates the payment, then shows the checkout page with the widget.
async fn checkout(
    State(shop): State<Shop>,
    headers: HeaderMap,
    Form(form): Form<CheckoutForm>,
) -> Response {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return (StatusCode::FORBIDDEN, "cross-site form submission refused").into_response();
    }
    let refused = |message: String| {
        render(
            "shop.html",
            context! { error => message, amount => form.amount, template => form.template,
            templates => TEMPLATES, language => form.language, email => form.email },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let order = match form.order(&shop.public_base, shop.web_payments.now()) {
        Ok(order) => order,
        Err(message) => return refused(message),
    };
    match shop
        .web_payments
        .create(&shop.merchant_id, &order.request)
        .await
    {
        Ok((token, _)) => {
            let markup = order::markup(&shop.public_base, &token, &order.template);
            render(
                "checkout.html",
                context! { token => token, template => order.template, amount => order.shown_amount,
                order_ref => order.order_ref, markup => markup },
                StatusCode::OK,
            )
        }
        Err(WebPaymentError::Refused(refusal)) => refused(format!(
            "The gateway refused the payment ({}): {} {}",
            refusal.code.code(),
            refusal.error.field,
            refusal.error.rule
        )),
        Err(error) => {
            tracing::error!(%error, "the demo shop could not create a payment");
            (StatusCode::INTERNAL_SERVER_ERROR, "the gateway failed").into_response()
        }
    }
}

#[derive(Deserialize)]
struct BackQuery {
    paylinetoken: Option<String>,
}

/// The buyer is back: the shop reads the payment's result from the gateway.
async fn back_from_payment(State(shop): State<Shop>, Query(query): Query<BackQuery>) -> Response {
    let Some(token) = query.paylinetoken else {
        return Redirect::to(SHOP_PATH).into_response();
    };
    let snapshot = match shop.web_payments.snapshot(&token).await {
        Ok(snapshot) if snapshot.payment.merchant_id == *shop.merchant_id => snapshot,
        Ok(_) | Err(WebPaymentError::UnknownToken) => {
            return Redirect::to(SHOP_PATH).into_response();
        }
        Err(error) => {
            tracing::error!(%error, "the demo shop could not read a payment");
            return (StatusCode::INTERNAL_SERVER_ERROR, "the gateway failed").into_response();
        }
    };
    let session = &snapshot.payment.session;
    let (outcome, headline) = match session.state {
        SessionState::Accepted => ("accepted", "Thank you! Your order is paid."),
        SessionState::Refused => ("refused", "The payment was refused; nothing was charged."),
        SessionState::Cancelled => ("cancelled", "You cancelled the payment."),
        SessionState::ExpiredOnPage | SessionState::ExpiredUnopened => {
            ("expired", "The time to pay ran out.")
        }
        _ => ("pending", "The payment is still under way."),
    };
    render(
        "result.html",
        context! { order_ref => snapshot.payment.request.order_ref, outcome => outcome,
        headline => headline, code => session.return_code().code(),
        state => session.state.as_str() },
        StatusCode::OK,
    )
}

async fn asset(Path(file): Path<String>) -> Response {
    let (content_type, body) = match file.as_str() {
        "shop.js" => (
            "text/javascript; charset=utf-8",
            include_str!("../../assets/shop/shop.js"),
        ),
        "shop.css" => (
            "text/css; charset=utf-8",
            include_str!("../../assets/shop/shop.css"),
        ),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn render(name: &str, context: minijinja::Value, status: StatusCode) -> Response {
    match environment()
        .get_template(name)
        .and_then(|template| template.render(context))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "the demo shop's template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        escaping_environment(&[
            (
                "layout.html",
                include_str!("../../templates/shop/layout.html"),
            ),
            ("shop.html", include_str!("../../templates/shop/shop.html")),
            (
                "checkout.html",
                include_str!("../../templates/shop/checkout.html"),
            ),
            (
                "result.html",
                include_str!("../../templates/shop/result.html"),
            ),
        ])
    })
}
