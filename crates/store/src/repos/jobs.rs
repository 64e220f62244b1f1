use crate::{Backend, StoreError};
use domain::clock::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Background work as leased rows: several instances on one PostgreSQL database never run the
/// same job at once (`FOR UPDATE SKIP LOCKED`; SQLite serialises writers anyway).
pub struct Jobs<'a> {
    conn: &'a mut AnyConnection,
    backend: Backend,
}

/// A job this worker holds until `locked_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedJob {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    /// How many times it was leased, this time included.
    pub attempts: i64,
    pub generation: i64,
    pub locked_until: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingJob {
    pub kind: String,
    pub subject: String,
    pub run_at: Timestamp,
    pub attempts: i64,
    pub last_error: Option<String>,
}

impl<'a> Jobs<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection, backend: Backend) -> Self {
        Jobs { conn, backend }
    }

    /// Asks for `kind` work on `subject` at `run_at`. If it is already pending, it runs at the
    /// earlier time; if it is running, it will run once more afterwards.
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
             ON CONFLICT (kind, subject) DO UPDATE SET run_at = {earliest}, generation = jobs.generation + 1"
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

    /// Leases the most overdue job of one of `kinds` that nobody holds, until `lease_until`.
    pub async fn lease_due(
        &mut self,
        kinds: &[&str],
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Option<LeasedJob>, StoreError> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 3)).collect();
        let skip_locked = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE jobs SET locked_until = $1, attempts = attempts + 1
             WHERE id = (SELECT id FROM jobs
                         WHERE run_at <= $2 AND (locked_until IS NULL OR locked_until <= $2)
                           AND kind IN ({})
                         ORDER BY run_at, id LIMIT 1 {skip_locked})
             RETURNING id, kind, subject, attempts, generation, locked_until",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(lease_until.millis())
            .bind(now.millis());
        for kind in kinds {
            query = query.bind(*kind);
        }
        let row = query.fetch_optional(&mut *self.conn).await?;
        row.as_ref().map(leased_from_row).transpose()
    }

    /// The work is done: removes the job, unless it was asked for again meanwhile (then it is
    /// released to run once more). False when the lease was lost (another worker took over).
    pub async fn complete(&mut self, job: &LeasedJob) -> Result<bool, StoreError> {
        let deleted =
            sqlx::query("DELETE FROM jobs WHERE id = $1 AND locked_until = $2 AND generation = $3")
                .bind(job.id)
                .bind(job.locked_until.millis())
                .bind(job.generation)
                .execute(&mut *self.conn)
                .await?;
        if deleted.rows_affected() == 1 {
            return Ok(true);
        }
        let released = sqlx::query(
            "UPDATE jobs SET locked_until = NULL, attempts = 0 WHERE id = $1 AND locked_until = $2",
        )
        .bind(job.id)
        .bind(job.locked_until.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(released.rows_affected() == 1)
    }

    /// Runs the job again at `run_at` (the next poll, or a retry after `error`).
    pub async fn reschedule(
        &mut self,
        job: &LeasedJob,
        run_at: Timestamp,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE jobs SET run_at = CASE WHEN generation = $4 THEN $1 ELSE run_at END, locked_until = NULL, last_error = $2
             WHERE id = $3 AND locked_until = $5",
        )
        .bind(run_at.millis())
        .bind(error)
        .bind(job.id)
        .bind(job.generation)
        .bind(job.locked_until.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Pending jobs of a kind, soonest first (for operators and tests).
    pub async fn pending(&mut self, kind: &str) -> Result<Vec<PendingJob>, StoreError> {
        let rows = sqlx::query("SELECT kind, subject, run_at, attempts, last_error FROM jobs WHERE kind = $1 ORDER BY run_at, id")
            .bind(kind)
            .fetch_all(&mut *self.conn)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(PendingJob {
                    kind: row.try_get("kind")?,
                    subject: row.try_get("subject")?,
                    run_at: Timestamp(row.try_get("run_at")?),
                    attempts: row.try_get("attempts")?,
                    last_error: row.try_get("last_error")?,
                })
            })
            .collect()
    }

    /// When the next job of one of `kinds` is due, if any (lets an idle worker sleep just enough).
    pub async fn next_run_at(&mut self, kinds: &[&str]) -> Result<Option<Timestamp>, StoreError> {
        let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 1)).collect();
        if kinds.is_empty() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT MIN(run_at) AS next FROM jobs WHERE kind IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for kind in kinds {
            query = query.bind(*kind);
        }
        let row = query.fetch_one(&mut *self.conn).await?;
        Ok(row.try_get::<Option<i64>, _>("next")?.map(Timestamp))
    }
}

fn leased_from_row(row: &AnyRow) -> Result<LeasedJob, StoreError> {
    Ok(LeasedJob {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        subject: row.try_get("subject")?,
        attempts: row.try_get("attempts")?,
        generation: row.try_get("generation")?,
        locked_until: Timestamp(row.try_get("locked_until")?),
    })
}
