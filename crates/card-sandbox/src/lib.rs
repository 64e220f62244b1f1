//! The card sandbox: a simulated acquirer for homologation (card-sandbox.md).
//!
//! [`CardSandbox::router`] serves two parts:
//! - the JSON API ([`card::wire`]) and the admin endpoints, at [`API_MOUNT`] (`/sandbox/card`):
//!   - `GET|POST|DELETE /admin/faults` — read, set or reset [`Faults`] (`latency_ms`,
//!     `error_rate`, `timeout_after_authorizing`);
//!   - `POST /admin/remit` — remits every captured transaction now (`{"remitted": n}`);
//!   - `GET /admin/ledger` — the ledger, one JSON object per transaction: `reference` (cvgate's
//!     transaction id, i.e. its payment id), `orderRef` (the merchant's order reference, null
//!     when the request had none), state and amounts.
//! - the 3-D Secure ACS page (HTML, fr/en), at [`ACS_MOUNT`] (`/sandbox/acs`), i.e.
//!   `GET|POST /sandbox/acs/{challenge_ref}`.
//!
//! Everything lives in the database, so that several instances sharing it behave as one sandbox:
//! the ledger and the faults (read on every request), in the sandbox's own tables
//! (migration set `storage::MIGRATIONS`, applied by [`CardSandbox::open`]; a production database
//! never has them).
//! The card itself is never kept: when the test-card table asks for a 3-D Secure challenge, the
//! outcome of passing it is decided at once and stored instead (`test_cards::Authenticated`),
//! so any instance, or a restarted one, can finish the challenge.

mod acquiring;
mod acs;
mod api;
mod error;
mod faults;
mod handle;
mod sandbox;
pub(crate) mod storage;
pub(crate) mod test_cards;

pub use acquiring::CHALLENGE_TTL_MS;
pub use error::SandboxError;
pub use faults::Faults;
pub use handle::{ACS_MOUNT, API_MOUNT, CardSandbox, CardSandboxConfig};
pub use storage::{SandboxCardOperation, SandboxCardTransaction};
pub use test_cards::CHALLENGE_CODE;
