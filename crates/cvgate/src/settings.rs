//! Settings: defaults, then the TOML file given by `--config`, then `CVGATE_*` environment
//! variables, then command-line flags (the last one wins).
//!
//! Keys are TOML keys (`listen`, `[ancv] base_url` → `ancv.base_url`); the environment spells
//! them `CVGATE_LISTEN`, `CVGATE_ANCV__BASE_URL`. Every invalid value stops the start with one
//! line naming the key and where the value came from. Secret values are never echoed.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use store::DatabaseUrl;

const ENV_PREFIX: &str = "CVGATE_";

/// The settings cvgate knows; anything else in a config file is a mistake worth reporting.
const KNOWN_KEYS: &[&str] = &[
    "listen",
    "public_url",
    "env",
    "database_url",
    "log_format",
    "ancv.base_url",
    "ancv.service_provider_id",
    "ancv.seal_key",
    "ancv.seal_key_version",
    "ancv.connect_timeout_ms",
    "ancv.read_timeout_ms",
    "ancv.poll_interval_ms",
    "sandbox.ancv.validation_window_secs",
    "sandbox.ancv.auto_delay_ms",
    "remittance_time",
    "card.base_url",
    "card.connect_timeout_ms",
    "card.read_timeout_ms",
    "card.never_arrived_after_secs",
    "notifications.retry_every_secs",
    "notifications.give_up_after_secs",
    "notifications.allow_private_addresses",
    "notifications.max_per_second",
    "jobs.workers",
    "jobs.max_failures",
    "trusted_proxies",
    "metrics_listen",
    "security.key_secret",
    "security.key_secret_file",
];

/// The homologation defaults of `[ancv]`: the sandbox's service provider and the published test
/// key (spec ancv-connect §2, §6). Production must configure its own.
const SANDBOX_SERVICE_PROVIDER: &str = ancv_sandbox::seed::DEFAULT_SERVICE_PROVIDER_ID;
const SANDBOX_SEAL_KEY: &str = ancv_sandbox::seed::PUBLISHED_SEAL_KEY;
const SANDBOX_SEAL_KEY_VERSION: &str = ancv_sandbox::seed::DEFAULT_SEAL_KEY_VERSION;

/// Which world cvgate runs in (setting `env`): it decides the defaults and the sandboxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Testing: the sandboxes, the demo merchant and the published test key are there.
    Homologation,
    /// Real money: no sandbox, every partner setting must be given.
    Production,
}

impl Environment {
    /// The name as written in settings and shown in logs (`homologation`, `production`).
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Homologation => "homologation",
            Environment::Production => "production",
        }
    }
}

/// How logs are written on stderr (setting `log_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One readable line per event, for people.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Every setting, resolved from the layers and checked: what the commands run with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address and port the server binds.
    pub listen: SocketAddr,
    /// Absolute base URL given to merchants and buyers; `None` means `http://<bound address>`.
    pub public_url: Option<String>,
    /// Homologation or production.
    pub env: Environment,
    /// The database every command opens (SQLite or PostgreSQL).
    pub database_url: DatabaseUrl,
    /// Text or JSON logs.
    pub log_format: LogFormat,
    /// `[ancv]`: how cvgate reaches ANCV.
    pub ancv: AncvSettings,
    /// `[sandbox.ancv]`: how the homologation ANCV sandbox behaves.
    pub sandbox_ancv: SandboxAncvSettings,
    /// When the daily card remittance runs (Europe/Paris).
    pub remittance_time: card::RemittanceTime,
    /// `[card]`: how cvgate reaches the acquirer.
    pub card: CardSettings,
    /// `[notifications]`: how merchants are notified.
    pub notifications: NotificationSettings,
    /// `[jobs]`: the background worker.
    pub jobs: JobSettings,
    /// `[security]`: the operator's secrets.
    pub security: SecuritySettings,
    /// The proxies whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: web::TrustedProxies,
    /// Where `/metrics` is served instead of `listen` (`None`: with everything else).
    pub metrics_listen: Option<SocketAddr>,
}

