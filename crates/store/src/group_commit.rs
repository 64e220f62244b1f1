//! Group commit of short works (a few statements, no reads to wait on between them): the works
//! of concurrent requests committed together, in one transaction, so that they share one
//! commit and its round trips instead of paying them each. A request is answered only once the
//! commit holding its writes returned.
//!
//! On PostgreSQL, each lane (a task) takes the works queued while its previous commit ran (up
//! to [`MAX_BATCH`]), runs each in a savepoint of one transaction — a work that fails is rolled
//! back to its savepoint, alone — commits, and then answers every work of the batch. An idle
//! lane starts at once: a lone request waits for nobody. On SQLite every unit of work is
//! already batched this way (`crate::writers`): a work runs as one, in the caller's task.
//!
//! A work runs on the lane's connection: it must only use the database (never call a partner).

use crate::writers::Writers;
use crate::{Backend, StoreError, UnitOfWork};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc, oneshot};

/// PostgreSQL: batches committed side by side.
const LANES: usize = 3;

/// At most this many works share a commit.
pub const MAX_BATCH: usize = 64;

/// A boxed future borrowing the unit of work it runs in.
pub type WorkFuture<'u, T> = Pin<Box<dyn Future<Output = T> + Send + 'u>>;

/// The queue into the lanes (cheap to clone).
#[derive(Clone, Debug)]
pub struct GroupCommit {
    writers: Writers,
    /// PostgreSQL: the lanes' queue.
    queue: Option<mpsc::UnboundedSender<Box<dyn Queued>>>,
}

impl GroupCommit {
    /// Starts the lanes (on the current Tokio runtime); they stop when every clone of the
    /// returned queue is dropped.
    pub(crate) fn start(writers: Writers) -> GroupCommit {
        if writers.backend() == Backend::Sqlite {
            return GroupCommit {
                writers,
                queue: None,
            };
        }
        let (queue, receiver) = mpsc::unbounded_channel();
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..LANES {
            tokio::spawn(lane(writers.clone(), receiver.clone()));
        }
        GroupCommit {
            writers,
            queue: Some(queue),
        }
    }

    /// Runs `work` in a transaction shared with other requests' works; its result once that
    /// transaction committed (an `Err` of `work` is rolled back and returned as it is).
    pub async fn run<T, E, W>(&self, work: W) -> Result<T, E>
    where
        W: for<'u> FnOnce(&'u mut UnitOfWork) -> WorkFuture<'u, Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let Some(queue) = &self.queue else {
            let mut uow = UnitOfWork::writing(self.writers.begin().await?, self.writers.backend());
            let result = work(&mut uow).await;
            return match result {
                Ok(value) => uow.commit().await.map(|()| value).map_err(E::from),
                Err(error) => {
                    uow.rollback().await?;
                    Err(error)
                }
            };
        };
        let (reply, answer) = oneshot::channel();
        let queued: Box<dyn Queued> = Box::new(Pending { work, reply });
        if queue.send(queued).is_err() {
            return Err(StoreError::GroupCommit("the writer has stopped".into()).into());
        }
        answer.await.unwrap_or_else(|_| {
            Err(StoreError::GroupCommit("the write was abandoned (a work panicked)".into()).into())
        })
    }
}

/// A work waiting for its turn, type-erased so that works of any result share a queue.
trait Queued: Send {
    /// Runs the work in `uow`; what to answer once the batch's fate is known.
    fn run<'u>(self: Box<Self>, uow: &'u mut UnitOfWork) -> WorkFuture<'u, Box<dyn Ran>>;
    /// The batch failed before the work could run.
    fn fail(self: Box<Self>, reason: &str);
}

/// A work that ran, holding its result until the commit.
trait Ran: Send {
    fn succeeded(&self) -> bool;
    /// Answers: the work's result, or `commit_failure` when its writes were not committed.
    fn answer(self: Box<Self>, commit_failure: Option<&str>);
}

struct Pending<W, T, E> {
    work: W,
    reply: oneshot::Sender<Result<T, E>>,
}

struct Done<T, E> {
    result: Result<T, E>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<W, T, E> Queued for Pending<W, T, E>
where
    W: for<'u> FnOnce(&'u mut UnitOfWork) -> WorkFuture<'u, Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    fn run<'u>(self: Box<Self>, uow: &'u mut UnitOfWork) -> WorkFuture<'u, Box<dyn Ran>> {
        let Pending { work, reply } = *self;
        Box::pin(async move {
            let result = work(uow).await;
            Box::new(Done { result, reply }) as Box<dyn Ran>
        })
    }

    fn fail(self: Box<Self>, reason: &str) {
        let _ = self
            .reply
            .send(Err(StoreError::GroupCommit(reason.to_owned()).into()));
    }
}

impl<T, E> Ran for Done<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    fn answer(self: Box<Self>, commit_failure: Option<&str>) {
        let answer = match (self.result, commit_failure) {
            (Ok(_), Some(reason)) => Err(StoreError::GroupCommit(reason.to_owned()).into()),
            (result, _) => result,
        };
        let _ = self.reply.send(answer);
    }
}

type Receiver = Arc<Mutex<mpsc::UnboundedReceiver<Box<dyn Queued>>>>;

async fn lane(writer: Writers, receiver: Receiver) {
    loop {
        let batch = {
            let mut receiver = receiver.lock().await;
            let Some(first) = receiver.recv().await else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(queued) => batch.push(queued),
                    Err(_) => break,
                }
            }
            batch
        };
        // Its own task, so that a work that panics loses its batch (answered "abandoned",
        // rolled back), not the lane.
        let _ = tokio::spawn(commit_batch(writer.clone(), batch)).await;
    }
}

const SAVEPOINT: &str = "SAVEPOINT cvgate_work";
const RELEASE: &str = "RELEASE SAVEPOINT cvgate_work";
const ROLLBACK_TO: &str = "ROLLBACK TO SAVEPOINT cvgate_work";

async fn commit_batch(writer: Writers, batch: Vec<Box<dyn Queued>>) {
    let mut uow = match writer
        .begin()
        .await
        .map(|begun| UnitOfWork::writing(begun, writer.backend()))
    {
        Ok(uow) => uow,
        Err(error) => {
            let reason = error.to_string();
            batch.into_iter().for_each(|queued| queued.fail(&reason));
            return;
        }
    };
    let mut ran = Vec::with_capacity(batch.len());
    let mut broken: Option<String> = None;
    for queued in batch {
        if let Some(reason) = &broken {
            queued.fail(reason);
            continue;
        }
        if let Err(error) = execute(&mut uow, SAVEPOINT).await {
            broken = Some(error.to_string());
            queued.fail(&error.to_string());
            continue;
        }
        let done = queued.run(&mut uow).await;
        let end = if done.succeeded() {
            execute(&mut uow, RELEASE).await
        } else {
            match execute(&mut uow, ROLLBACK_TO).await {
                Ok(()) => execute(&mut uow, RELEASE).await,
                Err(error) => Err(error),
            }
        };
        if let Err(error) = end {
            broken = Some(error.to_string());
        }
        ran.push(done);
    }
    let failure = match broken {
        Some(reason) => Some(reason),
        None => uow.commit().await.err().map(|error| error.to_string()),
    };
    for done in ran {
        done.answer(failure.as_deref());
    }
}

async fn execute(uow: &mut UnitOfWork, statement: &'static str) -> Result<(), StoreError> {
    sqlx::query(statement).execute(uow.connection()).await?;
    Ok(())
}
