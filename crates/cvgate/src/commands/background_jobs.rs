//! `cvgate jobs list|retry`: what the background worker has to do, what failed, and a way to run
//! a dead job again once its cause is fixed.

use super::error::CommandError;
use super::output::Output;
use crate::cli::JobsCommand;
use crate::settings::Settings;
use domain::FieldError;
use domain::clock::{Clock, SystemClock, Timestamp};
use store::Store;
use store::repos::JobFilter;

/// Lists the jobs or retries one, on the settings' database.
pub async fn run(settings: Settings, command: JobsCommand, json: bool) -> Result<(), CommandError> {
    let store = Store::open(&settings.database_url).await?;
    let out = Output { json };
    let now = SystemClock.now();
    match command {
        JobsCommand::List { failed } => list(&store, &out, failed, now).await,
        JobsCommand::Retry { id } => retry(&store, &out, id, now).await,
    }
}

async fn list(
    store: &Store,
    out: &Output,
    failed: bool,
    now: Timestamp,
) -> Result<(), CommandError> {
    let filter = if failed {
        JobFilter::Failed
    } else {
        JobFilter::All
    };
    let jobs = store.read().await?.jobs().list(filter).await?;
    out.jobs(&jobs, now);
    Ok(())
}

/// A dead or failing job: failures cleared, due now. Anything else is refused, writing nothing.
async fn retry(store: &Store, out: &Output, id: i64, now: Timestamp) -> Result<(), CommandError> {
    let refused = |rule: String| CommandError::invalid(&FieldError::new("id", rule), out.json);
    let mut uow = store.write().await?;
    match uow.jobs().retry(id, now).await? {
        Some(true) => {}
        Some(false) => {
            return Err(refused(format!(
                "job {id} has not failed: nothing to retry"
            )));
        }
        None => return Err(refused(format!("no job with id {id}"))),
    }
    let job = uow.jobs().find(id).await?;
    uow.commit().await?;
    if let Some(job) = job {
        out.job_retried(&job, now);
    }
    Ok(())
}
