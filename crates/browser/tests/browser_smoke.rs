//! Drives the real headless Chromium against pages served by the test itself over loopback HTTP.
//!
//! Without chromium and chromedriver each test prints a loud `SKIPPED: <reason>` line and returns:
//! that is a skip, not a pass. Under `CI=true` it fails instead.

use std::{
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

use browser::{Browser, BrowserError, LaunchOptions};
use serde_json::json;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// Upper bound for waits: only reached when the test is failing.
const PATIENCE: Duration = Duration::from_secs(20);

const FIRST_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Smoke one</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
  <form id="form" onsubmit="return false">
    <label for="name">Your name</label>
    <input id="name" name="name" type="text" placeholder="Ada">
    <button id="go" type="button">Greet</button>
  </form>
  <p id="out"></p>
  <a id="next" href="/two">Second page</a>
  <script>
    document.getElementById('go').addEventListener('click', () => {
      document.getElementById('out').textContent =
        'Hello, ' + document.getElementById('name').value;
    });
  </script>
</body></html>"#;

const SECOND_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Smoke two</title></head>
<body><h1>Second page</h1></body></html>"#;

/// A page axe-core must fault: an image without a text alternative, a button without a name.
const INACCESSIBLE_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Inaccessible</title></head>
<body><main><h1>Inaccessible</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20">
<button type="button"></button>
</main></body></html>"#;

/// A tiny HTTP/1.1 server on a free loopback port; remembers each request's Accept-Language.
struct Site {
    base: String,
    languages: Arc<Mutex<Vec<String>>>,
}

impl Site {
    async fn start() -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let languages = Arc::new(Mutex::new(Vec::new()));
        let seen = languages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer(stream, seen.clone()));
            }
        });
        Site { base, languages }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Answers one request and closes the connection.
async fn answer(mut stream: TcpStream, languages: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    if let Some(language) = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("accept-language")
            .then(|| value.trim().to_owned())
    }) {
        languages.lock().unwrap().push(language);
    }
    let (status, body) = match path.as_str() {
        "/" => ("200 OK", FIRST_PAGE),
        "/two" => ("200 OK", SECOND_PAGE),
        "/inaccessible" => ("200 OK", INACCESSIBLE_PAGE),
        _ => ("404 Not Found", "not found"),
    };
    // No script but the site's own: what cvgate's pages declare.
    let policy = if path == "/inaccessible" {
        "Content-Security-Policy: default-src 'none'; script-src 'self'\r\n"
    } else {
        ""
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n{policy}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The width and height in a PNG's IHDR chunk, after checking the signature.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "not a PNG: {}",
        path.display()
    );
    assert_eq!(&bytes[12..16], b"IHDR");
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

#[tokio::test]
async fn types_clicks_and_follows_a_link() {
    if browser::require_or_skip("types_clicks_and_follows_a_link").is_some() {
        return;
    }
    let site = Site::start().await;
    let browser = Browser::launch(LaunchOptions::default()).await.unwrap();
    browser.goto(&site.url("/")).await.unwrap();
    assert_eq!(browser.title().await.unwrap(), "Smoke one");

    let label = browser.find("label[for=name]").await.unwrap();
    assert_eq!(label.text().await.unwrap(), "Your name");
    let input = browser.find("#name").await.unwrap();
    assert_eq!(
        input.attribute("placeholder").await.unwrap().as_deref(),
        Some("Ada")
    );
    assert_eq!(input.attribute("data-missing").await.unwrap(), None);
    input.send_keys("Grace").await.unwrap();
    input.clear().await.unwrap();
    input.send_keys("Ada Lovelace").await.unwrap();
    assert_eq!(
        input.property("value").await.unwrap(),
        json!("Ada Lovelace")
    );
    assert!(input.is_displayed().await.unwrap());

    let form = browser.find("#form").await.unwrap();
    form.find("#go").await.unwrap().click().await.unwrap();
    let out = browser
        .wait_for_text("#out", "Hello, Ada Lovelace", PATIENCE)
        .await
        .unwrap();
    assert_eq!(out.text().await.unwrap(), "Hello, Ada Lovelace");
    assert_eq!(form.find_all("input, button").await.unwrap().len(), 2);
    let sum = browser
        .execute(
            "return arguments[0] + arguments[1].id.length;",
            &[json!(40), out.as_script_arg()],
        )
        .await
        .unwrap();
    assert_eq!(sum, json!(43));
    assert!(
        browser
            .page_source()
            .await
            .unwrap()
            .contains("Hello, Ada Lovelace")
    );

    browser.find("#next").await.unwrap().click().await.unwrap();
    let second = site.url("/two");
    browser
        .wait_until("the second page's URL", PATIENCE, async || {
            Ok(browser.current_url().await? == second)
        })
        .await
        .unwrap();
    let heading = browser.wait_for("h1", PATIENCE).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Second page");
    assert_eq!(browser.title().await.unwrap(), "Smoke two");

    let shots = tempfile::tempdir().unwrap();
    let shot = shots.path().join("second.png");
    browser.screenshot_png(&shot).await.unwrap();
    let viewport = browser
        .execute("return window.innerWidth;", &[])
        .await
        .unwrap();
    assert_eq!(json!(png_size(&shot).0), viewport);
    browser.quit().await.unwrap();
}

