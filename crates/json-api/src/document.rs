//! The OpenAPI 3.1 document: the schemas derived from the wire types, the operations from the
//! table below (one line per call, with its answers), the Basic security scheme, and the
//! `x-cvgate` mark on cvgate's own extensions.

use crate::common::{PaylineResult, Problem};
use crate::configuration::{
    Contract, ContractBody, ContractStatus, Contracts, PointOfSale, PointOfSaleBody, PointsOfSale,
};
use crate::sale::{Buyer, Order};
use crate::sessions::{
    CreateSession, NewOrder, PaymentKind, PaymentMethod, Session, SessionCreated,
};
use crate::transactions::{
    AncvData, AssociatedTransaction, AuthenticationResult, MadeTransaction, OperationAnswer,
    OperationRequest, PartnerReturnedData, PaymentInstrumentData, PaymentInstrumentType,
    Transaction, TransactionDetails, TransactionPage,
};
use serde_json::{Map, Value, json};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(components(schemas(
    PaylineResult,
    Problem,
    CreateSession,
    PaymentMethod,
    NewOrder,
    PaymentKind,
    SessionCreated,
    Session,
    Order,
    Buyer,
    Transaction,
    PaymentInstrumentData,
    PaymentInstrumentType,
    PartnerReturnedData,
    AncvData,
    AuthenticationResult,
    TransactionDetails,
    AssociatedTransaction,
    OperationRequest,
    OperationAnswer,
    MadeTransaction,
    TransactionPage,
    PointOfSale,
    PointsOfSale,
    PointOfSaleBody,
    ContractStatus,
    Contract,
    Contracts,
    ContractBody,
)))]
struct Schemas;

/// One call of the API as the document shows it. A `{name}` in the path is a path parameter.
struct Call {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    /// The request body's schema, for calls that take one.
    body: Option<&'static str>,
    /// The success status and its schema (`None`: plain text).
    ok: (u16, Option<&'static str>),
    /// Why the call may answer 404, for calls that name a resource.
    not_found: Option<&'static str>,
    /// Other refusals of the call's own (a rule of the configuration, a number in use).
    refusals: &'static [(u16, &'static str)],
    /// A cvgate extension, not part of Monext's API.
    cvgate: bool,
    /// Query parameters: name, description.
    query: &'static [(&'static str, &'static str)],
}

/// What most calls are; each entry of [`CALLS`] says how it differs.
const GET: Call = Call {
    method: "get",
    path: "",
    summary: "",
    body: None,
    ok: (200, None),
    not_found: None,
    refusals: &[],
    cvgate: false,
    query: &[],
};

const NO_SESSION: Option<&str> = Some("No such session of this merchant (02304)");
const NO_TRANSACTION: Option<&str> = Some("No such transaction of this merchant (02301)");
const NO_POINT_OF_SALE: Option<&str> = Some("This merchant has no point of sale so named");
const NO_CONTRACT: Option<&str> = Some("This merchant has no contract so numbered");
const CONFIGURATION_REFUSALS: &[(u16, &str)] = &[
    (
        409,
        "The reference or contract number is already used (`field` names it)",
    ),
    (
        422,
        "A field breaks a rule of the configuration, the CLI's rules (`field` names it)",
    ),
];

