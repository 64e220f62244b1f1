//! How writing units of work begin and end.
//!
//! PostgreSQL: each unit of work is a transaction of its own (PostgreSQL already flushes the
//! WAL of concurrent commits together).
//!
//! SQLite has one writer at a time and pays an `fsync` per commit. This process's writers take
//! turns, in arrival order, in one open transaction, each unit of work in a savepoint of it. The
//! transaction commits when a unit of work ends and no writer is waiting for its turn (or when
//! [`BATCH_LIMIT`] units wait for it), and a unit's `commit` returns only once the transaction
//! holding its writes committed: a burst of writers shares one `fsync`, and none is told its
//! writes are durable before they are. Without turns, each writer would wait in SQLite's busy
//! handler, which sleeps up to 100 ms between tries. (Other processes on the file still meet
//! the busy handler.)
//!
//! A unit of work holds the turn until it ends: code holding one must never wait for another
//! unit of work to begin or to commit (on SQLite that would wait forever).

use crate::{Backend, StoreError};
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

/// At most this many units of work wait for one commit.
pub const BATCH_LIMIT: usize = 32;

/// The longest the first unit of work released into the shared transaction waits for its commit
/// while other writers keep coming (about the time of one `fsync`: waiting longer would cost
/// more than the commit it saves).
const BATCH_WAIT: Duration = Duration::from_millis(2);

const SAVEPOINT: &str = "SAVEPOINT cvgate_unit";
const RELEASE: &str = "RELEASE SAVEPOINT cvgate_unit";
const ROLLBACK_TO: &str = "ROLLBACK TO SAVEPOINT cvgate_unit";

/// Begins writing units of work on a pool (cheap to clone; clones share the turns).
#[derive(Clone, Debug)]
pub(crate) struct Writers {
    pool: AnyPool,
    backend: Backend,
    /// SQLite: the shared transaction and the turns to write in it.
    batcher: Option<Arc<Batcher>>,
}

/// What a unit of work writes in.
pub(crate) enum Begun {
    /// A transaction of its own (PostgreSQL).
    Transaction(Transaction<'static, Any>),
    /// A turn in the shared transaction (SQLite).
    Turn(Turn),
}

impl Writers {
    pub fn new(pool: AnyPool, backend: Backend) -> Writers {
        let batcher = (backend == Backend::Sqlite).then(|| {
            Arc::new(Batcher {
                pool: pool.clone(),
                batch: Arc::new(Mutex::new(Batch::default())),
                queued: AtomicUsize::new(0),
            })
        });
        Writers {
            pool,
            backend,
            batcher,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A unit of work that will write.
    pub async fn begin(&self) -> Result<Begun, StoreError> {
        match &self.batcher {
            Some(batcher) => Ok(Begun::Turn(batcher.turn().await?)),
            None => Ok(Begun::Transaction(
                self.pool.begin_with(self.backend.begin_write()).await?,
            )),
        }
    }
}

#[derive(Debug)]
struct Batcher {
    pool: AnyPool,
    /// The turn: whoever holds the lock writes in the shared transaction.
    batch: Arc<Mutex<Batch>>,
    /// Writers waiting for their turn.
    queued: AtomicUsize,
}

#[derive(Debug, Default)]
struct Batch {
    /// The shared transaction, while one is open.
    tx: Option<Transaction<'static, Any>>,
    /// The last turn ended with its unit of work neither committed nor rolled back: its
    /// savepoint is rolled back before anything else.
    abandoned: bool,
    /// Units of work released into the open transaction, waiting for it to commit.
    released: Vec<oneshot::Sender<Result<(), String>>>,
    /// When the first of them was released.
    first_released_at: Option<Instant>,
}

impl Batcher {
    async fn turn(self: &Arc<Self>) -> Result<Turn, StoreError> {
        let mut waiting = Waiting::enter(self);
        let guard = Arc::clone(&self.batch).lock_owned().await;
        waiting.served = true;
        drop(waiting);
        let mut turn = Turn {
            guard,
            batcher: Arc::clone(self),
        };
        turn.settle().await;
        if turn.guard.tx.is_none() {
            turn.guard.tx = Some(self.pool.begin_with("BEGIN IMMEDIATE").await?);
        }
        if let Err(error) = turn.execute(SAVEPOINT).await {
            turn.fail_batch(&error.to_string());
            return Err(error);
        }
        turn.guard.abandoned = true;
        Ok(turn)
    }

    /// Ends what an abandoned turn left: its savepoint rolled back, and the transaction
    /// committed when nobody else will.
    async fn tidy(self: Arc<Self>) {
        let guard = Arc::clone(&self.batch).lock_owned().await;
        let mut turn = Turn {
            guard,
            batcher: self,
        };
        turn.settle().await;
        turn.end_of_turn().await;
    }
}

/// A writer waiting for its turn, counted in [`Batcher::queued`] while it waits.
struct Waiting<'b> {
    batcher: &'b Arc<Batcher>,
    served: bool,
}

impl<'b> Waiting<'b> {
    fn enter(batcher: &'b Arc<Batcher>) -> Waiting<'b> {
        batcher.queued.fetch_add(1, Ordering::SeqCst);
        Waiting {
            batcher,
            served: false,
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.batcher.queued.fetch_sub(1, Ordering::SeqCst);
        // Given up while waiting (a cancelled request): a turn may have left the commit to it.
        if !self.served
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(Arc::clone(self.batcher).tidy());
        }
    }
}

/// A writer's turn in the shared SQLite transaction.
pub(crate) struct Turn {
    guard: OwnedMutexGuard<Batch>,
    batcher: Arc<Batcher>,
}

impl Turn {
    /// The shared transaction's connection.
    pub fn connection(&mut self) -> &mut AnyConnection {
        self.guard
            .tx
            .as_mut()
            .expect("a turn always has the transaction open")
    }

