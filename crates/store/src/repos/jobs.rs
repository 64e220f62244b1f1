use crate::{Backend, StoreError};
use domain::clock::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Background work as leased rows: several instances on one PostgreSQL database never run the
/// same job at once (`FOR UPDATE SKIP LOCKED`; SQLite serialises writers anyway).
///
/// A lease is known by its token: whoever leased the row with another token (because this one's
/// lease expired) owns it now, and the late worker's `complete`/`reschedule`/`record_failure`
/// change nothing. A job that failed `max_failures` times in a row is dead: never leased again
/// until an operator retries it or its work is asked for again.
pub struct Jobs<'a> {
    conn: &'a mut AnyConnection,
    backend: Backend,
}

/// A job this worker holds, as long as the row's lease token is `lease_token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedJob {
    /// The job's row id.
    pub id: i64,
    /// What to do: the handler's kind (e.g. `card_reconcile`).
    pub kind: String,
    /// What to do it on (e.g. a transaction id); unique per kind.
    pub subject: String,
    /// How many times it was leased, this time included.
    pub attempts: i64,
    /// Consecutive failures before this run.
    pub failures: i64,
    /// The row's generation when leased; it grows each time the work is asked for again.
    pub generation: i64,
    /// The lease's first end (renewals move the row's, not this one).
    pub locked_until: Timestamp,
    /// This lease's token: the row is still ours while it holds this value.
    pub lease_token: String,
}

/// A job row as operators see it: waiting, running or dead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJob {
    /// The job's row id.
    pub id: i64,
    /// The handler's kind.
    pub kind: String,
    /// What the job works on; unique per kind.
    pub subject: String,
    /// When it is due (next).
    pub run_at: Timestamp,
    /// How many times it was leased.
    pub attempts: i64,
    /// Consecutive failures since its last success.
    pub failures: i64,
    /// The last failure's message.
    pub last_error: Option<String>,
    /// When the current or last lease ends.
    pub locked_until: Option<Timestamp>,
    /// When it died (too many failures in a row); `None` while alive.
    pub dead_at: Option<Timestamp>,
}

/// Where a job stands, as `cvgate jobs` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for its run time or for a worker.
    Pending,
    /// A worker's lease holds it.
    Running,
    /// Failed too many times in a row: never leased again until retried or asked for again.
    Dead,
}

impl JobState {
    /// Lower-case name for operators: `pending`, `running` or `dead`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Dead => "dead",
        }
    }
}

impl StoredJob {
    /// Running while a lease holds it; an expired lease is a pending job again.
    pub fn state(&self, now: Timestamp) -> JobState {
        match (self.dead_at, self.locked_until) {
            (Some(_), _) => JobState::Dead,
            (None, Some(until)) if until > now => JobState::Running,
            (None, _) => JobState::Pending,
        }
    }
}

/// Which rows [`Jobs::list`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobFilter {
    /// Every job, alive or dead.
    All,
    /// Jobs that failed at least once since their last success, or are dead.
    Failed,
}

/// A failure as recorded by [`Jobs::record_failure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedFailure {
    /// Consecutive failures, this one included.
    pub failures: i64,
    /// Whether this failure killed the job.
    pub dead: bool,
}

/// How many jobs of a kind are alive (waiting or running) and dead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindCounts {
    /// The handler's kind.
    pub kind: String,
    /// Jobs of that kind alive (waiting or running).
    pub pending: i64,
    /// Jobs of that kind dead.
    pub dead: i64,
}

const STORED_COLUMNS: &str =
    "id, kind, subject, run_at, attempts, failures, last_error, locked_until, dead_at";