const CALLS: &[Call] = &[
    Call {
        path: "/v1/checkout/alive",
        summary: "Whether the API answers (text `OK`)",
        ..GET
    },
    Call {
        method: "post",
        path: "/v1/checkout/sessions",
        summary: "Create a web payment session (an internal doWebPayment)",
        body: Some("CreateSession"),
        ok: (201, Some("SessionCreated")),
        ..GET
    },
    Call {
        method: "post",
        path: "/v1/checkout/payments/sessions",
        summary: "Create a web payment session (the same call under Monext's other path)",
        body: Some("CreateSession"),
        ok: (201, Some("SessionCreated")),
        ..GET
    },
    Call {
        path: "/v1/checkout/sessions/{id}",
        summary: "Read a session and its transactions (counts as reading the result)",
        ok: (200, Some("Session")),
        not_found: NO_SESSION,
        ..GET
    },
    Call {
        path: "/v1/checkout/payments/sessions/{id}",
        summary: "Read a session (the same call under Monext's other path)",
        ok: (200, Some("Session")),
        not_found: NO_SESSION,
        ..GET
    },
    Call {
        path: "/v1/checkout/transactions",
        summary: "Search the merchant's transactions, oldest first, a page at a time",
        ok: (200, Some("TransactionPage")),
        cvgate: true,
        query: &[
            (
                "from",
                "Made at or after this instant (ISO 8601 with offset)",
            ),
            ("to", "Made before this instant (ISO 8601 with offset)"),
            ("orderReference", "The sale's order reference, exactly"),
            ("paymentMethodId", "The contract number"),
            (
                "status",
                "A status (`ACCEPTED`, `DONE`, `REFUSED_01100`…) or a Payline code (`00000`)",
            ),
            ("cursor", "`nextCursor` of the previous page"),
            ("limit", "Transactions per page, 1 to 500 (default 50)"),
        ],
        ..GET
    },
    Call {
        path: "/v1/checkout/transactions/{id}",
        summary: "Read a transaction, its sale and its associated transactions",
        ok: (200, Some("TransactionDetails")),
        not_found: NO_TRANSACTION,
        ..GET
    },
    Call {
        method: "post",
        path: "/v1/checkout/transactions/{id}/captures",
        summary: "Capture an authorization (doCapture)",
        body: Some("OperationRequest"),
        ok: (201, Some("OperationAnswer")),
        not_found: NO_TRANSACTION,
        ..GET
    },
    Call {
        method: "post",
        path: "/v1/checkout/transactions/{id}/refunds",
        summary: "Refund a payment after remittance (doRefund; ANCV Connect: in full, once)",
        body: Some("OperationRequest"),
        ok: (201, Some("OperationAnswer")),
        not_found: NO_TRANSACTION,
        ..GET
    },
    Call {
        method: "post",
        path: "/v1/checkout/transactions/{id}/cancels",
        summary: "Cancel a payment before remittance (doReset)",
        body: Some("OperationRequest"),
        ok: (201, Some("OperationAnswer")),
        not_found: NO_TRANSACTION,
        ..GET
    },
    Call {
        path: "/v1/points-of-sale",
        summary: "The merchant's points of sale, oldest first",
        ok: (200, Some("PointsOfSale")),
        cvgate: true,
        ..GET
    },
    Call {
        method: "post",
        path: "/v1/points-of-sale",
        summary: "Create a point of sale",
        body: Some("PointOfSaleBody"),
        ok: (201, Some("PointOfSale")),
        refusals: CONFIGURATION_REFUSALS,
        cvgate: true,
        ..GET
    },
    Call {
        path: "/v1/points-of-sale/{reference}",
        summary: "Read a point of sale",
        ok: (200, Some("PointOfSale")),
        not_found: NO_POINT_OF_SALE,
        cvgate: true,
        ..GET
    },
    Call {
        method: "patch",
        path: "/v1/points-of-sale/{reference}",
        summary: "Change a point of sale (absent fields stay as they are)",
        body: Some("PointOfSaleBody"),
        ok: (200, Some("PointOfSale")),
        not_found: NO_POINT_OF_SALE,
        refusals: CONFIGURATION_REFUSALS,
        cvgate: true,
        ..GET
    },
    Call {
        path: "/v1/contracts",
        summary: "The merchant's contracts, by point of sale then number",
        ok: (200, Some("Contracts")),
        cvgate: true,
        ..GET
    },
    Call {
        method: "post",
        path: "/v1/contracts",
        summary: "Create a contract (the seed's contract form)",
        body: Some("ContractBody"),
        ok: (201, Some("Contract")),
        refusals: CONFIGURATION_REFUSALS,
        cvgate: true,
        ..GET
    },
    Call {
        path: "/v1/contracts/{number}",
        summary: "Read a contract",
        ok: (200, Some("Contract")),
        not_found: NO_CONTRACT,
        cvgate: true,
        ..GET
    },
    Call {
        method: "patch",
        path: "/v1/contracts/{number}",
        summary: "Change a contract (absent fields stay as they are)",
        body: Some("ContractBody"),
        ok: (200, Some("Contract")),
        not_found: NO_CONTRACT,
        refusals: CONFIGURATION_REFUSALS,
        cvgate: true,
        ..GET
    },
];

