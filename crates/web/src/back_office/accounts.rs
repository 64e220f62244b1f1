//! `GET /backoffice/users` (admins): the merchant's users, their roles, and whether sign-in is
//! locked for one of them after too many failures (until when). Users are created, disabled and
//! given new passwords with `cvgate user`; this page lets operators see a lockout.

use super::configuration::merchant_user;
use super::render::{failed, page};
use super::texts::Lang;
use super::visit::Visit;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::back_office_user::UserStatus;
use domain::paris_time::format_payline;
use gateway::back_office_sign_in::Account;
use minijinja::context;
use serde::Serialize;

/// A user as the tables of users show it.
#[derive(Serialize)]
pub(super) struct AccountRow {
    email: String,
    role: &'static str,
    /// `active`, `disabled`, `locked` or `first_sign_in`.
    state: &'static str,
    state_text: String,
}

impl AccountRow {
    pub(super) fn new(account: &Account, lang: Lang) -> AccountRow {
        let texts = lang.texts();
        let user = &account.user;
        let (state, state_text) = match (user.status, account.locked_until) {
            (UserStatus::Disabled, _) => ("disabled", texts.state_disabled.to_owned()),
            (UserStatus::Active, Some(until)) => (
                "locked",
                texts
                    .state_locked
                    .replace("{until}", &format_payline(until)),
            ),
            (UserStatus::Active, None) if user.must_change_password => {
                ("first_sign_in", texts.state_first_sign_in.to_owned())
            }
            (UserStatus::Active, None) => ("active", texts.state_active.to_owned()),
        };
        AccountRow {
            email: user.email.to_string(),
            role: user.role.as_str(),
            state,
            state_text,
        }
    }
}

/// The rows of `accounts`.
pub(super) fn rows(accounts: &[Account], lang: Lang) -> Vec<AccountRow> {
    accounts
        .iter()
        .map(|account| AccountRow::new(account, lang))
        .collect()
}

/// `GET /backoffice/users`: 200 for admins (and platform operators in a merchant), else 403.
pub(super) async fn list(State(state): State<AppState>, visit: Visit) -> Response {
    let who = match merchant_user(&state, &visit, |role| role.may_configure()).await {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    match state.sign_in.accounts(Some(who.merchant.as_str())).await {
        Ok(accounts) => page(
            "users.html",
            visit.lang,
            context! { accounts => rows(&accounts, visit.lang), merchant => who.merchant.as_str() },
            StatusCode::OK,
        ),
        Err(failure) => failed(visit.lang, &failure),
    }
}