/// `[security]`: secrets the operator supplies.
#[derive(Debug, Clone)]
pub struct SecuritySettings {
    /// The secret merchants' access keys are hashed with (`key_secret`, or the contents of
    /// `key_secret_file`). `None`: homologation keeps the one generated into the database;
    /// production refuses to start.
    pub key_secret: Option<Secret>,
}

/// `[jobs]`: the background worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobSettings {
    /// Jobs run at once (at most half of them merchant notifications).
    pub workers: usize,
    /// Failures in a row after which a job is dead (kept for `cvgate jobs retry`).
    pub max_failures: i64,
}

/// `[card]`: the acquirer.
#[derive(Debug, Clone)]
pub struct CardSettings {
    /// `None`: in homologation the in-process card sandbox over loopback HTTP; in production no
    /// acquirer (card payments are refused — test cards must never pay for real).
    pub base_url: Option<String>,
    /// How long connecting to the acquirer may take before the call fails.
    pub connect_timeout_ms: u64,
    /// How long the acquirer may take to answer (its outcome is then unknown and checked later).
    pub read_timeout_ms: u64,
    /// An authorization the acquirer still does not know this long after it was sent never
    /// arrived (declined): far longer than any request could still be on its way.
    pub never_arrived_after_secs: u64,
}

/// `[notifications]`: merchant notifications (WEBTRS/TRS).
#[derive(Debug, Clone)]
pub struct NotificationSettings {
    /// How long after a failed delivery the notification is sent again.
    pub retry_every_secs: u64,
    /// How long after the first attempt cvgate stops trying.
    pub give_up_after_secs: u64,
    /// Whether notification URLs may reach loopback/private networks (default: only in
    /// homologation).
    pub allow_private_addresses: bool,
    /// How many notifications an instance starts a second at most (default 100): a backlog
    /// (a merchant's server down) takes a bounded share of the machine, never the payments'.
    pub max_per_second: u32,
}

/// `[ancv]`: the connector to ANCV's acquisition API.
#[derive(Debug, Clone)]
pub struct AncvSettings {
    /// `None` in homologation means the in-process sandbox, reached over loopback HTTP.
    pub base_url: Option<String>,
    /// cvgate's service provider id at ANCV.
    pub service_provider_id: String,
    /// The key that seals requests to ANCV and checks its notifications.
    pub seal_key: Secret,
    /// The seal key's version, sent with every sealed request (e.g. `ver001`).
    pub seal_key_version: String,
    /// How long connecting to ANCV may take before the call fails.
    pub connect_timeout_ms: u64,
    /// How long ANCV may take to answer (its outcome is then unknown and checked later).
    pub read_timeout_ms: u64,
    /// How often a payment waiting for the beneficiary is polled at ANCV.
    pub poll_interval_ms: u64,
}

/// `[sandbox.ancv]`: the homologation ANCV sandbox.
#[derive(Debug, Clone)]
pub struct SandboxAncvSettings {
    /// How long a beneficiary has to answer a payment request in the app.
    pub validation_window_secs: u64,
    /// How long the automatic test beneficiaries wait before they answer.
    pub auto_delay_ms: u64,
}

/// A secret setting: `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that needs it (never for logs).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<secret>")
    }
}

/// Where a value came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The `--config` file at this path.
    File(PathBuf),
    /// This `CVGATE_*` environment variable.
    Env(String),
    /// This command-line flag.
    Flag(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => write!(f, "from {}", path.display()),
            Origin::Env(var) => write!(f, "from ${var}"),
            Origin::Flag(flag) => write!(f, "from {flag}"),
        }
    }
}

/// A setting that cannot be used: one line, naming the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError(pub String);

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingError {}

/// Raw values by key, each with its origin; later layers replace earlier ones.
#[derive(Debug, Default, Clone)]
pub struct Layers {
    values: BTreeMap<String, (String, Origin)>,
}