impl<'a> Jobs<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection, backend: Backend) -> Self {
        Jobs { conn, backend }
    }

    /// Asks for `kind` work on `subject` at `run_at`. If it is already pending, it runs at the
    /// earlier time; if it is running, it will run once more afterwards; if it is dead, it comes
    /// back to life (new work was asked for) with its failure count cleared.
    pub async fn enqueue(
        &mut self,
        kind: &str,
        subject: &str,
        run_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let earliest = match self.backend {
            Backend::Sqlite => "MIN(jobs.run_at, excluded.run_at)",
            Backend::Postgres => "LEAST(jobs.run_at, excluded.run_at)",
        };
        let sql = format!(
            "INSERT INTO jobs (kind, subject, run_at, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (kind, subject) DO UPDATE SET
                 run_at = CASE WHEN jobs.dead_at IS NULL THEN {earliest} ELSE excluded.run_at END,
                 failures = CASE WHEN jobs.dead_at IS NULL THEN jobs.failures ELSE 0 END,
                 dead_at = NULL,
                 generation = jobs.generation + 1"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(kind)
            .bind(subject)
            .bind(run_at.millis())
            .bind(now.millis())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Leases the most overdue live job of one of `kinds` that nobody holds, until
    /// `lease_until`, under `lease_token` (unique per lease).
    pub async fn lease_due(
        &mut self,
        kinds: &[&str],
        now: Timestamp,
        lease_until: Timestamp,
        lease_token: &str,
    ) -> Result<Option<LeasedJob>, StoreError> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let sql = lease_due_sql(self.backend, kinds.len());
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(lease_until.millis())
            .bind(lease_token)
            .bind(now.millis());
        for kind in kinds {
            query = query.bind(*kind);
        }
        let row = query.fetch_optional(&mut *self.conn).await?;
        row.as_ref().map(leased_from_row).transpose()
    }

    /// Extends a lease still held to `lease_until`. False when it was lost.
    pub async fn renew(
        &mut self,
        job: &LeasedJob,
        lease_until: Timestamp,
    ) -> Result<bool, StoreError> {
        let renewed =
            sqlx::query("UPDATE jobs SET locked_until = $1 WHERE id = $2 AND lease_token = $3")
                .bind(lease_until.millis())
                .bind(job.id)
                .bind(job.lease_token.as_str())
                .execute(&mut *self.conn)
                .await?;
        Ok(renewed.rows_affected() == 1)
    }

    /// The work is done: removes the job, unless it was asked for again meanwhile (then it is
    /// released to run once more). False when the lease was lost (another worker took over).
    pub async fn complete(&mut self, job: &LeasedJob) -> Result<bool, StoreError> {
        let deleted =
            sqlx::query("DELETE FROM jobs WHERE id = $1 AND lease_token = $2 AND generation = $3")
                .bind(job.id)
                .bind(job.lease_token.as_str())
                .bind(job.generation)
                .execute(&mut *self.conn)
                .await?;
        if deleted.rows_affected() == 1 {
            return Ok(true);
        }
        let released = sqlx::query(
            "UPDATE jobs SET locked_until = NULL, lease_token = NULL, attempts = 0, failures = 0,
                 last_error = NULL
             WHERE id = $1 AND lease_token = $2",
        )
        .bind(job.id)
        .bind(job.lease_token.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(released.rows_affected() == 1)
    }

    /// The job asked to run again at `run_at` (the next poll): a success, so its failures are
    /// cleared. False when the lease was lost.
    pub async fn reschedule(
        &mut self,
        job: &LeasedJob,
        run_at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE jobs SET run_at = CASE WHEN generation = $1 THEN $2 ELSE run_at END,
                 locked_until = NULL, lease_token = NULL, failures = 0, last_error = NULL
             WHERE id = $3 AND lease_token = $4",
        )
        .bind(job.generation)
        .bind(run_at.millis())
        .bind(job.id)
        .bind(job.lease_token.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The job failed with `error`: retried at `retry_at`, or dead at `now` if this is its
    /// `max_failures`th failure in a row (unless its work was asked for again while it ran).
    /// `None` when the lease was lost.
    pub async fn record_failure(
        &mut self,
        job: &LeasedJob,
        retry_at: Timestamp,
        error: &str,
        max_failures: i64,
        now: Timestamp,
    ) -> Result<Option<RecordedFailure>, StoreError> {
        let row = sqlx::query(
            "UPDATE jobs SET run_at = CASE WHEN generation = $1 THEN $2 ELSE run_at END,
                 locked_until = NULL, lease_token = NULL, last_error = $3,
                 failures = failures + 1,
                 dead_at = CASE WHEN failures + 1 >= $4 AND generation = $1 THEN $5 ELSE NULL END
             WHERE id = $6 AND lease_token = $7
             RETURNING failures, dead_at",
        )
        .bind(job.generation)
        .bind(retry_at.millis())
        .bind(error)
        .bind(max_failures)
        .bind(now.millis())
        .bind(job.id)
        .bind(job.lease_token.as_str())
        .fetch_optional(&mut *self.conn)
        .await?;
        row.map(|row| {
            Ok(RecordedFailure {
                failures: row.try_get("failures")?,
                dead: row.try_get::<Option<i64>, _>("dead_at")?.is_some(),
            })
        })
        .transpose()
    }

    /// An operator's retry of a dead or failing job: alive again, failures cleared, due at
    /// `now`. If it is running, it runs once more afterwards. `None` when there is no such job;
    /// `Some(false)` when it exists but neither failed nor died (nothing to retry).
    pub async fn retry(&mut self, id: i64, now: Timestamp) -> Result<Option<bool>, StoreError> {
        let retried = sqlx::query(
            "UPDATE jobs SET run_at = $1, failures = 0, dead_at = NULL, generation = generation + 1
             WHERE id = $2 AND (failures > 0 OR dead_at IS NOT NULL)",
        )
        .bind(now.millis())
        .bind(id)
        .execute(&mut *self.conn)
        .await?;
        if retried.rows_affected() == 1 {
            return Ok(Some(true));
        }
        Ok(self.find(id).await?.map(|_| false))
    }

    /// The job with this row id.
    pub async fn find(&mut self, id: i64) -> Result<Option<StoredJob>, StoreError> {
        let sql = format!("SELECT {STORED_COLUMNS} FROM jobs WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(stored_from_row).transpose()
    }

    /// Every job (or the failed ones), soonest first.
    pub async fn list(&mut self, filter: JobFilter) -> Result<Vec<StoredJob>, StoreError> {
        let condition = match filter {
            JobFilter::All => "",
            JobFilter::Failed => "WHERE failures > 0 OR dead_at IS NOT NULL",
        };
        let sql = format!("SELECT {STORED_COLUMNS} FROM jobs {condition} ORDER BY run_at, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *self.conn)
            .await?;
        rows.iter().map(stored_from_row).collect()
    }

    /// Jobs of a kind, soonest first (for tests).
    pub async fn pending(&mut self, kind: &str) -> Result<Vec<StoredJob>, StoreError> {
        let sql = format!("SELECT {STORED_COLUMNS} FROM jobs WHERE kind = $1 ORDER BY run_at, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(kind)
            .fetch_all(&mut *self.conn)
            .await?;
        rows.iter().map(stored_from_row).collect()
    }

    /// Live and dead jobs per kind, in one query (the `/metrics` gauges).
    pub async fn counts_by_kind(&mut self) -> Result<Vec<KindCounts>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind,
                    SUM(CASE WHEN dead_at IS NULL THEN 1 ELSE 0 END) AS pending,
                    SUM(CASE WHEN dead_at IS NULL THEN 0 ELSE 1 END) AS dead
             FROM jobs GROUP BY kind ORDER BY kind",
        )
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(KindCounts {
                    kind: row.try_get("kind")?,
                    pending: row.try_get("pending")?,
                    dead: row.try_get("dead")?,
                })
            })
            .collect()
    }

    /// How many of the merchant's session notifications (`kind`, subject a web payment token)
    /// have failed since their last success, dead ones included.
    pub async fn failing_for_merchant(
        &mut self,
        kind: &str,
        merchant_id: &domain::merchant::MerchantId,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS failing FROM jobs
             JOIN web_payments ON web_payments.token = jobs.subject
             WHERE jobs.kind = $1 AND jobs.failures > 0 AND web_payments.merchant_id = $2",
        )
        .bind(kind)
        .bind(merchant_id.as_str())
        .fetch_one(&mut *self.conn)
        .await?;
        Ok(row.try_get("failing")?)
    }

    /// When a live job of one of `kinds` can next be leased, if any: its run time, or the end
    /// of the lease holding it (lets an idle worker sleep just enough, and not spin on jobs
    /// that are running).
    pub async fn next_run_at(&mut self, kinds: &[&str]) -> Result<Option<Timestamp>, StoreError> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let sql = next_run_at_sql(self.backend, kinds.len());
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for kind in kinds {
            query = query.bind(*kind);
        }
        let row = query.fetch_one(&mut *self.conn).await?;
        let free_at: Option<i64> = row.try_get("free_at")?;
        let lease_ends_at: Option<i64> = row.try_get("lease_ends_at")?;
        let next = match (free_at, lease_ends_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(next.map(Timestamp))
    }
}

