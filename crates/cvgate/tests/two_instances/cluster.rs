//! Two `cvgate serve` processes on one PostgreSQL schema, and what a load balancer in front of
//! them does: each request goes to one instance in turn and, when that instance does not
//! answer (dead, or killed while the request was under way), to the other.
//!
//! A is started first (its banner gives the demo merchant's key) and is never killed; B is the
//! one that crashes. Both instances use A's card sandbox as their acquirer: in production the
//! acquirer is another company's service, which a crash of cvgate does not take down. (With
//! B's own in-process sandbox, the crash would also cut the acquirer half-way through B's
//! authorizations, and cvgate waits 5 minutes before it declares an authorization the
//! acquirer never heard of as never arrived: longer than this test may take.)

use crate::support::{self, Run, Server};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use testkit::TestDb;

/// Real-time waits shortened so that a run takes a minute or two, not the production pace.
const SETTINGS: &[(&str, &str)] = &[
    ("CVGATE_ANCV__POLL_INTERVAL_MS", "300"),
    ("CVGATE_SANDBOX__ANCV__AUTO_DELAY_MS", "200"),
    // Long enough for every flow to validate even while an instance restarts.
    ("CVGATE_SANDBOX__ANCV__VALIDATION_WINDOW_SECS", "60"),
    ("CVGATE_JOBS__WORKERS", "4"),
    // An authorization left unanswered is reconciled after this.
    ("CVGATE_CARD__READ_TIMEOUT_MS", "3000"),
    // An authorization the acquirer never received (an instance killed before sending it) is
    // declared lost after this (5 minutes by default: longer than the run may wait).
    ("CVGATE_CARD__NEVER_ARRIVED_AFTER_SECS", "20"),
];

pub const NAMES: [&str; 2] = ["A", "B"];
/// The instance that is never killed.
const SURVIVOR: usize = 0;
/// Tries of one request, going round the instances: enough to outlast a restart.
const TRIES: usize = 20;
/// A request that hangs this long counts as failed (and goes to the other instance).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

pub struct Cluster {
    db: TestDb,
    dir: tempfile::TempDir,
    servers: tokio::sync::Mutex<[Option<Server>; 2]>,
    /// Kept across a restart: the load balancer knows the instances by address.
    addresses: [String; 2],
    /// The card acquirer of both instances: the survivor's card sandbox.
    acquirer: String,
    pub merchant_id: String,
    pub access_key: String,
    http: reqwest::Client,
    turn: AtomicUsize,
    /// POSTs under way at each instance: what a crash would cut.
    posts_in_flight: [AtomicUsize; 2],
    /// Requests that failed at transport level and were sent again.
    pub failovers: AtomicUsize,
    /// Of those, requests cut after they reached an instance (not refused at connection).
    pub cut: AtomicUsize,
    pub epoch: Instant,
}

/// One HTTP exchange as the client saw it.
pub struct Reply {
    pub instance: usize,
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    /// The tries that failed before this answer ("A: connection refused").
    pub failed: Vec<String>,
}

impl Reply {
    /// Which instance answered, and which failed first: "B", "A✗ B".
    pub fn via(&self) -> String {
        let failed: String = self.failed.iter().map(|f| format!("[{f}] ")).collect();
        format!("{failed}{}", NAMES[self.instance])
    }
}

impl Cluster {
    /// Starts A, takes the demo merchant's credentials from its banner, then starts B.
    pub async fn start(db: TestDb) -> Cluster {
        let dir = support::workdir();
        let first = support::start_server_with(&db, dir.path(), "127.0.0.1:0", SETTINGS).await;
        let merchant_id = first.banner_value("merchant id:").expect("merchant id");
        let access_key = first.banner_value("access key:").expect("access key");
        let acquirer = format!("http://{}/sandbox/card", first.address);
        let second = start_instance(&db, dir.path(), "127.0.0.1:0", &acquirer).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap();
        Cluster {
            addresses: [first.address.clone(), second.address.clone()],
            acquirer,
            servers: tokio::sync::Mutex::new([Some(first), Some(second)]),
            db,
            dir,
            merchant_id,
            access_key,
            http,
            turn: AtomicUsize::new(0),
            posts_in_flight: [AtomicUsize::new(0), AtomicUsize::new(0)],
            failovers: AtomicUsize::new(0),
            cut: AtomicUsize::new(0),
            epoch: Instant::now(),
        }
    }

    pub fn base(&self, instance: usize) -> String {
        format!("http://{}", self.addresses[instance])
    }

    /// Seconds since the cluster started, for the flows' logs.
    pub fn elapsed(&self) -> f64 {
        self.epoch.elapsed().as_secs_f64()
    }

    /// A real crash: SIGKILL to the process, whatever it is doing.
    pub async fn kill(&self, instance: usize) {
        assert_ne!(instance, SURVIVOR, "the survivor is the acquirer of both");
        let server = self.servers.lock().await[instance]
            .take()
            .expect("the instance runs");
        server.kill().await;
    }

