//! The command line.

use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str =
    "usage: cvgate-bench [--seconds N] [--concurrency N] [--postgres URL] [--cvgate PATH]
  --seconds N       how long each operation runs (default 10)
  --concurrency N   requests in flight at once (default 16)
  --postgres URL    also run on PostgreSQL (a fresh schema in that database)
  --cvgate PATH     the cvgate binary (default: beside this one)
  --only split      only the complete split payments (no floor)
  --seeded N        the scale run: doWebPayment and getWebPaymentDetails on an empty database,
                    then on one seeded with N sessions, N transactions and N/10 pending merchant
                    notifications (1000000 for issue 15's figures), and transactionsSearch of
                    the last 31 days there";

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub duration: Duration,
    pub concurrency: usize,
    pub postgres: Option<String>,
    pub cvgate: PathBuf,
    /// Only the complete split payments.
    pub split_only: bool,
    /// The scale run, with this many sessions seeded.
    pub seeded: Option<u64>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let beside = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join("cvgate")))
            .unwrap_or_else(|| PathBuf::from("cvgate"));
        let mut options = Options {
            duration: Duration::from_secs(10),
            concurrency: 16,
            postgres: None,
            cvgate: beside,
            split_only: false,
            seeded: None,
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let mut value = || {
                args.next()
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag.as_str() {
                "--seconds" => options.duration = Duration::from_secs(number(flag, &value()?)?),
                "--concurrency" => options.concurrency = number(flag, &value()?)? as usize,
                "--postgres" => options.postgres = Some(value()?),
                "--cvgate" => options.cvgate = PathBuf::from(value()?),
                "--seeded" => options.seeded = Some(sessions(&value()?)?),
                "--only" => match value()?.as_str() {
                    "split" => options.split_only = true,
                    other => return Err(format!("--only takes split; got {other:?}")),
                },
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(options)
    }
}

/// `--seeded`'s session count: even (half split, half cancelled), 1,000 to 10,000,000.
fn sessions(value: &str) -> Result<u64, String> {
    value
        .parse::<u64>()
        .ok()
        .filter(|n| (1_000..=10_000_000).contains(n) && n % 2 == 0)
        .ok_or_else(|| {
            format!("--seeded must be an even whole number from 1000 to 10000000; got {value:?}")
        })
}

fn number(flag: &str, value: &str) -> Result<u64, String> {
    value
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or_else(|| format!("{flag} must be a whole number from 1 to 100000; got {value:?}"))
}
