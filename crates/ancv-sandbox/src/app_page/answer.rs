//! `POST /app/requests/{id}`: the beneficiary answers one of their requests — the full amount,
//! a lower amount, or a decline — confirmed with the secret code, through the same
//! [`Sandbox::validate_request`] and [`Sandbox::decline_request`] as the JSON app API.
//!
//! The request must be in the signed-in beneficiary's own list first: the secret code alone
//! would not do, since several test accounts share the published code.

use crate::app::PendingRequests;
use crate::app_page::guard;
use crate::app_page::money::parse_euros;
use crate::app_page::problem::{Problem, Trouble};
use crate::app_page::render::{self, Refusal};
use crate::app_page::requests;
use crate::app_page::visit::Visit;
use crate::sandbox::Sandbox;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

/// One request's form. No `Debug`: it holds a secret code.
#[derive(Deserialize)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    csrf: String,
    /// Which button: `full`, `partial` or `decline`.
    #[serde(default)]
    action: String,
    #[serde(default)]
    secret_code: String,
    /// Euros as typed, for `partial`.
    #[serde(default)]
    amount: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    /// Cents; `None`: the full amount requested (as in the JSON API).
    Validate(Option<i64>),
    Decline,
}

pub(crate) async fn answer(
    State(sandbox): State<Sandbox>,
    visit: Visit,
    Path(transaction_id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AnswerForm>,
) -> Response {
    let Some(signed_in) = visit.signed_in() else {
        return visit.redirect("/");
    };
    if !guard::post_allowed(&headers, signed_in.session, sandbox.app_key(), &form.csrf) {
        return render::refusal(&visit, Refusal::Forbidden);
    }
    let pending = match requests::load(&sandbox, &visit, signed_in).await {
        Ok(pending) => pending,
        Err(response) => return response,
    };
    // The list again, with the trouble shown at its place.
    let refuse = |pending: &PendingRequests, trouble: Trouble| {
        let problem = Problem {
            transaction_id: transaction_id.clone(),
            trouble,
            entered_amount: form.amount.clone(),
        };
        let status = trouble.status();
        requests::draw(
            &sandbox,
            &visit,
            signed_in,
            pending,
            status,
            None,
            Some(&problem),
        )
    };
    if !pending
        .requests
        .iter()
        .any(|request| request.transaction_id == transaction_id)
    {
        return refuse(&pending, Trouble::Gone);
    }
    let answer = match read(&form) {
        Ok(answer) => answer,
        Err(Some(trouble)) => return refuse(&pending, trouble),
        Err(None) => return render::refusal(&visit, Refusal::BadRequest),
    };
    let code = &form.secret_code;
    let outcome = match answer {
        Answer::Validate(cents) => sandbox.validate_request(&transaction_id, code, cents).await,
        Answer::Decline => sandbox.decline_request(&transaction_id, code).await,
    };
    let error = match outcome {
        Ok(outcome) => {
            return match outcome.validated_amount {
                Some(cents) => {
                    visit.redirect(&format!("/requests?notice=validated&amount={cents}"))
                }
                None => visit.redirect("/requests?notice=declined"),
            };
        }
        Err(error) => error,
    };
    let Some(trouble) = Trouble::of(&error, answer == Answer::Validate(None)) else {
        return render::internal(&visit, &error);
    };
    // The list as it is now (the request may have expired meanwhile).
    match requests::load(&sandbox, &visit, signed_in).await {
        Ok(now) => refuse(&now, trouble),
        Err(response) => response,
    }
}

/// The answer the form asks for; `Err(None)` when it names no known button.
fn read(form: &AnswerForm) -> Result<Answer, Option<Trouble>> {
    let answer = match form.action.as_str() {
        "full" if form.amount.trim().is_empty() => Answer::Validate(None),
        "full" => return Err(Some(Trouble::AmountAmbiguous)),
        "partial" => Answer::Validate(Some(
            parse_euros(&form.amount).map_err(|error| Some(error.into()))?,
        )),
        "decline" => Answer::Decline,
        _ => return Err(None),
    };
    if form.secret_code.is_empty() {
        return Err(Some(Trouble::CodeMissing));
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(action: &str, amount: &str, code: &str) -> AnswerForm {
        AnswerForm {
            csrf: String::new(),
            action: action.to_owned(),
            secret_code: code.to_owned(),
            amount: amount.to_owned(),
        }
    }

    fn trouble(form: &AnswerForm) -> Option<Trouble> {
        read(form).err().flatten()
    }

    #[test]
    fn the_button_and_the_fields_make_the_answer() {
        assert_eq!(read(&form("full", " ", "1234")), Ok(Answer::Validate(None)));
        assert_eq!(
            read(&form("partial", "25,00", "1234")),
            Ok(Answer::Validate(Some(2_500)))
        );
        assert_eq!(read(&form("decline", "9", "1234")), Ok(Answer::Decline));
        assert_eq!(
            trouble(&form("full", "25", "1234")),
            Some(Trouble::AmountAmbiguous)
        );
        assert_eq!(
            trouble(&form("partial", "", "1234")),
            Some(Trouble::AmountMissing)
        );
        assert_eq!(
            trouble(&form("partial", "2,555", "1234")),
            Some(Trouble::AmountPrecision)
        );
        assert_eq!(
            trouble(&form("partial", "25 euros", "1234")),
            Some(Trouble::AmountFormat)
        );
        assert_eq!(
            trouble(&form("decline", "", "")),
            Some(Trouble::CodeMissing)
        );
        assert_eq!(read(&form("pay-twice", "", "1234")), Err(None));
    }
}
