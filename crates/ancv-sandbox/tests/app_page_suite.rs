//! The beneficiary's app pages over real loopback HTTP, mounted under `/sandbox/ancv` as cvgate
//! mounts them, on SQLite and PostgreSQL: sessions, CSRF, answers, languages, headers, escaping.
//! A small cookie-keeping client stands for the browser (the real one is `app_browser_suite`).

mod common;

use ancv::TransactionState as S;
use ancv::wire::Amount;
use axum::Router;
use common::*;
use reqwest::Method;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Mutex;
use testkit::TestDb;

testkit::backend_suite![
    sign_in_with_good_and_bad_credentials,
    every_post_needs_the_session_token_and_this_origin,
    validate_the_full_amount,
    validate_a_lower_amount,
    decline_a_request,
    amounts_above_what_is_allowed_are_refused_and_nothing_is_spent,
    an_expired_request_can_no_longer_be_validated,
    another_beneficiarys_request_cannot_be_answered,
    french_and_english,
    security_headers_on_every_answer,
    a_hostile_merchant_label_is_escaped,
];

const MOUNT: &str = "/sandbox/ancv";
const APP: &str = "/sandbox/ancv/app";
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const CAMILLE: &str = "camille.martin@example.com";
const CAMILLE_ID: &str = "10000000001";

/// What a page answered.
struct Page {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|value| value.to_str().unwrap())
            .unwrap_or_default()
    }

    fn location(&self) -> &str {
        self.header(LOCATION.as_str())
    }

    /// The token of the page's forms.
    fn csrf(&self) -> String {
        let marker = r#"name="csrf" value=""#;
        let start = self.body.find(marker).expect("the page has a form") + marker.len();
        let end = start + self.body[start..].find('"').unwrap();
        self.body[start..end].to_owned()
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .collect()
    }

    /// Whether the page shows `text`, written with plain spaces where French puts no-break
    /// ones (`25,00 €`, `Erreur :`, `« … »`).
    fn contains(&self, text: &str) -> bool {
        self.body.contains(&french_spacing(text))
    }
}

/// A browser in miniature: keeps cookies, sends `Origin` on POSTs, never follows redirects.
struct Visitor {
    http: reqwest::Client,
    origin: String,
    accept_language: Option<&'static str>,
    cookies: Mutex<BTreeMap<String, String>>,
}

impl Visitor {
    /// Serves another copy of the harness's sandbox router, nested as cvgate nests it.
    async fn start(h: &Harness) -> Visitor {
        let origin = serve(Router::new().nest(MOUNT, h.sandbox.router())).await;
        Visitor {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            origin,
            accept_language: None,
            cookies: Mutex::default(),
        }
    }

    fn speaking(mut self, language: &'static str) -> Visitor {
        self.accept_language = Some(language);
        self
    }

    async fn get(&self, path: &str) -> Page {
        self.send(self.http.get(format!("{}{path}", self.origin)))
            .await
    }

