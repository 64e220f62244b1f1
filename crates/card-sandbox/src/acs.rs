//! The sandbox ACS: the 3-D Secure challenge page the buyer's browser is sent to
//! (`GET /sandbox/acs/{challenge_ref}`), in French or English (`?lang=fr|en`, else the
//! browser's Accept-Language, else French).
//!
//! The page asks for the code [`CHALLENGE_CODE`]. A malformed code (not 4 digits) is shown again
//! with the error announced (`role="alert"`, `aria-invalid`); a wrong code or "Cancel" ends the
//! challenge as failed (03003). Either way the browser then goes back to cvgate's return URL with
//! a `303 See Other`, and cvgate reads the result server to server.

use crate::acquiring::{AcsAnswer, ChallengeView};
use crate::error::SandboxError;
use crate::sandbox::Inner;
use crate::test_cards::CHALLENGE_CODE;
use axum::extract::{Path, Query, State};
use axum::http::header::{
    ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_SECURITY_POLICY, LOCATION, REFERRER_POLICY,
};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use std::sync::Arc;

pub(super) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/{challenge_ref}", get(page).post(answer))
        .with_state(inner)
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

#[derive(Deserialize)]
struct AcsForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    lang: Option<String>,
}

async fn page(
    State(inner): State<Arc<Inner>>,
    Path(challenge_ref): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::choose(query.lang.as_deref(), &headers);
    show(&inner, &challenge_ref, lang, None).await
}

async fn answer(
    State(inner): State<Arc<Inner>>,
    Path(challenge_ref): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AcsForm>,
) -> Response {
    let lang = Lang::choose(form.lang.as_deref(), &headers);
    let code = form.code.trim();
    let answer = if form.action == "cancel" {
        AcsAnswer::Cancel
    } else if code.len() == CHALLENGE_CODE.len() && code.bytes().all(|b| b.is_ascii_digit()) {
        AcsAnswer::Code(code.to_owned())
    } else {
        return show(
            &inner,
            &challenge_ref,
            lang,
            Some(lang.texts().error_format),
        )
        .await;
    };
    match inner.answer_challenge(&challenge_ref, answer).await {
        Ok(return_url) => see_other(&return_url),
        Err(error) => failure(lang, &error),
    }
}

/// The page for a waiting challenge; a finished one sends the browser back to cvgate.
async fn show(inner: &Inner, challenge_ref: &str, lang: Lang, error: Option<&str>) -> Response {
    match inner.challenge_view(challenge_ref).await {
        Ok(ChallengeView::Waiting {
            amount,
            currency,
            masked_number,
        }) => {
            let body = render(
                lang,
                challenge_ref,
                &format_amount(amount, currency, lang),
                &masked_number,
                error,
            );
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            (status, page_headers(), Html(body)).into_response()
        }
        Ok(ChallengeView::Finished { return_url }) => see_other(&return_url),
        Err(error) => failure(lang, &error),
    }
}

fn see_other(url: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, url.to_owned())],
        page_headers(),
    )
        .into_response()
}

fn failure(lang: Lang, error: &SandboxError) -> Response {
    let texts = lang.texts();
    let (status, message) = match error {
        SandboxError::UnknownChallenge | SandboxError::UnknownReference => {
            (StatusCode::NOT_FOUND, texts.unknown)
        }
        SandboxError::Invalid(_)
        | SandboxError::Conflict(_)
        | SandboxError::Corrupt(_)
        | SandboxError::Store(_) => {
            tracing::error!(%error, "card sandbox ACS failure");
            (StatusCode::INTERNAL_SERVER_ERROR, texts.failure)
        }
    };
    let body = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body><main><h1>{}</h1><p role=\"alert\">{message}</p></main></body></html>",
        lang.code(),
        texts.title,
        texts.title
    );
    (status, page_headers(), Html(body)).into_response()
}

