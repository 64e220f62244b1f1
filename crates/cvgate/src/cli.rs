//! The command line: what `cvgate --help` shows.

use crate::settings::{Layers, SettingError, Settings};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// The whole command line: global flags, then one subcommand.
#[derive(Debug, Parser)]
#[command(
    name = "cvgate",
    version,
    about = "Payline-v4-compatible gateway for ANCV Chèque-Vacances Connect"
)]
pub struct Cli {
    /// TOML settings file (flags and CVGATE_* variables override it)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// sqlite://PATH (default sqlite://data/cvgate.sqlite) or postgres://…
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Log format on stderr: text or json
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Machine-readable output (JSON on stdout; errors as one JSON line on stderr)
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// cvgate's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway (HTTP server)
    Serve(ServeArgs),
    /// Apply database migrations and exit
    Migrate,
    /// Merchants and their access keys
    #[command(subcommand)]
    Merchant(MerchantCommand),
    /// Points of sale
    #[command(subcommand)]
    Pos(PosCommand),
    /// Contracts (payment methods) of a merchant
    #[command(subcommand)]
    Contract(ContractCommand),
    /// Back-office users: a merchant's staff and the platform's operators
    #[command(subcommand)]
    User(UserCommand),
    /// Remit captured card transactions now (the daily batch, on demand)
    Remit,
    /// Background jobs: list them, retry failed ones
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// The homologation sandboxes
    #[command(subcommand)]
    Sandbox(SandboxCommand),
}

/// `cvgate jobs …`.
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List the background jobs (pending, running or dead)
    List {
        /// Only jobs that failed since their last success, or are dead
        #[arg(long)]
        failed: bool,
    },
    /// Run a dead or failing job again now, its failure count cleared
    Retry {
        /// The job's id (see cvgate jobs list)
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        id: i64,
    },
}

/// `cvgate sandbox …`: one subcommand per sandbox.
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// The ANCV Chèque-Vacances Connect sandbox: run it alone (`--listen`), or administer it
    Ancv(AncvSandboxArgs),
}

/// `cvgate sandbox ancv`: serve the sandbox alone, or one administration action.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AncvSandboxArgs {
    /// Run the sandbox alone on this address (default 127.0.0.1:8080)
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// The administration action (none: serve the sandbox).
    #[command(subcommand)]
    pub action: Option<AncvSandboxAction>,
}

/// What `cvgate sandbox ancv` can administer.
#[derive(Debug, Subcommand)]
pub enum AncvSandboxAction {
    /// Test beneficiaries (Chèque-Vacances accounts)
    #[command(subcommand)]
    Beneficiary(BeneficiaryCommand),
    /// Shops (Shop IDs the sandbox accepts)
    #[command(subcommand)]
    Shop(ShopCommand),
    /// Settle: VALIDATED transactions become CONSIGNED, then PAID
    Settle {
        /// Stop at CONSIGNED (to rehearse a refund of a consigned transaction)
        #[arg(long, value_name = "STATE")]
        until: Option<String>,
    },
    /// ANCV refuses a transaction after authorizing it: AUTHORIZED, VALIDATED or CONSIGNED
    /// becomes REJECTED and the vouchers go back to the beneficiary
    Reject {
        /// The ANCV transaction id
        #[arg(long, value_name = "ID")]
        transaction: String,
    },
}

/// `cvgate sandbox ancv beneficiary …`.
#[derive(Debug, Subcommand)]
pub enum BeneficiaryCommand {
    /// Create a beneficiary
    Add {
        /// The 11-digit ANCV identifier
        #[arg(long, value_name = "ANCV_ID")]
        id: String,
        /// E-mail address (accepted in place of the ANCV identifier)
        #[arg(long)]
        email: String,
        /// Balance in euros, e.g. 300.00
        #[arg(long, value_name = "EUROS")]
        balance: String,
        /// Secret code to validate in the app (4 to 12 digits)
        #[arg(long, value_name = "CODE")]
        secret_code: String,
        /// manual (default), auto_full, auto_partial, auto_decline, auto_expire or blocked
        #[arg(long, value_name = "BEHAVIOUR")]
        behaviour: Option<String>,
    },
    /// Show a beneficiary and its balance
    Show {
        /// ANCV identifier or e-mail
        #[arg(long, value_name = "ID_OR_EMAIL")]
        id: String,
    },
    /// List a beneficiary's transactions, oldest first
    Transactions {
        /// ANCV identifier or e-mail
        #[arg(long, value_name = "ID_OR_EMAIL")]
        id: String,
    },
}

