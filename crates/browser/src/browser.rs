use std::{path::Path, time::Duration};

use base64::{Engine, prelude::BASE64_STANDARD};

use fantoccini::{Client, Locator};
use http::Method;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::time::Instant;

use crate::{
    BrowserError, Element, LaunchOptions,
    availability::missing_binaries,
    driver::Driver,
    poll::{Attempt, poll},
    wire,
};

/// A headless Chromium session, driven through its own chromedriver.
///
/// Dropping it kills chromedriver and Chromium and removes the temporary profile; [`quit`]
/// does the same gracefully and reports errors.
///
/// [`quit`]: Browser::quit
pub struct Browser {
    // Field order is drop order: the processes die before their profile folder is removed.
    session: Client,
    driver: Driver,
    profile: Option<TempDir>,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a Chromium session with a fresh
    /// profile. Fails with [`BrowserError::Unavailable`] when the binaries are missing.
    pub async fn launch(options: LaunchOptions) -> Result<Browser, BrowserError> {
        if let Some(reason) = missing_binaries(&options.chromedriver, &options.chromium) {
            return Err(BrowserError::Unavailable(reason));
        }
        let deadline = Instant::now() + options.startup_timeout;
        let profile = tempfile::Builder::new()
            .prefix("cvgate-browser-profile-")
            .tempdir()
            .map_err(|err| BrowserError::io("creating a temporary browser profile", err))?;
        let driver = Driver::start(&options.chromedriver, deadline).await?;
        let capabilities = options.capabilities(profile.path());
        let connect = wire::connect(driver.port, capabilities);
        let session = match tokio::time::timeout_at(deadline, connect).await {
            Ok(Ok(session)) => session,
            Ok(Err(err)) => return Err(driver.launch_error(err.to_string())),
            Err(_) => {
                return Err(driver.launch_error(format!(
                    "Chromium did not open a session within {:?}",
                    options.startup_timeout
                )));
            }
        };
        let browser = Browser {
            session,
            driver,
            profile: Some(profile),
        };
        browser
            .emulate_viewport(options.width, options.height)
            .await?;
        Ok(browser)
    }