impl Layers {
    /// Reads the TOML file; unknown keys and non-scalar values are errors.
    pub fn file(&mut self, path: &Path) -> Result<(), SettingError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            SettingError(format!(
                "cannot read the config file {}: {e}",
                path.display()
            ))
        })?;
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            SettingError(format!(
                "config file {} is not valid TOML: {}",
                path.display(),
                e.message()
            ))
        })?;
        self.table(path, "", &table)
    }

    fn table(
        &mut self,
        path: &Path,
        prefix: &str,
        table: &toml::Table,
    ) -> Result<(), SettingError> {
        for (name, value) in table {
            let key = format!("{prefix}{name}");
            let text = match value {
                toml::Value::Table(inner) => {
                    self.table(path, &format!("{key}."), inner)?;
                    continue;
                }
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Float(x) => x.to_string(),
                _ => {
                    return Err(SettingError(format!(
                        "setting {key} (from {}): must be a string, a number or a boolean",
                        path.display()
                    )));
                }
            };
            if !KNOWN_KEYS.contains(&key.as_str()) {
                return Err(SettingError(format!(
                    "unknown setting {key} in {} (known: {})",
                    path.display(),
                    KNOWN_KEYS.join(", ")
                )));
            }
            self.values
                .insert(key, (text, Origin::File(path.to_owned())));
        }
        Ok(())
    }

    /// Takes the `CVGATE_*` variables that name known settings (others, like the tests'
    /// `CVGATE_TEST_POSTGRES_URL`, are not settings and are left alone).
    pub fn environment(&mut self, vars: impl IntoIterator<Item = (String, String)>) {
        for (var, value) in vars {
            let Some(name) = var.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let key = name.to_ascii_lowercase().replace("__", ".");
            if KNOWN_KEYS.contains(&key.as_str()) {
                self.values.insert(key, (value, Origin::Env(var)));
            }
        }
    }

    /// A command-line flag's value for `key`, if given.
    pub fn flag(&mut self, key: &str, flag: &str, value: Option<&str>) {
        debug_assert!(KNOWN_KEYS.contains(&key), "{key} is not a known setting");
        if let Some(value) = value {
            self.values.insert(
                key.to_owned(),
                (value.to_owned(), Origin::Flag(flag.to_owned())),
            );
        }
    }

    fn parse<T>(
        &self,
        key: &str,
        secret: bool,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, SettingError> {
        let Some((raw, origin)) = self.values.get(key) else {
            return Ok(None);
        };
        parse(raw.trim()).map(Some).map_err(|rule| {
            if secret {
                SettingError(format!("setting {key} ({origin}): {rule}"))
            } else {
                SettingError(format!("setting {key} ({origin}): {rule}; got {raw:?}"))
            }
        })
    }

    /// The settings: each layer's value or the default, checked; the first bad one is the error.
    pub fn resolve(&self) -> Result<Settings, SettingError> {
        let env = self
            .parse("env", false, parse_env)?
            .unwrap_or(Environment::Homologation);
        Ok(Settings {
            listen: self
                .parse("listen", false, parse_listen)?
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            public_url: self.parse("public_url", false, parse_public_url)?,
            env,
            // The URL may hold a password: it is never echoed back.
            database_url: self
                .parse("database_url", true, |v| {
                    DatabaseUrl::parse(v).map_err(|e| e.to_string())
                })?
                .unwrap_or_else(DatabaseUrl::default_sqlite),
            log_format: self
                .parse("log_format", false, parse_log_format)?
                .unwrap_or(LogFormat::Text),
            ancv: self.ancv(env)?,
            security: self.security(env)?,
            trusted_proxies: self
                .parse("trusted_proxies", false, web::TrustedProxies::parse)?
                .unwrap_or_default(),
            metrics_listen: self.parse("metrics_listen", false, parse_listen)?,
            remittance_time: self
                .parse("remittance_time", false, |v| {
                    card::RemittanceTime::parse("remittance_time", v).map_err(|e| e.rule)
                })?
                .unwrap_or(card::RemittanceTime::DEFAULT),
            card: self.card(env)?,
            notifications: NotificationSettings {
                retry_every_secs: self
                    .parse("notifications.retry_every_secs", false, positive)?
                    .unwrap_or(60),
                give_up_after_secs: self
                    .parse("notifications.give_up_after_secs", false, positive)?
                    .unwrap_or(7_200),
                allow_private_addresses: self
                    .parse("notifications.allow_private_addresses", false, parse_bool)?
                    .unwrap_or(env == Environment::Homologation),
                max_per_second: self
                    .parse("notifications.max_per_second", false, |v| {
                        whole_number_in(v, 1, 10_000)
                    })?
                    .unwrap_or(100),
            },
            jobs: JobSettings {
                workers: self
                    .parse("jobs.workers", false, |v| whole_number_in(v, 2, 64))?
                    .unwrap_or(4),
                max_failures: self
                    .parse("jobs.max_failures", false, |v| whole_number_in(v, 1, 1000))?
                    .unwrap_or(10),
            },
            sandbox_ancv: SandboxAncvSettings {
                validation_window_secs: self
                    .parse("sandbox.ancv.validation_window_secs", false, positive)?
                    .unwrap_or(300),
                auto_delay_ms: self
                    .parse("sandbox.ancv.auto_delay_ms", false, non_negative)?
                    .unwrap_or(2000),
            },
        })
    }

    /// A partner's base URL: http(s) in homologation, https only in production.
    /// `[card]`, the wait before an unknown authorization counts as never arrived checked
    /// against the read timeout: a request still on its way must not be declared lost.
    fn card(&self, env: Environment) -> Result<CardSettings, SettingError> {
        let card = CardSettings {
            base_url: self.partner_url("card.base_url", env)?,
            connect_timeout_ms: self
                .parse("card.connect_timeout_ms", false, positive)?
                .unwrap_or(2_000),
            read_timeout_ms: self
                .parse("card.read_timeout_ms", false, positive)?
                .unwrap_or(10_000),
            never_arrived_after_secs: self
                .parse("card.never_arrived_after_secs", false, |v| {
                    whole_number_in(v, 10, 86_400)
                })?
                .unwrap_or(300),
        };
        if card.never_arrived_after_secs.saturating_mul(1_000) <= card.read_timeout_ms {
            return Err(SettingError(format!(
                "setting card.never_arrived_after_secs: must be longer than card.read_timeout_ms ({} ms); got {} s",
                card.read_timeout_ms, card.never_arrived_after_secs
            )));
        }
        Ok(card)
    }

    fn partner_url(&self, key: &str, env: Environment) -> Result<Option<String>, SettingError> {
        self.parse(key, false, |value| {
            let url = parse_http_url(value)?;
            match env {
                Environment::Production if !url.starts_with("https://") => {
                    Err("must be an https:// URL in production".to_owned())
                }
                _ => Ok(url),
            }
        })
    }

    /// `[security]`: `key_secret` or `key_secret_file` (not both); required in production.
    fn security(&self, env: Environment) -> Result<SecuritySettings, SettingError> {
        let given = self.parse("security.key_secret", true, parse_key_secret)?;
        let from_file = self.parse("security.key_secret_file", false, |path| {
            let text = std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read the file: {error}"))?;
            parse_key_secret(text.trim()).map_err(|rule| format!("its contents {rule}"))
        })?;
        let key_secret = match (given, from_file) {
            (Some(_), Some(_)) => {
                return Err(SettingError(
                    "settings security.key_secret and security.key_secret_file: give only one"
                        .to_owned(),
                ));
            }
            (given, from_file) => given.or(from_file),
        };
        if env == Environment::Production && key_secret.is_none() {
            return Err(SettingError(
                "setting security.key_secret: is required in production (the secret access keys \
                 are hashed with, at least 32 characters; or security.key_secret_file)"
                    .to_owned(),
            ));
        }
        Ok(SecuritySettings { key_secret })
    }

    fn ancv(&self, env: Environment) -> Result<AncvSettings, SettingError> {
        let base_url = self.partner_url("ancv.base_url", env)?;
        let service_provider_id = self.parse("ancv.service_provider_id", false, parse_digits)?;
        let seal_key = self.parse("ancv.seal_key", true, parse_seal_key)?;
        let seal_key_version = self.parse("ancv.seal_key_version", false, parse_key_version)?;
        let (service_provider_id, seal_key, seal_key_version) = match env {
            Environment::Homologation => (
                service_provider_id.unwrap_or_else(|| SANDBOX_SERVICE_PROVIDER.to_owned()),
                seal_key.unwrap_or_else(|| Secret(SANDBOX_SEAL_KEY.to_owned())),
                seal_key_version.unwrap_or_else(|| SANDBOX_SEAL_KEY_VERSION.to_owned()),
            ),
            Environment::Production => {
                let required = |key: &str, what: &str| {
                    SettingError(format!("setting {key}: is required in production ({what})"))
                };
                if base_url.is_none() {
                    return Err(required(
                        "ancv.base_url",
                        "the ANCV acquisition API base URL",
                    ));
                }
                (
                    service_provider_id.ok_or_else(|| {
                        required("ancv.service_provider_id", "your ANCV service provider id")
                    })?,
                    seal_key
                        .ok_or_else(|| required("ancv.seal_key", "the ANCV-Security seal key"))?,
                    seal_key_version.ok_or_else(|| {
                        required("ancv.seal_key_version", "the seal key version, e.g. ver001")
                    })?,
                )
            }
        };
        Ok(AncvSettings {
            base_url,
            service_provider_id,
            seal_key,
            seal_key_version,
            connect_timeout_ms: self
                .parse("ancv.connect_timeout_ms", false, positive)?
                .unwrap_or(5_000),
            read_timeout_ms: self
                .parse("ancv.read_timeout_ms", false, positive)?
                .unwrap_or(10_000),
            poll_interval_ms: self
                .parse("ancv.poll_interval_ms", false, positive)?
                .unwrap_or(3_000),
        })
    }
}

