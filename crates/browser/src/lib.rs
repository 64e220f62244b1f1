//! Test support for cvgate: drives a real headless Debian Chromium through chromedriver, with
//! the `fantoccini` WebDriver client.
//!
//! ```no_run
//! # async fn demo() -> Result<(), browser::BrowserError> {
//! use std::time::Duration;
//! if browser::require_or_skip("my_test").is_some() {
//!     return Ok(()); // skipped, loudly: see `require_or_skip`
//! }
//! let browser = browser::Browser::launch(browser::LaunchOptions::default()).await?;
//! browser.goto("http://127.0.0.1:8080/").await?;
//! browser.find("#name").await?.send_keys("Ada").await?;
//! browser.find("button").await?.click().await?;
//! browser.wait_for_text("#out", "Ada", Duration::from_secs(10)).await?;
//! browser.quit().await?;
//! # Ok(())
//! # }
//! ```
//!
//! Each [`Browser`] owns its chromedriver process, which runs in a process group of its own with
//! Chromium, and a fresh temporary profile: dropping the [`Browser`] kills the group and removes
//! the profile even when [`Browser::quit`] was not called.
//!
//! The page sees exactly the viewport asked for ([`LaunchOptions::width`] × `height` CSS pixels,
//! 360 px wide included): Chromium's device-metrics emulation enforces it, since headless
//! Chromium keeps its window at least 500 px wide and takes ~140 px of its height for simulated
//! UI. Tabs opened by the page itself (`target=_blank`) do not get that emulation.
//!
//! [`assert_accessible`] runs axe-core (`CVGATE_AXE_JS`) on the current page and fails on a
//! critical or serious violation.

mod availability;
mod axe;
mod browser;
mod driver;
mod element;
mod error;
mod options;
mod poll;
mod wire;

pub use availability::{
    CHROMEDRIVER_VAR, CHROMIUM_VAR, chromedriver_path, chromium_path, require_or_skip,
    unavailable_reason,
};
pub use axe::{AXE_JS_VAR, AxeViolation, assert_accessible, axe_audit};
pub use browser::Browser;
pub use element::Element;
pub use error::BrowserError;
pub use options::LaunchOptions;
pub use poll::POLL_INTERVAL;
