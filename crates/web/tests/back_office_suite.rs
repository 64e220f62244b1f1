//! The back office's sign-in over real HTTP, on SQLite and PostgreSQL: cookies and their flags,
//! a new session id at every sign-in (a planted one is worth nothing), the one-time password
//! changed first, sign-out; CSRF and origin refusals (403, nothing changed); one message for an
//! unknown address and a wrong password; 429 with Retry-After once throttled.

mod support;

use domain::back_office_user::Password;
use domain::random::OsRandom;
use gateway::back_office_users::UserRequest;
use gateway::{BackOfficeUsers, MerchantConfig};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use std::sync::Arc;
use support::Harness;
use testkit::{TestDb, dump_database};

testkit::backend_suite![
    a_user_signs_in_changes_the_password_and_signs_out,
    forms_without_their_secret_or_from_elsewhere_change_nothing,
    wrong_credentials_get_one_message_then_429,
    the_audit_trail_is_for_admins,
    the_seed_contracts_are_made_in_the_form_with_its_rules,
    a_viewer_sees_the_configuration_and_changes_nothing,
    an_admin_rotates_the_access_key_and_sees_it_once,
];

const EMAIL: &str = "camille@example.com";

/// A browser without redirects, cookies handled by the test.
struct Browser<'a> {
    h: &'a Harness,
    http: reqwest::Client,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    /// The value `name` gets in this answer's `Set-Cookie`s.
    fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookie(name)
            .map(|line| line.split(';').next().unwrap_or_default()[name.len() + 1..].to_owned())
    }

    /// The whole `Set-Cookie` line for `name`.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|line| line.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    fn location(&self) -> &str {
        self.headers[LOCATION].to_str().unwrap()
    }

    /// The value of the hidden `csrf` field.
    fn csrf(&self) -> String {
        let after = self
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .expect("a csrf field");
        after[..after.find('"').unwrap()].to_owned()
    }
}

impl<'a> Browser<'a> {
    fn new(h: &'a Harness) -> Browser<'a> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser { h, http }
    }

    async fn get(&self, path: &str, cookies: &str) -> Answer {
        let request = self.http.get(format!("{}{path}", self.h.base));
        Self::answer(
            request
                .header("Cookie", cookies)
                .header("Accept-Language", "en"),
        )
        .await
    }

    async fn post(&self, path: &str, cookies: &str, form: &[(&str, &str)]) -> Answer {
        let request = self.http.post(format!("{}{path}", self.h.base));
        Self::answer(
            request
                .header("Cookie", cookies)
                .header("Accept-Language", "en")
                .form(form),
        )
        .await
    }

    async fn answer(request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.unwrap();
        Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    /// The sign-in form's cookie and secret.
    async fn sign_in_form(&self) -> (String, String) {
        let form = self.get("/backoffice/sign-in", "").await;
        assert_eq!(form.status, 200);
        (
            format!("cvgate_bo_form={}", form.cookie("cvgate_bo_form").unwrap()),
            form.csrf(),
        )
    }

    async fn sign_in(&self, email: &str, password: &str) -> Answer {
        let (cookie, csrf) = self.sign_in_form().await;
        let form = [
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ];
        self.post("/backoffice/sign-in", &cookie, &form).await
    }
}

async fn user(h: &Harness) -> Password {
    user_with_role(h, EMAIL, "operator").await
}

async fn user_with_role(h: &Harness, email: &str, role: &str) -> Password {
    let users = BackOfficeUsers::new(h.store.clone(), h.clock.clone(), Arc::new(OsRandom));
    let request = UserRequest {
        merchant: Some(h.merchant_id.to_string()),
        email: email.to_owned(),
        role: role.to_owned(),
    };
    users.create(&request).await.unwrap().1
}

async fn a_user_signs_in_changes_the_password_and_signs_out(db: TestDb) {
    let h = Harness::start(&db).await;
    let password = user(&h).await;
    let browser = Browser::new(&h);
    let form = browser
        .get("/backoffice/sign-in", "cvgate_bo=planted")
        .await;
    assert!(
        form.body.contains("<html lang=\"en\">"),
        "the browser's language"
    );
    let form_cookie = form.set_cookie("cvgate_bo_form").unwrap();
    assert!(form_cookie.contains("HttpOnly") && form_cookie.contains("SameSite=Strict"));
    let cookies = format!(
        "cvgate_bo=planted; cvgate_bo_form={}",
        form.cookie("cvgate_bo_form").unwrap()
    );
    let csrf = form.csrf();
    let signed_in = browser
        .post(
            "/backoffice/sign-in",
            &cookies,
            &[
                ("csrf", csrf.as_str()),
                ("email", EMAIL),
                ("password", password.expose()),
            ],
        )
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(signed_in.location(), "/backoffice/");
    let line = signed_in.set_cookie("cvgate_bo").unwrap();
    assert!(
        line.contains("HttpOnly")
            && line.contains("SameSite=Lax")
            && line.contains("Path=/backoffice"),
        "{line}"
    );
    let token = signed_in.cookie("cvgate_bo").unwrap();
    assert_ne!(token, "planted", "a new session id at sign-in");
    let planted = browser.get("/backoffice/", "cvgate_bo=planted").await;
    assert_eq!(
        (planted.status.as_u16(), planted.location()),
        (303, "/backoffice/sign-in")
    );

    let session = format!("cvgate_bo={token}");
    let home = browser.get("/backoffice/", &session).await;
    assert_eq!(
        home.location(),
        "/backoffice/password",
        "the one-time password first"
    );
    change_the_one_time_password(&browser, &session, &password).await;
    let home = browser.get("/backoffice/?changed=1", &session).await;
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains(EMAIL) && home.body.contains("Password changed"),
        "{}",
        home.body
    );

