//! What each subcommand does: [`run`] dispatches to one module per subcommand, each of which
//! fails with a [`CommandError`].

mod admin;
mod background_jobs;
mod components;
mod dispatch;
mod error;
mod output;
mod remit;
mod sandbox;
mod serve;
mod users;

pub use dispatch::run;
pub use error::CommandError;
