//! The workspace's rooms and the one-way rule (ARCHITECTURE.md), read from `cargo metadata`:
//! each crate depends only on the rooms below it; the sandboxes are guests that nothing on the
//! gateway's path depends on; the gateway's crates carry no HTTP server framework.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Which workspace crates each crate may depend on (normal dependencies; tests may use more).
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("store", &["domain"]),
    ("jobs", &["domain", "store"]),
    ("ancv", &["domain"]),
    ("card", &["domain"]),
    ("soap", &["domain"]),
    ("json-api", &[]),
    ("gateway", &["domain", "store", "jobs", "ancv", "card"]),
    (
        "web",
        &[
            "domain", "store", "jobs", "ancv", "card", "soap", "json-api", "gateway",
        ],
    ),
    ("ancv-sandbox", &["domain", "store", "jobs", "ancv"]),
    ("card-sandbox", &["domain", "store", "card"]),
    (
        "cvgate",
        &[
            "domain",
            "store",
            "jobs",
            "ancv",
            "card",
            "soap",
            "gateway",
            "web",
            "ancv-sandbox",
            "card-sandbox",
        ],
    ),
    // Test support.
    ("testkit", &[]),
    // The benchmark reaches cvgate over HTTP only.
    ("bench", &[]),
    ("browser", &[]),
    (
        "simulation",
        &[
            "domain",
            "store",
            "jobs",
            "ancv",
            "card",
            "gateway",
            "web",
            "ancv-sandbox",
            "card-sandbox",
            "testkit",
        ],
    ),
];

/// The crates a payment goes through in production: no sandbox, no server framework below `web`.
const GATEWAY_PATH: &[&str] = &[
    "domain", "store", "jobs", "ancv", "card", "soap", "json-api", "gateway",
];

/// Each workspace crate and its normal dependencies.
fn workspace() -> BTreeMap<String, BTreeSet<String>> {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .args(["--manifest-path", manifest])
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{output:?}");
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| {
            let normal = package["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dependency| dependency["kind"].is_null())
                .map(|dependency| dependency["name"].as_str().unwrap().to_owned())
                .collect();
            (package["name"].as_str().unwrap().to_owned(), normal)
        })
        .collect()
}

#[test]
fn every_crate_depends_only_on_the_rooms_below_it() {
    let crates = workspace();
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (name, dependencies) in &crates {
        let Some(rooms) = allowed.get(name.as_str()) else {
            wrong.push(format!("{name} is not in the table of rooms: place it"));
            continue;
        };
        for dependency in dependencies.iter().filter(|d| crates.contains_key(*d)) {
            if !rooms.contains(&dependency.as_str()) {
                wrong.push(format!("{name} depends on {dependency}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn nothing_on_the_gateways_path_needs_a_sandbox_or_a_server_framework() {
    let crates = workspace();
    for name in GATEWAY_PATH {
        let dependencies = &crates[*name];
        for forbidden in ["ancv-sandbox", "card-sandbox", "axum"] {
            assert!(
                !dependencies.contains(forbidden),
                "{name} depends on {forbidden}"
            );
        }
    }
}