fn parse_listen(value: &str) -> Result<SocketAddr, String> {
    value
        .parse()
        .map_err(|_| "must be an address and port, e.g. 127.0.0.1:8080 or [::1]:8080".to_owned())
}

/// An absolute http(s) URL without query or fragment; a trailing `/` is dropped.
pub fn parse_public_url(value: &str) -> Result<String, String> {
    let rule = || {
        "must be an absolute http:// or https:// URL without query or fragment, e.g. https://pay.example.com".to_owned()
    };
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
        .ok_or_else(rule)?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || value.contains(['?', '#', ' ']) || value.chars().any(char::is_control) {
        return Err(rule());
    }
    Ok(value.trim_end_matches('/').to_owned())
}

fn parse_http_url(value: &str) -> Result<String, String> {
    parse_public_url(value).map_err(|_| "must be an absolute http:// or https:// URL".to_owned())
}

fn parse_digits(value: &str) -> Result<String, String> {
    if !value.is_empty() && value.len() <= 20 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err("must be 1 to 20 digits".to_owned())
    }
}

fn parse_seal_key(value: &str) -> Result<Secret, String> {
    if value.len() < 16 {
        return Err("must be at least 16 characters".to_owned());
    }
    Ok(Secret(value.to_owned()))
}

fn parse_key_secret(value: &str) -> Result<Secret, String> {
    if value.chars().count() < 32 {
        return Err("must be at least 32 characters".to_owned());
    }
    Ok(Secret(value.to_owned()))
}

