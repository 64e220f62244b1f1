//! The HTML: templates compiled into the binary, auto-escaping everything they print (merchant
//! labels come from merchants), and strict about names so a typo fails the tests instead of
//! printing nothing.

use crate::app_page::catalogue::Texts;
use crate::app_page::visit::Visit;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;
use std::sync::LazyLock;

const SOURCES: [(&str, &str); 5] = [
    ("layout.html", include_str!("../../templates/layout.html")),
    ("fields.html", include_str!("../../templates/fields.html")),
    ("sign_in.html", include_str!("../../templates/sign_in.html")),
    (
        "requests.html",
        include_str!("../../templates/requests.html"),
    ),
    ("refused.html", include_str!("../../templates/refused.html")),
];

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // Whatever the template's name: HTML escaping, always.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(text) if !value.is_safe() && state.auto_escape() == AutoEscape::Html => out
            .write_str(&escape_html(text))
            .map_err(minijinja::Error::from),
        _ => minijinja::escape_formatter(out, state, value),
    });
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in SOURCES {
        env.add_template(name, source)
            .unwrap_or_else(|error| panic!("template {name} does not compile: {error}"));
    }
    env
});

/// The five characters that matter in HTML text and quoted attributes. (MiniJinja's own escaper
/// also escapes `/`, which is harmless but turns every URL into `&#x2f;` soup.)
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// What the layout shows around every page.
#[derive(Serialize)]
pub(crate) struct Frame {
    pub lang: &'static str,
    pub t: &'static Texts,
    pub base: String,
    /// The page's own title (the layout adds the app's name, and "Error:" when `has_error`).
    pub title: &'static str,
    pub has_error: bool,
    /// The page's URL in the other language.
    pub switch_href: String,
    pub switch_lang: &'static str,
    /// The session's CSRF token, for every form of the page (empty on refusal pages).
    pub csrf: String,
    /// Shows the sign-out button.
    pub signed_in: bool,
    /// Loads the script that ticks the time left down.
    pub countdown: bool,
}

impl Frame {
    /// The frame of the page at `here` (a path under the app) titled `title`.
    pub(crate) fn new(visit: &Visit, here: &str, title: &'static str) -> Frame {
        let other = visit.lang.other();
        Frame {
            lang: visit.lang.code(),
            t: visit.lang.texts(),
            base: visit.base.clone(),
            title,
            has_error: false,
            switch_href: format!("{}?lang={}", visit.url(here), other.code()),
            switch_lang: other.code(),
            csrf: String::new(),
            signed_in: false,
            countdown: false,
        }
    }
}

pub(crate) fn page(status: StatusCode, template: &str, context: &impl Serialize) -> Response {
    let rendered = TEMPLATES
        .get_template(template)
        .and_then(|template| template.render(context));
    match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, template, "ANCV sandbox app page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// The answers that are not a form again: the POST was refused (403), unreadable (400), or
/// something broke (500).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Forbidden,
    BadRequest,
    Internal,
}

#[derive(Serialize)]
struct RefusedView {
    #[serde(flatten)]
    frame: Frame,
    text: &'static str,
}

pub(crate) fn refusal(visit: &Visit, refusal: Refusal) -> Response {
    let t = visit.lang.texts();
    let (status, title, text) = match refusal {
        Refusal::Forbidden => (StatusCode::FORBIDDEN, t.forbidden_title, t.forbidden_text),
        Refusal::BadRequest => (
            StatusCode::BAD_REQUEST,
            t.bad_request_title,
            t.bad_request_text,
        ),
        Refusal::Internal => (
            StatusCode::INTERNAL_SERVER_ERROR,
            t.internal_title,
            t.internal_text,
        ),
    };
    let mut frame = Frame::new(visit, "/", title);
    frame.has_error = true;
    visit.finish(page(status, "refused.html", &RefusedView { frame, text }))
}

/// A failure of the sandbox itself: logged here (the page shows no detail), then the 500 page.
pub(crate) fn internal(visit: &Visit, error: &crate::SandboxError) -> Response {
    tracing::error!(%error, "ANCV sandbox app page: the sandbox failed");
    refusal(visit, Refusal::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_escapes() {
        let env = LazyLock::force(&TEMPLATES);
        assert_eq!(env.templates().count(), SOURCES.len());
        let escaped = env
            .render_str(
                "{{ label }}|<a href=\"{{ url }}\">{{ n }}</a>",
                minijinja::context! { label => "<b>\"Tom's\" & co</b>", url => "/app/x?a=1&b=2", n => 5 },
            )
            .unwrap();
        assert_eq!(
            escaped,
            "&lt;b&gt;&quot;Tom&#39;s&quot; &amp; co&lt;/b&gt;|<a href=\"/app/x?a=1&amp;b=2\">5</a>"
        );
    }
}