    /// Makes the page see exactly `width`×`height` CSS pixels. The window alone cannot: headless
    /// Chromium keeps it at least 500 px wide and takes ~140 px of its height for simulated UI.
    async fn emulate_viewport(&self, width: u32, height: u32) -> Result<(), BrowserError> {
        let params =
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false });
        self.cdp("Emulation.setDeviceMetricsOverride", params)
            .await
            .map(drop)
    }

    /// Sends a Chrome DevTools Protocol command to the current tab (chromedriver's
    /// `goog/cdp/execute`), for what WebDriver lacks.
    pub async fn cdp(&self, command: &str, params: Value) -> Result<Value, BrowserError> {
        let body = json!({ "cmd": command, "params": params });
        let path = "goog/cdp/execute".to_owned();
        wire::raw(&self.session, Method::POST, path, Some(body)).await
    }

    /// The temporary profile folder (`--user-data-dir`), removed when the browser goes away.
    pub fn profile_dir(&self) -> Option<&Path> {
        self.profile.as_ref().map(TempDir::path)
    }

    /// Navigates to `url` and waits until the page has loaded.
    pub async fn goto(&self, url: &str) -> Result<(), BrowserError> {
        wire::run("POST /url", self.session.goto(url)).await
    }

    /// The URL of the current page (after redirects).
    pub async fn current_url(&self) -> Result<String, BrowserError> {
        let url = wire::run("GET /url", self.session.current_url()).await?;
        Ok(url.into())
    }

    /// The current page's `<title>`.
    pub async fn title(&self) -> Result<String, BrowserError> {
        wire::run("GET /title", self.session.title()).await
    }

    /// The current DOM, serialised as HTML.
    pub async fn page_source(&self) -> Result<String, BrowserError> {
        wire::run("GET /source", self.session.source()).await
    }

    /// Runs `script` as the body of a function called with `args` (`arguments[0]`, …) and returns
    /// what it returns. Pass elements with [`Element::as_script_arg`].
    pub async fn execute(&self, script: &str, args: &[Value]) -> Result<Value, BrowserError> {
        let call = self.session.execute(script, args.to_vec());
        wire::run("POST /execute/sync", call).await
    }

    /// Runs `script` as the body of a function called with `args` and a last argument, the
    /// callback it calls with its result (WebDriver's execute async; bounded by the session's
    /// 30 s script timeout).
    pub async fn execute_async(&self, script: &str, args: &[Value]) -> Result<Value, BrowserError> {
        let call = self.session.execute_async(script, args.to_vec());
        wire::run("POST /execute/async", call).await
    }

    /// The first element matching the CSS selector, now (no waiting).
    pub async fn find(&self, css: &str) -> Result<Element, BrowserError> {
        let found = wire::run("POST /element", self.session.find(Locator::Css(css))).await?;
        Ok(Element::new(found))
    }

    /// Every element matching the CSS selector, now (no waiting).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, BrowserError> {
        let call = self.session.find_all(Locator::Css(css));
        let found = wire::run("POST /elements", call).await?;
        Ok(found.into_iter().map(Element::new).collect())
    }

    /// Waits until an element matching the CSS selector is in the page, and returns it.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element, BrowserError> {
        let what = format!("an element matching `{css}`");
        poll(&what, timeout, async || match self.find(css).await {
            Ok(element) => Ok(Attempt::Done(element)),
            Err(err) if is_retryable(&err) => Ok(Attempt::NotYet(None)),
            Err(err) => Err(err),
        })
        .await
    }

    /// Waits until an element matching the CSS selector shows text containing `needle`.
    pub async fn wait_for_text(
        &self,
        css: &str,
        needle: &str,
        timeout: Duration,
    ) -> Result<Element, BrowserError> {
        let what = format!("an element matching `{css}` with text containing {needle:?}");
        poll(&what, timeout, async || {
            let element = match self.find(css).await {
                Ok(element) => element,
                Err(err) if is_retryable(&err) => return Ok(Attempt::NotYet(None)),
                Err(err) => return Err(err),
            };
            match element.text().await {
                Ok(text) if text.contains(needle) => Ok(Attempt::Done(element)),
                Ok(text) => Ok(Attempt::NotYet(Some(format!("text {text:?}")))),
                Err(err) if is_retryable(&err) => Ok(Attempt::NotYet(None)),
                Err(err) => Err(err),
            }
        })
        .await
    }

    /// Waits until `condition` returns true; `what` names it in the timeout error. An error from
    /// `condition` ends the wait at once.
    ///
    /// ```no_run
    /// # async fn demo(browser: &browser::Browser) -> Result<(), browser::BrowserError> {
    /// use std::time::Duration;
    /// browser
    ///     .wait_until("the receipt page", Duration::from_secs(10), async || {
    ///         Ok(browser.current_url().await?.ends_with("/receipt"))
    ///     })
    ///     .await
    /// # }
    /// ```
    pub async fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        mut condition: impl AsyncFnMut() -> Result<bool, BrowserError>,
    ) -> Result<(), BrowserError> {
        poll(what, timeout, async || {
            Ok(match condition().await? {
                true => Attempt::Done(()),
                false => Attempt::NotYet(None),
            })
        })
        .await
    }

    /// A PNG screenshot of the viewport.
    pub async fn screenshot(&self) -> Result<Vec<u8>, BrowserError> {
        wire::run("GET /screenshot", self.session.screenshot()).await
    }

    /// Writes a PNG screenshot of the viewport to `path`.
    pub async fn screenshot_png(&self, path: impl AsRef<Path>) -> Result<(), BrowserError> {
        let path = path.as_ref();
        let png = self.screenshot().await?;
        // A small file: std's blocking write is fine here, and tokio's `fs` feature is not on.
        std::fs::write(path, png)
            .map_err(|err| BrowserError::io(format!("writing {}", path.display()), err))
    }

    /// Writes a PNG screenshot of the whole page, beyond the viewport, to `path` (to look at a
    /// long page on a small screen in one picture).
    pub async fn full_page_screenshot_png(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<(), BrowserError> {
        let path = path.as_ref();
        let size = self
            .execute(
                // Laid out beyond the viewport the page has no scroll bar: the whole width.
                "var page = document.documentElement; \
                 return [Math.max(page.scrollWidth, window.innerWidth), page.scrollHeight];",
                &[],
            )
            .await?;
        let clip = json!({ "x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1 });
        let params = json!({ "format": "png", "captureBeyondViewport": true, "clip": clip });
        let shot = self.cdp("Page.captureScreenshot", params).await?;
        let png = shot["data"]
            .as_str()
            .and_then(|data| BASE64_STANDARD.decode(data).ok())
            .ok_or_else(|| BrowserError::Protocol {
                command: "Page.captureScreenshot".to_owned(),
                detail: format!("no PNG in the answer: {shot:.80}"),
            })?;
        std::fs::write(path, png)
            .map_err(|err| BrowserError::io(format!("writing {}", path.display()), err))
    }

    /// Resizes the window and makes the page see exactly `width`×`height` CSS pixels, as
    /// [`LaunchOptions::width`] does at launch.
    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<(), BrowserError> {
        let call = self.session.set_window_size(width, height);
        wire::run("POST /window/rect", call).await?;
        self.emulate_viewport(width, height).await
    }

    /// Leaves the frame entered with [`Element::enter_frame`] for its parent document.
    pub async fn enter_parent_frame(&self) -> Result<(), BrowserError> {
        wire::run("POST /frame/parent", self.session.enter_parent_frame()).await
    }

    /// Ends the session, stops chromedriver and Chromium, and removes the profile.
    pub async fn quit(mut self) -> Result<(), BrowserError> {
        // Closing the session first lets Chromium exit cleanly; the kill below is the backstop.
        let closed = wire::run("DELETE /session", self.session.clone().close()).await;
        self.driver.shutdown().await?;
        if let Some(profile) = self.profile.take() {
            profile
                .close()
                .map_err(|err| BrowserError::io("removing the temporary browser profile", err))?;
        }
        closed
    }
}

/// Errors that mean "not there yet" while waiting for the page.
fn is_retryable(err: &BrowserError) -> bool {
    matches!(
        err.webdriver_code(),
        Some("no such element" | "stale element reference")
    )
}