#[tokio::test]
async fn a_360_px_window_is_360_css_pixels_wide() {
    if browser::require_or_skip("a_360_px_window_is_360_css_pixels_wide").is_some() {
        return;
    }
    let site = Site::start().await;
    let options = LaunchOptions::default().window_size(360, 740);
    let browser = Browser::launch(options).await.unwrap();
    browser.goto(&site.url("/")).await.unwrap();
    let viewport = "return [window.innerWidth, window.innerHeight];";
    assert_eq!(
        browser.execute(viewport, &[]).await.unwrap(),
        json!([360, 740])
    );
    let narrow = browser
        .execute("return matchMedia('(max-width: 400px)').matches;", &[])
        .await
        .unwrap();
    assert_eq!(narrow, json!(true));

    // Clicks land where they should in the narrow viewport too.
    browser
        .find("#name")
        .await
        .unwrap()
        .send_keys("Phone")
        .await
        .unwrap();
    browser.find("#go").await.unwrap().click().await.unwrap();
    browser
        .wait_for_text("#out", "Hello, Phone", PATIENCE)
        .await
        .unwrap();

    let shots = tempfile::tempdir().unwrap();
    let shot = shots.path().join("narrow.png");
    browser.screenshot_png(&shot).await.unwrap();
    assert_eq!(png_size(&shot), (360, 740));

    browser.set_window_size(1024, 768).await.unwrap();
    assert_eq!(
        browser.execute(viewport, &[]).await.unwrap(),
        json!([1024, 768])
    );
    browser.goto(&site.url("/two")).await.unwrap();
    assert_eq!(
        browser.execute(viewport, &[]).await.unwrap(),
        json!([1024, 768])
    );
    browser.quit().await.unwrap();
}

#[tokio::test]
async fn sends_the_chosen_accept_language() {
    if browser::require_or_skip("sends_the_chosen_accept_language").is_some() {
        return;
    }
    let site = Site::start().await;
    let options = LaunchOptions::default().accept_language("fr-FR");
    let browser = Browser::launch(options).await.unwrap();
    browser.goto(&site.url("/")).await.unwrap();
    let languages = site.languages.lock().unwrap().clone();
    assert!(
        languages
            .first()
            .is_some_and(|header| header.starts_with("fr-FR")),
        "Accept-Language headers seen: {languages:?}"
    );
    let language = browser
        .execute("return navigator.language;", &[])
        .await
        .unwrap();
    assert_eq!(language, json!("fr-FR"));
    browser.quit().await.unwrap();
}