/// `lease_due`'s statement for `kinds` kinds: $1 lease end, $2 lease token, $3 now, then the
/// kinds.
pub(super) fn lease_due_sql(backend: Backend, kinds: usize) -> String {
    let skip_locked = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
    };
    let due = first_of_each_kind(
        kinds,
        4,
        "id, run_at",
        "run_at <= $3 AND (locked_until IS NULL OR locked_until <= $3)",
        &format!("run_at, id LIMIT 1 {skip_locked}"),
    );
    format!(
        "UPDATE jobs SET locked_until = $1, lease_token = $2, attempts = attempts + 1
         WHERE id = (SELECT id FROM ({due}) AS due ORDER BY run_at, id LIMIT 1)
         RETURNING id, kind, subject, attempts, failures, generation, locked_until, lease_token"
    )
}

/// `next_run_at`'s statement for `kinds` kinds ($1…). Index walks that stop at their first row
/// (each kind's earliest free job by `run_at`, the earliest lease to run out by
/// `locked_until`), not a scan of every pending job: the worker asks this after every job.
pub(super) fn next_run_at_sql(backend: Backend, kinds: usize) -> String {
    let free = first_of_each_kind(
        kinds,
        1,
        "run_at",
        "(locked_until IS NULL OR locked_until <= run_at)",
        "run_at LIMIT 1",
    );
    // SQLite would look for the leased jobs on a kind index (through every pending job of the
    // kind); `+kind` keeps it on the lease index, which holds only the jobs running.
    // PostgreSQL chooses well by itself (and has no unary plus on text).
    let kind = match backend {
        Backend::Sqlite => "+kind",
        Backend::Postgres => "kind",
    };
    let kinds_in = placeholders(kinds, 1);
    format!(
        "SELECT
           (SELECT MIN(run_at) FROM ({free}) AS free) AS free_at,
           (SELECT locked_until FROM jobs
             WHERE locked_until IS NOT NULL AND locked_until > run_at
               AND dead_at IS NULL AND {kind} IN ({kinds_in})
             ORDER BY locked_until LIMIT 1) AS lease_ends_at"
    )
}