/// `cvgate sandbox ancv shop …`.
#[derive(Debug, Subcommand)]
pub enum ShopCommand {
    /// Accept a Shop ID
    Add {
        /// The ANCV Shop ID to accept
        #[arg(long, value_name = "S")]
        shop_id: String,
    },
    /// List a shop's transactions, oldest first
    Transactions {
        /// The ANCV Shop ID
        #[arg(long, value_name = "S")]
        shop_id: String,
    },
}

/// `cvgate serve`'s flags (each overrides its setting).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (default 127.0.0.1:8080)
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Absolute base URL given to merchants and buyers (default http://<listen>)
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// homologation (default, with sandboxes and demo merchant) or production
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
}

/// `cvgate merchant …`.
#[derive(Debug, Subcommand)]
pub enum MerchantCommand {
    /// Create a merchant and print its id and access key (shown once)
    Create {
        /// The merchant's name
        #[arg(long)]
        name: String,
    },
    /// Replace a merchant's access key and print the new one (the old one stops working)
    RotateKey {
        /// Merchant id
        #[arg(long, value_name = "ID")]
        merchant: String,
    },
    /// List merchants
    List,
}

/// `cvgate user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user and print a one-time password (to change at the first sign-in)
    Create {
        /// The merchant whose back office it is
        #[arg(long, value_name = "ID", required_unless_present = "platform")]
        merchant: Option<String>,
        /// A platform operator (every merchant) instead of a merchant's user
        #[arg(long, conflicts_with_all = ["merchant", "role"])]
        platform: bool,
        /// E-mail address: the sign-in name, unique across cvgate
        #[arg(long)]
        email: String,
        /// admin (configures), operator (refunds) or viewer (looks)
        #[arg(long, required_unless_present = "platform")]
        role: Option<String>,
    },
    /// List a merchant's users, or the platform operators
    List {
        /// The merchant (absent: the platform operators)
        #[arg(long, value_name = "ID")]
        merchant: Option<String>,
    },
    /// Switch a user off: sign-in is refused from now on
    Disable {
        /// The user's e-mail address
        #[arg(long)]
        email: String,
    },
    /// Give a user a new one-time password (the old one stops working)
    ResetPassword {
        /// The user's e-mail address
        #[arg(long)]
        email: String,
    },
}

/// `cvgate pos …`.
#[derive(Debug, Subcommand)]
pub enum PosCommand {
    /// Create a point of sale
    Create {
        /// Merchant id
        #[arg(long, value_name = "ID")]
        merchant: String,
        /// Name shown to operators and the merchant (1 to 100 characters)
        #[arg(long)]
        label: String,
        /// How the JSON API names it (pointOfSaleReference): 1 to 50 letters, digits, '-', '_'
        /// or '.', unique per merchant (default POS-<id>)
        #[arg(long)]
        reference: Option<String>,
        /// Web payment session lifetime, 10 to 90 minutes (default 15)
        #[arg(long, value_name = "MINUTES", allow_negative_numbers = true)]
        session_minutes: Option<i64>,
    },
    /// List a merchant's points of sale
    List {
        /// Merchant id
        #[arg(long, value_name = "ID")]
        merchant: String,
    },
    /// Change a point of sale's settings
    Set {
        /// Merchant id
        #[arg(long, value_name = "ID")]
        merchant: String,
        /// Point of sale id
        #[arg(long, value_name = "POS", allow_negative_numbers = true)]
        pos: i64,
        /// Whether the payment widget may update a session's amount, order and buyer data
        /// before any attempt (Payline.Api.updateWebpaymentData)
        #[arg(long, value_name = "on|off", value_parser = on_off, action = clap::ArgAction::Set)]
        widget_data_updates: bool,
    },
    /// Sign the point of sale's merchant notifications (Cvgate-Signature) with a new secret,
    /// printed once; the previous secret keeps signing during the overlap
    NotificationSecret {
        /// Merchant id
        #[arg(long, value_name = "ID")]
        merchant: String,
        /// Point of sale id
        #[arg(long, value_name = "POS", allow_negative_numbers = true)]
        pos: i64,
        /// How long the previous secret still signs, 0 to 720 hours (default 24)
        #[arg(long, value_name = "HOURS", allow_negative_numbers = true)]
        overlap_hours: Option<i64>,
        /// Stop signing instead (every secret forgotten)
        #[arg(long, conflicts_with = "overlap_hours")]
        off: bool,
    },
}