/// The OpenAPI 3.1 document of the JSON API.
pub fn openapi() -> Value {
    let mut document = serde_json::to_value(Schemas::openapi()).unwrap_or_else(|_| json!({}));
    document["openapi"] = json!("3.1.0");
    document["info"] = json!({
        "title": "cvgate JSON API",
        "version": "1",
        "description": "Monext Retail (\"Checkout\") API compatible: the same merchants, \
            credentials, sessions, codes and services as cvgate's Payline v4 SOAP API. Business \
            outcomes are 2xx with a `result` (Payline's title, code, detail); every other \
            refusal is problem JSON. Operations and fields marked `x-cvgate` are cvgate's \
            extensions. Every POST takes an `Idempotency-Key`.",
    });
    document["components"]["securitySchemes"] = json!({
        "merchant": {"type": "http", "scheme": "basic",
                     "description": "merchantId:accessKey, the same credentials as SOAP"}
    });
    document["security"] = json!([{"merchant": []}]);
    document["components"]["headers"] = json!({
        "Retry-After": {"description": "Seconds to wait before trying again",
                        "schema": {"type": "integer"}}
    });
    let mut paths = Map::new();
    for call in CALLS {
        let item = paths
            .entry(call.path)
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("a path item is an object");
        item.insert(call.method.to_owned(), operation(call));
    }
    document["paths"] = Value::Object(paths);
    document
}

/// [`openapi`], as served at `/v1/openapi.json`.
pub fn openapi_json() -> String {
    serde_json::to_string_pretty(&openapi()).unwrap_or_default()
}

fn operation(call: &Call) -> Value {
    let mut operation = json!({
        "summary": call.summary,
        "operationId": operation_id(call),
        "responses": responses(call),
    });
    if call.path == "/v1/checkout/alive" {
        operation["security"] = json!([]);
    }
    let parameters = parameters(call);
    if !parameters.is_empty() {
        operation["parameters"] = Value::Array(parameters);
    }
    if let Some(body) = call.body {
        operation["requestBody"] = json!({
            "required": true,
            "content": {"application/json": {"schema": reference(body)}},
        });
    }
    if call.cvgate {
        operation["x-cvgate"] = json!(true);
    }
    operation
}

/// The success answer, then every problem answer.
fn responses(call: &Call) -> Map<String, Value> {
    let mut responses = Map::new();
    let (status, schema) = call.ok;
    let mut success = match schema {
        Some(schema) => json!({
            "description": "The answer",
            "content": {"application/json": {"schema": reference(schema)}},
        }),
        None => json!({
            "description": "OK",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }),
    };
    if schema == Some("SessionCreated") {
        // Lets a client (and schemathesis' stateful phase) follow a new session to its reading.
        success["links"] = json!({
            "GetSession": {
                "operationId": "getCheckoutSessionsId",
                "parameters": {"id": "$response.body#/sessionId"},
            }
        });
    }
    responses.insert(status.to_string(), success);
    for (status, why) in problems(call) {
        responses.insert(status.to_string(), problem_response(status, &why));
    }
    responses
}

/// Path parameters, query parameters, and the `Idempotency-Key` header of a POST.
fn parameters(call: &Call) -> Vec<Value> {
    let mut parameters = Vec::new();
    for name in path_parameters(call.path) {
        parameters.push(json!({
            "name": name, "in": "path", "required": true,
            "description": match name {
                "reference" => "The point of sale's reference",
                "number" => "The contract number",
                _ => "The session token or transaction id",
            },
            "schema": {"type": "string"},
        }));
    }
    for (name, description) in call.query {
        let schema = if *name == "limit" {
            json!({"type": "integer", "minimum": 1, "maximum": 500})
        } else {
            json!({"type": "string"})
        };
        parameters.push(json!({
            "name": name, "in": "query", "required": false,
            "description": description, "schema": schema,
        }));
    }
    if call.method == "post" {
        parameters.push(json!({
            "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "The same key with the same body replays the first answer and does \
                nothing twice (also when calls race); with another body: 422. Shared with \
                SOAP's sequenceNumber for captures, refunds and cancels.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                       "pattern": "^[!-~]+$"},
            "x-cvgate": true,
        }));
    }
    parameters
}

/// The `{name}`s of a path.
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
}

/// `get /v1/checkout/sessions/{id}` → `getCheckoutSessionsId`, `get /v1/points-of-sale` →
/// `getPointsOfSale`.
fn operation_id(call: &Call) -> String {
    let mut id = call.method.to_owned();
    for word in call.path.split(['/', '{', '}', '-']).skip(2) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id
}