    /// Keeps the unit of work's writes; returns once they are committed.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        self.execute(RELEASE).await?;
        self.guard.abandoned = false;
        let (reply, committed) = oneshot::channel();
        self.guard.released.push(reply);
        self.guard
            .first_released_at
            .get_or_insert_with(Instant::now);
        self.end_of_turn().await;
        drop(self);
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => Err(StoreError::GroupCommit(reason)),
            Err(_) => Err(StoreError::GroupCommit(
                "the shared transaction was dropped".into(),
            )),
        }
    }

    /// Undoes the unit of work's writes.
    pub async fn rollback(mut self) -> Result<(), StoreError> {
        self.settle().await;
        self.end_of_turn().await;
        Ok(())
    }

    /// Rolls back an abandoned unit of work's savepoint; if that fails, the whole batch.
    async fn settle(&mut self) {
        if !self.guard.abandoned {
            return;
        }
        let undone = match self.execute(ROLLBACK_TO).await {
            Ok(()) => self.execute(RELEASE).await,
            Err(error) => Err(error),
        };
        self.guard.abandoned = false;
        if let Err(error) = undone {
            self.fail_batch(&error.to_string());
        }
    }

    /// Commits the shared transaction when no writer waits for a turn, enough units wait for
    /// the commit, or the first has waited [`BATCH_WAIT`]; the next writer does otherwise.
    async fn end_of_turn(&mut self) {
        let nobody_waits = self.batcher.queued.load(Ordering::SeqCst) == 0;
        let batch = &self.guard;
        let waited_enough = batch
            .first_released_at
            .is_some_and(|at| at.elapsed() >= BATCH_WAIT);
        if !nobody_waits && batch.released.len() < BATCH_LIMIT && !waited_enough {
            return;
        }
        self.guard.first_released_at = None;
        let Some(tx) = self.guard.tx.take() else {
            return;
        };
        let released = std::mem::take(&mut self.guard.released);
        // A task of its own: if this writer's request is dropped meanwhile (a client gone),
        // the commit still ends and the others still hear how it went.
        let commit = tokio::spawn(async move {
            let outcome = tx.commit().await.map_err(|error| error.to_string());
            for reply in released {
                let _ = reply.send(outcome.clone());
            }
        });
        let _ = commit.await;
    }

    /// The shared transaction is lost: rolled back, and every unit released into it told.
    fn fail_batch(&mut self, reason: &str) {
        self.guard.tx = None;
        self.guard.first_released_at = None;
        for reply in self.guard.released.drain(..) {
            let _ = reply.send(Err(reason.to_owned()));
        }
    }

    async fn execute(&mut self, statement: &'static str) -> Result<(), StoreError> {
        sqlx::query(statement).execute(self.connection()).await?;
        Ok(())
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        // Dropped mid-way (an error, a cancelled request): the savepoint is still open, and the
        // transaction too, holding SQLite's lock. The next writer would tidy up; in case none
        // comes, a task does it now.
        if self.guard.abandoned
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(Arc::clone(&self.batcher).tidy());
        }
    }
}
