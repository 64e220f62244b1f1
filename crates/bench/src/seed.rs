//! The seeded database of the scale run: a year of a busy merchant's history, made by copying
//! rows that cvgate itself wrote for real payments (the templates), so that every column holds
//! what the product writes, and only ids and instants differ from copy to copy.
//!
//! Ids and the references to them get the same suffix in a copy (`…-s42`), so a copied session
//! still points at its copied ANCV payment and card transaction. Instants move by the same shift
//! within a copy. Written straight into cvgate's tables with `INSERT … SELECT`: a fixture of the
//! benchmark that knows the schema, not a way the product is ever fed.

use sqlx::{AnyConnection, Connection, Executor, Row};

/// Columns holding an id (or a reference to one) that must differ from copy to copy.
const SUFFIXED: &[&str] = &[
    "token",
    "payment_id",
    "ancv_payment_id",
    "web_payment_token",
    "ancv_id",
    "id",
    "card_transaction_id",
    "attempt_group",
    "challenge_ref",
    "transaction_id",
    "order_ref",
    "subject",
];

/// Columns holding an instant (milliseconds), moved with the copy.
const INSTANTS: &[&str] = &[
    "created_at",
    "updated_at",
    "expires_at",
    "opened_at",
    "finalized_at",
    "merchant_read_at",
    "authorized_at",
    "remitted_at",
    "at",
];

/// Rows copied per statement (progress shows between them; no statement runs for minutes).
const CHUNK: u64 = 50_000;

const DAY_MS: i64 = 86_400_000;

/// What a scale run puts in the database.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Web payment sessions in all; half of them complete split payments (an ANCV payment and
    /// a card transaction each: as many transactions as sessions), half cancelled on the page.
    pub sessions: u64,
    /// Sessions ended in the last two hours whose merchant notification is still being retried
    /// (the merchant's server is down), each with its pending job.
    pub pending_notifications: u64,
    /// The period the sessions are spread over, ending now (days).
    pub history_days: i64,
}

impl Plan {
    /// `sessions` sessions, a tenth as many pending notifications, over 300 days: every 31-day
    /// period holds over a tenth of the transactions (103,000 for a million sessions).
    pub fn of(sessions: u64) -> Plan {
        Plan {
            sessions,
            pending_notifications: sessions / 10,
            history_days: 300,
        }
    }
}

/// The sessions cvgate made for real that the seed copies.
pub struct Templates {
    /// A complete split payment (ANCV partial + card), read by the merchant.
    pub split: String,
    /// A session cancelled on the page.
    pub cancelled: String,
}

/// A connection to cvgate's database and the instant the seed counts back from.
pub struct Seeder {
    conn: AnyConnection,
    sqlite: bool,
    now_ms: i64,
}

/// One kind of copy: where its rows come from, how far apart copies are, what differs.
struct Copies<'a> {
    /// Appended to every id: `-<letter><n>`.
    letter: char,
    count: u64,
    /// The template session's creation instant (the shift is measured from it).
    template_created_at: i64,
    /// Copy `n` (1-based) is created `n × spacing_ms` before `newest_ms`.
    newest_ms: i64,
    spacing_ms: i64,
    /// (table, condition on the template rows `t`), in foreign-key order.
    tables: Vec<(&'static str, String)>,
    /// Column → SQL expression replacing the copied value (may use `t.`, `n.i`, `{shift}`).
    overrides: &'a [(&'static str, &'static str)],
}

