use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use serde_json::{Map, Value, json};

/// How to start the browser. `LaunchOptions::default()` is a 1280×900 viewport in English.
#[derive(Clone, Debug)]
pub struct LaunchOptions {
    /// The viewport the page sees (`window.innerWidth`), in CSS pixels; 360 works too.
    pub width: u32,
    /// The viewport height (`window.innerHeight`), in CSS pixels.
    pub height: u32,
    /// The browser's language, sent as `Accept-Language` (e.g. `"en"`, `"fr-FR"`).
    pub accept_language: String,
    /// Upper bound for chromedriver to start and Chromium to open its session (failure only).
    pub startup_timeout: Duration,
    /// Defaults to [`crate::chromedriver_path`] (`CVGATE_CHROMEDRIVER` or `/usr/bin/chromedriver`).
    pub chromedriver: PathBuf,
    /// Defaults to [`crate::chromium_path`] (`CVGATE_CHROMIUM` or `/usr/bin/chromium`).
    pub chromium: PathBuf,
}

impl Default for LaunchOptions {
    fn default() -> LaunchOptions {
        LaunchOptions {
            width: 1280,
            height: 900,
            accept_language: "en".to_owned(),
            startup_timeout: Duration::from_secs(60),
            chromedriver: crate::chromedriver_path(),
            chromium: crate::chromium_path(),
        }
    }
}

impl LaunchOptions {
    /// Sets the viewport the page sees, in CSS pixels.
    pub fn window_size(mut self, width: u32, height: u32) -> LaunchOptions {
        self.width = width;
        self.height = height;
        self
    }

    /// Sets the browser's language (`Accept-Language`, e.g. `"fr-FR"`).
    pub fn accept_language(mut self, language: impl Into<String>) -> LaunchOptions {
        self.accept_language = language.into();
        self
    }

    /// Chromium's command line. The background-networking flags matter: on a closed network
    /// Chromium's own connections to Google services are refused and disturb the session.
    pub(crate) fn chromium_args(&self, profile: &Path) -> Vec<String> {
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ]
        .map(str::to_owned)
        .to_vec();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push(format!("--window-size={},{}", self.width, self.height));
        args.push(format!("--lang={}", self.accept_language));
        args
    }

    /// The session's capabilities (`alwaysMatch` of the `POST /session` body).
    pub(crate) fn capabilities(&self, profile: &Path) -> Map<String, Value> {
        let capabilities = json!({
            "browserName": "chrome",
            "timeouts": { "implicit": 0, "pageLoad": 60_000, "script": 30_000 },
            "goog:chromeOptions": {
                "binary": self.chromium.display().to_string(),
                "args": self.chromium_args(profile),
                // --lang sets the UI language; this pref is what Accept-Language sends.
                "prefs": { "intl.accept_languages": self.accept_language },
            }
        });
        match capabilities {
            Value::Object(map) => map,
            _ => unreachable!("a JSON object literal"),
        }
    }
}
