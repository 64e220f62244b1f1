//! Signing in and out. The credentials are checked by [`Sandbox::sign_in`] (the app's logic);
//! this module only turns its answer into a page or a session cookie.
//!
//! Wrong credentials show the form again with status 200: a 401 would have to carry a
//! `WWW-Authenticate` challenge, which a form has none of.

use crate::app_page::catalogue::Texts;
use crate::app_page::cookies;
use crate::app_page::guard;
use crate::app_page::render::{self, Frame, Refusal};
use crate::app_page::session::Session;
use crate::app_page::visit::Visit;
use crate::error::SandboxError;
use crate::sandbox::Sandbox;
use ancv::ErrorCode;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// The sign-in form. No `Debug`: it holds a secret code.
#[derive(Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    secret_code: String,
}

/// Forms that carry nothing but their token.
#[derive(Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
pub(crate) struct SignInQuery {
    notice: Option<String>,
}

/// What went wrong with the form.
#[derive(Clone, Copy)]
enum Mistake {
    IdentifierMissing,
    IdentifierFormat,
    CodeMissing,
    /// Unknown account or wrong code: not said which, and both fields are marked.
    Credentials,
}

/// Where a mistake is shown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Form,
    Identifier,
    Code,
}

impl Mistake {
    fn place(self) -> Place {
        match self {
            Mistake::IdentifierMissing | Mistake::IdentifierFormat => Place::Identifier,
            Mistake::CodeMissing => Place::Code,
            Mistake::Credentials => Place::Form,
        }
    }

    fn text(self, t: &'static Texts) -> &'static str {
        match self {
            Mistake::IdentifierMissing => t.error_identifier_missing,
            Mistake::IdentifierFormat => t.error_identifier_format,
            Mistake::CodeMissing => t.error_code_missing,
            Mistake::Credentials => t.error_credentials,
        }
    }
}

#[derive(Serialize)]
struct SignInView {
    #[serde(flatten)]
    frame: Frame,
    notice: Option<&'static str>,
    identifier: String,
    form_error: Option<&'static str>,
    identifier_error: Option<&'static str>,
    code_error: Option<&'static str>,
}

/// `GET /app/`: the form, or the list when already signed in.
pub(crate) async fn page(
    State(sandbox): State<Sandbox>,
    visit: Visit,
    Query(query): Query<SignInQuery>,
) -> Response {
    if visit.signed_in().is_some() {
        return visit.redirect("/requests");
    }
    let (session, fresh) = match &visit.session {
        Some(session) => (session.clone(), false),
        None => (Session::anonymous(sandbox.random(), sandbox.now()), true),
    };
    let notice = (query.notice.as_deref() == Some("signed-out"))
        .then_some(visit.lang.texts().notice_signed_out);
    let mut response = form(&sandbox, &visit, &session, notice, String::new(), None);
    if fresh {
        cookies::set_session(
            &mut response,
            &visit.base,
            &session.encode(sandbox.app_key()),
        );
    }
    response
}

/// `POST /app/sign-in`.
pub(crate) async fn submit(
    State(sandbox): State<Sandbox>,
    visit: Visit,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let key = sandbox.app_key();
    let Some(session) = visit
        .session
        .as_ref()
        .filter(|session| guard::post_allowed(&headers, session, key, &form.csrf))
    else {
        return render::refusal(&visit, Refusal::Forbidden);
    };
    let again = |mistake| {
        self::form(
            &sandbox,
            &visit,
            session,
            None,
            form.identifier.clone(),
            Some(mistake),
        )
    };
    if form.identifier.trim().is_empty() {
        return again(Mistake::IdentifierMissing);
    }
    if form.secret_code.is_empty() {
        return again(Mistake::CodeMissing);
    }
    match sandbox.sign_in(&form.identifier, &form.secret_code).await {
        Ok(beneficiary) => {
            let id = beneficiary.beneficiary_id;
            let session = Session::signed_in(sandbox.random(), &id, sandbox.now());
            tracing::info!(beneficiary = %id, "ANCV sandbox app: signed in");
            let mut response = visit.redirect("/requests");
            cookies::set_session(&mut response, &visit.base, &session.encode(key));
            response
        }
        Err(SandboxError::InvalidField { .. }) => again(Mistake::IdentifierFormat),
        Err(SandboxError::InvalidSecretCode) => again(Mistake::Credentials),
        Err(SandboxError::Refused {
            code: ErrorCode::BeneficiaryNotFound,
            ..
        }) => again(Mistake::Credentials),
        Err(error) => render::internal(&visit, &error),
    }
}

/// `POST /app/sign-out`: the cookie goes. Without a session there is nothing to end (and no
/// token to check): back to the form.
pub(crate) async fn sign_out(
    State(sandbox): State<Sandbox>,
    visit: Visit,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    if let Some(session) = &visit.session
        && !guard::post_allowed(&headers, session, sandbox.app_key(), &form.csrf)
    {
        return render::refusal(&visit, Refusal::Forbidden);
    }
    let mut response = visit.redirect("/?notice=signed-out");
    cookies::clear_session(&mut response, &visit.base);
    response
}

fn form(
    sandbox: &Sandbox,
    visit: &Visit,
    session: &Session,
    notice: Option<&'static str>,
    identifier: String,
    mistake: Option<Mistake>,
) -> Response {
    let t = visit.lang.texts();
    let mut frame = Frame::new(visit, "/", t.sign_in_title);
    frame.csrf = session.csrf_token(sandbox.app_key());
    frame.has_error = mistake.is_some();
    let at = |place| {
        mistake
            .filter(|mistake| mistake.place() == place)
            .map(|mistake| mistake.text(t))
    };
    let view = SignInView {
        frame,
        notice,
        identifier,
        form_error: at(Place::Form),
        identifier_error: at(Place::Identifier),
        code_error: at(Place::Code),
    };
    visit.finish(render::page(StatusCode::OK, "sign_in.html", &view))
}
