//! The settled answer of a capture, refund or reset asked with a key — SOAP's `sequenceNumber`
//! or the JSON API's `Idempotency-Key` — as the replay store keeps it. Both surfaces share one
//! key space (merchant, Payline operation, transaction, key), so the answer is stored in both
//! forms when it is first given (each surface renders both: `soap_api::after_sale_body`,
//! `retail_api::operation_body`), and a repeat on either surface gets the first answer,
//! unchanged, in its own form.

use serde_json::{Value, json};

/// The stored form of an answer: its SOAP body and its JSON API body.
pub(crate) fn remembered(soap: String, json: &json_api::OperationAnswer) -> String {
    json!({"soap": soap, "json": json}).to_string()
}

/// The SOAP body of a stored answer. Answers stored before both forms were kept are the SOAP
/// body itself.
pub(crate) fn soap_form(stored: String) -> String {
    match serde_json::from_str::<Value>(&stored) {
        Ok(Value::Object(mut forms)) => match forms.remove("soap") {
            Some(Value::String(soap)) => soap,
            _ => stored,
        },
        _ => stored,
    }
}

/// The JSON API body of a stored answer; `None` for an answer stored in SOAP form only (before
/// both forms were kept).
pub(crate) fn json_form(stored: &str) -> Option<Value> {
    match serde_json::from_str::<Value>(stored) {
        Ok(Value::Object(mut forms)) => forms.remove("json"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_stored_before_both_forms_were_kept_is_its_soap_body() {
        let legacy = "<soap:Envelope/>".to_owned();
        assert_eq!(soap_form(legacy.clone()), legacy);
        assert_eq!(json_form(&legacy), None);
    }

    #[test]
    fn each_surface_reads_its_own_form() {
        let stored = json!({"soap": "<x/>", "json": {"result": {"code": "00000"}}}).to_string();
        assert_eq!(soap_form(stored.clone()), "<x/>");
        assert_eq!(
            json_form(&stored),
            Some(json!({"result": {"code": "00000"}}))
        );
    }
}