fn parse_key_version(value: &str) -> Result<String, String> {
    if !value.is_empty()
        && value.len() <= 32
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(value.to_owned())
    } else {
        Err("must be 1 to 32 letters, digits, '-' or '_' (e.g. ver001)".to_owned())
    }
}

fn positive(value: &str) -> Result<u64, String> {
    value
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| "must be a whole number greater than 0".to_owned())
}

fn whole_number_in<T: TryFrom<u64>>(value: &str, min: u64, max: u64) -> Result<T, String> {
    value
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| format!("must be a whole number from {min} to {max}"))
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("must be true or false".to_owned()),
    }
}

fn non_negative(value: &str) -> Result<u64, String> {
    value
        .parse::<u64>()
        .map_err(|_| "must be a whole number (0 or more)".to_owned())
}

fn parse_env(value: &str) -> Result<Environment, String> {
    match value {
        "homologation" => Ok(Environment::Homologation),
        "production" => Ok(Environment::Production),
        _ => Err("must be homologation or production".to_owned()),
    }
}

fn parse_log_format(value: &str) -> Result<LogFormat, String> {
    match value {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err("must be text or json".to_owned()),
    }
}

impl Settings {
    /// The access-key secret the operator supplied, if any (`[security]`).
    pub fn key_secret(&self) -> Option<&str> {
        self.security.key_secret.as_ref().map(Secret::expose)
    }

