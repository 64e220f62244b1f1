//! Where the binaries are, and the skip policy for tests when they are not there.

use std::{
    io::Write,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
};

/// Overrides the chromedriver binary (default `/usr/bin/chromedriver`).
pub const CHROMEDRIVER_VAR: &str = "CVGATE_CHROMEDRIVER";
/// Overrides the Chromium binary (default `/usr/bin/chromium`).
pub const CHROMIUM_VAR: &str = "CVGATE_CHROMIUM";

/// The chromedriver binary to run: `CVGATE_CHROMEDRIVER`, or `/usr/bin/chromedriver`.
pub fn chromedriver_path() -> PathBuf {
    path_from_env(CHROMEDRIVER_VAR, "/usr/bin/chromedriver")
}

/// The Chromium binary to run: `CVGATE_CHROMIUM`, or `/usr/bin/chromium`.
pub fn chromium_path() -> PathBuf {
    path_from_env(CHROMIUM_VAR, "/usr/bin/chromium")
}

fn path_from_env(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

/// Why a browser test cannot run here, or `None` when chromedriver and Chromium are both present.
pub fn unavailable_reason() -> Option<String> {
    missing_binaries(&chromedriver_path(), &chromium_path())
}

/// Which of the two binaries is missing, if any.
pub(crate) fn missing_binaries(chromedriver: &Path, chromium: &Path) -> Option<String> {
    let missing: Vec<String> = [
        ("chromedriver", CHROMEDRIVER_VAR, chromedriver),
        ("chromium", CHROMIUM_VAR, chromium),
    ]
    .into_iter()
    .filter(|(_, _, path)| !is_executable_file(path))
    .map(|(name, var, path)| format!("{name} not found at {} (set {var})", path.display()))
    .collect();
    if missing.is_empty() {
        return None;
    }
    Some(format!(
        "{}; install with `apt-get install chromium chromium-driver`",
        missing.join(", ")
    ))
}

fn is_executable_file(path: &Path) -> bool {
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// The skip policy for a browser test named `test`, in one call at its top:
///
/// ```no_run
/// if browser::require_or_skip("checkout_page_renders").is_some() {
///     return; // a SKIP, not a pass: the loud line on stderr says so
/// }
/// ```
///
/// - browser available: returns `None`, the test goes on;
/// - unavailable and `CI=true`: panics, because CI must run every browser test;
/// - unavailable elsewhere: prints a loud `SKIPPED: <reason>` line to stderr and returns
///   `Some(reason)`. The line goes straight to the stderr file descriptor, so the test harness's
///   output capture does not hide it. Suites that can report a test as *ignored* (libtest-mimic)
///   should do so with the reason.
pub fn require_or_skip(test: &str) -> Option<String> {
    let reason = unavailable_reason()?;
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!("browser test `{test}` cannot run under CI=true: {reason}");
    }
    // Not eprintln!: libtest captures the print macros of passing tests, not a direct write.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!! SKIPPED: {reason}\n!!! Browser test `{test}` did NOT run (this is a skip, not a pass).\n"
    );
    Some(reason)
}
