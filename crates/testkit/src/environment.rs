//! What the tests read from their environment: the PostgreSQL server to use and the folder of
//! shared test data.

/// The environment variable naming the PostgreSQL server used by the tests.
pub const POSTGRES_URL_VAR: &str = "CVGATE_TEST_POSTGRES_URL";

/// The PostgreSQL server URL from `CVGATE_TEST_POSTGRES_URL`; `None` when unset or blank.
pub(crate) fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// The project's shared test data (`../shared` beside the repository: Payline WSDLs and client
/// requests), or `$CVGATE_SHARED_DIR` when set. `None` when absent: the tests that need it skip
/// with a message.
pub fn shared_dir() -> Option<std::path::PathBuf> {
    let candidates = [
        std::env::var_os("CVGATE_SHARED_DIR").map(std::path::PathBuf::from),
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|dir| dir.join("conformance").is_dir())
}