/// The problem answers a call may give; one status may have several reasons.
fn problems(call: &Call) -> Vec<(u16, String)> {
    let mut reasons: Vec<(u16, &str)> = vec![
        (401, "HTTP Basic credentials missing or wrong"),
        (
            429,
            "Too many failed authentications from this address or for this merchant id: try again after `Retry-After` seconds",
        ),
    ];
    if !call.query.is_empty() {
        reasons.push((400, "A query parameter is invalid (`field` names it)"));
    }
    if call.body.is_some() {
        reasons.extend([
            (400, "The body is not well-formed JSON, or a field is missing, of the wrong type or invalid (`field` names it)"),
            (413, "The body is larger than 1 MiB"),
            (415, "The body is not JSON"),
        ]);
    }
    if call.method == "post" {
        reasons.extend([
            (
                409,
                "The first request with this Idempotency-Key is still running",
            ),
            (422, "The Idempotency-Key was used for another request"),
        ]);
    }
    reasons.extend(call.not_found.map(|why| (404, why)));
    reasons.extend(call.refusals.iter().copied());
    reasons.push((500, "cvgate failed; try again"));
    let mut problems: Vec<(u16, String)> = Vec::new();
    for (status, why) in reasons {
        match problems.iter_mut().find(|(known, _)| *known == status) {
            Some((_, all)) => {
                all.push_str("; or: ");
                all.push_str(why);
            }
            None => problems.push((status, why.to_owned())),
        }
    }
    problems.sort_by_key(|(status, _)| *status);
    problems
}

fn problem_response(status: u16, why: &str) -> Value {
    let mut response = json!({
        "description": why,
        "content": {"application/problem+json": {"schema": reference("Problem")}},
    });
    if status == 409 {
        response["headers"] = json!({"Retry-After": {"$ref": "#/components/headers/Retry-After"}});
    }
    response
}

fn reference(schema: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{schema}")})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_referenced_schema_is_defined() {
        let document = openapi();
        let text = document.to_string();
        let schemas = document["components"]["schemas"].as_object().unwrap();
        for piece in text.split("#/components/schemas/").skip(1) {
            let name: String = piece.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(
                schemas.contains_key(&name),
                "{name} is referenced, not defined"
            );
        }
    }

    #[test]
    fn it_is_openapi_3_1_with_basic_security() {
        let document = openapi();
        assert_eq!(document["openapi"], "3.1.0");
        assert_eq!(
            document["components"]["securitySchemes"]["merchant"]["scheme"],
            "basic"
        );
        let refund = &document["paths"]["/v1/checkout/transactions/{id}/refunds"]["post"];
        assert_eq!(refund["operationId"], "postCheckoutTransactionsIdRefunds");
        for status in [
            "201", "400", "401", "404", "409", "413", "415", "422", "429", "500",
        ] {
            assert!(refund["responses"][status].is_object(), "{status}");
        }
    }

    #[test]
    fn required_fields_of_the_session_request_are_marked() {
        let document = openapi();
        let required = &document["components"]["schemas"]["CreateSession"]["required"];
        for field in ["pointOfSaleReference", "order", "returnURL"] {
            assert!(
                required.as_array().unwrap().iter().any(|f| f == field),
                "{field} in {required}"
            );
        }
    }

    #[test]
    fn configuration_calls_are_marked_and_name_their_parameters() {
        let document = openapi();
        let change = &document["paths"]["/v1/contracts/{number}"]["patch"];
        assert_eq!(change["operationId"], "patchContractsNumber");
        assert_eq!(change["x-cvgate"], true);
        assert_eq!(change["parameters"][0]["name"], "number");
        assert_eq!(
            change["parameters"].as_array().unwrap().len(),
            1,
            "no Idempotency-Key"
        );
        for status in ["200", "400", "404", "409", "422"] {
            assert!(change["responses"][status].is_object(), "{status}");
        }
        let create = &document["paths"]["/v1/points-of-sale"]["post"];
        assert_eq!(create["operationId"], "postPointsOfSale");
        let conflict = create["responses"]["409"]["description"].as_str().unwrap();
        assert!(conflict.contains("Idempotency-Key") && conflict.contains("already used"));
        assert!(document["paths"]["/v1/checkout/sessions"]["post"]["x-cvgate"].is_null());
    }
}