impl Seeder {
    pub async fn connect(url: &str, now_ms: i64) -> Result<Seeder, String> {
        sqlx::any::install_default_drivers();
        let mut conn = AnyConnection::connect(url)
            .await
            .map_err(|e| format!("cannot open {url}: {e}"))?;
        let sqlite = url.starts_with("sqlite:");
        if sqlite {
            // cvgate serves meanwhile: wait for its writes rather than fail.
            conn.execute("PRAGMA busy_timeout = 60000")
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(Seeder {
            conn,
            sqlite,
            now_ms,
        })
    }

    /// Writes the plan's history (sessions and transactions); returns how many rows each table
    /// got.
    pub async fn seed_history(
        &mut self,
        templates: &Templates,
        plan: &Plan,
    ) -> Result<Vec<(&'static str, u64)>, String> {
        let split = self.session_links(&templates.split).await?;
        let cancelled = self.session_links(&templates.cancelled).await?;
        let (Some(payment), Some(card)) = (&split.ancv_payment_id, &split.card_transaction_id)
        else {
            return Err("the split template has no ANCV payment or card transaction".into());
        };
        let history_ms = plan.history_days * DAY_MS;
        let half = plan.sessions / 2;
        let mut written = Vec::new();
        let split_tables = vec![
            ("ancv_payments", format!("t.payment_id = '{payment}'")),
            ("ancv_payment_events", format!("t.payment_id = '{payment}'")),
            ("card_transactions", format!("t.id = '{card}'")),
            ("card_operations", format!("t.transaction_id = '{card}'")),
            (
                "transaction_ids",
                format!(
                    "t.id = '{payment}' OR t.id = '{card}' OR t.id IN \
                     (SELECT id FROM card_operations WHERE transaction_id = '{card}')"
                ),
            ),
            ("web_payments", format!("t.token = '{}'", templates.split)),
        ];
        // Old card payments were remitted the next day (or the remittance job would take them all).
        let remitted = [
            ("remitted_at", "t.created_at + {shift} + 86400000"),
            ("remitted_amount", "t.captured_amount"),
        ];
        self.copy(
            &Copies {
                letter: 's',
                count: plan.sessions - half,
                template_created_at: split.created_at,
                newest_ms: self.now_ms - 3_600_000,
                spacing_ms: history_ms / (plan.sessions - half).max(1) as i64,
                tables: split_tables,
                overrides: &remitted,
            },
            &mut written,
        )
        .await?;
        let cancelled_tables = vec![(
            "web_payments",
            format!("t.token = '{}'", templates.cancelled),
        )];
        self.copy(
            &Copies {
                letter: 'c',
                count: half,
                template_created_at: cancelled.created_at,
                newest_ms: self.now_ms - 3_600_000,
                spacing_ms: history_ms / half.max(1) as i64,
                tables: cancelled_tables.clone(),
                overrides: &[],
            },
            &mut written,
        )
        .await?;
        self.analyze().await?;
        Ok(written)
    }

    /// PostgreSQL: what autovacuum would have done long before a year of history (else it
    /// starts on the new rows while the seeded database is measured).
    async fn analyze(&mut self) -> Result<(), String> {
        if self.sqlite {
            return Ok(());
        }
        self.run("VACUUM ANALYZE").await
    }

    /// Sessions ended in the last two hours, unread, their merchant's server down (a closed
    /// port answers at once), each notification job due within the next minute: what a
    /// merchant outage leaves behind.
    pub async fn seed_pending_notifications(
        &mut self,
        templates: &Templates,
        plan: &Plan,
    ) -> Result<Vec<(&'static str, u64)>, String> {
        let token = &templates.cancelled;
        let cancelled = self.session_links(token).await?;
        let mut written = Vec::new();
        let count = plan.pending_notifications;
        let unread = [
            ("notification_url", "'http://127.0.0.1:9/notify'"),
            ("merchant_read_at", "NULL"),
        ];
        self.copy(
            &Copies {
                letter: 'n',
                count,
                template_created_at: cancelled.created_at,
                newest_ms: self.now_ms - 60_000,
                spacing_ms: 7_000_000 / count.max(1) as i64,
                tables: vec![("web_payments", format!("t.token = '{token}'"))],
                overrides: &unread,
            },
            &mut written,
        )
        .await?;
        let (now, spacing) = (self.now_ms, 60_000 / count.max(1) as i64);
        let mut done = 0;
        while done < count {
            let (from, to) = (done + 1, (done + CHUNK).min(count));
            let sql = format!(
                "{numbers} INSERT INTO jobs (kind, subject, run_at, created_at) \
                 SELECT 'merchant_notification', t.token || '-n' || CAST(n.i AS TEXT), \
                 {now} + n.i * {spacing}, t.created_at FROM web_payments t, n \
                 WHERE t.token = '{token}'",
                numbers = numbers(from, to),
            );
            self.run(&sql).await?;
            done = to;
        }
        written.push(("jobs", count));
        self.analyze().await?;
        Ok(written)
    }

    /// Copies the templates' rows `copies.count` times, table by table, a chunk at a time.
    async fn copy(
        &mut self,
        copies: &Copies<'_>,
        written: &mut Vec<(&'static str, u64)>,
    ) -> Result<(), String> {
        let shift = format!(
            "({} - n.i * {} - {})",
            copies.newest_ms, copies.spacing_ms, copies.template_created_at
        );
        for (table, condition) in &copies.tables {
            let columns = self.columns(table).await?;
            let values: Vec<String> = columns
                .iter()
                .map(|column| value_of(column, copies, &shift))
                .collect();
            let per_copy = self.count_where(table, condition).await?;
            let mut done = 0;
            while done < copies.count {
                let (from, to) = (done + 1, (done + CHUNK).min(copies.count));
                let sql = format!(
                    "{numbers} INSERT INTO {table} ({columns}) SELECT {values} FROM {table} t, n \
                     WHERE {condition}",
                    numbers = numbers(from, to),
                    columns = columns.join(", "),
                    values = values.join(", "),
                );
                self.run(&sql).await?;
                done = to;
                eprint!("\r  {table}: {done} of {} copies", copies.count);
            }
            eprintln!();
            written.push((table, per_copy * copies.count));
        }
        Ok(())
    }

    /// The columns of `table` a copy writes (all but auto-generated integer ids).
    async fn columns(&mut self, table: &str) -> Result<Vec<String>, String> {
        let sql = if self.sqlite {
            format!("SELECT name, type FROM pragma_table_info('{table}')")
        } else {
            format!(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_name = '{table}' AND table_schema = current_schema() \
                 ORDER BY ordinal_position"
            )
        };
        let rows = self
            .conn
            .fetch_all(sqlx::AssertSqlSafe(sql))
            .await
            .map_err(|e| format!("columns of {table}: {e}"))?;
        let mut columns = Vec::new();
        for row in rows {
            let name: String = row.try_get(0).map_err(|e| e.to_string())?;
            let kind: String = row.try_get(1).map_err(|e| e.to_string())?;
            let generated = name == "id" && !kind.to_ascii_lowercase().contains("text");
            if !generated {
                columns.push(name);
            }
        }
        if columns.is_empty() {
            return Err(format!("table {table} not found"));
        }
        Ok(columns)
    }

    /// How many rows transactionsSearch could list (every kind) were made in `[from, to)`.
    pub async fn transactions_between(&mut self, from_ms: i64, to_ms: i64) -> Result<u64, String> {
        let mut total = 0;
        for table in [
            "ancv_payments",
            "ancv_refunds",
            "card_transactions",
            "card_operations",
        ] {
            let condition = format!("t.created_at >= {from_ms} AND t.created_at < {to_ms}");
            total += self.count_where(table, &condition).await?;
        }
        Ok(total)
    }

    async fn count_where(&mut self, table: &str, condition: &str) -> Result<u64, String> {
        let sql = format!("SELECT COUNT(*) FROM {table} t WHERE {condition}");
        let row = self
            .conn
            .fetch_one(sqlx::AssertSqlSafe(sql))
            .await
            .map_err(|e| e.to_string())?;
        let count: i64 = row.try_get(0).map_err(|e| e.to_string())?;
        Ok(count as u64)
    }

    async fn session_links(&mut self, token: &str) -> Result<SessionLinks, String> {
        let row = sqlx::query(
            "SELECT ancv_payment_id, card_transaction_id, created_at FROM web_payments \
             WHERE token = $1",
        )
        .bind(token)
        .fetch_optional(&mut self.conn)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("template session {token} not found"))?;
        Ok(SessionLinks {
            ancv_payment_id: row.try_get(0).map_err(|e| e.to_string())?,
            card_transaction_id: row.try_get(1).map_err(|e| e.to_string())?,
            created_at: row.try_get(2).map_err(|e| e.to_string())?,
        })
    }

    async fn run(&mut self, sql: &str) -> Result<(), String> {
        self.conn
            .execute(sqlx::AssertSqlSafe(sql.to_owned()))
            .await
            .map(|_| ())
            .map_err(|e| format!("{e}\nin: {sql}"))
    }
}

/// What a template session points at.
struct SessionLinks {
    ancv_payment_id: Option<String>,
    card_transaction_id: Option<String>,
    created_at: i64,
}

/// The value copy `n.i` writes in `column`.
fn value_of(column: &str, copies: &Copies, shift: &str) -> String {
    if let Some((_, expression)) = copies.overrides.iter().find(|(name, _)| *name == column) {
        return expression.replace("{shift}", shift);
    }
    if SUFFIXED.contains(&column) {
        format!("t.{column} || '-{}' || CAST(n.i AS TEXT)", copies.letter)
    } else if INSTANTS.contains(&column) {
        format!("t.{column} + {shift}")
    } else {
        format!("t.{column}")
    }
}

/// A common table expression `n(i)` numbering `from..=to` (both backends).
fn numbers(from: u64, to: u64) -> String {
    format!(
        "WITH RECURSIVE n(i) AS (SELECT CAST({from} AS BIGINT) UNION ALL \
         SELECT i + 1 FROM n WHERE i < {to})"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copies<'a>(overrides: &'a [(&'static str, &'static str)]) -> Copies<'a> {
        Copies {
            letter: 's',
            count: 1,
            template_created_at: 0,
            newest_ms: 0,
            spacing_ms: 1,
            tables: Vec::new(),
            overrides,
        }
    }

    #[test]
    fn ids_get_the_copy_suffix_instants_the_shift_and_the_rest_is_copied() {
        let plain = copies(&[]);
        assert_eq!(
            value_of("token", &plain, "S"),
            "t.token || '-s' || CAST(n.i AS TEXT)"
        );
        assert_eq!(value_of("created_at", &plain, "S"), "t.created_at + S");
        assert_eq!(value_of("amount", &plain, "S"), "t.amount");
        let overridden = copies(&[("remitted_at", "t.created_at + {shift} + 1")]);
        assert_eq!(
            value_of("remitted_at", &overridden, "S"),
            "t.created_at + S + 1"
        );
    }

    #[test]
    fn a_plan_spreads_a_tenth_of_the_transactions_over_every_31_days() {
        let plan = Plan::of(1_000_000);
        assert_eq!(plan.pending_notifications, 100_000);
        // Half the sessions carry two transactions each: as many transactions as sessions.
        let per_day = plan.sessions as f64 / plan.history_days as f64;
        assert!(per_day * 31.0 >= 100_000.0, "{per_day} a day");
    }
}
