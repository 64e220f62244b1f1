//! Runs the real `cvgate` binary in a temporary working directory.

#![allow(dead_code)]

pub mod payline;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use testkit::TestDb;

/// The `cvgate` binary cargo built for these tests.
pub const BINARY: &str = env!("CARGO_BIN_EXE_cvgate");

/// A finished `cvgate` process: what it printed and how it exited.
pub struct Run {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
}

impl Run {
    /// Stdout parsed as one JSON value (the test fails when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// A working directory of its own, so a default `data/` never lands in the repository.
pub fn workdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// `cvgate ARGS… --database-url <db>`, without any CVGATE_* setting inherited from the caller.
pub fn command(db: &TestDb, dir: &Path, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(BINARY);
    command
        .args(args)
        .arg("--database-url")
        .arg(&db.url)
        .current_dir(dir);
    for (var, _) in std::env::vars() {
        if var.starts_with("CVGATE_") {
            command.env_remove(var);
        }
    }
    command.env_remove("RUST_LOG").stdin(Stdio::null());
    command
}

/// Runs `cvgate ARGS… --database-url <db>` to its end in `dir`.
pub async fn cvgate(db: &TestDb, dir: &Path, args: &[&str]) -> Run {
    let output = command(db, dir, args).output().await.expect("cvgate runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The temporary directory's path, owned.
pub fn path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().to_owned()
}

/// A running `cvgate serve`: its banner (stdout up to the listening line) and address.
pub struct Server {
    /// The process (killed when dropped).
    pub child: tokio::process::Child,
    /// What it printed on stdout up to its listening line.
    pub banner: String,
    /// The address it listens on (`127.0.0.1:port`).
    pub address: String,
    stderr: tokio::task::JoinHandle<String>,
}

/// Starts `cvgate serve --listen 127.0.0.1:0 EXTRA…` and waits for its listening line.
pub async fn start_server(db: &TestDb, dir: &Path, extra: &[&str]) -> Server {
    let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    start_command(db, dir, &args, "cvgate listening on http://").await
}

/// Starts `cvgate serve --listen ADDRESS` with the settings `env` (`CVGATE_…` variables) and
/// waits for its listening line.
pub async fn start_server_with(
    db: &TestDb,
    dir: &Path,
    address: &str,
    env: &[(&str, &str)],
) -> Server {
    let args = ["serve", "--listen", address];
    start_command_with(db, dir, &args, env, "cvgate listening on http://").await
}

/// Starts `cvgate ARGS…` and waits for the stdout line starting with `listening` (followed by
/// the address).
pub async fn start_command(db: &TestDb, dir: &Path, args: &[&str], listening: &str) -> Server {
    start_command_with(db, dir, args, &[], listening).await
}

async fn start_command_with(
    db: &TestDb,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    listening: &str,
) -> Server {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
    let mut child = command(db, dir, args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("cvgate serve starts");
    let mut stderr = child.stderr.take().unwrap();
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = String::new();
    // A generous bound so that a broken start fails the test instead of hanging it.
    let address = tokio::time::timeout(std::time::Duration::from_secs(120), async {
        while let Some(line) = lines.next_line().await.expect("stdout readable") {
            banner.push_str(&line);
            banner.push('\n');
            if let Some(rest) = line.strip_prefix(listening) {
                return rest.split_whitespace().next().unwrap().to_owned();
            }
        }
        panic!("cvgate exited before listening; stdout:\n{banner}");
    })
    .await
    .expect("cvgate printed its listening line");
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Server {
        child,
        banner,
        address,
        stderr,
    }
}

impl Server {
    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The value printed after `label` in the banner (e.g. "merchant id:").
    pub fn banner_value(&self, label: &str) -> Option<String> {
        self.banner.lines().find_map(|line| {
            line.trim()
                .strip_prefix(label)
                .map(|rest| rest.trim().to_owned())
        })
    }

    /// A crash: SIGKILL (no graceful shutdown, requests and jobs cut where they are), then
    /// waits for the process to be gone. Returns everything it logged on stderr.
    pub async fn kill(mut self) -> String {
        self.child.kill().await.expect("SIGKILL is delivered");
        self.stderr.await.unwrap_or_default()
    }

    /// Sends SIGTERM and waits: returns the exit code and everything logged on stderr.
    pub async fn terminate(mut self) -> (i32, String) {
        let pid = self.child.id().expect("still running").to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let status = tokio::time::timeout(std::time::Duration::from_secs(60), self.child.wait())
            .await
            .expect("cvgate stops after SIGTERM")
            .expect("wait works");
        (
            status.code().unwrap_or(-1),
            self.stderr.await.unwrap_or_default(),
        )
    }
}
