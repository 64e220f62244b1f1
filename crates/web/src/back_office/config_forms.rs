//! The forms that create a point of sale and a contract (admins). The contract form is the
//! seed's: Statut, Type de moyen de paiement, Point de vente associé, N° contrat *, Libellé,
//! Devise * (Euro 978), Description, then the method's own setting, Shop ID * for
//! `ANCV_CONNECT`, and its complementary card contracts. The rules are `MerchantConfig`'s (the
//! CLI's and the JSON API's); a refusal re-shows the form as typed with the field marked (422).

use super::configuration::{
    MerchantSession, audit, merchant_post, merchant_user, points_and_contracts,
};
use super::render::{failed, page};
use super::texts::Texts;
use super::visit::Visit;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldError;
use domain::contract::{CardCode, ContractRequest, ContractStatus};
use domain::point_of_sale::PointOfSaleRequest;
use gateway::merchant_config::{ChangeError, PosKey};
use minijinja::context;
use serde::{Deserialize, Serialize};

const CHANGED: domain::audit::AuditAction = domain::audit::AuditAction::ConfigurationChanged;

/// The point-of-sale form as typed.
#[derive(Debug, Deserialize, Serialize, Default)]
#[serde(default)]
pub(super) struct PosForm {
    csrf: String,
    label: String,
    reference: String,
    session_minutes: String,
    widget_data_updates: Option<String>,
}

/// The contract form as typed (read with [`ContractForm::read`]: the complementary contracts
/// are a repeated field, which serde's URL-encoded forms cannot hold).
#[derive(Debug, Serialize, Default)]
pub(super) struct ContractForm {
    csrf: String,
    status: String,
    card_code: String,
    pos: String,
    number: String,
    label: String,
    currency: String,
    description: String,
    shop_id: String,
    complementary: Vec<String>,
}

impl ContractForm {
    /// The form from its URL-encoded body; unknown fields are ignored.
    fn read(body: &[u8]) -> ContractForm {
        let mut form = ContractForm::default();
        for (name, value) in form_urlencoded::parse(body) {
            let value = value.into_owned();
            match name.as_ref() {
                "csrf" => form.csrf = value,
                "status" => form.status = value,
                "card_code" => form.card_code = value,
                "pos" => form.pos = value,
                "number" => form.number = value,
                "label" => form.label = value,
                "currency" => form.currency = value,
                "description" => form.description = value,
                "shop_id" => form.shop_id = value,
                "complementary" => form.complementary.push(value),
                _ => {}
            }
        }
        form
    }
}

/// A refused field: which input, and the message in the page's language.
struct Refusal {
    field: &'static str,
    message: &'static str,
}

/// `GET /backoffice/points-of-sale/new`.
pub(super) async fn pos_form(State(state): State<AppState>, visit: Visit) -> Response {
    match merchant_user(&state, &visit, |role| role.may_configure()).await {
        Ok(who) => pos_page(&visit, &who, &PosForm::default(), None),
        Err(answer) => answer,
    }
}

