//! How administration results are printed: aligned text for people, JSON for scripts.

use domain::access_key::AccessKey;
use domain::clock::Timestamp;
use domain::contract::Contract;
use domain::merchant::{Merchant, MerchantId};
use domain::point_of_sale::PointOfSale;
use gateway::web_payments::{EXPIRY_JOB, NOTIFY_JOB};
use serde_json::{Value, json};
use store::repos::StoredJob;

/// Prints a command's result the way the caller asked for.
pub struct Output {
    /// JSON on stdout (`--json`) instead of text.
    pub json: bool,
}

impl Output {
    fn print_json(&self, value: Value) {
        println!("{value}");
    }

    /// Any serialisable result: JSON with `--json`, else indented JSON (readable enough for the
    /// sandbox's administration).
    pub fn value<T: serde::Serialize>(&self, value: &T) {
        let json = serde_json::to_value(value).unwrap_or(Value::Null);
        if self.json {
            self.print_json(json);
        } else {
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
    }

    /// A merchant's new access key, shown this once; `what` says how it came about.
    pub fn access_key(&self, merchant_id: &MerchantId, key: &AccessKey, what: &str) {
        if self.json {
            return self.print_json(
                json!({"merchantId": merchant_id.as_str(), "accessKey": key.expose()}),
            );
        }
        println!("merchant {merchant_id} {what}");
        println!("  merchant id: {merchant_id}");
        println!("  access key:  {}", key.expose());
        println!(
            "The access key is shown only now: keep it safe (HTTP Basic password of the Payline API)."
        );
    }

    /// A point of sale's new notification secret (shown this once), or that signing stopped.
    pub fn notification_secret(&self, pos_id: i64, secret: Option<&str>) {
        if self.json {
            return self.print_json(json!({"posId": pos_id, "notificationSecret": secret}));
        }
        match secret {
            Some(secret) => {
                println!("point of sale {pos_id} signs its notifications (Cvgate-Signature)");
                println!("  notification secret: {secret}");
                println!(
                    "The secret is shown only now: give it to the merchant to check the signatures."
                );
            }
            None => println!("point of sale {pos_id} no longer signs its notifications"),
        }
    }

    /// Every merchant, one per line (never their keys).
    pub fn merchants(&self, merchants: &[Merchant]) {
        if self.json {
            let list: Vec<Value> = merchants
                .iter()
                .map(|m| {
                    json!({"merchantId": m.id.as_str(), "name": m.name, "status": m.status.as_str(), "createdAt": m.created_at.to_rfc3339()})
                })
                .collect();
            return self.print_json(Value::Array(list));
        }
        println!(
            "{:<14} {:<9} {:<24} NAME",
            "MERCHANT ID", "STATUS", "CREATED (UTC)"
        );
        for m in merchants {
            println!(
                "{:<14} {:<9} {:<24} {}",
                m.id,
                m.status.as_str(),
                m.created_at.to_rfc3339(),
                m.name
            );
        }
    }

    /// The id of a point of sale just created.
    pub fn pos_created(&self, pos: &PointOfSale) {
        if self.json {
            return self.print_json(json!({"posId": pos.id, "reference": pos.reference}));
        }
        println!(
            "point of sale {} created for merchant {}",
            pos.id, pos.merchant_id
        );
        println!("  pos id: {}", pos.id);
        println!("  reference: {}", pos.reference);
    }

    /// A merchant's points of sale, one per line.
    pub fn points_of_sale(&self, list: &[PointOfSale]) {
        if self.json {
            let list: Vec<Value> = list
                .iter()
                .map(|p| json!({"posId": p.id, "label": p.label, "reference": p.reference, "sessionMinutes": p.session_lifetime.as_minutes(),
                                 "widgetDataUpdates": p.widget_data_updates}))
                .collect();
            return self.print_json(Value::Array(list));
        }
        println!(
            "{:<8} {:<20} {:<16} {:<20} LABEL",
            "POS ID", "REFERENCE", "SESSION (MIN)", "WIDGET DATA UPDATES"
        );
        for p in list {
            let updates = if p.widget_data_updates { "on" } else { "off" };
            println!(
                "{:<8} {:<20} {:<16} {:<20} {}",
                p.id,
                p.reference,
                p.session_lifetime.as_minutes(),
                updates,
                p.label
            );
        }
    }

    /// One contract, every field.
    pub fn contract(&self, contract: &Contract) {
        if self.json {
            return self.print_json(contract_json(contract));
        }
        println!("contract {}", contract.number);
        println!("  merchant:       {}", contract.merchant_id);
        println!("  point of sale:  {}", contract.pos_id);
        println!("  card code:      {}", contract.card_code);
        println!("  label:          {}", contract.label);
        println!("  currency:       {}", contract.currency);
        println!("  description:    {}", contract.description);
        println!("  status:         {}", contract.status.as_str());
        if let Some(shop_id) = contract.shop_id() {
            println!("  shop id:        {shop_id}");
            println!("  complementary:  {}", numbers(contract));
        }
    }

    /// A merchant's contracts, one per line.
    pub fn contracts(&self, contracts: &[Contract]) {
        if self.json {
            return self.print_json(Value::Array(contracts.iter().map(contract_json).collect()));
        }
        println!(
            "{:<20} {:<13} {:<7} {:<9} {:<10} {:<20} LABEL",
            "NUMBER", "CARD CODE", "POS", "STATUS", "SHOP ID", "COMPLEMENTARY"
        );
        for c in contracts {
            let shop_id = c.shop_id().map_or("-".to_owned(), ToString::to_string);
            println!(
                "{:<20} {:<13} {:<7} {:<9} {:<10} {:<20} {}",
                c.number.as_str(),
                c.card_code.as_str(),
                c.pos_id,
                c.status.as_str(),
                shop_id,
                numbers(c),
                c.label
            );
        }
    }
}

impl Output {
    /// Background jobs with their state at `now`, one per line.
    pub fn jobs(&self, jobs: &[StoredJob], now: Timestamp) {
        if self.json {
            let list = jobs.iter().map(|job| job_json(job, now)).collect();
            return self.print_json(Value::Array(list));
        }
        println!(
            "{:<8} {:<28} {:<24} {:<24} {:<9} {:<9} {:<8} LAST ERROR",
            "ID", "KIND", "SUBJECT", "RUN AT (UTC)", "ATTEMPTS", "FAILURES", "STATE"
        );
        for job in jobs {
            println!(
                "{:<8} {:<28} {:<24} {:<24} {:<9} {:<9} {:<8} {}",
                job.id,
                job.kind,
                shown_subject(&job.kind, &job.subject),
                job.run_at.to_rfc3339(),
                job.attempts,
                job.failures,
                job.state(now).as_str(),
                job.last_error.as_deref().unwrap_or("-")
            );
        }
    }