    let out = browser
        .post(
            "/backoffice/sign-out",
            &session,
            &[("csrf", home.csrf().as_str())],
        )
        .await;
    assert_eq!(
        (out.status.as_u16(), out.location()),
        (303, "/backoffice/sign-in")
    );
    assert!(out.set_cookie("cvgate_bo").unwrap().contains("Max-Age=0"));
    let after = browser.get("/backoffice/", &session).await;
    assert_eq!(
        after.location(),
        "/backoffice/sign-in",
        "the session is over"
    );
}

/// The change form: a mismatch refused (422, the field marked), then the change (303).
async fn change_the_one_time_password(browser: &Browser<'_>, session: &str, password: &Password) {
    let form = browser.get("/backoffice/password", session).await;
    let csrf = form.csrf();
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("current", current.into()),
            ("new", new.into()),
            ("confirm", confirm.into()),
        ]
    };
    let mismatch = change("x", "a brand new password", "another new password");
    let refused = browser
        .post("/backoffice/password", session, &pairs(&mismatch))
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("id=\"confirm-error\""),
        "{}",
        refused.body
    );
    let mut good = change("", "a brand new password", "a brand new password");
    good[1].1 = password.expose().to_owned();
    let changed = browser
        .post("/backoffice/password", session, &pairs(&good))
        .await;
    assert_eq!(
        (changed.status.as_u16(), changed.location()),
        (303, "/backoffice/?changed=1")
    );
}

fn pairs<'a>(form: &'a [(&'static str, String); 4]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn forms_without_their_secret_or_from_elsewhere_change_nothing(db: TestDb) {
    let h = Harness::start(&db).await;
    let password = user(&h).await;
    let browser = Browser::new(&h);
    let (cookie, csrf) = browser.sign_in_form().await;
    let before = dump_database(&db).await;
    let credentials =
        |secret: &'static str| [("csrf", secret), ("email", EMAIL), ("password", "x")];
    let no_cookie = browser
        .post("/backoffice/sign-in", "", &credentials(""))
        .await;
    let wrong = browser
        .post("/backoffice/sign-in", &cookie, &credentials("forged"))
        .await;
    let elsewhere = browser
        .http
        .post(format!("{}/backoffice/sign-in", h.base))
        .header("Cookie", &cookie)
        .header("Origin", "https://evil.example")
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", EMAIL),
            ("password", password.expose()),
        ])
        .send()
        .await
        .unwrap();
    for (status, what) in [
        (no_cookie.status, "no form cookie"),
        (wrong.status, "a wrong secret"),
        (elsewhere.status(), "another site"),
    ] {
        assert_eq!(status, 403, "{what}");
    }
    assert_eq!(
        dump_database(&db).await,
        before,
        "no session, no failure counted"
    );

    let signed_in = browser.sign_in(EMAIL, password.expose()).await;
    let session = format!("cvgate_bo={}", signed_in.cookie("cvgate_bo").unwrap());
    let before = dump_database(&db).await;
    let forged = [
        ("csrf", "forged"),
        ("current", password.expose()),
        ("new", "a brand new password"),
        ("confirm", "a brand new password"),
    ];
    assert_eq!(
        browser
            .post("/backoffice/password", &session, &forged)
            .await
            .status,
        403
    );
    assert_eq!(
        browser
            .post("/backoffice/sign-out", &session, &[("csrf", "")])
            .await
            .status,
        403
    );
    assert_eq!(
        dump_database(&db).await,
        before,
        "password and session unchanged"
    );
}

