//! The chromedriver process: started on a port it picks itself, in a process group of its own so
//! that Chromium dies with it.

use std::{
    collections::VecDeque,
    path::Path,
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncRead, BufReader},
    process::{Child, Command},
    sync::oneshot,
    time::Instant,
};

use crate::{
    BrowserError,
    poll::{Attempt, poll},
};

/// How many lines of chromedriver's output are kept for error messages.
const OUTPUT_LINES: usize = 40;

/// Bounds one `GET /status` (fantoccini only talks to a session: the readiness probe is ours).
const STATUS_TIMEOUT: Duration = Duration::from_secs(10);

/// What chromedriver prints once listening, when started with `--port=0`.
const PORT_ANNOUNCEMENT: &str = "started successfully on port ";

pub(crate) struct Driver {
    child: Child,
    /// The process group: chromedriver's pid, as it leads a group of its own.
    group: Option<i32>,
    pub(crate) port: u16,
    output: OutputTail,
}

impl Driver {
    /// Starts chromedriver and waits until its `/status` says it is ready.
    pub(crate) async fn start(path: &Path, deadline: Instant) -> Result<Driver, BrowserError> {
        let output = OutputTail::default();
        // --port=0 lets chromedriver bind a free port itself and announce it: no race with
        // another process taking a port we picked and released.
        let mut child = Command::new(path)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|err| BrowserError::io(format!("could not start {}", path.display()), err))?;
        let group = child.id().and_then(|pid| i32::try_from(pid).ok());
        let (port_tx, port_rx) = oneshot::channel();
        if let Some(stdout) = child.stdout.take() {
            tokio::spawn(output.clone().collect(stdout, Some(port_tx)));
        }
        if let Some(stderr) = child.stderr.take() {
            tokio::spawn(output.clone().collect(stderr, None));
        }
        let mut driver = Driver {
            child,
            group,
            port: 0,
            output,
        };
        driver.port = driver.announced_port(port_rx, deadline).await?;
        driver.wait_ready(deadline).await?;
        Ok(driver)
    }

    async fn announced_port(
        &mut self,
        port_rx: oneshot::Receiver<u16>,
        deadline: Instant,
    ) -> Result<u16, BrowserError> {
        tokio::select! {
            port = port_rx => match port {
                Ok(port) => Ok(port),
                // Its output closes when it exits: report how, if it did.
                Err(_) => Err(self.exited_at_start(deadline).await),
            },
            _ = self.child.wait() => Err(self.exited_at_start(deadline).await),
            () = tokio::time::sleep_until(deadline) => {
                Err(self.launch_error("chromedriver did not announce its port in time"))
            }
        }
    }

    async fn exited_at_start(&mut self, deadline: Instant) -> BrowserError {
        let status = match tokio::time::timeout_at(deadline, self.child.wait()).await {
            Ok(status) => describe_exit(status),
            Err(_) => "still running, but its output is closed".to_owned(),
        };
        self.launch_error(format!(
            "chromedriver stopped before announcing its port: {status}"
        ))
    }

    /// Polls `GET /status` until `ready` is true; fails at once if chromedriver exits.
    async fn wait_ready(&mut self, deadline: Instant) -> Result<(), BrowserError> {
        let http = reqwest::Client::builder()
            // Loopback only: a proxy from the environment must not get in the way.
            .no_proxy()
            .timeout(STATUS_TIMEOUT)
            .build()
            .map_err(|source| BrowserError::Http {
                command: "build HTTP client".to_owned(),
                source,
            })?;
        let url = format!("http://127.0.0.1:{}/status", self.port);
        let timeout = deadline.saturating_duration_since(Instant::now());
        let ready = poll("chromedriver /status to be ready", timeout, async || {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(self.launch_error(format!("chromedriver exited: {status}")));
            }
            Ok(match status(&http, &url).await {
                Ok(status) if status["value"]["ready"] == true => Attempt::Done(()),
                Ok(status) => Attempt::NotYet(Some(status.to_string())),
                Err(err) => Attempt::NotYet(Some(err.to_string())),
            })
        })
        .await;
        ready.map_err(|err| match err {
            BrowserError::Timeout { .. } => self.launch_error(err.to_string()),
            other => other,
        })
    }

    /// A launch error carrying the end of chromedriver's output.
    pub(crate) fn launch_error(&self, detail: impl Into<String>) -> BrowserError {
        BrowserError::Launch {
            detail: detail.into(),
            output: self.output.lines(),
        }
    }

    /// Kills chromedriver and everything in its group (Chromium), at once and without waiting.
    pub(crate) fn kill(&mut self) {
        // Even when chromedriver itself is gone, Chromium may still be alive in its group.
        if let Some(group) = self.group.take() {
            // SAFETY: kill(2) takes no pointers; a negative pid names our own process group.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
        }
        let _ = self.child.start_kill();
    }

    /// Kills the group and waits for chromedriver to be gone.
    pub(crate) async fn shutdown(&mut self) -> Result<(), BrowserError> {
        self.kill();
        self.child
            .wait()
            .await
            .map(drop)
            .map_err(|err| BrowserError::io("waiting for chromedriver to exit", err))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.kill();
    }
}

fn describe_exit(status: std::io::Result<std::process::ExitStatus>) -> String {
    match status {
        Ok(status) => status.to_string(),
        Err(err) => format!("unknown status ({err})"),
    }
}

/// The last lines chromedriver printed, shared with the tasks that read its pipes.
#[derive(Clone, Default)]
struct OutputTail(Arc<Mutex<VecDeque<String>>>);

impl OutputTail {
    /// Reads `pipe` to its end (so chromedriver never blocks on a full pipe), keeping the last
    /// lines, and sends the port once announced.
    async fn collect(
        self,
        pipe: impl AsyncRead + Unpin,
        mut port_tx: Option<oneshot::Sender<u16>>,
    ) {
        let mut lines = BufReader::new(pipe).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(port) = announced_port(&line)
                && let Some(tx) = port_tx.take()
            {
                let _ = tx.send(port);
            }
            if let Ok(mut tail) = self.0.lock() {
                if tail.len() == OUTPUT_LINES {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        }
    }

    fn lines(&self) -> String {
        match self.0.lock() {
            Ok(tail) if !tail.is_empty() => tail.iter().cloned().collect::<Vec<_>>().join("\n"),
            _ => "(none)".to_owned(),
        }
    }
}

fn announced_port(line: &str) -> Option<u16> {
    let (_, rest) = line.split_once(PORT_ANNOUNCEMENT)?;
    rest.trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()
        .filter(|&port| port != 0)
}

/// chromedriver's `GET /status` answer, as JSON.
async fn status(http: &reqwest::Client, url: &str) -> Result<serde_json::Value, reqwest::Error> {
    http.get(url).send().await?.json().await
}

#[cfg(test)]
mod tests {
    use super::announced_port;

    #[test]
    fn reads_the_port_chromedriver_announces() {
        assert_eq!(
            announced_port("ChromeDriver was started successfully on port 33347."),
            Some(33347)
        );
        assert_eq!(announced_port("Starting ChromeDriver 156 on port 0"), None);
    }
}