fn page_headers() -> [(axum::http::HeaderName, &'static str); 3] {
    [
        (CACHE_CONTROL, "no-store"),
        (
            CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'",
        ),
        (REFERRER_POLICY, "no-referrer"),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Fr,
    En,
}

struct Texts {
    title: &'static str,
    notice: &'static str,
    heading: &'static str,
    amount: &'static str,
    card: &'static str,
    label: &'static str,
    help: &'static str,
    confirm: &'static str,
    cancel: &'static str,
    error_format: &'static str,
    unknown: &'static str,
    failure: &'static str,
}

impl Lang {
    /// The explicit choice first, then the browser's preferences in order; French otherwise.
    fn choose(explicit: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(lang) = explicit.and_then(Lang::parse) {
            return lang;
        }
        let accepted = headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        accepted
            .split(',')
            .filter_map(|entry| Lang::parse(entry.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or(Lang::Fr)
    }

    fn parse(tag: &str) -> Option<Lang> {
        let primary = tag
            .trim()
            .split('-')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    fn texts(self) -> &'static Texts {
        match self {
            Lang::Fr => &Texts {
                title: "Authentification 3-D Secure",
                notice: "Bac à sable carte de cvgate : aucune vraie banque n'est contactée.",
                heading: "Confirmez votre paiement",
                amount: "Montant",
                card: "Carte",
                label: "Code de confirmation",
                help: "Saisissez le code à 4 chiffres reçu de votre banque. Dans le bac à sable, le code est 1234.",
                confirm: "Valider",
                cancel: "Annuler",
                error_format: "Le code doit comporter 4 chiffres. Saisissez-le à nouveau.",
                unknown: "Cette authentification est inconnue ou terminée.",
                failure: "Le service d'authentification est indisponible. Réessayez plus tard.",
            },
            Lang::En => &Texts {
                title: "3-D Secure authentication",
                notice: "cvgate card sandbox: no real bank is contacted.",
                heading: "Confirm your payment",
                amount: "Amount",
                card: "Card",
                label: "Confirmation code",
                help: "Enter the 4-digit code your bank sent you. In the sandbox the code is 1234.",
                confirm: "Confirm",
                cancel: "Cancel",
                error_format: "The code must have 4 digits. Please enter it again.",
                unknown: "This authentication is unknown or already finished.",
                failure: "The authentication service is unavailable. Please try again later.",
            },
        }
    }
}

/// The amount as the buyer read it on cvgate's payment page just before: `1\u{202f}234,50\u{a0}€`
/// in French, `€1,234.50` in English; another currency by its ISO number after the amount.
fn format_amount(amount: i64, currency: i64, lang: Lang) -> String {
    let (units, cents) = (amount / 100, (amount % 100).abs());
    let (group, decimal) = match lang {
        Lang::Fr => ('\u{202f}', ','),
        Lang::En => (',', '.'),
    };
    let number = format!("{}{decimal}{cents:02}", grouped(units, group));
    match (currency, lang) {
        (978, Lang::Fr) => format!("{number}\u{a0}€"),
        (978, Lang::En) => format!("€{number}"),
        (other, _) => format!("{number}\u{a0}{other:03}"),
    }
}

/// `units` with `separator` between groups of three digits.
fn grouped(units: i64, separator: char) -> String {
    let digits = units.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

fn render(
    lang: Lang,
    challenge_ref: &str,
    amount: &str,
    masked_number: &str,
    error: Option<&str>,
) -> String {
    let t = lang.texts();
    let (described_by, invalid, error_html) = match error {
        Some(message) => (
            "code-help code-error",
            " aria-invalid=\"true\"",
            format!(
                "<p id=\"code-error\" class=\"error\" role=\"alert\">{}</p>",
                escape(message)
            ),
        ),
        None => ("code-help", "", String::new()),
    };
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1b1f24; }}
main {{ max-width: 28rem; margin: 2rem auto; background: #fff; padding: 1.5rem; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.2); }}
@media (max-width: 30rem) {{ main {{ margin: 1rem; padding: 1rem; }} }}
h1 {{ font-size: 1.4rem; margin-top: 0; }}
dl {{ display: grid; grid-template-columns: auto 1fr; gap: .25rem 1rem; }}
dt {{ font-weight: 600; }}
dd {{ margin: 0; }}
label {{ display: block; font-weight: 600; margin: 1rem 0 .25rem; }}
input {{ font-size: 1.25rem; padding: .5rem; width: 8rem; border: 2px solid #555; border-radius: 4px; }}
input[aria-invalid="true"] {{ border-color: #b00020; }}
.error {{ color: #b00020; font-weight: 600; }}
.actions {{ margin-top: 1.25rem; display: flex; gap: .75rem; flex-wrap: wrap; }}
button {{ font-size: 1rem; padding: .6rem 1.2rem; border-radius: 4px; border: 2px solid #1a4fa0; background: #1a4fa0; color: #fff; cursor: pointer; }}
button.secondary {{ background: #fff; color: #1a4fa0; }}
:focus-visible {{ outline: 3px solid #e8a200; outline-offset: 2px; }}
.notice {{ font-size: .85rem; color: #444; }}
</style>
</head>
<body>
<main>
<p class="notice">{notice}</p>
<h1>{heading}</h1>
<dl>
<dt>{amount_label}</dt><dd id="amount">{amount}</dd>
<dt>{card_label}</dt><dd id="card">{masked}</dd>
</dl>
<form method="post" action="{action}" novalidate>
<input type="hidden" name="lang" value="{lang}">
<label for="code">{label}</label>
<p id="code-help">{help}</p>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="4" aria-describedby="{described_by}"{invalid} autofocus>
{error_html}
<div class="actions">
<button id="confirm" type="submit" name="action" value="confirm">{confirm}</button>
<button id="cancel" type="submit" name="action" value="cancel" class="secondary">{cancel}</button>
</div>
</form>
</main>
</body>
</html>
"#,
        lang = lang.code(),
        title = t.title,
        notice = t.notice,
        heading = t.heading,
        amount_label = t.amount,
        amount = escape(amount),
        card_label = t.card,
        masked = escape(masked_number),
        action = escape(challenge_ref),
        label = t.label,
        help = t.help,
        confirm = t.confirm,
        cancel = t.cancel,
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn language_choice() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::choose(None, &headers), Lang::Fr);
        headers.insert(
            ACCEPT_LANGUAGE,
            HeaderValue::from_static("de-DE,en-GB;q=0.8,fr;q=0.5"),
        );
        assert_eq!(Lang::choose(None, &headers), Lang::En);
        assert_eq!(Lang::choose(Some("fr"), &headers), Lang::Fr);
        assert_eq!(Lang::choose(Some("xx"), &headers), Lang::En);
    }

    #[test]
    fn amounts_and_escaping() {
        assert_eq!(format_amount(1050, 978, Lang::Fr), "10,50\u{a0}€");
        assert_eq!(
            format_amount(123_456, 978, Lang::Fr),
            "1\u{202f}234,56\u{a0}€"
        );
        assert_eq!(format_amount(123_456, 978, Lang::En), "€1,234.56");
        assert_eq!(format_amount(7, 840, Lang::En), "0.07\u{a0}840");
        let page = render(Lang::En, "a\"b", "1.00 EUR", "<x>", Some("bad"));
        assert!(page.contains("action=\"a&quot;b\"") && page.contains("&lt;x&gt;"));
        assert!(page.contains("role=\"alert\"") && page.contains("aria-invalid=\"true\""));
        assert!(page.contains("<label for=\"code\">Confirmation code</label>"));
    }
}
