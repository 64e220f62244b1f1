//! How the payment services tell the side that counts on their payments (the web payment
//! sessions) that a payment changed: inside the unit of work that records the change, so that a
//! payment and its session are always committed together.

use std::future::Future;
use std::pin::Pin;
use store::StoreError;

/// What an observer returns: `Ok(false)` asks the caller to roll back and try again (something
/// it read was changed meanwhile by a concurrent writer).
pub type ObserverFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;
