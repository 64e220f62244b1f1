//! Accessibility audits with axe-core, run inside the page under test.
//!
//! The script is not in the repository: `.ci/run` installs it from npm outside it and names it
//! in `CVGATE_AXE_JS`. It is injected with WebDriver's execute, which a page's
//! Content-Security-Policy (`script-src 'self'`) does not block in Chromium.

use std::{io::Write, sync::OnceLock};

use serde::Deserialize;
use serde_json::Value;

use crate::{Browser, BrowserError};

/// Names the axe-core script to inject (`…/node_modules/axe-core/axe.min.js`).
pub const AXE_JS_VAR: &str = "CVGATE_AXE_JS";

/// One rule the page breaks, as axe-core reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AxeViolation {
    /// The rule, e.g. `color-contrast`.
    pub id: String,
    /// `critical`, `serious`, `moderate` or `minor` (axe may leave it out).
    pub impact: Option<String>,
    /// What the rule asks for, in a sentence.
    pub help: String,
    /// A CSS selector of each element that breaks it.
    pub targets: Vec<String>,
}

impl AxeViolation {
    /// Whether the violation fails a test: a critical or serious impact.
    pub fn is_blocking(&self) -> bool {
        matches!(self.impact.as_deref(), Some("critical" | "serious"))
    }
}

impl std::fmt::Display for AxeViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let impact = self.impact.as_deref().unwrap_or("unknown");
        let targets = self.targets.join(", ");
        write!(f, "[{impact}] {}: {} ({targets})", self.id, self.help)
    }
}

/// Runs axe-core on the current page and returns its violations. Fails with
/// [`BrowserError::Unavailable`] when `CVGATE_AXE_JS` is unset or names no readable file.
pub async fn axe_audit(browser: &Browser) -> Result<Vec<AxeViolation>, BrowserError> {
    let source = axe_source().map_err(|reason| BrowserError::Unavailable(reason.clone()))?;
    // Injected once per page: a navigation starts with no `axe` again.
    let loaded = browser.execute("return typeof window.axe;", &[]).await?;
    if loaded != "object" {
        browser.execute(&format!("{source}\n;"), &[]).await?;
    }
    let answer = browser.execute_async(RUN_AXE, &[]).await?;
    read_answer(answer)
}

/// Asserts that the current page (`page` names it in messages) has no critical or serious axe
/// violation, and prints the others. Without axe-core the audit is skipped loudly, and fails
/// under `CI=true`, like the browser tests themselves ([`crate::require_or_skip`]).
pub async fn assert_accessible(browser: &Browser, page: &str) {
    let violations = match axe_audit(browser).await {
        Ok(violations) => violations,
        Err(BrowserError::Unavailable(reason)) => return skip_or_fail(page, &reason),
        Err(error) => panic!("axe audit of {page} failed: {error}"),
    };
    let (blocking, others): (Vec<_>, Vec<_>) = violations.iter().partition(|v| v.is_blocking());
    // Straight to the descriptor: libtest would hide a passing test's prints.
    for other in &others {
        let _ = writeln!(std::io::stderr(), "axe, {page}: {other}");
    }
    assert!(
        blocking.is_empty(),
        "axe found critical or serious violations on {page}:\n{}",
        blocking
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Runs axe on the document and hands back each violation's id, impact, help and targets (as
/// selectors), or an error text.
const RUN_AXE: &str = r"
var done = arguments[arguments.length - 1];
window.axe.run(document, { resultTypes: ['violations'] }).then(function (results) {
  done({ violations: results.violations.map(function (v) {
    return { id: v.id, impact: v.impact, help: v.help,
             targets: v.nodes.map(function (n) { return n.target.join(' '); }) };
  }) });
}, function (error) { done({ error: String(error) }); });
";

/// The violations in the script's answer, or its error.
fn read_answer(answer: Value) -> Result<Vec<AxeViolation>, BrowserError> {
    let protocol = |detail: String| BrowserError::Protocol {
        command: "POST /execute/async (axe.run)".to_owned(),
        detail,
    };
    if let Some(error) = answer.get("error") {
        return Err(protocol(format!("axe.run failed: {error}")));
    }
    let violations = answer.get("violations").cloned().unwrap_or(Value::Null);
    serde_json::from_value(violations).map_err(|error| protocol(format!("{error}: {answer}")))
}

/// The axe-core script, read once per process; why not, when it cannot be read.
fn axe_source() -> Result<&'static String, &'static String> {
    static SOURCE: OnceLock<Result<String, String>> = OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path = std::env::var(AXE_JS_VAR)
                .ok()
                .filter(|path| !path.is_empty())
                .ok_or_else(|| format!("{AXE_JS_VAR} is not set"))?;
            std::fs::read_to_string(&path).map_err(|error| format!("{AXE_JS_VAR}={path}: {error}"))
        })
        .as_ref()
}

/// No axe-core here: a loud skip, or a failure under `CI=true`.
fn skip_or_fail(page: &str, reason: &str) {
    let install = "install with `npm install --prefix /opt/cvgate-test-tools axe-core@4` and set \
                   CVGATE_AXE_JS=/opt/cvgate-test-tools/node_modules/axe-core/axe.min.js";
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!("axe audit of {page} cannot run under CI=true: {reason}; {install}");
    }
    let _ = writeln!(
        std::io::stderr(),
        "!!! SKIPPED axe audit of {page}: {reason}; {install} (this is a skip, not a pass)"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_violations_and_tells_which_block() {
        let answer = json!({ "violations": [
            { "id": "image-alt", "impact": "critical", "help": "Images must have alternative text",
              "targets": ["img"] },
            { "id": "region", "impact": "moderate", "help": "All page content should be contained by landmarks",
              "targets": ["p", "div > a"] },
        ] });
        let violations = read_answer(answer).unwrap();
        assert_eq!(violations.len(), 2);
        assert!(violations[0].is_blocking() && !violations[1].is_blocking());
        assert_eq!(
            violations[1].to_string(),
            "[moderate] region: All page content should be contained by landmarks (p, div > a)"
        );
    }

    #[test]
    fn an_error_of_axe_is_an_error() {
        let err = read_answer(json!({ "error": "boom" })).unwrap_err();
        assert!(err.to_string().contains("axe.run failed"), "{err}");
    }
}
