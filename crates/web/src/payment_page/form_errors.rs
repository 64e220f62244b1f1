//! The service's refusals of a page form, as the buyer reads them on that form: always in the
//! page's language (the service's own words are for logs, and are in English), with the HTTP
//! status of the answer. A refusal caused by what the buyer typed is not logged.

use super::view::{FormError, Scope};
use crate::texts::{beneficiary_message, field_message, texts, too_many_requests};
use axum::http::StatusCode;
use domain::web_payment::request::Language;
use gateway::web_payments::WebPaymentError;

/// A refused form: what to tell the buyer, and how to answer.
pub(super) struct FormProblem {
    /// The message and the field it concerns.
    pub error: FormError,
    /// 422 (what was typed), 409 (not now), 429 (too many tries).
    pub status: StatusCode,
    /// For 429: when the next try will be taken (`Retry-After`).
    pub retry_after: Option<u64>,
}

/// The Chèque-Vacances form's refusal; `None` for an error that is not the form's (unknown
/// token, database failure).
pub(super) fn ancv(error: &WebPaymentError, language: Language) -> Option<FormProblem> {
    let t = texts(language);
    let on_field =
        |message: String, status| problem(Scope::Ancv, message, Some("beneficiary"), status);
    Some(match error {
        WebPaymentError::Invalid(invalid) => {
            let message = field_message(language, invalid).to_owned();
            problem(
                Scope::Ancv,
                message,
                Some(&invalid.field),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        WebPaymentError::Beneficiary(beneficiary) => on_field(
            beneficiary_message(language, *beneficiary).to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        WebPaymentError::TooManyAttempts {
            retry_after_seconds,
        } => {
            let message = too_many_requests(language, *retry_after_seconds);
            FormProblem {
                retry_after: Some(*retry_after_seconds),
                ..on_field(message, StatusCode::TOO_MANY_REQUESTS)
            }
        }
        WebPaymentError::NotNow(_) | WebPaymentError::NotAllowed(_) => problem(
            Scope::Ancv,
            t.ancv_not_now.to_owned(),
            None,
            StatusCode::CONFLICT,
        ),
        WebPaymentError::Refused(_) | WebPaymentError::UnknownToken | WebPaymentError::Store(_) => {
            return None;
        }
    })
}

/// The card form's refusal; `None` for an error that is not the form's.
pub(super) fn card(error: &WebPaymentError, language: Language) -> Option<FormProblem> {
    let t = texts(language);
    Some(match error {
        WebPaymentError::Invalid(invalid) => {
            let message = field_message(language, invalid).to_owned();
            problem(
                Scope::Card,
                message,
                Some(&invalid.field),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        WebPaymentError::NotNow(_) | WebPaymentError::NotAllowed(_) => problem(
            Scope::Card,
            t.card_not_now.to_owned(),
            None,
            StatusCode::CONFLICT,
        ),
        WebPaymentError::Beneficiary(_)
        | WebPaymentError::TooManyAttempts { .. }
        | WebPaymentError::Refused(_)
        | WebPaymentError::UnknownToken
        | WebPaymentError::Store(_) => return None,
    })
}

fn problem(scope: Scope, message: String, field: Option<&str>, status: StatusCode) -> FormProblem {
    FormProblem {
        error: FormError {
            message,
            field: field.map(str::to_owned),
            scope,
        },
        status,
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::FieldError;
    use domain::return_code::ReturnCode;
    use gateway::web_payments::BeneficiaryProblem;

    fn ancv_message(error: &WebPaymentError, language: Language) -> String {
        ancv(error, language).unwrap().error.message
    }

    #[test]
    fn each_beneficiary_problem_has_its_own_words() {
        let unknown = WebPaymentError::Beneficiary(BeneficiaryProblem::UnknownAccount);
        let pending = WebPaymentError::Beneficiary(BeneficiaryProblem::RequestPending);
        let other =
            WebPaymentError::Beneficiary(BeneficiaryProblem::Other(ReturnCode::PartnerRefused));
        let french = [&unknown, &pending, &other].map(|e| ancv_message(e, Language::French));
        assert!(french[0].contains("Aucun compte"), "{}", french[0]);
        assert!(french[1].contains("déjà en attente"), "{}", french[1]);
        assert_ne!(french[2], french[0]);
        let problem = ancv(&pending, Language::English).unwrap();
        assert_eq!(problem.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem.error.field.as_deref(), Some("beneficiary"));
        assert!(problem.error.message.contains("already pending"));
    }

    #[test]
    fn too_many_attempts_is_a_429_in_minutes() {
        let error = WebPaymentError::TooManyAttempts {
            retry_after_seconds: 125,
        };
        let problem = ancv(&error, Language::French).unwrap();
        assert_eq!(problem.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(problem.retry_after, Some(125));
        assert!(
            problem.error.message.contains("3\u{a0}min"),
            "{}",
            problem.error.message
        );
    }

    #[test]
    fn the_services_english_words_never_reach_the_page() {
        let not_now = WebPaymentError::NotNow("a card payment is not possible now".into());
        let card = card(&not_now, Language::French).unwrap();
        assert_eq!(card.status, StatusCode::CONFLICT);
        assert!(!card.error.message.contains("not possible now"));
        assert!(card.error.message.contains("paiement par carte"));
        let unknown_field = WebPaymentError::Invalid(FieldError::new("card.other", "is wrong"));
        let message = super::card(&unknown_field, Language::French)
            .unwrap()
            .error
            .message;
        assert_eq!(message, texts(Language::French).field_invalid);
        let contract = WebPaymentError::Invalid(FieldError::new("contract", "is not offered"));
        let message = super::card(&contract, Language::English)
            .unwrap()
            .error
            .message;
        assert!(message.contains("card types"), "{message}");
        assert!(super::card(&WebPaymentError::UnknownToken, Language::French).is_none());
    }
}