/// One query per kind (placeholders `$first`…), each the first live job of its kind that
/// matches `condition` in `order_limit` order, as `SELECT columns … UNION ALL …`. Each walks
/// its own kind on the index of live jobs by (kind, run_at) and stops at its first row, never
/// through other kinds' jobs: a hundred thousand notifications waiting must not slow finding
/// the next money job. `order_limit` may end with a row lock (PostgreSQL's SKIP LOCKED).
fn first_of_each_kind(
    kinds: usize,
    first: usize,
    columns: &str,
    condition: &str,
    order_limit: &str,
) -> String {
    (first..first + kinds)
        .map(|placeholder| {
            format!(
                "SELECT {columns} FROM (SELECT {columns} FROM jobs
                   WHERE kind = ${placeholder} AND dead_at IS NULL AND {condition}
                   ORDER BY {order_limit}) AS kind{placeholder}"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// `$first, $first+1, …` for `count` bound values.
fn placeholders(count: usize, first: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn leased_from_row(row: &AnyRow) -> Result<LeasedJob, StoreError> {
    Ok(LeasedJob {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        subject: row.try_get("subject")?,
        attempts: row.try_get("attempts")?,
        failures: row.try_get("failures")?,
        generation: row.try_get("generation")?,
        locked_until: Timestamp(row.try_get("locked_until")?),
        lease_token: row.try_get("lease_token")?,
    })
}

fn stored_from_row(row: &AnyRow) -> Result<StoredJob, StoreError> {
    let timestamp = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(Timestamp))
    };
    Ok(StoredJob {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        subject: row.try_get("subject")?,
        run_at: Timestamp(row.try_get("run_at")?),
        attempts: row.try_get("attempts")?,
        failures: row.try_get("failures")?,
        last_error: row.try_get("last_error")?,
        locked_until: timestamp("locked_until")?,
        dead_at: timestamp("dead_at")?,
    })
}
