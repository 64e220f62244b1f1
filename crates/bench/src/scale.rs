//! The scale run (`--seeded N`): how cost grows with the data. On each database, doWebPayment
//! and getWebPaymentDetails are measured on an empty database, then again once it holds a year of
//! history (`seed`: N sessions, as many transactions, N/10 merchant notifications pending against
//! a merchant server that is down), and transactionsSearch of the last 31 days is timed there.

use crate::cvgate_client::Cvgate;
use crate::load::{self, Outcome};
use crate::options::Options;
use crate::report::{self, Row};
use crate::scenarios::{PostgresSchemas, do_web_payments, read_details, start_cvgate};
use crate::seed::{Plan, Seeder, Templates};
use crate::split_flow;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const DAY_MS: i64 = 86_400_000;

/// The scale run on SQLite (a fresh file), then on PostgreSQL when asked.
pub async fn run_all(options: &Options, sessions: u64) -> Result<(), String> {
    let plan = Plan::of(sessions);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let sqlite_url = format!("sqlite://{}", dir.path().join("cvgate.sqlite").display());
    let mut rows = on_backend("SQLite", &sqlite_url, &plan, options).await?;
    if let Some(url) = &options.postgres {
        let schemas = PostgresSchemas::create(url).await?;
        let measured = on_backend("PostgreSQL", &schemas.url_of("cvgate"), &plan, options).await;
        schemas.drop_all().await;
        rows.extend(measured?);
    }
    println!(
        "\nSeeded: {} sessions (half complete split payments, an ANCV payment and a card payment \
         each; half cancelled), {} merchant notifications pending against a server that is down.",
        plan.sessions, plan.pending_notifications
    );
    report::print(&rows, options, "seeded / empty");
    Ok(())
}

async fn on_backend(
    backend: &'static str,
    database_url: &str,
    plan: &Plan,
    options: &Options,
) -> Result<Vec<Row>, String> {
    let server = start_cvgate(database_url, options).await?;
    let cvgate = Cvgate::of(&server)?;
    let templates = Templates {
        split: split_flow::one(&cvgate).await?,
        cancelled: split_flow::cancelled(&cvgate).await?,
    };
    eprintln!("{backend}: doWebPayment, getWebPaymentDetails on an empty database…");
    let empty = Measured::of(&cvgate, options).await?;

    let now = now_ms();
    let mut seeder = Seeder::connect(database_url, now).await?;
    eprintln!("{backend}: seeding {} sessions…", plan.sessions);
    let started = Instant::now();
    let written = seeder.seed_history(&templates, plan).await?;
    let period = SearchPeriod::last_31_days(now);
    let in_period = seeder.transactions_between(period.from_ms, now).await?;
    eprintln!(
        "{backend}: seeded in {:.0} s ({}); {in_period} transactions in {} – {}",
        started.elapsed().as_secs_f64(),
        listed(&written),
        period.start,
        period.end
    );
    let seeded = Measured::of(&cvgate, options).await?;
    let search = search(&cvgate, &period, options).await;

    eprintln!(
        "{backend}: {} pending notifications…",
        plan.pending_notifications
    );
    let written = seeder.seed_pending_notifications(&templates, plan).await?;
    drop(seeder);
    eprintln!("{backend}: seeded ({})", listed(&written));
    let notifying = Measured::of(&cvgate, options).await?;

    let mut rows = empty.rows(backend, "empty", None);
    rows.extend(seeded.rows(backend, "seeded", Some(&empty)));
    rows.extend(notifying.rows(backend, "seeded + notifications", Some(&empty)));
    rows.push(Row::new(
        backend,
        "transactionsSearch, 31 days, seeded (one at a time)",
        search,
        None,
    ));
    Ok(rows)
}

fn listed(written: &[(&str, u64)]) -> String {
    let tables: Vec<String> = written.iter().map(|(t, n)| format!("{t} {n}")).collect();
    tables.join(", ")
}

/// doWebPayment and getWebPaymentDetails, measured once.
struct Measured {
    create: Outcome,
    read: Outcome,
}

impl Measured {
    async fn of(cvgate: &Cvgate, options: &Options) -> Result<Measured, String> {
        Ok(Measured {
            create: do_web_payments(cvgate, options).await,
            read: read_details(cvgate, options).await?,
        })
    }

    /// The report's rows, `state` naming the database's, compared with `baseline`'s if given.
    fn rows(&self, backend: &'static str, state: &str, baseline: Option<&Measured>) -> Vec<Row> {
        vec![
            Row::new(
                backend,
                format!("doWebPayment (SOAP), {state}"),
                self.create.clone(),
                baseline.map(|b| &b.create),
            ),
            Row::new(
                backend,
                format!("getWebPaymentDetails (SOAP), {state}"),
                self.read.clone(),
                baseline.map(|b| &b.read),
            ),
        ]
    }
}

/// transactionsSearch of the period, one call after another for the options' duration; a call
/// counts if it lists transactions.
async fn search(cvgate: &Cvgate, period: &SearchPeriod, options: &Options) -> Outcome {
    let (cvgate, start, end) = (cvgate.clone(), period.start.clone(), period.end.clone());
    load::run(1, options.duration, move |_| {
        let (cvgate, start, end) = (cvgate.clone(), start.clone(), end.clone());
        async move {
            let answer = cvgate.transactions_search(&start, &end).await;
            answer.is_some_and(|body| body.matches(":transaction>").count() >= 2)
        }
    })
    .await
}

/// The 31 days ending today, as transactionsSearch takes them (both days included).
struct SearchPeriod {
    start: String,
    end: String,
    /// Where the period starts (midnight UTC of its first day, an hour early for Paris).
    from_ms: i64,
}

impl SearchPeriod {
    fn last_31_days(now_ms: i64) -> SearchPeriod {
        let today = now_ms.div_euclid(DAY_MS);
        let first = today - 30;
        SearchPeriod {
            start: day_text(first),
            end: day_text(today),
            from_ms: first * DAY_MS - 3_600_000,
        }
    }
}

fn now_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(since_epoch.as_millis()).expect("milliseconds fit")
}

/// Day `days` after 1970-01-01 as `dd/mm/yyyy` (the proleptic Gregorian calendar).
fn day_text(days: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{day:02}/{month:02}/{year}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_as_calendar_dates() {
        assert_eq!(day_text(0), "01/01/1970");
        assert_eq!(day_text(59), "01/03/1970");
        assert_eq!(day_text(11_016), "29/02/2000");
        // 2026-12-02.
        assert_eq!(day_text(20_789), "02/12/2026");
    }

    #[test]
    fn the_period_is_31_days_ending_today() {
        let now = 20_789 * DAY_MS + 5 * 3_600_000;
        let period = SearchPeriod::last_31_days(now);
        assert_eq!(period.start, "02/11/2026");
        assert_eq!(period.end, "02/12/2026");
    }
}