    /// Starts the instance again on the address it had.
    pub async fn restart(&self, instance: usize) {
        let address = &self.addresses[instance];
        let server = start_instance(&self.db, self.dir.path(), address, &self.acquirer).await;
        self.servers.lock().await[instance] = Some(server);
    }

    /// Waits until `at_least` POSTs are under way at `instance` (or `within` passed); returns
    /// how many are.
    pub async fn wait_for_posts(
        &self,
        instance: usize,
        at_least: usize,
        within: Duration,
    ) -> usize {
        let deadline = Instant::now() + within;
        loop {
            let now = self.posts_in_flight[instance].load(Ordering::SeqCst);
            if now >= at_least || Instant::now() > deadline {
                return now;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// `cvgate ARGS… --database-url <the shared database>`.
    pub async fn cli(&self, args: &[&str]) -> Run {
        support::cvgate(&self.db, self.dir.path(), args).await
    }

    /// Sends the request to the next instance in turn, failing over to the other.
    pub async fn send(
        &self,
        request: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Reply {
        let first = self.turn.fetch_add(1, Ordering::Relaxed) % 2;
        self.send_from(first, request).await
    }

    /// Sends the request to `first`, then to the other instance while it fails at transport
    /// level (any answer, even a 500, is the answer).
    pub async fn send_from(
        &self,
        first: usize,
        request: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Reply {
        let mut failed = Vec::new();
        for attempt in 0..TRIES {
            let instance = (first + attempt) % 2;
            match self
                .exchange(instance, request(&self.http, &self.base(instance)))
                .await
            {
                Ok(mut reply) => {
                    reply.failed = failed;
                    return reply;
                }
                Err(error) => {
                    self.failovers.fetch_add(1, Ordering::Relaxed);
                    if !error.is_connect() {
                        self.cut.fetch_add(1, Ordering::Relaxed);
                    }
                    failed.push(format!("{}✗ {}", NAMES[instance], cause(&error)));
                    // Both instances may be unreachable for a moment (one restarting).
                    if attempt % 2 == 1 {
                        tokio::time::sleep(Duration::from_millis(250)).await;
                    }
                }
            }
        }
        panic!("no instance answers: {failed:?}")
    }

    async fn exchange(
        &self,
        instance: usize,
        request: reqwest::RequestBuilder,
    ) -> Result<Reply, reqwest::Error> {
        let request = request.build()?;
        let _counted = (request.method() == reqwest::Method::POST)
            .then(|| InFlight::enter(&self.posts_in_flight[instance]));
        let response = self.http.execute(request).await?;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        let body = response.text().await?;
        Ok(Reply {
            instance,
            status,
            location,
            body,
            failed: Vec::new(),
        })
    }

    /// A SOAP call as the demo merchant, to the next instance in turn.
    pub async fn soap(&self, api: &str, envelope: &str) -> Reply {
        let first = self.turn.fetch_add(1, Ordering::Relaxed) % 2;
        self.soap_from(first, api, envelope).await
    }

    pub async fn soap_from(&self, first: usize, api: &str, envelope: &str) -> Reply {
        self.send_from(first, |http, base| {
            http.post(format!("{base}/V4/services/{api}"))
                .basic_auth(&self.merchant_id, Some(&self.access_key))
                .header("Content-Type", "text/xml; charset=utf-8")
                .body(envelope.to_owned())
        })
        .await
    }

    /// GET `path` (an absolute URL is reduced to its path: any instance serves it).
    pub async fn get(&self, path: &str) -> Reply {
        let path = path_of(path).to_owned();
        self.send(|http, base| http.get(format!("{base}{path}")))
            .await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        self.send(|http, base| http.post(format!("{base}{path}")).json(body))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(|http, base| http.delete(format!("{base}{path}")))
            .await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        let path = path_of(path).to_owned();
        self.send(|http, base| http.post(format!("{base}{path}")).form(form))
            .await
    }
}

/// An instance other than the survivor, with the survivor's card sandbox as its acquirer.
async fn start_instance(
    db: &TestDb,
    dir: &std::path::Path,
    address: &str,
    acquirer: &str,
) -> Server {
    let mut settings = SETTINGS.to_vec();
    settings.push(("CVGATE_CARD__BASE_URL", acquirer));
    support::start_server_with(db, dir, address, &settings).await
}

/// `http://host:port/a/b?c` → `/a/b?c`; a path stays as it is.
pub fn path_of(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |slash| &rest[slash..]),
        None => url,
    }
}

/// The innermost cause of a transport failure ("connection refused", "connection reset").
fn cause(error: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = error;
    while let Some(next) = source.source() {
        source = next;
    }
    if error.is_timeout() {
        "timeout".to_owned()
    } else {
        source.to_string()
    }
}

/// Counts a request as under way while it lives.
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn enter(counter: &'a AtomicUsize) -> InFlight<'a> {
        counter.fetch_add(1, Ordering::SeqCst);
        InFlight(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
