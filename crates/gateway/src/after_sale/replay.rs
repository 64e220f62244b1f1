//! Calls carrying a sequenceNumber, run once: the first settled answer is stored and every
//! repeat gets it unchanged.

use super::model::Reply;
use super::service::AfterSale;
use domain::merchant::MerchantId;
use std::future::Future;
use std::time::Duration;
use store::StoreError;
use store::repos::ReplayKey;

/// How long a repeat waits (real time) for the first call with the same sequenceNumber.
const REPLAY_WAIT: Duration = Duration::from_secs(30);
/// How long a call holds its sequenceNumber claim: past it, the call is taken to have died and
/// a repeat takes over (longer than any call takes: partner timeouts are seconds).
const CLAIM_LEASE_MS: i64 = 60_000;

/// Why a call with a key got no answer; nothing was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unanswered {
    /// The key was first used for another request (the JSON API's `Idempotency-Key` with
    /// another body).
    KeyReused,
    /// The first call with this key is still running after the wait: try again.
    FirstCallRunning,
}

impl AfterSale {
    /// Runs `call` once per (merchant, operation, transaction, sequenceNumber): a repeat, even a
    /// concurrent one, gets the first call's settled answer without running anything. `call`
    /// gets the request key to record on the operation it makes; an answer that is not settled
    /// (work under way) is not stored, so a repeat runs again and finds that operation by its
    /// key. A call that died holding the key loses it after `CLAIM_LEASE_MS`: a repeat then
    /// takes over. Without a sequence number, just runs it.
    pub async fn once<E, F, Fut>(
        &self,
        merchant_id: &MerchantId,
        operation: &str,
        transaction_id: &str,
        sequence_number: Option<&str>,
        call: F,
    ) -> Result<String, E>
    where
        F: FnOnce(Option<String>) -> Fut,
        Fut: Future<Output = Result<Reply, E>>,
        E: From<StoreError>,
    {
        let Some(sequence_number) = sequence_number else {
            return call(None).await.map(|reply| reply.body);
        };
        let key = ReplayKey {
            merchant_id,
            operation,
            transaction_id,
            sequence_number,
        };
        match self.once_per_request(&key, None, call).await? {
            Ok(answer) => Ok(answer),
            // Without a digest, no request is told apart from another: the first call runs.
            Err(Unanswered::KeyReused | Unanswered::FirstCallRunning) => Err(StoreError::corrupt(
                "operation_replays",
                "the first call with this sequenceNumber is still running: try again",
            )
            .into()),
        }
    }

    /// [`once`](Self::once) for a surface that compares requests: a repeat whose
    /// `request_digest` differs from the first call's gets [`Unanswered::KeyReused`] (a first
    /// call recorded without a digest, by SOAP, is replayed to any request).
    pub async fn once_per_request<E, F, Fut>(
        &self,
        key: &ReplayKey<'_>,
        request_digest: Option<&str>,
        call: F,
    ) -> Result<Result<String, Unanswered>, E>
    where
        F: FnOnce(Option<String>) -> Fut,
        Fut: Future<Output = Result<Reply, E>>,
        E: From<StoreError>,
    {
        let mut call = Some(call);
        let deadline = tokio::time::Instant::now() + REPLAY_WAIT;
        loop {
            let now = self.inner.clock.now();
            let mut uow = self.inner.store.write().await?;
            let mine = uow
                .operation_replays()
                .claim(key, request_digest, now, now.plus_millis(CLAIM_LEASE_MS))
                .await?;
            uow.commit().await?;
            if mine && let Some(call) = call.take() {
                return self.run_claimed(key, call).await.map(Ok);
            }
            let stored = self
                .inner
                .store
                .read()
                .await?
                .operation_replays()
                .stored(key)
                .await?;
            let Some(stored) = stored else {
                // Released by a first call that did not settle: claim it again.
                continue;
            };
            if let (Some(first), Some(this)) = (stored.request_digest.as_deref(), request_digest)
                && first != this
            {
                return Ok(Err(Unanswered::KeyReused));
            }
            match stored.response {
                Some(response) => return Ok(Ok(response)),
                // Another call has it (maybe on another instance): wait for its answer.
                None if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await
                }
                None => return Ok(Err(Unanswered::FirstCallRunning)),
            }
        }
    }

    async fn run_claimed<E, F, Fut>(&self, key: &ReplayKey<'_>, call: F) -> Result<String, E>
    where
        F: FnOnce(Option<String>) -> Fut,
        Fut: Future<Output = Result<Reply, E>>,
        E: From<StoreError>,
    {
        let answer = call(Some(key.request_key())).await;
        let mut uow = self.inner.store.write().await?;
        match &answer {
            Ok(reply) if reply.settled => {
                uow.operation_replays()
                    .complete(key, &reply.body, self.inner.clock.now())
                    .await?
            }
            Ok(_) | Err(_) => uow.operation_replays().release(key).await?,
        }
        uow.commit().await?;
        answer.map(|reply| reply.body)
    }
}