/// `on` or `off` (also `true`/`false`).
fn on_off(value: &str) -> Result<bool, String> {
    match value {
        "on" | "true" => Ok(true),
        "off" | "false" => Ok(false),
        _ => Err("must be on or off".to_owned()),
    }
}

/// `cvgate contract …`.
#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Create a contract under a point of sale
    Create(ContractCreateArgs),
    /// List a merchant's contracts
    List {
        /// Merchant id
        #[arg(long, value_name = "ID")]
        merchant: String,
    },
    /// Show one contract
    Show(ContractKey),
    /// Make a contract inactive
    Disable(ContractKey),
}

/// `cvgate contract create`'s flags: the contract's fields.
#[derive(Debug, Args)]
pub struct ContractCreateArgs {
    /// Merchant id
    #[arg(long, value_name = "ID")]
    pub merchant: String,
    /// Point of sale id
    #[arg(long, value_name = "POS", allow_negative_numbers = true)]
    pub pos: i64,
    /// Contract number, unique per merchant (≤ 20 characters)
    #[arg(long, value_name = "NUM")]
    pub number: String,
    /// ANCV_CONNECT, CB, VISA, MASTERCARD or AMEX
    #[arg(long, value_name = "CODE")]
    pub card_code: String,
    /// Short name, at most 50 characters (default: the contract number)
    #[arg(long)]
    pub label: Option<String>,
    /// ISO 4217 numeric currency (default 978, the euro)
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Operator notes, at most 255 characters
    #[arg(long)]
    pub description: Option<String>,
    /// ANCV Shop ID (required for ANCV_CONNECT)
    #[arg(long, value_name = "S")]
    pub shop_id: Option<String>,
    /// Complementary card contract of the same point of sale (ANCV_CONNECT; repeatable)
    #[arg(long, value_name = "NUM")]
    pub complementary: Vec<String>,
}

/// Which contract: a contract number is unique per merchant.
#[derive(Debug, Args)]
pub struct ContractKey {
    /// Merchant id
    #[arg(long, value_name = "ID")]
    pub merchant: String,
    /// Contract number
    #[arg(long, value_name = "NUM")]
    pub number: String,
}

impl Cli {
    /// Settings from the layers: file, environment, then this command line.
    pub fn settings(&self) -> Result<Settings, SettingError> {
        let mut layers = Layers::default();
        if let Some(path) = &self.config {
            layers.file(path)?;
        }
        layers.environment(std::env::vars());
        layers.flag(
            "database_url",
            "--database-url",
            self.database_url.as_deref(),
        );
        layers.flag("log_format", "--log-format", self.log_format.as_deref());
        match &self.command {
            Command::Serve(serve) => {
                layers.flag("listen", "--listen", serve.listen.as_deref());
                layers.flag("public_url", "--public-url", serve.public_url.as_deref());
                layers.flag("env", "--env", serve.env.as_deref());
            }
            Command::Sandbox(SandboxCommand::Ancv(args)) => {
                layers.flag("listen", "--listen", args.listen.as_deref())
            }
            Command::Migrate
            | Command::Remit
            | Command::Jobs(_)
            | Command::Merchant(_)
            | Command::User(_)
            | Command::Pos(_)
            | Command::Contract(_) => {}
        }
        layers.resolve()
    }
}

impl Command {
    /// The server logs what it does; administration commands only warnings.
    pub fn default_log_level(&self) -> &'static str {
        match self {
            Command::Serve(_) | Command::Migrate | Command::Remit => "info",
            Command::Sandbox(SandboxCommand::Ancv(args)) if args.action.is_none() => "info",
            Command::Merchant(_)
            | Command::User(_)
            | Command::Pos(_)
            | Command::Contract(_)
            | Command::Jobs(_)
            | Command::Sandbox(_) => "warn",
        }
    }
}

/// Prints help and version as clap does; turns a usage error into one line, exit code 2.
pub fn report_usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::from(
            if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                2
            } else {
                0
            },
        );
    }
    let rendered = error.render().to_string();
    let message = rendered.split("\n\nUsage:").next().unwrap_or(&rendered);
    let message = message
        .split("\n\nFor more information")
        .next()
        .unwrap_or(message);
    let one_line: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    eprintln!("{} (see cvgate --help)", one_line.join(" "));
    ExitCode::from(2)
}
