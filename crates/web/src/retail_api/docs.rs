//! `GET /v1/openapi.json` and `GET /v1/docs`: the OpenAPI document (`json_api::openapi`) and a
//! reference page rendered from it on the server — no script, no asset from the internet.

use crate::html_templates::escaping_environment;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, context};
use serde::Serialize;
use serde_json::Value;
use std::sync::OnceLock;

const POLICY: &str = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";
const STYLESHEET: &str = include_str!("../../assets/api_docs/docs.css");

/// The document, built once.
fn document() -> &'static (Value, String) {
    static DOCUMENT: OnceLock<(Value, String)> = OnceLock::new();
    DOCUMENT.get_or_init(|| (json_api::openapi(), json_api::openapi_json()))
}

/// `GET /v1/openapi.json`.
pub(super) async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document().1.clone(),
    )
        .into_response()
}

/// `GET /v1/docs`: the reference page.
pub(super) async fn page() -> Response {
    static PAGE: OnceLock<String> = OnceLock::new();
    let html = PAGE.get_or_init(|| render(&document().0));
    with_policy(Html(html.clone()).into_response())
}

/// `GET /v1/docs/docs.css`.
pub(super) async fn stylesheet() -> Response {
    with_policy(([(header::CONTENT_TYPE, "text/css")], STYLESHEET).into_response())
}

fn with_policy(mut response: Response) -> Response {
    crate::page_policy::protect(response.headers_mut(), POLICY);
    response
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        escaping_environment(&[(
            "reference.html",
            include_str!("../../templates/api_docs/reference.html"),
        )])
    })
}

/// One call, as the page lists it.
#[derive(Serialize)]
struct Operation {
    id: String,
    method: String,
    path: String,
    summary: String,
    cvgate: bool,
    parameters: Vec<Parameter>,
    body: Option<String>,
    responses: Vec<Answer>,
}

#[derive(Serialize)]
struct Parameter {
    name: String,
    place: String,
    required: bool,
    description: String,
}

#[derive(Serialize)]
struct Answer {
    status: String,
    description: String,
    media: String,
    schema: Option<String>,
}

/// One schema, as the page shows it.
#[derive(Serialize)]
struct Schema {
    name: String,
    description: String,
    properties: Vec<Property>,
    example: Option<String>,
}

#[derive(Serialize)]
struct Property {
    name: String,
    kind: String,
    link: Option<String>,
    required: bool,
    description: String,
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// The schema name of a `$ref`.
fn referenced(value: &Value) -> Option<String> {
    value["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .map(str::to_owned)
}

fn render(document: &Value) -> String {
    let operations: Vec<Operation> = document["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .map(move |(method, op)| operation(path, method, op))
        })
        .collect();
    let schemas: Vec<Schema> = document["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| describe(name, schema))
        .collect();
    templates()
        .get_template("reference.html")
        .and_then(|template| {
            template.render(context! {
                title => text(&document["info"]["title"]),
                description => text(&document["info"]["description"]),
                operations => operations,
                schemas => schemas,
            })
        })
        .unwrap_or_else(|error| format!("the reference page failed: {error}"))
}

fn operation(path: &str, method: &str, op: &Value) -> Operation {
    let parameters = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| Parameter {
            name: text(&p["name"]),
            place: text(&p["in"]),
            required: p["required"].as_bool().unwrap_or(false),
            description: text(&p["description"]),
        })
        .collect();
    let responses = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(status, answer)| {
            let (media, schema) = answer["content"]
                .as_object()
                .and_then(|content| content.iter().next())
                .map(|(media, c)| (media.clone(), referenced(&c["schema"])))
                .unwrap_or_default();
            Answer {
                status: status.clone(),
                description: text(&answer["description"]),
                media,
                schema,
            }
        })
        .collect();
    Operation {
        id: text(&op["operationId"]),
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
        summary: text(&op["summary"]),
        cvgate: op["x-cvgate"].as_bool().unwrap_or(false),
        parameters,
        body: referenced(&op["requestBody"]["content"]["application/json"]["schema"]),
        responses,
    }
}

fn describe(name: &str, schema: &Value) -> Schema {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let properties = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(field, property)| {
            let (kind, link) = kind_of(property);
            Property {
                name: field.clone(),
                kind,
                link,
                required: required.contains(&field.as_str()),
                description: description_of(property),
            }
        })
        .collect();
    Schema {
        name: name.to_owned(),
        description: text(&schema["description"]),
        properties,
        example: schema
            .get("example")
            .and_then(|e| serde_json::to_string_pretty(e).ok()),
    }
}

/// A property's type in words, and the schema it links to.
fn kind_of(property: &Value) -> (String, Option<String>) {
    if let Some(name) = referenced(property) {
        return (name.clone(), Some(name));
    }
    if let Some(variants) = property["oneOf"].as_array() {
        let named = variants.iter().find_map(referenced);
        let nullable = variants.iter().any(|v| v["type"] == "null");
        if let Some(name) = named {
            let kind = if nullable {
                format!("{name} or null")
            } else {
                name.clone()
            };
            return (kind, Some(name));
        }
    }
    let types: Vec<String> = match &property["type"] {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many.iter().map(text).collect(),
        _ => vec!["any".to_owned()],
    };
    let mut link = None;
    let words: Vec<String> = types
        .into_iter()
        .map(|kind| match kind.as_str() {
            "array" => {
                let (item, item_link) = kind_of(&property["items"]);
                link = item_link;
                format!("array of {item}")
            }
            "object" if property["additionalProperties"].is_object() => "map of string".to_owned(),
            _ => kind,
        })
        .collect();
    (words.join(" or "), link)
}

/// A property's description; a `$ref` inside `oneOf` (an optional object) carries it there.
fn description_of(property: &Value) -> String {
    std::iter::once(property)
        .chain(property["oneOf"].as_array().into_iter().flatten())
        .map(|v| text(&v["description"]))
        .find(|d| !d.is_empty())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_lists_every_call_and_schema() {
        let document = json_api::openapi();
        let html = render(&document);
        for (path, item) in document["paths"].as_object().unwrap() {
            for operation in item.as_object().unwrap().values() {
                let id = operation["operationId"].as_str().unwrap();
                assert!(html.contains(&format!("id=\"{id}\"")), "{path}: {id}");
            }
        }
        for name in document["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
        {
            assert!(html.contains(&format!("id=\"schema-{name}\"")), "{name}");
        }
    }

    #[test]
    fn types_are_said_in_words() {
        let (kind, link) = kind_of(&serde_json::json!({
            "type": ["array", "null"], "items": {"$ref": "#/components/schemas/Transaction"}
        }));
        assert_eq!(kind, "array of Transaction or null");
        assert_eq!(link.as_deref(), Some("Transaction"));
    }
}