/// `POST /backoffice/points-of-sale/new`: 303 to the configuration, or 422 with the field.
pub(super) async fn create_pos(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    Form(form): Form<PosForm>,
) -> Response {
    let who = match merchant_post(&state, &visit, &headers, &form.csrf, |role| {
        role.may_configure()
    })
    .await
    {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let texts = visit.lang.texts();
    let minutes = match form.session_minutes.trim() {
        "" => None,
        typed => match typed.parse::<i64>() {
            Ok(minutes) => Some(minutes),
            Err(_) => {
                let refusal = Refusal {
                    field: "session_minutes",
                    message: texts.err_session,
                };
                return pos_page(&visit, &who, &form, Some(refusal));
            }
        },
    };
    let request = PointOfSaleRequest {
        label: form.label.clone(),
        reference: some(&form.reference),
        session_minutes: minutes,
        widget_data_updates: form.widget_data_updates.is_some(),
    };
    match state
        .config
        .add_point_of_sale(&who.merchant, &request)
        .await
    {
        Ok(pos) => {
            let detail = format!("point of sale created: {}", pos.label);
            audit(&state, &visit, &who, CHANGED, &pos.reference, detail).await;
            Redirect::to("/backoffice/configuration?done=pos").into_response()
        }
        Err(ChangeError::Store(failure)) => failed(visit.lang, &failure),
        Err(ChangeError::Invalid(error)) => {
            pos_page(&visit, &who, &form, Some(pos_refusal(texts, &error, false)))
        }
        Err(ChangeError::Taken(error)) => {
            pos_page(&visit, &who, &form, Some(pos_refusal(texts, &error, true)))
        }
    }
}

fn pos_refusal(texts: &'static Texts, error: &FieldError, taken: bool) -> Refusal {
    match error.field.as_str() {
        "reference" if taken => Refusal {
            field: "reference",
            message: texts.err_reference_taken,
        },
        "reference" => Refusal {
            field: "reference",
            message: texts.err_reference,
        },
        "session_minutes" => Refusal {
            field: "session_minutes",
            message: texts.err_session,
        },
        _ => Refusal {
            field: "label",
            message: texts.err_pos_label,
        },
    }
}

fn pos_page(
    visit: &Visit,
    who: &MerchantSession,
    form: &PosForm,
    refusal: Option<Refusal>,
) -> Response {
    let status = if refusal.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(
        "pos_form.html",
        visit.lang,
        context! {
            csrf => who.session.csrf_secret,
            form => form,
            field => refusal.as_ref().map(|r| r.field),
            message => refusal.as_ref().map(|r| r.message),
        },
        status,
    )
}

/// `GET /backoffice/contracts/new`.
pub(super) async fn contract_form(State(state): State<AppState>, visit: Visit) -> Response {
    let who = match merchant_user(&state, &visit, |role| role.may_configure()).await {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let form = ContractForm {
        status: "active".to_owned(),
        currency: "978".to_owned(),
        ..ContractForm::default()
    };
    contract_page(&state, &visit, &who, &form, None).await
}

/// `POST /backoffice/contracts/new`: 303 to the configuration, or 422 with the field marked.
pub(super) async fn create_contract(
    State(state): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = ContractForm::read(&body);
    let who = match merchant_post(&state, &visit, &headers, &form.csrf, |role| {
        role.may_configure()
    })
    .await
    {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let texts = visit.lang.texts();
    let is_ancv = CardCode::parse("card_code", &form.card_code)
        .is_ok_and(|code| code == CardCode::AncvConnect);
    let request = ContractRequest {
        number: form.number.clone(),
        card_code: form.card_code.clone(),
        label: some(&form.label),
        currency: some(&form.currency),
        description: some(&form.description),
        shop_id: some(&form.shop_id),
        // Checked boxes of a card contract are not the merchant's intent: ignored.
        complementary: if is_ancv {
            form.complementary.clone()
        } else {
            Vec::new()
        },
    };
    let status = if form.status == "inactive" {
        ContractStatus::Inactive
    } else {
        ContractStatus::Active
    };
    let added = state
        .config
        .add_contract(
            &who.merchant,
            PosKey::Reference(&form.pos),
            &request,
            status,
        )
        .await;
    let refusal = match added {
        Ok(contract) => {
            let detail = format!("contract created: {} on {}", contract.card_code, form.pos);
            audit(
                &state,
                &visit,
                &who,
                CHANGED,
                contract.number.as_str(),
                detail,
            )
            .await;
            return Redirect::to("/backoffice/configuration?done=contract").into_response();
        }
        Err(ChangeError::Store(failure)) => return failed(visit.lang, &failure),
        Err(ChangeError::Taken(_)) => Refusal {
            field: "number",
            message: texts.err_number_taken,
        },
        Err(ChangeError::Invalid(error)) => contract_refusal(texts, &error),
    };
    contract_page(&state, &visit, &who, &form, Some(refusal)).await
}

fn contract_refusal(texts: &'static Texts, error: &FieldError) -> Refusal {
    let (field, message) = match error.field.as_str() {
        "number" => ("number", texts.err_number),
        "card_code" => ("card_code", texts.err_card_code),
        "pos" => ("pos", texts.err_pos),
        "label" => ("label", texts.err_label),
        "currency" => ("currency", texts.err_currency),
        "description" => ("description", texts.err_description),
        "shop_id" if error.rule.starts_with("is required") => {
            ("shop_id", texts.err_shop_id_required)
        }
        "shop_id" if error.rule.starts_with("only applies") => ("shop_id", texts.err_shop_id_card),
        "shop_id" => ("shop_id", texts.err_shop_id),
        _ => ("complementary", texts.err_complementary),
    };
    Refusal { field, message }
}

#[derive(Serialize)]
struct PosChoice {
    reference: String,
    label: String,
}

#[derive(Serialize)]
struct CardChoice {
    number: String,
    label: String,
    pos: String,
}

async fn contract_page(
    state: &AppState,
    visit: &Visit,
    who: &MerchantSession,
    form: &ContractForm,
    refusal: Option<Refusal>,
) -> Response {
    let (points, contracts) = match points_and_contracts(state, visit, &who.merchant).await {
        Ok(both) => both,
        Err(answer) => return answer,
    };
    let pos_choices: Vec<PosChoice> = points
        .iter()
        .map(|pos| PosChoice {
            reference: pos.reference.clone(),
            label: pos.label.clone(),
        })
        .collect();
    let cards: Vec<CardChoice> = contracts
        .iter()
        .filter(|c| c.card_code.is_card() && c.status == ContractStatus::Active)
        .map(|c| CardChoice {
            number: c.number.to_string(),
            label: c.label.clone(),
            pos: points
                .iter()
                .find(|pos| pos.id == c.pos_id)
                .map_or_else(String::new, |pos| pos.reference.clone()),
        })
        .collect();
    let status = if refusal.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(
        "contract_form.html",
        visit.lang,
        context! {
            csrf => who.session.csrf_secret,
            form => form,
            points => pos_choices,
            cards => cards,
            card_codes => ["ANCV_CONNECT", "CB", "VISA", "MASTERCARD", "AMEX"],
            field => refusal.as_ref().map(|r| r.field),
            message => refusal.as_ref().map(|r| r.message),
        },
        status,
    )
}

/// A typed value, `None` when left empty.
fn some(typed: &str) -> Option<String> {
    let typed = typed.trim();
    (!typed.is_empty()).then(|| typed.to_owned())
}
