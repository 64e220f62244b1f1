//! What each fuzz target does with its input. `.ci/fuzz` replays the inputs kept in
//! `regressions/<target>/` (each once crashed a target) before fuzzing for a bounded time.

use serde::de::DeserializeOwned;

/// A SOAP request body as the endpoint reads it: the envelope, then every request decoder on
/// its operation's element (the endpoint runs one; the fuzzer tries them all).
pub fn soap_request(body: &[u8]) {
    use soap::{direct_payment_api, extended_api, web_payment_api};
    let Ok(request) = soap::envelope::parse_request(body) else {
        return;
    };
    let element = &request.body;
    std::hint::black_box((
        web_payment_api::decode_do_web_payment(element),
        web_payment_api::decode_token(element),
        direct_payment_api::decode_do_refund(element),
        direct_payment_api::decode_do_reset(element),
        direct_payment_api::decode_do_capture(element),
        direct_payment_api::decode_do_authorization(element),
        extended_api::decode_get_transaction_details(element),
        extended_api::decode_transactions_search(element),
    ));
}

/// A JSON API body read as each of the bodies the API accepts, the way its handlers read them
/// (`serde_path_to_error`, then nothing but blanks after the value).
pub fn json_api_bodies(body: &[u8]) {
    fn read<T: DeserializeOwned>(body: &[u8]) {
        let mut reader = serde_json::Deserializer::from_slice(body);
        if let Ok(value) = serde_path_to_error::deserialize::<_, T>(&mut reader) {
            std::hint::black_box(value);
            let _ = reader.end();
        }
    }
    read::<json_api::CreateSession>(body);
    read::<json_api::OperationRequest>(body);
    read::<json_api::PointOfSaleBody>(body);
    read::<json_api::ContractBody>(body);
}

/// An ANCV notification: the JSON, the fields its seal covers, and the seal check (the seal
/// is taken from the body's first line when it has several, so the fuzzer varies both).
pub fn ancv_notification(input: &[u8]) {
    let (seal, body) = match input.iter().position(|&b| b == b'\n') {
        Some(at) => (std::str::from_utf8(&input[..at]).ok(), &input[at + 1..]),
        None => (None, input),
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    let fields = ancv::seal::Operation::Notification.fields(&json);
    let Ok(key) = ancv::seal::SealKey::new("ver001", "663768ff68ad8ea6768bbf65163e9b0a") else {
        return;
    };
    let keyring = ancv::seal::SealKeyring::new(vec![key]);
    std::hint::black_box(keyring.verify(seal, &fields).is_ok());
    std::hint::black_box(json.pointer("/transaction/id").and_then(|id| id.as_str()));
}