    /// A job made due again by `cvgate jobs retry`.
    pub fn job_retried(&self, job: &StoredJob, now: Timestamp) {
        if self.json {
            return self.print_json(job_json(job, now));
        }
        println!(
            "job {} ({} {}) will run again now",
            job.id,
            job.kind,
            shown_subject(&job.kind, &job.subject)
        );
    }
}

fn job_json(job: &StoredJob, now: Timestamp) -> Value {
    json!({
        "id": job.id,
        "kind": job.kind,
        "subject": shown_subject(&job.kind, &job.subject),
        "runAt": job.run_at.to_rfc3339(),
        "attempts": job.attempts,
        "failures": job.failures,
        "lastError": job.last_error,
        "state": job.state(now).as_str(),
    })
}

/// The subjects of these kinds are web payment tokens, bearer secrets: only their beginning is
/// shown, enough to tell them apart.
fn shown_subject(kind: &str, subject: &str) -> String {
    if kind == EXPIRY_JOB || kind == NOTIFY_JOB {
        let start: String = subject.chars().take(6).collect();
        format!("{start}…")
    } else {
        subject.to_owned()
    }
}

fn numbers(contract: &Contract) -> String {
    let list: Vec<&str> = contract
        .complementary()
        .iter()
        .map(|n| n.as_str())
        .collect();
    if list.is_empty() {
        "-".to_owned()
    } else {
        list.join(",")
    }
}

/// A contract as `--json` prints it (camelCase, like the API).
pub fn contract_json(contract: &Contract) -> Value {
    json!({
        "merchantId": contract.merchant_id.as_str(),
        "number": contract.number.as_str(),
        "posId": contract.pos_id,
        "cardCode": contract.card_code.as_str(),
        "label": contract.label,
        "currency": contract.currency.to_string(),
        "description": contract.description,
        "status": contract.status.as_str(),
        "shopId": contract.shop_id().map(|s| s.as_str()),
        "complementary": contract.complementary().iter().map(|n| n.as_str()).collect::<Vec<_>>(),
    })
}
