//! `cvgate serve` as the benchmark runs it: its own process on a loopback port, a fresh
//! database, the demo merchant's credentials read from what it prints.

use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running server (stopped when dropped).
pub struct Server {
    _child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Lines it printed before listening (merchant id, access key, …).
    pub banner: String,
}

impl Server {
    /// The value after `label` in what it printed.
    pub fn printed(&self, label: &str) -> Option<String> {
        self.banner.lines().find_map(|line| {
            let rest = line.trim().strip_prefix(label)?;
            rest.split_whitespace().next().map(str::to_owned)
        })
    }
}

/// Starts `program args…` and waits for the line starting with `listening` (then the address).
pub async fn start(
    program: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    listening: &str,
) -> Result<Server, String> {
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| format!("cannot start {}: {error}", program.display()))?;
    let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
    let mut banner = String::new();
    while let Some(line) = lines.next_line().await.map_err(|e| e.to_string())? {
        banner.push_str(&line);
        banner.push('\n');
        if let Some(rest) = line.strip_prefix(listening) {
            let address = rest.split_whitespace().next().unwrap_or_default();
            let base = if address.starts_with("http") {
                address.to_owned()
            } else {
                format!("http://{address}")
            };
            // Keep reading, so that the server never blocks on a full pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok(Server {
                _child: child,
                base,
                banner,
            });
        }
    }
    Err(format!(
        "{} stopped before listening:\n{banner}",
        program.display()
    ))
}
