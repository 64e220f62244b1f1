//! The page's templates, compiled into the binary (no files needed at run time), escaped by
//! default.

use crate::html_templates::escaping_environment;
use minijinja::Environment;
use std::sync::OnceLock;

pub fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        escaping_environment(&[
            (
                "layout.html",
                include_str!("../../templates/payment/layout.html"),
            ),
            (
                "page.html",
                include_str!("../../templates/payment/page.html"),
            ),
            (
                "card_form.html",
                include_str!("../../templates/payment/card_form.html"),
            ),
            (
                "fields.html",
                include_str!("../../templates/payment/fields.html"),
            ),
            (
                "summary_facts.html",
                include_str!("../../templates/payment/summary_facts.html"),
            ),
            (
                "sandbox_notice.html",
                include_str!("../../templates/payment/sandbox_notice.html"),
            ),
            (
                "message.html",
                include_str!("../../templates/payment/message.html"),
            ),
        ])
    })
}

/// Static files of the page (no inline script or style, so the CSP can forbid them).
pub fn asset(name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        "payment.css" => Some((
            "text/css; charset=utf-8",
            include_str!("../../assets/payment.css"),
        )),
        "payment.js" => Some((
            "text/javascript; charset=utf-8",
            include_str!("../../assets/payment.js"),
        )),
        "ancv-connect.svg" => Some((
            "image/svg+xml",
            include_str!("../../assets/ancv-connect.svg"),
        )),
        _ => None,
    }
}
