//! Reading the small JSON bodies of the admin and app APIs field by field, so that every refusal
//! names the field (and a misspelt key is refused rather than silently ignored).

use crate::error::SandboxError;
use serde_json::{Map, Value};

pub(crate) struct JsonBody {
    fields: Map<String, Value>,
}

impl JsonBody {
    /// A JSON object whose keys are all in `known`; an empty body counts as `{}`.
    pub(crate) fn parse(bytes: &[u8], known: &[&str]) -> Result<JsonBody, SandboxError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody { fields: Map::new() });
        }
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|_| SandboxError::invalid("body", "is not JSON"))?;
        let Value::Object(fields) = value else {
            return Err(SandboxError::invalid("body", "must be a JSON object"));
        };
        if let Some(unknown) = fields.keys().find(|key| !known.contains(&key.as_str())) {
            return Err(SandboxError::invalid(
                unknown.clone(),
                format!("is not a known field (known: {})", known.join(", ")),
            ));
        }
        Ok(JsonBody { fields })
    }

    /// The value, `None` when missing or null.
    fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key).filter(|value| !value.is_null())
    }

    fn required<T>(key: &str, value: Option<T>) -> Result<T, SandboxError> {
        value.ok_or_else(|| SandboxError::invalid(key, "is missing"))
    }

    pub(crate) fn optional_string(&self, key: &str) -> Result<Option<String>, SandboxError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(SandboxError::invalid(key, "must be a string")),
        }
    }

    pub(crate) fn string(&self, key: &str) -> Result<String, SandboxError> {
        Self::required(key, self.optional_string(key)?)
    }

    /// Identifiers may come as numbers too (like the ANCV API's shopId).
    pub(crate) fn string_or_number(&self, key: &str) -> Result<String, SandboxError> {
        match self.get(key) {
            Some(Value::Number(number)) => Ok(number.to_string()),
            _ => self.string(key),
        }
    }

    pub(crate) fn optional_integer(&self, key: &str) -> Result<Option<i64>, SandboxError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(number)) => number
                .as_i64()
                .map(Some)
                .ok_or_else(|| SandboxError::invalid(key, "must be a whole number (cents)")),
            Some(_) => Err(SandboxError::invalid(key, "must be a whole number (cents)")),
        }
    }

    pub(crate) fn integer(&self, key: &str) -> Result<i64, SandboxError> {
        Self::required(key, self.optional_integer(key)?)
    }

    pub(crate) fn optional_bool(&self, key: &str) -> Result<Option<bool>, SandboxError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(_) => Err(SandboxError::invalid(key, "must be true or false")),
        }
    }

    pub(crate) fn optional_number(&self, key: &str) -> Result<Option<f64>, SandboxError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(number)) => Ok(number.as_f64()),
            Some(_) => Err(SandboxError::invalid(key, "must be a number")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_named_in_every_refusal() {
        let body = JsonBody::parse(
            br#"{"a": "x", "n": 5, "f": 1.5, "z": null}"#,
            &["a", "n", "f", "z"],
        )
        .unwrap();
        assert_eq!(body.string("a").unwrap(), "x");
        assert_eq!(body.string_or_number("n").unwrap(), "5");
        assert_eq!(body.integer("n").unwrap(), 5);
        assert!(body.integer("f").unwrap_err().to_string().starts_with("f:"));
        assert!(
            body.string("z")
                .unwrap_err()
                .to_string()
                .starts_with("z: is missing")
        );
        assert!(body.integer("a").unwrap_err().to_string().starts_with("a:"));
        let unknown = JsonBody::parse(br#"{"typo": 1}"#, &["a"]).err().unwrap();
        assert!(unknown.to_string().starts_with("typo:"));
        assert!(JsonBody::parse(b"not json", &[]).is_err());
        assert!(JsonBody::parse(b"[1]", &[]).is_err());
        assert!(
            JsonBody::parse(b"  ", &["a"])
                .unwrap()
                .optional_string("a")
                .unwrap()
                .is_none()
        );
    }
}
