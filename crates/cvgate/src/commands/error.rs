//! Why a command failed: [`CommandError`], which decides the exit code and how the failure is
//! reported. Every subcommand returns it; it depends on no other command.

use domain::FieldError;
use gateway::ConfigError;

/// Why a command failed, which decides its exit code and how it is reported.
pub enum CommandError {
    /// The caller's input is wrong: one line naming the field and the rule (exit code 2).
    Invalid {
        /// The text shown without `--json` (`--flag: rule`).
        line: String,
        /// The JSON line shown with `--json`.
        json: Option<String>,
    },
    /// Anything else (database down, I/O): exit code 1.
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> Self {
        CommandError::Internal(error)
    }
}

impl From<store::StoreError> for CommandError {
    fn from(error: store::StoreError) -> Self {
        CommandError::Internal(error.into())
    }
}

impl CommandError {
    /// A refused merchant-configuration change: the caller's input when a field is invalid,
    /// internal when the database failed.
    pub(super) fn from_config(error: ConfigError, json: bool) -> CommandError {
        match error {
            ConfigError::Invalid(field_error) => CommandError::invalid(&field_error, json),
            ConfigError::Store(error) => error.into(),
        }
    }

    /// Names the field as the flag that carries it (`shop_id` → `--shop-id`).
    pub(crate) fn invalid(error: &FieldError, json: bool) -> CommandError {
        let flag = format!("--{}", error.field.replace('_', "-"));
        let line = format!("{flag}: {}", error.rule);
        let json = json.then(|| {
            serde_json::json!({"error": "invalid_input", "field": error.field, "flag": flag, "message": error.rule})
                .to_string()
        });
        CommandError::Invalid { line, json }
    }
}