    /// A POST with `Origin` set, as browsers do.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let origin = self.origin.clone();
        self.post_with(path, fields, &[("origin", &origin)]).await
    }

    async fn post_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut request = self
            .http
            .post(format!("{}{path}", self.origin))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(fields));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request).await
    }

    async fn send(&self, mut request: reqwest::RequestBuilder) -> Page {
        let jar = self.cookie_header();
        if !jar.is_empty() {
            request = request.header("cookie", jar);
        }
        if let Some(language) = self.accept_language {
            request = request.header("accept-language", language);
        }
        let response = request.send().await.unwrap();
        let page = Page {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        };
        self.keep(&page);
        page
    }

    fn cookie_header(&self) -> String {
        let jar = self.cookies.lock().unwrap();
        let pairs: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.join("; ")
    }

    fn keep(&self, page: &Page) {
        let mut jar = self.cookies.lock().unwrap();
        for cookie in page.set_cookies() {
            let (pair, attributes) = cookie.split_once(';').unwrap_or((&cookie, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    /// Opens the form and signs in; the answer to the POST.
    async fn sign_in(&self, identifier: &str, code: &str) -> Page {
        let form = self.get(&format!("{APP}/")).await;
        assert_eq!(form.status, 200, "{}", form.body);
        self.post(
            &format!("{APP}/sign-in"),
            &[
                ("csrf", &form.csrf()),
                ("identifier", identifier),
                ("secret_code", code),
            ],
        )
        .await
    }

    /// Signed in as camille, on the list.
    async fn signed_in_list(&self) -> Page {
        let signed_in = self.sign_in(CAMILLE, CODE).await;
        assert_eq!(signed_in.status, 303, "{}", signed_in.body);
        let list = self.get(&format!("{APP}/requests")).await;
        assert_eq!(list.status, 200);
        list
    }

    /// Answers request `id` from the `list` page's form.
    async fn answer(&self, list: &Page, id: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = list.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(&format!("{APP}/requests/{id}"), &all).await
    }
}

/// A plain space becomes a no-break one between a digit and `€`, before `:`, after `«` and
/// before `»`.
fn french_spacing(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (at, &c) in chars.iter().enumerate() {
        let before = at.checked_sub(1).map(|i| chars[i]);
        let after = chars.get(at + 1).copied();
        let glued = (before.is_some_and(|b| b.is_ascii_digit()) && after == Some('€'))
            || after == Some(':')
            || after == Some('»')
            || before == Some('«');
        out.push(if c == ' ' && glued { '\u{a0}' } else { c });
    }
    out
}

/// An ` onclick=`-like attribute (which the policy would block).
fn has_inline_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(at, _)| {
        let rest = &html[at + 3..];
        let name_length = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        name_length > 0 && rest[name_length..].starts_with('=')
    })
}

/// `application/x-www-form-urlencoded`, as a browser writes it.
fn form_body(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    char::from(b).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn sign_in_with_good_and_bad_credentials(db: TestDb) {
    let h = Harness::start(db).await;
    let v = Visitor::start(&h).await;
    nobody_signed_in_is_sent_to_the_form(&v).await;
    wrong_credentials_show_the_form_again(&v).await;

    // The right code, by e-mail in another case: a new session for the ANCV id.
    let anonymous = v.cookie("cvgate_ancv_app_session").unwrap();
    let signed_in = v.sign_in("Camille.Martin@example.com", CODE).await;
    assert_eq!(
        (signed_in.status, signed_in.location()),
        (303, "/sandbox/ancv/app/requests")
    );
    let session = v.cookie("cvgate_ancv_app_session").unwrap();
    the_session_names_the_beneficiary(&session, &anonymous);

    let list = v.get(&format!("{APP}/requests")).await;
    assert_eq!(list.status, 200);
    assert!(
        list.contains(CAMILLE) && list.contains("300,00\u{a0}€"),
        "{}",
        list.body
    );
    assert!(list.contains("Aucune demande en attente."));
    let again = v.get(&format!("{APP}/")).await;
    assert_eq!(
        (again.status, again.location()),
        (303, "/sandbox/ancv/app/requests")
    );

    // A forged session (someone else's id under camille's MAC) is no session.
    let forged = session.replacen(CAMILLE_ID, "10000000002", 1);
    v.cookies
        .lock()
        .unwrap()
        .insert("cvgate_ancv_app_session".into(), forged);
    assert_eq!(v.get(&format!("{APP}/requests")).await.status, 303);
    v.cookies
        .lock()
        .unwrap()
        .insert("cvgate_ancv_app_session".into(), session.clone());

    signing_out_ends_the_session(&v, &list).await;

    // A session ends an hour after it began.
    let later = v.sign_in(CAMILLE_ID, CODE).await;
    assert_eq!(later.status, 303);
    h.clock.advance_millis(3_600_000);
    assert_eq!(v.get(&format!("{APP}/requests")).await.status, 303);
}

/// `/app` redirects to the form, the list to the form; the form starts an anonymous session.
async fn nobody_signed_in_is_sent_to_the_form(v: &Visitor) {
    let bare = v.get(APP).await;
    assert_eq!((bare.status, bare.location()), (308, "app/"));
    let nobody = v.get(&format!("{APP}/requests")).await;
    assert_eq!(
        (nobody.status, nobody.location()),
        (303, "/sandbox/ancv/app/")
    );

    let form = v.get(&format!("{APP}/")).await;
    assert_eq!(form.status, 200);
    assert!(form.contains(r#"<html lang="fr">"#));
    assert!(
        form.contains(r#"<label for="identifier">"#)
            && form.contains(r#"<label for="secret-code">"#)
    );
    let cookies = form.set_cookies();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(
        cookies[0].starts_with("cvgate_ancv_app_session=-.")
            && cookies[0].ends_with("; Path=/sandbox/ancv/app; HttpOnly; SameSite=Strict"),
        "{cookies:?}"
    );
}

/// A wrong code or account, a malformed identifier, no code: the form again, the fields marked,
/// the session still anonymous.
async fn wrong_credentials_show_the_form_again(v: &Visitor) {
    // Wrong code, unknown account: the same message, both fields marked and described by it.
    for (identifier, code) in [
        (CAMILLE, "9999"),
        ("nobody@example.com", CODE),
        ("19999999999", CODE),
    ] {
        let refused = v.sign_in(identifier, code).await;
        assert_eq!(refused.status, 200, "{}", refused.body);
        assert!(refused.contains(r#"<p class="alert" id="sign-in-error" role="alert">Identifiant ou code secret incorrect.</p>"#), "{}", refused.body);
        assert!(
            refused.contains(
                r#"aria-describedby="identifier-hint sign-in-error" aria-invalid="true""#
            ),
            "{}",
            refused.body
        );
        assert!(
            refused.contains(
                r#"aria-describedby="sign-in-error" aria-invalid="true" autofocus required"#
            ),
            "{}",
            refused.body
        );
        assert!(
            refused.contains(&format!(r#"value="{identifier}""#)),
            "the identifier is kept"
        );
        assert!(
            !refused.contains(&format!(r#"value="{code}""#)),
            "the code is never given back"
        );
        assert!(refused.set_cookies().is_empty());
        assert!(
            v.cookie("cvgate_ancv_app_session")
                .unwrap()
                .starts_with("-.")
        );
    }
    let malformed = v.sign_in("12345", CODE).await;
    assert!(malformed.contains(r#"<p class="field-error" id="identifier-error" role="alert">Saisissez un identifiant ANCV de 11 chiffres ou une adresse e-mail.</p>"#), "{}", malformed.body);
    assert!(malformed.contains(
        r#"aria-describedby="identifier-hint identifier-error" aria-invalid="true" autofocus"#
    ));
    let empty = v.sign_in(CAMILLE, "").await;
    assert!(empty.contains(r#"id="secret-code-error" role="alert">Saisissez votre code secret."#));
}

/// The signed-in `session` cookie: camille's ANCV id, a nonce other than the `anonymous` one's,
/// an hour of life, a MAC.
fn the_session_names_the_beneficiary(session: &str, anonymous: &str) {
    let parts: Vec<&str> = session.split('.').collect();
    assert_eq!(parts.len(), 4, "{session}");
    assert_eq!(parts[0], CAMILLE_ID);
    assert_eq!(parts[1].len(), 32);
    assert_eq!(parts[2], START.plus_millis(3_600_000).millis().to_string());
    assert_eq!(parts[3].len(), 64);
    assert_ne!(
        parts[1],
        anonymous.split('.').nth(1).unwrap(),
        "a new nonce at sign-in"
    );
}

/// Signing out from the `list` page clears the cookie and says so; the list needs a sign-in again.
async fn signing_out_ends_the_session(v: &Visitor, list: &Page) {
    let signed_out = v
        .post(&format!("{APP}/sign-out"), &[("csrf", &list.csrf())])
        .await;
    assert_eq!(
        (signed_out.status, signed_out.location()),
        (303, "/sandbox/ancv/app/?notice=signed-out")
    );
    assert!(
        signed_out.set_cookies()[0]
            .starts_with("cvgate_ancv_app_session=; Max-Age=0; Path=/sandbox/ancv/app;")
    );
    assert_eq!(v.cookie("cvgate_ancv_app_session"), None);
    let form = v.get(&format!("{APP}/?notice=signed-out")).await;
    assert!(form.contains(r#"<p class="notice" role="status">Vous êtes déconnecté.</p>"#));
    assert_eq!(v.get(&format!("{APP}/requests")).await.status, 303);
}

async fn every_post_needs_the_session_token_and_this_origin(db: TestDb) {
    let h = Harness::start(db).await;
    let pending = h.pending("pay-csrf", 6_000, CAMILLE_ID).await;
    let v = Visitor::start(&h).await;

    // Sign-in: no token, a wrong one, from another site.
    let form = v.get(&format!("{APP}/")).await;
    let sign_in = format!("{APP}/sign-in");
    let credentials = [("identifier", CAMILLE), ("secret_code", CODE)];
    let token = form.csrf();
    let with_token = [("csrf", token.as_str()), credentials[0], credentials[1]];
    let wrong_token = "0".repeat(64);
    let here = v.origin.clone();
    for (fields, headers) in [
        (&credentials[..], vec![("origin", here.as_str())]),
        (
            &[
                ("csrf", wrong_token.as_str()),
                credentials[0],
                credentials[1],
            ][..],
            vec![("origin", here.as_str())],
        ),
        (&with_token[..], vec![("origin", "http://evil.example")]),
        (
            &with_token[..],
            vec![("origin", "null"), ("sec-fetch-site", "cross-site")],
        ),
        (&with_token[..], vec![("sec-fetch-site", "cross-site")]),
    ] {
        let refused = v.post_with(&sign_in, fields, &headers).await;
        assert_eq!(refused.status, 403, "{headers:?}");
        assert!(refused.contains("Action refusée") && refused.contains(r#"role="alert""#));
        assert!(refused.set_cookies().is_empty());
    }
    // Without a cookie, the token means nothing.
    let stranger = Visitor::start(&h).await;
    let refused = stranger.post(&sign_in, &with_token).await;
    assert_eq!(refused.status, 403);
    // `Origin: null` is what browsers send from a page with `Referrer-Policy: no-referrer`:
    // the token decides (another visitor, so that `v` stays signed out).
    let twin = Visitor::start(&h).await;
    let twin_form = twin.get(&format!("{APP}/")).await;
    let twin_token = twin_form.csrf();
    let accepted = twin
        .post_with(
            &sign_in,
            &[("csrf", &twin_token), credentials[0], credentials[1]],
            &[("origin", "null"), ("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);

    let list = v.signed_in_list().await;
    let answer = format!("{APP}/requests/{}", pending.id);
    let full = [("action", "full"), ("secret_code", CODE)];
    let before_sign_in = token;
    let token = list.csrf();
    for (csrf, origin) in [
        (None, here.as_str()),
        (Some(""), here.as_str()),
        (Some(before_sign_in.as_str()), here.as_str()),
        (Some(twin_token.as_str()), here.as_str()),
        (Some(&token[..63]), here.as_str()),
        (Some(token.as_str()), "http://127.0.0.1:1"),
    ] {
        let mut fields = full.to_vec();
        if let Some(csrf) = csrf {
            fields.push(("csrf", csrf));
        }
        let refused = v.post_with(&answer, &fields, &[("origin", origin)]).await;
        assert_eq!(refused.status, 403, "{csrf:?} from {origin:?}");
    }
    let sign_out = v
        .post(&format!("{APP}/sign-out"), &[("csrf", "nope")])
        .await;
    assert_eq!(sign_out.status, 403);
    assert!(v.cookie("cvgate_ancv_app_session").is_some());
    assert_eq!(h.state(&pending.id).await, S::Processing);
    assert_eq!(h.balance(CAMILLE_ID).await, 30_000);

    // Without an Origin header (an old browser, a script) the token decides.
    let mut fields = full.to_vec();
    fields.push(("csrf", &token));
    let taken = v.post_with(&answer, &fields, &[]).await;
    assert_eq!(taken.status, 303, "{}", taken.body);
    assert_eq!(h.state(&pending.id).await, S::Validated);
}

async fn validate_the_full_amount(db: TestDb) {
    let h = Harness::start(db).await;
    let pending = h.pending("pay-page-full", 6_000, CAMILLE).await;
    let v = Visitor::start(&h).await;
    let list = v.signed_in_list().await;
    assert!(list.contains(r#"<h2 id="request-"#) && list.contains(">Hôtel du Lac</h2>"));
    assert!(
        list.contains(r#"<dd class="amount">60,00 €</dd>"#),
        "{}",
        list.body
    );
    assert!(list.contains(
        r#"<time class="countdown" datetime="PT300S" data-seconds-left="300">5:00</time>"#
    ));
    assert!(list.contains(">Valider le montant total (60,00 €)</button>"));
    assert!(
        list.contains(r#"<script src="/sandbox/ancv/app/assets/countdown.js" defer></script>"#)
    );

    // The time left follows the sandbox's clock.
    h.clock.advance_millis(28_500);
    let later = v.get(&format!("{APP}/requests")).await;
    assert!(
        later.contains(r#"data-seconds-left="272">4:32</time>"#),
        "{}",
        later.body
    );

    let done = v
        .answer(
            &later,
            &pending.id,
            &[("action", "full"), ("secret_code", CODE), ("amount", "")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location(),
        "/sandbox/ancv/app/requests?notice=validated&amount=6000"
    );
    let after = v.get(done.location()).await;
    assert!(
        after.contains(r#"<p class="notice" role="status">Paiement de 60,00 € validé.</p>"#),
        "{}",
        after.body
    );
    assert!(!after.contains(&pending.id) && after.contains("Aucune demande en attente."));
    assert!(after.contains("240,00\u{a0}€"));

    let validated = h.client.status(&pending.id).await.unwrap();
    assert_eq!(validated.state, S::Validated);
    assert_eq!(validated.first_authorization().unwrap().amount.total, 6_000);
    assert_eq!(h.balance(CAMILLE_ID).await, 24_000);
}

async fn validate_a_lower_amount(db: TestDb) {
    let h = Harness::start(db).await;
    let pending = h.pending("pay-page-partial", 6_000, CAMILLE_ID).await;
    let v = Visitor::start(&h).await;
    let list = v.signed_in_list().await;
    let amount_input = format!(
        r#"<input id="amount-{0}" name="amount" type="text" value="" autocomplete="off" inputmode="decimal" aria-describedby="amount-{0}-hint">"#,
        pending.id
    );
    assert!(list.contains(&amount_input), "{}", list.body);
    assert!(list.contains("Au plus 60,00 €, avec 2 décimales au plus, par exemple 25,50."));

    let done = v
        .answer(
            &list,
            &pending.id,
            &[
                ("action", "partial"),
                ("amount", " 25,05 "),
                ("secret_code", CODE),
            ],
        )
        .await;
    assert_eq!(
        done.location(),
        "/sandbox/ancv/app/requests?notice=validated&amount=2505"
    );
    let after = v.get(done.location()).await;
    assert!(after.contains("Paiement de 25,05 € validé."));
    assert!(!after.contains(&pending.id));

    let validated = h.client.status(&pending.id).await.unwrap();
    assert_eq!(validated.state, S::Validated);
    assert_eq!(validated.first_authorization().unwrap().amount.total, 2_505);
    assert_eq!(validated.order.amount.total, 6_000);
    assert_eq!(h.balance(CAMILLE_ID).await, 30_000 - 2_505);
}

async fn decline_a_request(db: TestDb) {
    let h = Harness::start(db).await;
    let pending = h.pending("pay-page-decline", 6_000, CAMILLE_ID).await;
    let v = Visitor::start(&h).await;
    let list = v.signed_in_list().await;
    // Declining needs the code too; a typed amount is ignored.
    let done = v
        .answer(
            &list,
            &pending.id,
            &[
                ("action", "decline"),
                ("amount", "12"),
                ("secret_code", CODE),
            ],
        )
        .await;
    assert_eq!(
        done.location(),
        "/sandbox/ancv/app/requests?notice=declined"
    );
    let after = v.get(done.location()).await;
    assert!(after.contains(r#"<p class="notice" role="status">Demande refusée.</p>"#));
    assert!(!after.contains(&pending.id));
    assert_eq!(h.state(&pending.id).await, S::Aborted);
    assert_eq!(h.balance(CAMILLE_ID).await, 30_000);
}

async fn amounts_above_what_is_allowed_are_refused_and_nothing_is_spent(db: TestDb) {
    let h = Harness::start(db).await;
    let (status, body) = h
        .call(
            Method::POST,
            "/admin/beneficiaries",
            Some(
                json!({"beneficiaryId": "12345678901", "email": "lea@example.org",
                        "balance": 5_000, "secretCode": "2468"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let pending = h.pending("pay-page-max", 6_000, "lea@example.org").await;
    let v = Visitor::start(&h).await;
    assert_eq!(v.sign_in("12345678901", "2468").await.status, 303);
    let list = v.get(&format!("{APP}/requests")).await;
    // min(balance 50,00, requested 60,00): no full-amount button, the limit shown.
    assert!(
        list.contains(">Vous pouvez payer jusqu’à</dt><dd class=\"amount\">50,00 €</dd>"),
        "{}",
        list.body
    );
    assert!(!list.contains(r#"value="full""#));
    assert!(list.contains("Votre solde ne couvre pas le montant total"));

    wrong_amounts_are_refused_at_the_field(&v, &list, &pending.id).await;
    // A wrong code, then none.
    let refused = v
        .answer(&list, &pending.id, &partial_answer("10", "1357"))
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.contains(&format!(
        r#"<p class="field-error" id="code-{}-error" role="alert">Code secret incorrect.</p>"#,
        pending.id
    )));
    assert!(
        !refused.contains(r#"value="1357""#),
        "the code is never given back"
    );
    let refused = v
        .answer(&list, &pending.id, &partial_answer("10", ""))
        .await;
    assert!(refused.contains("Saisissez votre code secret."));

    assert_eq!(h.state(&pending.id).await, S::Processing);
    assert_eq!(h.balance("12345678901").await, 5_000);

    let done = v
        .answer(&list, &pending.id, &partial_answer("50", "2468"))
        .await;
    assert_eq!(
        done.location(),
        "/sandbox/ancv/app/requests?notice=validated&amount=5000"
    );
    assert_eq!(h.balance("12345678901").await, 0);
    assert_eq!(
        h.client
            .status(&pending.id)
            .await
            .unwrap()
            .validated_amount(),
        Some(5_000)
    );
}

/// The fields of a "validate this amount" answer.
fn partial_answer(amount: &'static str, code: &'static str) -> [(&'static str, &'static str); 3] {
    [
        ("action", "partial"),
        ("amount", amount),
        ("secret_code", code),
    ]
}

/// `page` shows `message` at request `id`'s amount field, which it marks and describes.
fn assert_amount_error(page: &Page, id: &str, message: &str) {
    let error =
        format!(r#"<p class="field-error" id="amount-{id}-error" role="alert">{message}</p>"#);
    let described = format!(
        r#"aria-describedby="amount-{id}-hint amount-{id}-error" aria-invalid="true" autofocus>"#
    );
    assert!(page.contains(&error), "{message}: {}", page.body);
    assert!(page.contains(&described), "{}", page.body);
    assert!(page.contains("<title>Erreur : Paiements en attente"));
}

/// Lea (balance 50,00 €, code 2468) answers request `id` of 60,00 € from the `list` page: too
/// much, nothing, not an amount, three decimals, the full amount, an amount with "full".
async fn wrong_amounts_are_refused_at_the_field(v: &Visitor, list: &Page, id: &str) {
    for (typed, message) in [
        (
            "50,01",
            "Le montant doit être supérieur à 0 et au plus 50,00 €.",
        ),
        (
            "60",
            "Le montant doit être supérieur à 0 et au plus 50,00 €.",
        ),
        (
            "0,00",
            "Le montant doit être supérieur à 0 et au plus 50,00 €.",
        ),
        ("abc", "Saisissez un montant en euros, par exemple 25,50."),
        ("12,345", "Le montant a au plus 2 décimales."),
        ("", "Saisissez le montant à payer."),
    ] {
        let refused = v.answer(list, id, &partial_answer(typed, "2468")).await;
        assert_eq!(refused.status, 422, "{typed}");
        assert_amount_error(&refused, id, message);
        if !typed.is_empty() {
            assert!(
                refused.contains(&format!(r#"value="{typed}""#)),
                "what was typed is kept"
            );
        }
    }
    // The full amount (a stale page): more than the balance.
    let refused = v
        .answer(list, id, &[("action", "full"), ("secret_code", "2468")])
        .await;
    assert_eq!(refused.status, 422);
    assert_amount_error(
        &refused,
        id,
        "Votre solde ne couvre pas le montant total : saisissez un montant inférieur.",
    );
    // Enter pressed in the amount field submits with the first button: which amount is unclear.
    let refused = v
        .answer(
            list,
            id,
            &[
                ("action", "full"),
                ("amount", "10"),
                ("secret_code", "2468"),
            ],
        )
        .await;
    assert_amount_error(
        &refused,
        id,
        "Vous avez saisi un montant : choisissez « Valider ce montant », ou videz le champ pour valider le montant total.",
    );
}

async fn an_expired_request_can_no_longer_be_validated(db: TestDb) {
    let h = Harness::start(db).await;
    let pending = h.pending("pay-page-expired", 6_000, CAMILLE_ID).await;
    let v = Visitor::start(&h).await;
    let list = v.signed_in_list().await;
    assert!(list.contains(&pending.id));

    h.clock.advance_millis(WINDOW_MS);
    let refused = v
        .answer(
            &list,
            &pending.id,
            &[("action", "full"), ("secret_code", CODE)],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.contains(r#"<p class="alert" role="alert">Cette demande n’est plus en attente : elle a expiré ou a déjà reçu une réponse.</p>"#), "{}", refused.body);
    assert!(!refused.contains(&format!("request-{}-title", pending.id)));
    assert_eq!(h.state(&pending.id).await, S::Expired);
    assert_eq!(h.balance(CAMILLE_ID).await, 30_000);
}

async fn another_beneficiarys_request_cannot_be_answered(db: TestDb) {
    let h = Harness::start(db).await;
    // auto.expire never answers, and its code is the published one, like camille's.
    let theirs = h.pending("pay-page-theirs", 6_000, "10000000005").await;
    let v = Visitor::start(&h).await;
    let list = v.signed_in_list().await;
    let refused = v
        .answer(
            &list,
            &theirs.id,
            &[("action", "full"), ("secret_code", CODE)],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.contains("n’est plus en attente"));
    let refused = v
        .answer(
            &list,
            "zzzzzzzzzz",
            &[("action", "decline"), ("secret_code", CODE)],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert_eq!(h.state(&theirs.id).await, S::Processing);
    assert_eq!(h.balance("10000000005").await, 10_000);
    // An unknown button is not an answer.
    let mine = h.pending("pay-page-mine", 6_000, CAMILLE_ID).await;
    let list = v.get(&format!("{APP}/requests")).await;
    let unreadable = v
        .answer(
            &list,
            &mine.id,
            &[("action", "pay-twice"), ("secret_code", CODE)],
        )
        .await;
    assert_eq!(unreadable.status, 400);
    assert_eq!(h.state(&mine.id).await, S::Processing);
}

async fn french_and_english(db: TestDb) {
    let h = Harness::start(db).await;
    let pending = h.pending("pay-page-lang", 6_000, CAMILLE_ID).await;

    // The browser's language; French when it names neither.
    let english = Visitor::start(&h).await.speaking("en-GB,en;q=0.9,fr;q=0.5");
    let form = english.get(&format!("{APP}/")).await;
    assert!(form.contains(r#"<html lang="en">"#) && form.contains("<h1>Sign in</h1>"));
    assert!(form.contains(r#"<a class="lang-switch" href="/sandbox/ancv/app/?lang=fr" lang="fr" hreflang="fr">Français</a>"#), "{}", form.body);
    let german = Visitor::start(&h).await.speaking("de-DE");
    assert!(
        german
            .get(&format!("{APP}/"))
            .await
            .contains(r#"<html lang="fr">"#)
    );

    let list = english.signed_in_list().await;
    assert!(
        list.contains("<h1>Payments waiting</h1>")
            && list.contains(r#"<dd class="amount">€60.00</dd>"#)
    );
    assert!(
        list.contains(">Validate the full amount (€60.00)</button>")
            && list.contains("Time left (min:s)")
    );
    assert!(list.contains("At most €60.00, with up to 2 decimals, for example 25.50."));
    let refused = english
        .answer(
            &list,
            &pending.id,
            &[
                ("action", "partial"),
                ("amount", "61"),
                ("secret_code", CODE),
            ],
        )
        .await;
    assert!(
        refused.contains("The amount must be more than 0 and at most €60.00."),
        "{}",
        refused.body
    );
    assert!(refused.contains("<title>Error: Payments waiting"));

    // ?lang= wins over the browser, and is remembered for the pages after.
    let switched = english.get(&format!("{APP}/requests?lang=fr")).await;
    assert!(switched.contains(r#"<html lang="fr">"#) && switched.contains("Paiements en attente"));
    assert_eq!(
        switched.set_cookies(),
        [
            "cvgate_ancv_app_lang=fr; Max-Age=31536000; Path=/sandbox/ancv/app; HttpOnly; SameSite=Strict"
        ]
    );
    assert!(switched.contains(
        r#"href="/sandbox/ancv/app/requests?lang=en" lang="en" hreflang="en">English</a>"#
    ));
    let next = english.get(&format!("{APP}/requests")).await;
    assert!(next.contains(r#"<html lang="fr">"#) && next.contains("60,00\u{a0}€"));
    assert!(next.set_cookies().is_empty());
    let done = english
        .answer(
            &next,
            &pending.id,
            &[
                ("action", "partial"),
                ("amount", "25.5"),
                ("secret_code", CODE),
            ],
        )
        .await;
    let after = english.get(done.location()).await;
    assert!(after.contains("Paiement de 25,50 € validé."));
    let in_english = english.get(&format!("{}&lang=en", done.location())).await;
    assert!(in_english.contains("Payment of €25.50 validated."));
}

async fn security_headers_on_every_answer(db: TestDb) {
    let h = Harness::start(db).await;
    let pending = h.pending("pay-page-headers", 6_000, CAMILLE_ID).await;
    let v = Visitor::start(&h).await;
    let form = v.get(&format!("{APP}/")).await;
    let list = v.signed_in_list().await;
    let forbidden = v
        .post(
            &format!("{APP}/requests/{}", pending.id),
            &[("action", "full")],
        )
        .await;
    let refused = v
        .answer(
            &list,
            &pending.id,
            &[("action", "full"), ("secret_code", "0000")],
        )
        .await;
    let redirect = v
        .answer(
            &list,
            &pending.id,
            &[("action", "decline"), ("secret_code", CODE)],
        )
        .await;
    let css = v.get(&format!("{APP}/assets/app.css")).await;
    let js = v.get(&format!("{APP}/assets/countdown.js")).await;
    assert_eq!(
        (forbidden.status, refused.status, redirect.status),
        (403, 422, 303)
    );

    for page in [&form, &list, &forbidden, &refused, &redirect, &css, &js] {
        assert_eq!(page.header("content-security-policy"), CSP);
        assert_eq!(page.header("x-content-type-options"), "nosniff");
        assert_eq!(page.header("referrer-policy"), "no-referrer");
    }
    for page in [&form, &list, &forbidden, &refused, &redirect] {
        assert_eq!(page.header("cache-control"), "no-store");
    }
    for page in [&form, &list, &forbidden, &refused] {
        assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
        // Nothing inline for the policy to forbid.
        assert!(
            !page.contains("style=") && !page.contains("<style"),
            "{}",
            page.body
        );
        assert!(!has_inline_handler(&page.body), "{}", page.body);
        assert_eq!(
            page.body.matches("<script").count(),
            page.body.matches("<script src=").count()
        );
        assert!(
            page.contains(r#"<link rel="stylesheet" href="/sandbox/ancv/app/assets/app.css">"#)
        );
    }
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert!(css.contains(":focus-visible"));
    assert_eq!(js.header("content-type"), "text/javascript; charset=utf-8");
    assert!(js.contains("data-seconds-left"));

    // The JSON app API is left as it was.
    let (status, _) = h
        .call(
            Method::GET,
            &format!("/app/api/beneficiaries/{CAMILLE_ID}/requests"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let api = h
        .http
        .get(format!(
            "{}/app/api/beneficiaries/{CAMILLE_ID}/requests",
            h.base
        ))
        .send()
        .await
        .unwrap();
    assert!(api.headers().get("content-security-policy").is_none());
}

async fn a_hostile_merchant_label_is_escaped(db: TestDb) {
    let h = Harness::start(db).await;
    let mut body = h.create_body("pay-page-xss", 6_000);
    body["order"]["label"] =
        json!(r#"<script>alert("x")</script> & "Co" <img src=x onerror=alert(1)>"#);
    let created = h.create_raw(body).await;
    h.client
        .attach_payer(&created.id, CAMILLE_ID, Amount::eur(6_000))
        .await
        .unwrap();
    let v = Visitor::start(&h).await;
    let list = v.signed_in_list().await;
    assert!(
        list.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Co&quot; &lt;img src=x onerror=alert(1)&gt;"),
        "{}",
        list.body
    );
    assert!(!list.contains("<script>alert") && !list.contains("<img"));
}
