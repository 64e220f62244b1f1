//! Request metrics in the OpenMetrics text format (`prometheus-client`): counts by route and
//! status, and a latency histogram by route. Routes are the matched patterns (`/healthz`), never
//! raw paths, so tokens in URLs neither leak into metrics nor explode their cardinality.
//! Background jobs add their runs by kind and outcome, and gauges of live and dead jobs by kind.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use jobs::JobMetrics;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use store::repos::KindCounts;

/// The media type of [`render`]'s text.
pub(crate) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// One request series: the method, the matched route and the status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

/// One latency series: the matched route.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// One job-runs series: the job kind and how the run ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RunLabels {
    kind: String,
    outcome: String,
}

/// One job-count series: the job kind.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

/// A latency histogram with [`BUCKETS`].
fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// The HTTP requests this process answered: counts by method, route and status, latency by
/// route.
pub struct HttpMetrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

impl Default for HttpMetrics {
    fn default() -> HttpMetrics {
        HttpMetrics {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
        }
    }
}

impl HttpMetrics {
    /// Counts one answered request and its latency.
    pub(crate) fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let request = RequestLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        self.requests.get_or_create(&request).inc();
        let route = RouteLabels {
            route: route.to_owned(),
        };
        self.latency.get_or_create(&route).observe(seconds);
    }
}

/// Every series, as /metrics shows it: the requests of this process, its job runs by kind and
/// outcome, and the live and dead jobs by kind (the whole database; left out when `counts` is
/// `None`). Every kind the worker knows is shown, at 0 when it has no rows.
pub(crate) fn render(
    http: &HttpMetrics,
    runs: &JobMetrics,
    counts: Option<&[KindCounts]>,
) -> String {
    let mut registry = Registry::with_prefix("cvgate");
    registry.register(
        "http_requests",
        "HTTP requests by method, route and status",
        http.requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "HTTP request latency by route",
        http.latency.clone(),
    );
    let job_runs = Family::<RunLabels, Counter>::default();
    for run in runs.runs() {
        let labels = RunLabels {
            kind: run.kind,
            outcome: run.outcome.as_str().to_owned(),
        };
        job_runs.get_or_create(&labels).inc_by(run.count);
    }
    registry.register(
        "job_runs",
        "Background job runs by kind and outcome",
        job_runs,
    );
    if let Some(counts) = counts {
        register_job_counts(&mut registry, runs, counts);
    }
    let mut text = String::new();
    encode(&mut text, &registry).expect("writing to a String does not fail");
    text
}

/// The pending and dead gauges, by kind.
fn register_job_counts(registry: &mut Registry, runs: &JobMetrics, counts: &[KindCounts]) {
    let mut by_kind: BTreeMap<String, (i64, i64)> = runs
        .kinds()
        .into_iter()
        .map(|kind| (kind, (0, 0)))
        .collect();
    for count in counts {
        by_kind.insert(count.kind.clone(), (count.pending, count.dead));
    }
    let pending = Family::<KindLabels, Gauge>::default();
    let dead = Family::<KindLabels, Gauge>::default();
    for (kind, (waiting, failed)) in by_kind {
        let labels = KindLabels { kind };
        pending.get_or_create(&labels).set(waiting);
        dead.get_or_create(&labels).set(failed);
    }
    registry.register(
        "jobs_pending",
        "Background jobs waiting or running (not dead), by kind",
        pending,
    );
    registry.register(
        "jobs_dead",
        "Background jobs that failed too many times, kept until retried, by kind",
        dead,
    );
}

/// The method as a label: one of HTTP's own, or `other` (any token is a valid method: labels
/// made of them would grow without bound).
fn known_method(method: &axum::http::Method) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or("other")
}

/// Middleware: times each request, records it, and logs one line (method, route, status, time).
pub(crate) async fn record(
    State(metrics): State<Arc<HttpMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = known_method(request.method()).to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    metrics.observe(&method, &route, status, seconds);
    tracing::info!(target: "cvgate::http", %method, %route, status, millis = seconds * 1000.0, "request");
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let metrics = HttpMetrics::default();
        metrics.observe("GET", "/healthz", 200, 0.003);
        metrics.observe("GET", "/healthz", 200, 0.2);
        metrics.observe("GET", "/healthz", 503, 20.0);
        let text = render(&metrics, &JobMetrics::default(), None);
        assert!(
            text.contains(
                "cvgate_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "cvgate_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"503\"} 1\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("_bucket{le=\"0.005\",route=\"/healthz\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("_bucket{le=\"0.25\",route=\"/healthz\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("_bucket{le=\"10.0\",route=\"/healthz\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("_bucket{le=\"+Inf\",route=\"/healthz\"} 3\n"),
            "{text}"
        );
        assert!(text.contains("_count{route=\"/healthz\"} 3\n"), "{text}");
        assert!(
            text.ends_with("# EOF\n"),
            "OpenMetrics ends with EOF: {text}"
        );
    }
}
