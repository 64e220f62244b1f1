//! How the runs of each kind of job ended, counted in memory for `/metrics`
//! (`cvgate_job_runs_total{kind,outcome}`). The gauges of pending and dead jobs are read from the
//! database when scraped, since other instances change them too.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// How one run of a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RunOutcome {
    /// The handler finished the work (the job is removed unless asked for again meanwhile).
    Done,
    /// The handler asked to run again later.
    Rescheduled,
    /// The handler reported a failure; the job is retried later (or dies).
    Failed,
    /// The handler panicked (counted as a failure too, for the retries).
    Panicked,
}

impl RunOutcome {
    /// Every outcome once, in the order `/metrics` lists them.
    pub const ALL: [RunOutcome; 4] = [
        RunOutcome::Done,
        RunOutcome::Rescheduled,
        RunOutcome::Failed,
        RunOutcome::Panicked,
    ];

    /// The `outcome` label on `/metrics`: `done`, `rescheduled`, `failed` or `panicked`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Done => "done",
            RunOutcome::Rescheduled => "rescheduled",
            RunOutcome::Failed => "failed",
            RunOutcome::Panicked => "panicked",
        }
    }
}

/// One counter: runs of `kind` that ended with `outcome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRuns {
    /// The job kind (the `kind` label).
    pub kind: String,
    /// How the runs ended (the `outcome` label).
    pub outcome: RunOutcome,
    /// How many runs of that kind ended so, since the process started.
    pub count: u64,
}

/// The job counters of one process, shared by its [`crate::Worker`] and the web state.
#[derive(Debug, Default)]
pub struct JobMetrics {
    runs: Mutex<BTreeMap<(String, RunOutcome), u64>>,
}

impl JobMetrics {
    /// Shows every outcome of `kind` from the start, at 0 (a series that appears late is
    /// harder to alert on).
    pub(crate) fn register_kind(&self, kind: &str) {
        let mut runs = self.lock();
        for outcome in RunOutcome::ALL {
            runs.entry((kind.to_owned(), outcome)).or_default();
        }
    }

    pub(crate) fn record(&self, kind: &str, outcome: RunOutcome) {
        *self.lock().entry((kind.to_owned(), outcome)).or_default() += 1;
    }

    /// Every counter, by kind then outcome.
    pub fn runs(&self) -> Vec<JobRuns> {
        self.lock()
            .iter()
            .map(|((kind, outcome), count)| JobRuns {
                kind: kind.clone(),
                outcome: *outcome,
                count: *count,
            })
            .collect()
    }

    /// How many runs of `kind` ended with `outcome`.
    pub fn count(&self, kind: &str, outcome: RunOutcome) -> u64 {
        self.lock()
            .get(&(kind.to_owned(), outcome))
            .copied()
            .unwrap_or(0)
    }

    /// The kinds registered or run so far.
    pub fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.lock().keys().map(|(kind, _)| kind.clone()).collect();
        kinds.dedup();
        kinds
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, RunOutcome), u64>> {
        // A counter map is never left half-updated: a poisoned lock is still usable.
        self.runs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
