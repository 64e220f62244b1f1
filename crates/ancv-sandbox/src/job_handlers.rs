//! The sandbox's background work as [`jobs::JobHandler`]s, and their wiring
//! ([`Sandbox::job_handlers`]): everything timed is a job row, so a test advances a manual clock
//! and runs the due jobs instead of sleeping. Each handler only calls a [`Sandbox`] method.

use crate::error::SandboxError;
use crate::job_kinds::{AUTO_JOB, CAPTURE_JOB, DELIVERY_JOB, EXPIRY_JOB};
use crate::sandbox::Sandbox;
use jobs::{JobFuture, JobHandler, JobOutcome, Lane};
use std::sync::Arc;

#[derive(Debug, Clone, Copy)]
enum Kind {
    Delivery,
    Auto,
    Expiry,
    Capture,
}

struct SandboxJob {
    sandbox: Sandbox,
    kind: Kind,
}

impl Sandbox {
    /// The background jobs to register on a [`jobs::Worker`].
    pub fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        [Kind::Delivery, Kind::Auto, Kind::Expiry, Kind::Capture]
            .into_iter()
            .map(|kind| {
                Arc::new(SandboxJob {
                    sandbox: self.clone(),
                    kind,
                }) as Arc<dyn JobHandler>
            })
            .collect()
    }
}

impl JobHandler for SandboxJob {
    fn kind(&self) -> &'static str {
        match self.kind {
            Kind::Delivery => DELIVERY_JOB,
            Kind::Auto => AUTO_JOB,
            Kind::Expiry => EXPIRY_JOB,
            Kind::Capture => CAPTURE_JOB,
        }
    }

    /// Deliveries call the partner's notification URL, like merchant notifications.
    fn lane(&self) -> Lane {
        match self.kind {
            Kind::Delivery => Lane::Notification,
            Kind::Auto | Kind::Expiry | Kind::Capture => Lane::Money,
        }
    }

    fn run<'a>(&'a self, subject: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(async move {
            let outcome = match self.kind {
                Kind::Delivery => match subject.parse::<i64>() {
                    Ok(id) => self.sandbox.deliver(id).await,
                    Err(_) => Err(SandboxError::Internal(format!(
                        "delivery job subject {subject:?} is not an id"
                    ))),
                },
                Kind::Auto => self.sandbox.run_auto_answer(subject).await,
                // Both only need the transaction read as it is now: reading applies what time did.
                Kind::Expiry | Kind::Capture => self.sandbox.catch_up(subject).await,
            };
            outcome.unwrap_or_else(|error| JobOutcome::Failed(error.to_string()))
        })
    }
}