async fn wrong_credentials_get_one_message_then_429(db: TestDb) {
    let h = Harness::start(&db).await;
    user(&h).await;
    let browser = Browser::new(&h);
    let wrong = browser.sign_in(EMAIL, "not the password").await;
    let unknown = browser
        .sign_in("nobody@example.com", "not the password")
        .await;
    let alert = |answer: &Answer| {
        let after = answer
            .body
            .split("role=\"alert\"")
            .nth(1)
            .unwrap()
            .to_owned();
        after[..after.find("</p>").unwrap()].to_owned()
    };
    assert_eq!(
        (wrong.status, unknown.status),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(alert(&wrong), alert(&unknown), "one message for both");
    assert!(alert(&wrong).contains("Wrong e-mail address or password"));
    assert!(
        wrong.body.contains("value=\"camille@example.com\""),
        "the address is kept"
    );
    for _ in 0..4 {
        assert_eq!(browser.sign_in(EMAIL, "not the password").await.status, 401);
    }
    let throttled = browser.sign_in(EMAIL, "not the password").await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.headers["retry-after"], "900");
    assert!(
        alert(&throttled).contains("Try again in 15 minutes"),
        "{}",
        throttled.body
    );
}

async fn the_audit_trail_is_for_admins(db: TestDb) {
    let h = Harness::start(&db).await;
    let operator = user(&h).await;
    let admin = user_with_role(&h, "admin@example.com", "admin").await;
    let browser = Browser::new(&h);
    let mut sessions = Vec::new();
    for (email, password) in [(EMAIL, &operator), ("admin@example.com", &admin)] {
        let signed_in = browser.sign_in(email, password.expose()).await;
        sessions.push(format!(
            "cvgate_bo={}",
            signed_in.cookie("cvgate_bo").unwrap()
        ));
    }
    let refused = browser.get("/backoffice/audit", &sessions[0]).await;
    assert_eq!(refused.status, 403, "an operator does not see the trail");
    let trail = browser.get("/backoffice/audit", &sessions[1]).await;
    assert_eq!(trail.status, 200);
    assert_eq!(
        trail.body.matches("data-action=\"sign_in\"").count(),
        2,
        "{}",
        trail.body
    );
    assert!(
        trail.body.contains(EMAIL) && trail.body.contains("127.0.0.1"),
        "who and from where"
    );
    let anonymous = browser.get("/backoffice/audit", "").await;
    assert_eq!(anonymous.headers[LOCATION], "/backoffice/sign-in");
}

/// The demo merchant's admin (no one-time password to change), signed in: its session cookie.
async fn demo_admin(h: &Harness, browser: &Browser<'_>) -> String {
    let users = BackOfficeUsers::new(h.store.clone(), h.clock.clone(), Arc::new(OsRandom));
    let (user, password) = users
        .ensure_demo_user(&h.merchant_id)
        .await
        .unwrap()
        .unwrap();
    let signed_in = browser
        .sign_in(user.email.as_str(), password.expose())
        .await;
    format!("cvgate_bo={}", signed_in.cookie("cvgate_bo").unwrap())
}

