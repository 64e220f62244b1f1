//! Request metrics in the Prometheus text format: counts by route and status, and a latency
//! histogram by route. Routes are the matched patterns (`/healthz`), never raw paths, so tokens in
//! URLs neither leak into metrics nor explode their cardinality. Background jobs add their runs by
//! kind and outcome, and gauges of live and dead jobs by kind.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use jobs::JobMetrics;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use store::repos::KindCounts;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The HTTP requests this process answered: counts by method, route and status, latency by
/// route.
#[derive(Default)]
pub struct HttpMetrics {
    inner: Mutex<Recorded>,
}

#[derive(Default)]
struct Recorded {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum_seconds: f64,
    count: u64,
}

impl HttpMetrics {
    /// Counts one answered request and its latency.
    pub(crate) fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut recorded = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *recorded
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let histogram = recorded.latency.entry(route.to_owned()).or_default();
        for (bucket, bound) in histogram.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        histogram.sum_seconds += seconds;
        histogram.count += 1;
    }

    /// The request counters and latency histograms, in the Prometheus text format.
    pub(crate) fn render(&self) -> String {
        let recorded = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut out = String::new();
        out.push_str(
            "# HELP cvgate_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE cvgate_http_requests_total counter\n");
        for ((method, route, status), count) in &recorded.requests {
            let _ = writeln!(
                out,
                "cvgate_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str(
            "# HELP cvgate_http_request_duration_seconds HTTP request latency by route.\n",
        );
        out.push_str("# TYPE cvgate_http_request_duration_seconds histogram\n");
        for (route, histogram) in &recorded.latency {
            for (bound, count) in BUCKETS.iter().zip(histogram.buckets) {
                let _ = writeln!(
                    out,
                    "cvgate_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "cvgate_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "cvgate_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                histogram.sum_seconds
            );
            let _ = writeln!(
                out,
                "cvgate_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                histogram.count
            );
        }
        out
    }
}

/// The job series: runs by kind and outcome (this process), and the live and dead jobs by kind
/// (the whole database; left out when `counts` is `None`). Every kind the worker knows is shown,
/// at 0 when it has no rows.
pub(crate) fn render_jobs(runs: &JobMetrics, counts: Option<&[KindCounts]>) -> String {
    let mut out = String::new();
    out.push_str("# HELP cvgate_job_runs_total Background job runs by kind and outcome.\n");
    out.push_str("# TYPE cvgate_job_runs_total counter\n");
    for run in runs.runs() {
        let _ = writeln!(
            out,
            "cvgate_job_runs_total{{kind=\"{}\",outcome=\"{}\"}} {}",
            run.kind,
            run.outcome.as_str(),
            run.count
        );
    }
    let Some(counts) = counts else {
        return out;
    };
    let mut by_kind: BTreeMap<String, (i64, i64)> = runs
        .kinds()
        .into_iter()
        .map(|kind| (kind, (0, 0)))
        .collect();
    for count in counts {
        by_kind.insert(count.kind.clone(), (count.pending, count.dead));
    }
    gauge(
        &mut out,
        "cvgate_jobs_pending",
        "Background jobs waiting or running (not dead), by kind.",
        by_kind.iter().map(|(kind, (pending, _))| (kind, *pending)),
    );
    gauge(
        &mut out,
        "cvgate_jobs_dead",
        "Background jobs that failed too many times, kept until retried, by kind.",
        by_kind.iter().map(|(kind, (_, dead))| (kind, *dead)),
    );
    out
}

fn gauge<'a>(
    out: &mut String,
    name: &str,
    help: &str,
    values: impl Iterator<Item = (&'a String, i64)>,
) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for (kind, value) in values {
        let _ = writeln!(out, "{name}{{kind=\"{kind}\"}} {value}");
    }
}

/// Middleware: times each request, records it, and logs one line (method, route, status, time).
pub(crate) async fn record(
    State(metrics): State<Arc<HttpMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
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
        let text = metrics.render();
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
            text.contains("_bucket{route=\"/healthz\",le=\"0.005\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("_bucket{route=\"/healthz\",le=\"0.25\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("_bucket{route=\"/healthz\",le=\"10\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("_bucket{route=\"/healthz\",le=\"+Inf\"} 3\n"),
            "{text}"
        );
        assert!(text.contains("_count{route=\"/healthz\"} 3\n"), "{text}");
    }
}
