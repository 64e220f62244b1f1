//! The load: `concurrency` workers, each sending one request after another for a fixed time,
//! every answer timed (a closed loop, as `wrk` does).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Requests answered as expected.
    pub succeeded: u64,
    /// Requests that failed or got an unexpected answer.
    pub failed: u64,
    /// How long the run lasted.
    pub elapsed: Duration,
    /// Every successful request's latency, in microseconds, sorted.
    latencies_us: Vec<u64>,
}

impl Outcome {
    /// Successful requests per second.
    pub fn per_second(&self) -> f64 {
        self.succeeded as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency under which `fraction` of the requests were answered, in milliseconds.
    pub fn percentile_ms(&self, fraction: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((self.latencies_us.len() as f64 * fraction).ceil() as usize).max(1) - 1;
        self.latencies_us[rank.min(self.latencies_us.len() - 1)] as f64 / 1_000.0
    }
}

/// Runs `step` (one operation: given a number no other step gets, it answers whether it
/// succeeded) from `concurrency` workers for `duration`.
pub async fn run<F, Fut>(concurrency: usize, duration: Duration, step: F) -> Outcome
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let step = Arc::new(step);
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..concurrency as u64)
        .map(|worker| {
            let step = Arc::clone(&step);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failed = 0;
                let mut sequence = 0;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    // Worker w numbers its steps w, w + concurrency, …: all distinct.
                    if step(worker + sequence * concurrency as u64).await {
                        latencies.push(sent.elapsed().as_micros() as u64);
                    } else {
                        failed += 1;
                    }
                    sequence += 1;
                }
                (latencies, failed)
            })
        })
        .collect();
    let mut latencies_us = Vec::new();
    let mut failed = 0;
    for worker in workers {
        let (latencies, failures) = worker.await.expect("a load worker panicked");
        latencies_us.extend(latencies);
        failed += failures;
    }
    let elapsed = started.elapsed();
    latencies_us.sort_unstable();
    Outcome {
        succeeded: latencies_us.len() as u64,
        failed,
        elapsed,
        latencies_us,
    }
}
