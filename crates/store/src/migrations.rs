//! Embedded migrations. One SQL text per step serves both backends; the few words that differ
//! between the dialects are placeholders filled in per backend, so the schemas cannot drift apart.
//!
//! cvgate's own schema is [`CVGATE`]. A part of the application that owns tables of its own (a
//! sandbox: a guest, not a tenant) brings its own [`MigrationSet`], with its own history table,
//! applied only when that part runs ([`crate::Store::migrate_set`]).

use crate::Backend;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr};
use std::borrow::Cow;

/// One step of a schema's history.
pub struct Step {
    /// The step's number; steps run in increasing order, each once.
    pub version: i64,
    /// One line saying what the step does, recorded in the history table.
    pub description: &'static str,
    /// The same SQL for both backends; `{{identity}}` is the backend's auto-generated integer
    /// primary key.
    pub sql: &'static str,
}

/// The migrations of one schema, with the table that records which ran.
pub struct MigrationSet {
    /// The table that records which steps ran (one per set, so sets never mix).
    pub history_table: &'static str,
    /// Every step, in version order.
    pub steps: &'static [Step],
}

/// cvgate's own tables.
pub const CVGATE: MigrationSet = MigrationSet {
    // sqlx's default: databases made before migration sets existed keep their history.
    history_table: "_sqlx_migrations",
    steps: STEPS,
};

const STEPS: &[Step] = &[
    Step {
        version: 1,
        description: "merchant configuration",
        sql: include_str!("../migrations/0001_merchant_configuration.sql"),
    },
    Step {
        version: 2,
        description: "jobs and ANCV payments",
        sql: include_str!("../migrations/0002_jobs_and_ancv_payments.sql"),
    },
    Step {
        version: 3,
        description: "ANCV Connect sandbox",
        sql: include_str!("../migrations/0003_sandbox_ancv.sql"),
    },
    Step {
        version: 4,
        description: "card payments and the card sandbox",
        sql: include_str!("../migrations/0004_card.sql"),
    },
    Step {
        version: 5,
        description: "web payments",
        sql: include_str!("../migrations/0005_web_payments.sql"),
    },
    Step {
        version: 6,
        description: "after-sale: transaction ids, ANCV refunds, operation replays",
        sql: include_str!("../migrations/0006_after_sale.sql"),
    },
    Step {
        version: 7,
        description: "money integrity: sessions of ANCV payments, request keys, claim leases",
        sql: include_str!("../migrations/0007_money_integrity.sql"),
    },
    Step {
        version: 8,
        description: "job lease tokens, failure counts and dead jobs",
        sql: include_str!("../migrations/0008_job_leases.sql"),
    },
    Step {
        version: 9,
        description: "sandbox state shared by instances: card challenge decisions, faults",
        sql: include_str!("../migrations/0009_sandbox_state.sql"),
    },
    Step {
        version: 10,
        description: "the card sandbox's ledger keeps the merchant's order reference",
        sql: include_str!("../migrations/0010_ledger_order_ref.sql"),
    },
    Step {
        version: 11,
        description: "the sandboxes' tables move to their own migration sets",
        sql: include_str!("../migrations/0011_sandboxes_move_out.sql"),
    },
    Step {
        version: 12,
        description: "points of sale may let the widget update a session's data",
        sql: include_str!("../migrations/0012_widget_data_updates.sql"),
    },
    Step {
        version: 13,
        description: "points of sale have a reference, unique per merchant",
        sql: include_str!("../migrations/0013_point_of_sale_reference.sql"),
    },
    Step {
        version: 14,
        description: "idempotency keys remember the digest of the first request",
        sql: include_str!("../migrations/0014_idempotency_keys.sql"),
    },
    Step {
        version: 15,
        description: "back-office users (merchant staff and platform operators)",
        sql: include_str!("../migrations/0015_back_office_users.sql"),
    },
    Step {
        version: 16,
        description: "back-office sessions and sign-in throttling",
        sql: include_str!("../migrations/0016_back_office_sign_in.sql"),
    },
    Step {
        version: 17,
        description: "the back office's audit trail",
        sql: include_str!("../migrations/0017_audit_trail.sql"),
    },
    Step {
        version: 18,
        description: "the calls made to merchants' notification URLs and their answers",
        sql: include_str!("../migrations/0018_notification_attempts.sql"),
    },
    Step {
        version: 19,
        description: "a platform operator's session acts for one merchant",
        sql: include_str!("../migrations/0019_platform_sessions.sql"),
    },
    Step {
        version: 20,
        description: "the secrets merchant notifications are signed with",
        sql: include_str!("../migrations/0020_notification_secrets.sql"),
    },
    Step {
        version: 21,
        description: "the merchants' configuration version, for caches",
        sql: include_str!("../migrations/0021_configuration_version.sql"),
    },
    Step {
        version: 22,
        description: "jobs: an index on lease ends",
        sql: include_str!("../migrations/0022_jobs_lease_index.sql"),
    },
    Step {
        version: 23,
        description: "transactionsSearch: indexes in the search's order",
        sql: include_str!("../migrations/0023_transaction_search_indexes.sql"),
    },
    Step {
        version: 24,
        description: "jobs: live jobs by kind and time",
        sql: include_str!("../migrations/0024_jobs_live_by_kind.sql"),
    },
];

/// The dialect's words for each placeholder.
fn placeholders(backend: Backend) -> [(&'static str, &'static str); 1] {
    match backend {
        // Only exactly `INTEGER PRIMARY KEY` is SQLite's auto-assigned rowid; AUTOINCREMENT
        // never reuses an id.
        Backend::Sqlite => [("{{identity}}", "INTEGER PRIMARY KEY AUTOINCREMENT")],
        Backend::Postgres => [(
            "{{identity}}",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        )],
    }
}

/// The migrator of `set` for `backend`.
pub(crate) fn migrator(set: &MigrationSet, backend: Backend) -> Migrator {
    let migrations = set
        .steps
        .iter()
        .map(|step| {
            let sql = placeholders(backend)
                .iter()
                .fold(step.sql.to_owned(), |sql, (placeholder, words)| {
                    sql.replace(placeholder, words)
                });
            Migration::new(
                step.version,
                Cow::Borrowed(step.description),
                MigrationType::Simple,
                AssertSqlSafe(sql).into_sql_str(),
                false,
            )
        })
        .collect::<Vec<_>>();
    let mut migrator = Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    };
    migrator.dangerous_set_table_name(set.history_table);
    migrator
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled_for_both_backends() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            for migration in migrator(&CVGATE, backend).iter() {
                assert!(
                    !migration.sql.as_str().contains("{{"),
                    "{backend}: {}",
                    migration.description
                );
            }
        }
    }
}