    /// The public base URL: the configured one, or `http://<the address actually bound>`.
    pub fn public_base(&self, bound: SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults() {
        let settings = Layers::default().resolve().unwrap();
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.env, Environment::Homologation);
        assert_eq!(settings.database_url, DatabaseUrl::default_sqlite());
        assert_eq!(
            settings.public_base(settings.listen),
            "http://127.0.0.1:8080"
        );
        assert_eq!(settings.log_format, LogFormat::Text);
    }

    #[test]
    fn file_then_environment_then_flags() {
        let dir = std::env::temp_dir().join(format!("cvgate-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("cvgate.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nenv = \"production\"\npublic_url = \"https://pay.example.com/\"\n\
             [ancv]\nbase_url = \"https://ancv.example/v1\"\nservice_provider_id = 100016\n\
             seal_key = \"0123456789abcdef0123\"\nseal_key_version = \"ver002\"\n\
             [security]\nkey_secret = \"an-operator-secret-of-at-least-32-chars\"\n",
        ).unwrap();
        let mut layers = Layers::default();
        layers.file(&file).unwrap();
        layers.environment(env(&[
            ("CVGATE_LISTEN", "127.0.0.1:9001"),
            ("CVGATE_TEST_POSTGRES_URL", "x"),
            ("OTHER", "y"),
        ]));
        let settings = layers.resolve().unwrap();
        assert_eq!(settings.listen.to_string(), "127.0.0.1:9001");
        assert_eq!(settings.env, Environment::Production);
        assert_eq!(
            settings.public_url.as_deref(),
            Some("https://pay.example.com")
        );
        layers.flag("listen", "--listen", Some("127.0.0.1:9002"));
        layers.flag("env", "--env", None);
        let settings = layers.resolve().unwrap();
        assert_eq!(settings.listen.to_string(), "127.0.0.1:9002");
        assert_eq!(settings.env, Environment::Production);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn errors_name_the_key_and_origin_in_one_line() {
        let mut layers = Layers::default();
        layers.environment(env(&[("CVGATE_LISTEN", "nowhere")]));
        let err = layers.resolve().unwrap_err().to_string();
        assert!(
            err.starts_with("setting listen (from $CVGATE_LISTEN): must be an address"),
            "{err}"
        );
        assert!(!err.contains('\n'));

        let mut layers = Layers::default();
        layers.flag("env", "--env", Some("staging"));
        assert_eq!(
            layers.resolve().unwrap_err().to_string(),
            "setting env (from --env): must be homologation or production; got \"staging\""
        );
        let mut layers = Layers::default();
        layers.flag("public_url", "--public-url", Some("pay.example.com"));
        assert!(
            layers
                .resolve()
                .unwrap_err()
                .to_string()
                .starts_with("setting public_url (from --public-url)")
        );
    }

    #[test]
    fn a_bad_database_url_is_named_but_not_echoed() {
        let mut layers = Layers::default();
        layers.flag(
            "database_url",
            "--database-url",
            Some("mysql://app:s3cr3t@db/x"),
        );
        let err = layers.resolve().unwrap_err().to_string();
        assert!(
            err.starts_with("setting database_url (from --database-url): must start with"),
            "{err}"
        );
        assert!(!err.contains("s3cr3t"), "{err}");
    }

    #[test]
    fn ancv_defaults_to_the_sandbox_in_homologation_and_is_required_in_production() {
        let settings = Layers::default().resolve().unwrap();
        assert_eq!(settings.ancv.base_url, None);
        assert_eq!(settings.ancv.service_provider_id, "900001");
        assert_eq!(settings.ancv.seal_key_version, "ver001");
        assert_eq!(
            (
                settings.sandbox_ancv.validation_window_secs,
                settings.sandbox_ancv.auto_delay_ms
            ),
            (300, 2000)
        );
        assert!(
            !format!("{settings:?}").contains(SANDBOX_SEAL_KEY),
            "Debug shows the seal key"
        );

        let mut layers = Layers::default();
        layers.flag("env", "--env", Some("production"));
        assert_eq!(
            layers.resolve().unwrap_err().to_string(),
            "setting ancv.base_url: is required in production (the ANCV acquisition API base URL)"
        );
        layers.environment(env(&[
            (
                "CVGATE_ANCV__BASE_URL",
                "https://ancv.example/acquisition/api/public/v1",
            ),
            ("CVGATE_ANCV__SERVICE_PROVIDER_ID", "100016"),
            ("CVGATE_ANCV__SEAL_KEY_VERSION", "ver002"),
        ]));
        assert!(
            layers
                .resolve()
                .unwrap_err()
                .to_string()
                .starts_with("setting ancv.seal_key: is required")
        );
        layers.environment(env(&[(
            "CVGATE_ANCV__SEAL_KEY",
            "a-production-key-of-32-characters",
        )]));
        assert!(
            layers
                .resolve()
                .unwrap_err()
                .to_string()
                .starts_with("setting security.key_secret: is required in production")
        );
        layers.environment(env(&[("CVGATE_SECURITY__KEY_SECRET", "too-short-secret")]));
        assert_eq!(
            layers.resolve().unwrap_err().to_string(),
            "setting security.key_secret (from $CVGATE_SECURITY__KEY_SECRET): must be at least 32 characters",
            "the secret is not echoed"
        );
        layers.environment(env(&[(
            "CVGATE_SECURITY__KEY_SECRET",
            "an-operator-secret-of-at-least-32-chars",
        )]));
        let production = layers.resolve().unwrap();
        assert_eq!(
            production.key_secret(),
            Some("an-operator-secret-of-at-least-32-chars")
        );
        assert!(
            !production.notifications.allow_private_addresses,
            "production calls public addresses only"
        );
        assert!(
            Layers::default()
                .resolve()
                .unwrap()
                .notifications
                .allow_private_addresses,
            "homologation: shops on localhost"
        );
        assert_eq!(
            production.ancv.seal_key.expose(),
            "a-production-key-of-32-characters"
        );
        assert_eq!(production.ancv.service_provider_id, "100016");
    }

    #[test]
    fn a_short_seal_key_is_refused_without_echoing_it() {
        let mut layers = Layers::default();
        layers.environment(env(&[("CVGATE_ANCV__SEAL_KEY", "tiny-secret")]));
        let err = layers.resolve().unwrap_err().to_string();
        assert_eq!(
            err,
            "setting ancv.seal_key (from $CVGATE_ANCV__SEAL_KEY): must be at least 16 characters"
        );
        let mut layers = Layers::default();
        layers.environment(env(&[("CVGATE_SANDBOX__ANCV__AUTO_DELAY_MS", "soon")]));
        assert!(layers.resolve().unwrap_err().to_string().starts_with(
            "setting sandbox.ancv.auto_delay_ms (from $CVGATE_SANDBOX__ANCV__AUTO_DELAY_MS)"
        ));
    }

    #[test]
    fn the_notification_pace_has_a_default_and_bounds() {
        let defaults = Layers::default().resolve().unwrap().notifications;
        assert_eq!(defaults.max_per_second, 100);
        let mut layers = Layers::default();
        layers.environment(env(&[("CVGATE_NOTIFICATIONS__MAX_PER_SECOND", "10000")]));
        assert_eq!(
            layers.resolve().unwrap().notifications.max_per_second,
            10_000
        );
        for value in ["0", "10001", "fast"] {
            let mut layers = Layers::default();
            layers.environment(env(&[("CVGATE_NOTIFICATIONS__MAX_PER_SECOND", value)]));
            assert_eq!(
                layers.resolve().unwrap_err().to_string(),
                format!(
                    "setting notifications.max_per_second (from $CVGATE_NOTIFICATIONS__MAX_PER_SECOND): must be a whole number from 1 to 10000; got \"{value}\""
                )
            );
        }
    }

    #[test]
    fn job_settings_have_defaults_and_bounds() {
        let defaults = Layers::default().resolve().unwrap().jobs;
        assert_eq!(
            defaults,
            JobSettings {
                workers: 4,
                max_failures: 10
            }
        );
        let mut layers = Layers::default();
        layers.environment(env(&[
            ("CVGATE_JOBS__WORKERS", "64"),
            ("CVGATE_JOBS__MAX_FAILURES", "1"),
        ]));
        assert_eq!(
            layers.resolve().unwrap().jobs,
            JobSettings {
                workers: 64,
                max_failures: 1
            }
        );
        for (var, value, message) in [
            (
                "CVGATE_JOBS__WORKERS",
                "1",
                "setting jobs.workers (from $CVGATE_JOBS__WORKERS): must be a whole number from 2 to 64; got \"1\"",
            ),
            (
                "CVGATE_JOBS__WORKERS",
                "65",
                "setting jobs.workers (from $CVGATE_JOBS__WORKERS): must be a whole number from 2 to 64; got \"65\"",
            ),
            (
                "CVGATE_JOBS__MAX_FAILURES",
                "0",
                "setting jobs.max_failures (from $CVGATE_JOBS__MAX_FAILURES): must be a whole number from 1 to 1000; got \"0\"",
            ),
            (
                "CVGATE_JOBS__MAX_FAILURES",
                "many",
                "setting jobs.max_failures (from $CVGATE_JOBS__MAX_FAILURES): must be a whole number from 1 to 1000; got \"many\"",
            ),
        ] {
            let mut layers = Layers::default();
            layers.environment(env(&[(var, value)]));
            assert_eq!(layers.resolve().unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn an_unknown_authorization_waits_longer_than_a_request_can_take() {
        let mut layers = Layers::default();
        layers.environment(env(&[("CVGATE_CARD__NEVER_ARRIVED_AFTER_SECS", "20")]));
        assert_eq!(layers.resolve().unwrap().card.never_arrived_after_secs, 20);
        assert_eq!(
            Layers::default()
                .resolve()
                .unwrap()
                .card
                .never_arrived_after_secs,
            300
        );
        let mut layers = Layers::default();
        layers.environment(env(&[
            ("CVGATE_CARD__NEVER_ARRIVED_AFTER_SECS", "20"),
            ("CVGATE_CARD__READ_TIMEOUT_MS", "20000"),
        ]));
        assert_eq!(
            layers.resolve().unwrap_err().to_string(),
            "setting card.never_arrived_after_secs: must be longer than card.read_timeout_ms (20000 ms); got 20 s"
        );
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir =
            std::env::temp_dir().join(format!("cvgate-settings-unknown-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("cvgate.toml");
        std::fs::write(&file, "lisen = \"127.0.0.1:9000\"\n").unwrap();
        let err = Layers::default().file(&file).unwrap_err().to_string();
        assert!(err.starts_with("unknown setting lisen in"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn public_url_rules() {
        assert_eq!(
            parse_public_url("http://localhost:8080/").unwrap(),
            "http://localhost:8080"
        );
        assert_eq!(
            parse_public_url("https://pay.example.com/cvgate").unwrap(),
            "https://pay.example.com/cvgate"
        );
        for bad in [
            "ftp://x",
            "http://",
            "https://x/?a=1",
            "/relative",
            "http://x#frag",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }
}
