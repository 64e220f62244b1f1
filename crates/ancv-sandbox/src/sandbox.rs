//! The core: the sandbox instance and its dependencies, and the two steps every operation
//! shares — reading a transaction as it is *now* (time-driven moves applied), and moving it
//! through states with their history and queued notifications, all inside the caller's unit of
//! work. It names only leaf modules (the app page's session key included: `app_page/session.rs`
//! needs nothing but the rules): the services (`impl Sandbox` blocks elsewhere) build on it, and
//! the HTTP surfaces and jobs are wired in [`crate::router`] and [`crate::job_handlers`].

use crate::app_page::SessionKey;
use crate::config::SandboxConfig;
use crate::error::SandboxError;
use crate::faults::{self, Faults};
use crate::model::{self, Event, State};
use crate::outbox;
use crate::record::Txn;
use crate::storage;
use ancv::{ErrorCode, SealKeyring};
use domain::clock::{Clock, Timestamp};
use domain::random::{Random, SharedRandom};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use store::{Store, StoreError, UnitOfWork};
use tokio::sync::Notify;

/// How long one notification attempt may take.
const NOTIFICATION_TIMEOUT: Duration = Duration::from_secs(5);

/// One ANCV sandbox. Cheap to clone (shared state); no global state: time, randomness and
/// storage are what it was given.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    random: SharedRandom,
    config: SandboxConfig,
    keyring: SealKeyring,
    /// Sends the notifications.
    http: reqwest::Client,
    /// Signs the app page's session cookies and CSRF tokens; drawn at start, never shown.
    app_key: SessionKey,
    wake: OnceLock<Arc<Notify>>,
}

impl Sandbox {
    /// The sandbox on `store`'s database, its tables brought up to date first.
    pub async fn open(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        config: SandboxConfig,
    ) -> Result<Sandbox, SandboxError> {
        store.migrate_set(&crate::storage::MIGRATIONS).await?;
        let http = reqwest::Client::builder()
            .timeout(NOTIFICATION_TIMEOUT)
            // A redirect is not a 2xx: the delivery is retried, not sent elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("cvgate-ancv-sandbox/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the notification HTTP client has no custom TLS settings, so it builds");
        let app_key = SessionKey::generate(random.as_ref());
        Ok(Sandbox {
            inner: Arc::new(Inner {
                store,
                clock,
                random,
                keyring: SealKeyring::new(config.seal_keys.clone()),
                config,
                http,
                app_key,
                wake: OnceLock::new(),
            }),
        })
    }

    /// Lets the sandbox wake the worker when it queues work due at once (a notification), instead
    /// of waiting for the worker's next idle round. Only the first call counts.
    pub fn set_job_wake(&self, wake: Arc<Notify>) {
        let _ = self.inner.wake.set(wake);
    }

    /// The settings it was opened with.
    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// The faults in force, as every instance on this database sees them (read on every call,
    /// never cached: another instance may have changed them).
    pub async fn faults(&self) -> Result<Faults, SandboxError> {
        let mut uow = self.store().read().await?;
        let faults = faults::load(&mut uow).await?;
        uow.rollback().await?;
        Ok(faults)
    }

    /// Sets the faults for every instance on this database.
    pub async fn set_faults(&self, faults: Faults) -> Result<Faults, SandboxError> {
        faults.validate()?;
        let mut uow = self.store().write().await?;
        faults::save(&mut uow, &faults, self.now()).await?;
        uow.commit().await?;
        tracing::info!(?faults, "ANCV sandbox faults set");
        Ok(faults)
    }

    /// No fault any more, on every instance.
    pub async fn reset_faults(&self) -> Result<Faults, SandboxError> {
        self.set_faults(Faults::default()).await
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The injected random source (ids, authorization numbers, the error fault's draws).
    pub(crate) fn random(&self) -> &dyn Random {
        self.inner.random.as_ref()
    }

    /// The keys that verify the seal of ANCV API calls.
    pub(crate) fn keyring(&self) -> &SealKeyring {
        &self.inner.keyring
    }

    /// The HTTP client of the notifications.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The key of the app page's session cookies and CSRF tokens.
    pub(crate) fn app_key(&self) -> &SessionKey {
        &self.inner.app_key
    }

    /// Commits, then wakes the worker (the unit of work may have queued jobs due now).
    pub(crate) async fn commit(&self, uow: UnitOfWork) -> Result<(), SandboxError> {
        uow.commit().await?;
        if let Some(wake) = self.inner.wake.get() {
            wake.notify_one();
        }
        Ok(())
    }

    /// The transaction as it is at `now`: an elapsed window expires it, a come capture date
    /// captures it (recorded and notified in `uow`). `None` when there is no such id.
    pub(crate) async fn load_current(
        &self,
        uow: &mut UnitOfWork,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<Txn>, SandboxError> {
        let Some(row) = storage::tables(uow).find_transaction(id).await? else {
            return Ok(None);
        };
        let mut txn = Txn::from_row(row)?;
        while let Some(event) = model::due_event(txn.state, txn.deadlines(), now) {
            self.apply(uow, &mut txn, event, now).await?;
        }
        Ok(Some(txn))
    }

    /// Moves `txn` as `event` says: each state passed is recorded and notified, then the row is
    /// written. Refused (nothing written) when the state does not accept the event.
    pub(crate) async fn apply(
        &self,
        uow: &mut UnitOfWork,
        txn: &mut Txn,
        event: Event,
        now: Timestamp,
    ) -> Result<(), SandboxError> {
        let states = model::next_states(txn.state, event)?;
        // The notification switches as they are at this change; each delivery keeps them.
        let faults = faults::load(uow).await?;
        for state in states {
            txn.set_state(state, now);
            storage::tables(uow)
                .insert_event(txn.id(), state.as_str(), now)
                .await?;
            outbox::queue(uow, txn, &faults, now).await?;
            tracing::info!(transaction = %txn.id(), %state, "ANCV sandbox transaction moved");
        }
        match storage::tables(uow).update_transaction(&txn.row).await {
            Ok(_) => Ok(()),
            // The partial unique index: another request of this beneficiary became PROCESSING
            // concurrently.
            Err(StoreError::Conflict { .. }) if txn.state == State::Processing => {
                Err(SandboxError::refused(
                    ErrorCode::OtherTransactionPending,
                    "the beneficiary already has a request waiting in the app",
                ))
            }
            Err(error) => Err(error.into()),
        }
    }
}
