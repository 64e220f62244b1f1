//! The complete split payment, as a buyer and a merchant make it over HTTP: doWebPayment, the
//! page, the vouchers asked for in the app (a test beneficiary of the sandbox validates 25.00 €
//! of 60.00 € at once), the card for the rest, getWebPaymentDetails answering 00000.

use crate::cvgate_client::Cvgate;
use crate::load::{self, Outcome};
use crate::options::Options;
use std::sync::Arc;
use std::time::Duration;

/// How many flows a run may make at most: one fresh beneficiary each (a beneficiary's balance
/// pays one split).
fn beneficiaries_needed(options: &Options) -> u64 {
    (options.duration.as_secs() * 500).max(1_000)
}

/// Runs flows for the options' duration and concurrency.
pub async fn run(cvgate: &Cvgate, options: &Options) -> Result<Outcome, String> {
    let count = beneficiaries_needed(options);
    create_beneficiaries_from(cvgate, 0, count, options.concurrency).await?;
    let cvgate = cvgate.clone();
    Ok(load::run(options.concurrency, options.duration, move |n| {
        let cvgate = cvgate.clone();
        async move { n < count && flow(&cvgate, n).await.is_some() }
    })
    .await)
}

fn email(n: u64) -> String {
    format!("bench{n}@example.com")
}

/// Test beneficiaries first..end: 25.00 € each, answering in the app at once (`auto_partial`).
async fn create_beneficiaries_from(
    cvgate: &Cvgate,
    first: u64,
    end: u64,
    concurrency: usize,
) -> Result<(), String> {
    let next = Arc::new(std::sync::atomic::AtomicU64::new(first));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (cvgate, next) = (cvgate.clone(), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= end {
                    return Ok(());
                }
                let body = serde_json::json!({
                    "beneficiaryId": format!("{}", 30_000_000_000_u64 + n),
                    "email": email(n),
                    "balance": 2_500,
                    "secretCode": "1234",
                    "behaviour": "auto_partial",
                });
                let url = format!("{}/sandbox/ancv/admin/beneficiaries", cvgate.base);
                let answer = cvgate.http.post(url).json(&body).send().await;
                match answer {
                    Ok(answer) if answer.status().is_success() => {}
                    Ok(answer) => return Err(format!("beneficiary {n}: HTTP {}", answer.status())),
                    Err(error) => return Err(format!("beneficiary {n}: {error}")),
                }
            }
        }));
    }
    for worker in workers {
        worker.await.map_err(|e| e.to_string())??;
    }
    Ok(())
}

/// One complete split payment with a beneficiary of its own (numbered after any run's): its
/// token.
pub async fn one(cvgate: &Cvgate) -> Result<String, String> {
    let n = 9_000_000;
    create_beneficiaries_from(cvgate, n, n + 1, 1).await?;
    flow(cvgate, n)
        .await
        .ok_or_else(|| "a complete split payment failed".to_owned())
}

/// A session cancelled by the buyer on the page: its token.
pub async fn cancelled(cvgate: &Cvgate) -> Result<String, String> {
    let failed = || "a session cancelled on the page failed".to_owned();
    let token = cvgate.do_web_payment(9_000_001).await.ok_or_else(failed)?;
    let page = format!("{}/webpayment/{token}", cvgate.base);
    let csrf = csrf_of(&get_text(cvgate, &page).await.ok_or_else(failed)?).ok_or_else(failed)?;
    post(
        cvgate,
        &format!("{page}/cancel"),
        &[("csrf", csrf.as_str())],
    )
    .await
    .ok_or_else(failed)?;
    Ok(token)
}

/// One whole flow: its token; `None` at the first step that goes wrong.
async fn flow(cvgate: &Cvgate, n: u64) -> Option<String> {
    let token = cvgate.do_web_payment(n).await?;
    let page = format!("{}/webpayment/{token}", cvgate.base);
    let csrf = csrf_of(&get_text(cvgate, &page).await?)?;
    let asked = [("csrf", csrf.as_str()), ("beneficiary", &email(n))];
    post(cvgate, &format!("{page}/ancv"), &asked).await?;
    // The sandbox validates at once; cvgate learns it from ANCV's notification.
    let mut partial = None;
    for _ in 0..1_000 {
        let html = get_text(cvgate, &page).await?;
        if html.contains(r#"data-view="partial""#) {
            partial = Some(html);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let csrf = csrf_of(&partial?)?;
    let card = [
        ("csrf", csrf.as_str()),
        ("contract", "CB-DEMO"),
        ("number", "4970100000000006"),
        ("expiry", "12/30"),
        ("cvv", "123"),
    ];
    post(cvgate, &format!("{page}/card"), &card).await?;
    let details = cvgate.details(&token).await?;
    details.contains(">00000<").then_some(token)
}

/// The page's HTML.
async fn get_text(cvgate: &Cvgate, url: &str) -> Option<String> {
    cvgate.http.get(url).send().await.ok()?.text().await.ok()
}

/// A form post answered with a redirect (the page's way of saying it was taken).
async fn post(cvgate: &Cvgate, url: &str, form: &[(&str, &str)]) -> Option<()> {
    let answer = cvgate.no_redirects.post(url).form(form).send().await.ok()?;
    answer.status().is_redirection().then_some(())
}

fn csrf_of(html: &str) -> Option<String> {
    let after = html.split(r#"name="csrf" value=""#).nth(1)?;
    Some(after[..after.find('"')?].to_owned())
}