#[tokio::test]
async fn errors_name_what_went_wrong() {
    if browser::require_or_skip("errors_name_what_went_wrong").is_some() {
        return;
    }
    let site = Site::start().await;
    let browser = Browser::launch(LaunchOptions::default()).await.unwrap();
    browser.goto(&site.url("/")).await.unwrap();

    let missing = browser.find("#nowhere").await.unwrap_err();
    assert_eq!(
        missing.webdriver_code(),
        Some("no such element"),
        "{missing}"
    );
    assert!(missing.to_string().contains("no such element"), "{missing}");

    // The element never appears, so this short timeout cannot make the test flaky.
    let waited = browser
        .wait_for("#nowhere", Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(waited, BrowserError::Timeout { .. }), "{waited}");
    assert!(
        waited
            .to_string()
            .contains("waiting for an element matching `#nowhere`"),
        "{waited}"
    );
    let text = browser
        .wait_for_text("#out", "never", Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(text.to_string().contains("last seen: text \"\""), "{text}");
    browser.quit().await.unwrap();
}

#[tokio::test]
async fn dropping_the_browser_kills_chromium_and_removes_its_profile() {
    if browser::require_or_skip("dropping_the_browser_kills_chromium_and_removes_its_profile")
        .is_some()
    {
        return;
    }
    let browser = Browser::launch(LaunchOptions::default()).await.unwrap();
    let profile = browser.profile_dir().unwrap().to_owned();
    let marker = profile.to_string_lossy().into_owned();
    assert!(
        !processes_mentioning(&marker).is_empty(),
        "Chromium should run with {marker}"
    );
    drop(browser);
    assert!(
        !profile.exists(),
        "profile {} left behind",
        profile.display()
    );
    // SIGKILL is delivered asynchronously: wait (bounded) for the processes to be gone.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let left = processes_mentioning(&marker);
        if left.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still running: {left:?}"
        );
        tokio::time::sleep(browser::POLL_INTERVAL).await;
    }
}

/// Live processes whose command line contains `needle` (zombies have an empty one).
fn processes_mentioning(needle: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(needle))
        .collect()
}

#[tokio::test]
async fn launch_failures_say_why() {
    if browser::require_or_skip("launch_failures_say_why").is_some() {
        return;
    }
    let missing = LaunchOptions {
        chromium: "/nonexistent/chromium".into(),
        ..LaunchOptions::default()
    };
    let err = Browser::launch(missing).await.err().unwrap();
    assert!(matches!(err, BrowserError::Unavailable(_)), "{err}");
    assert!(err.to_string().contains("/nonexistent/chromium"), "{err}");

    // `false` exits at once: chromedriver never announces a port.
    let broken_driver = LaunchOptions {
        chromedriver: "/bin/false".into(),
        ..LaunchOptions::default()
    };
    let err = Browser::launch(broken_driver).await.err().unwrap();
    assert!(matches!(err, BrowserError::Launch { .. }), "{err}");
    assert!(err.to_string().contains("exit status: 1"), "{err}");

    // chromedriver runs, but the "browser" exits at once: the session cannot be created.
    let broken_browser = LaunchOptions {
        chromium: "/bin/false".into(),
        ..LaunchOptions::default()
    };
    let err = Browser::launch(broken_browser).await.err().unwrap();
    assert!(err.to_string().contains("session not created"), "{err}");
}

/// axe-core runs under a strict Content-Security-Policy and names what the page breaks; the
/// second page breaks nothing critical or serious.
#[tokio::test]
async fn axe_finds_what_a_page_breaks() {
    if browser::require_or_skip("axe_finds_what_a_page_breaks").is_some() {
        return;
    }
    let site = Site::start().await;
    let browser = Browser::launch(LaunchOptions::default()).await.unwrap();
    browser.goto(&site.url("/inaccessible")).await.unwrap();
    let violations = match browser::axe_audit(&browser).await {
        Err(BrowserError::Unavailable(_)) => {
            // No axe-core: the same loud skip (or CI failure) the suites get.
            return browser::assert_accessible(&browser, "the inaccessible smoke page").await;
        }
        other => other.unwrap(),
    };
    let blocking: Vec<&str> = violations
        .iter()
        .filter(|v| v.is_blocking())
        .map(|v| v.id.as_str())
        .collect();
    assert!(
        blocking.contains(&"image-alt") && blocking.contains(&"button-name"),
        "{violations:?}"
    );
    // Audited again on the same page: axe is injected once, the answer is the same.
    assert_eq!(browser::axe_audit(&browser).await.unwrap(), violations);
    browser.goto(&site.url("/two")).await.unwrap();
    browser::assert_accessible(&browser, "the second smoke page").await;
    browser.quit().await.unwrap();
}