/// Posts a form of the page at `path` (its CSRF secret read from the page first).
async fn submit(
    browser: &Browser<'_>,
    session: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> Answer {
    let csrf = browser.get(path, session).await.csrf();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    browser.post(path, session, &form).await
}

async fn the_seed_contracts_are_made_in_the_form_with_its_rules(db: TestDb) {
    let h = Harness::start(&db).await;
    let browser = Browser::new(&h);
    let session = demo_admin(&h, &browser).await;
    web_shop_with_a_card_contract(&browser, &session).await;

    let mut ancv = vec![
        ("status", "active"),
        ("card_code", "ANCV_CONNECT"),
        ("pos", "WEB"),
        ("number", "ANCV-WEB"),
        ("label", "Chèques-Vacances"),
        ("currency", "978"),
        ("shop_id", ""),
        ("complementary", "CB-WEB"),
    ];
    let before = dump_database(&db).await;
    let refused = submit(&browser, &session, "/backoffice/contracts/new", &ancv).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("Shop ID is required"),
        "{}",
        refused.body
    );
    let shop_input = refused.body.split("id=\"shop_id\"").nth(1).unwrap();
    assert!(
        shop_input[..shop_input.find('>').unwrap()].contains("aria-invalid=\"true\""),
        "the field is marked"
    );
    assert!(
        refused.body.contains("value=\"ANCV-WEB\""),
        "what was typed is kept"
    );
    assert!(
        refused
            .body
            .contains("value=\"CB-WEB\" aria-describedby=\"complementary-help\" checked")
    );
    assert_eq!(dump_database(&db).await, before, "nothing written");

    ancv[6] = ("shop_id", "20000001");
    let created = submit(&browser, &session, "/backoffice/contracts/new", &ancv).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let config = MerchantConfig::new(h.store.clone(), h.clock.clone(), Arc::new(OsRandom))
        .await
        .unwrap();
    let contract = config
        .contract(&h.merchant_id, "ANCV-WEB")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        contract.shop_id().map(ToString::to_string).as_deref(),
        Some("20000001")
    );
    let complementary: Vec<String> = contract
        .complementary()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(complementary, ["CB-WEB"]);

    deactivated_and_audited(&h, &browser, &session, &config).await;
}

/// The point of sale WEB and its card contract CB-WEB, made in the forms.
async fn web_shop_with_a_card_contract(browser: &Browser<'_>, session: &str) {
    let pos = [
        ("label", "Boutique en ligne"),
        ("reference", "WEB"),
        ("session_minutes", ""),
    ];
    let created = submit(browser, session, "/backoffice/points-of-sale/new", &pos).await;
    assert_eq!(
        (created.status.as_u16(), created.location()),
        (303, "/backoffice/configuration?done=pos")
    );
    let card = [
        ("status", "active"),
        ("card_code", "CB"),
        ("pos", "WEB"),
        ("number", "CB-WEB"),
        ("currency", "978"),
    ];
    let created = submit(browser, session, "/backoffice/contracts/new", &card).await;
    assert_eq!(created.status, 303, "{}", created.body);
}

/// WEB lists both contracts; CB-WEB deactivated; four configuration changes in the trail.
async fn deactivated_and_audited(
    h: &Harness,
    browser: &Browser<'_>,
    session: &str,
    config: &MerchantConfig,
) {
    let overview = browser.get("/backoffice/configuration", session).await;
    let web = overview.body.split("data-pos=\"WEB\"").nth(1).unwrap();
    assert!(web.contains("data-contract=\"CB-WEB\"") && web.contains("data-contract=\"ANCV-WEB\""));
    let off = submit(
        browser,
        session,
        "/backoffice/configuration",
        &[("status", "inactive")],
    )
    .await;
    assert_eq!(off.status, 405, "the status form posts to the contract");
    let csrf = overview.csrf();
    let off = browser
        .post(
            "/backoffice/contracts/CB-WEB/status",
            session,
            &[("csrf", csrf.as_str()), ("status", "inactive")],
        )
        .await;
    assert_eq!(off.status, 303);
    let contract = config
        .contract(&h.merchant_id, "CB-WEB")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(contract.status, domain::contract::ContractStatus::Inactive);
    let trail = browser.get("/backoffice/audit", session).await;
    assert_eq!(
        trail
            .body
            .matches("data-action=\"configuration_changed\"")
            .count(),
        4
    );
}

async fn a_viewer_sees_the_configuration_and_changes_nothing(db: TestDb) {
    let h = Harness::start(&db).await;
    let password = user_with_role(&h, "viewer@example.com", "viewer").await;
    let browser = Browser::new(&h);
    let signed_in = browser
        .sign_in("viewer@example.com", password.expose())
        .await;
    let session = format!("cvgate_bo={}", signed_in.cookie("cvgate_bo").unwrap());
    let form = browser.get("/backoffice/configuration", &session).await;
    assert_eq!(
        form.location(),
        "/backoffice/password",
        "the one-time password first"
    );
    let csrf = browser.get("/backoffice/password", &session).await.csrf();
    let change = [
        ("csrf", csrf.as_str()),
        ("current", password.expose()),
        ("new", "a brand new password"),
        ("confirm", "a brand new password"),
    ];
    assert_eq!(
        browser
            .post("/backoffice/password", &session, &change)
            .await
            .status,
        303
    );

    let overview = browser.get("/backoffice/configuration", &session).await;
    assert_eq!(overview.status, 200);
    assert!(
        overview.body.contains("data-contract=\"ANCV-DEMO\""),
        "the viewer sees"
    );
    assert!(
        !overview.body.contains("/status\""),
        "no button to change a status"
    );
    assert!(!overview.body.contains("/backoffice/contracts/new"));
    assert_eq!(
        browser
            .get("/backoffice/contracts/new", &session)
            .await
            .status,
        403
    );
    let before = dump_database(&db).await;
    let post = browser
        .post(
            "/backoffice/contracts/CB-DEMO/status",
            &session,
            &[("csrf", csrf.as_str()), ("status", "inactive")],
        )
        .await;
    assert_eq!(post.status, 403);
    let pos = [("csrf", csrf.as_str()), ("label", "Mine")];
    assert_eq!(
        browser
            .post("/backoffice/points-of-sale/new", &session, &pos)
            .await
            .status,
        403
    );
    assert_eq!(dump_database(&db).await, before);
}

async fn an_admin_rotates_the_access_key_and_sees_it_once(db: TestDb) {
    let h = Harness::start(&db).await;
    let browser = Browser::new(&h);
    let session = demo_admin(&h, &browser).await;
    let warning = browser.get("/backoffice/access-key", &session).await;
    assert!(
        warning.body.contains("stops working at once"),
        "{}",
        warning.body
    );
    let rotated = submit(&browser, &session, "/backoffice/access-key", &[]).await;
    assert_eq!(rotated.status, 200);
    assert_eq!(rotated.headers["cache-control"], "no-store");
    let shown = rotated
        .body
        .split("<code id=\"access-key\">")
        .nth(1)
        .unwrap();
    let key = &shown[..shown.find('<').unwrap()];
    assert_eq!(key.len(), 24);
    let config = MerchantConfig::new(h.store.clone(), h.clock.clone(), Arc::new(OsRandom))
        .await
        .unwrap();
    let merchant = h.merchant_id.as_str();
    assert_eq!(
        config
            .authenticate(merchant, h.access_key.expose())
            .await
            .unwrap(),
        None,
        "the old key stopped"
    );
    assert!(
        config.authenticate(merchant, key).await.unwrap().is_some(),
        "the new one works"
    );
    assert!(
        !dump_database(&db).await.contains_secret(key),
        "stored only hashed"
    );
    let trail = browser.get("/backoffice/audit", &session).await;
    assert!(trail.body.contains("data-action=\"access_key_rotated\""));
    assert!(!trail.body.contains(key), "the trail never shows the key");
    let again = browser.get("/backoffice/access-key", &session).await;
    assert!(!again.body.contains(key), "shown once");

    let password = user_with_role(&h, "ops@example.com", "operator").await;
    let operator = own_password(&browser, "ops@example.com", &password).await;
    let csrf = browser.get("/backoffice/", &operator).await.csrf();
    let refused = browser
        .post(
            "/backoffice/access-key",
            &operator,
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(refused.status, 403, "an operator cannot rotate the key");
    assert!(config.authenticate(merchant, key).await.unwrap().is_some());
}

/// Signs in with a one-time password and changes it: the session's cookie.
async fn own_password(browser: &Browser<'_>, email: &str, password: &Password) -> String {
    let signed_in = browser.sign_in(email, password.expose()).await;
    let session = format!("cvgate_bo={}", signed_in.cookie("cvgate_bo").unwrap());
    let csrf = browser.get("/backoffice/password", &session).await.csrf();
    let new = "a brand new password";
    let change = [
        ("csrf", csrf.as_str()),
        ("current", password.expose()),
        ("new", new),
        ("confirm", new),
    ];
    let changed = browser
        .post("/backoffice/password", &session, &change)
        .await;
    assert_eq!(changed.status, 303);
    session
}
