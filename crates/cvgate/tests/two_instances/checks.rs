//! The money invariants, checked over HTTP only: what the sandboxes hold (their admin APIs)
//! against what cvgate told the merchant (getWebPaymentDetails, doRefund).
//!
//! A flow's ANCV transactions are its beneficiary's (one beneficiary per flow); its card
//! transactions are the ledger rows of its card part's amount (one amount per flow).

use super::cluster::Cluster;
use super::flows::{Flow, INITIAL_BALANCE};
use std::collections::HashMap;
use std::fmt::Write;

/// One row of the card sandbox's ledger (`GET /sandbox/card/admin/ledger`).
#[derive(Debug, Clone)]
pub struct CardRow {
    pub reference: String,
    pub amount: i64,
    pub state: String,
    pub authorized: i64,
    pub captured: i64,
    pub reset: i64,
    pub remitted: i64,
    pub refunded: i64,
}

impl CardRow {
    fn from_json(row: &serde_json::Value) -> CardRow {
        let amount = |name: &str| row[name].as_i64().unwrap_or_default();
        CardRow {
            reference: row["reference"].as_str().unwrap_or_default().to_owned(),
            amount: amount("amount"),
            state: row["state"].as_str().unwrap_or_default().to_owned(),
            authorized: amount("authorized"),
            captured: amount("captured"),
            reset: amount("reset"),
            remitted: amount("remitted"),
            refunded: amount("refunded"),
        }
    }

    /// What the card is still charged or reserved for: not reset, not refunded.
    pub fn held(&self) -> i64 {
        if self.remitted > 0 {
            self.remitted - self.refunded
        } else if self.captured > 0 {
            self.captured - self.reset
        } else {
            self.authorized - self.reset
        }
    }

    fn line(&self) -> String {
        format!(
            "card {} amount {} {}: authorized {} captured {} reset {} remitted {} refunded {} → holds {}",
            self.reference,
            self.amount,
            self.state,
            self.authorized,
            self.captured,
            self.reset,
            self.remitted,
            self.refunded,
            self.held()
        )
    }
}

/// A transaction as the ANCV sandbox lists it for a beneficiary.
#[derive(Debug, Clone)]
pub struct AncvTransaction {
    pub id: String,
    pub payment_id: String,
    pub state: String,
    pub validated_amount: Option<i64>,
}

impl AncvTransaction {
    /// The vouchers are spent (or reserved) in these states.
    fn holds(&self) -> bool {
        matches!(
            self.state.as_str(),
            "AUTHORIZED" | "VALIDATED" | "CONSIGNED" | "PAID"
        )
    }

    fn line(&self) -> String {
        format!(
            "ANCV {} (payment {}) {} validated {:?}",
            self.id, self.payment_id, self.state, self.validated_amount
        )
    }
}

pub struct Beneficiary {
    pub balance: i64,
    pub transactions: Vec<AncvTransaction>,
}

pub struct Ledgers {
    pub card: Vec<CardRow>,
    pub beneficiaries: HashMap<String, Beneficiary>,
}

/// Reads both sandboxes (any instance answers: they share the database).
pub async fn read(cluster: &Cluster, flows: &[Flow]) -> Ledgers {
    let ledger = cluster.get("/sandbox/card/admin/ledger").await;
    let rows: Vec<serde_json::Value> = serde_json::from_str(&ledger.body)
        .unwrap_or_else(|e| panic!("the card ledger is not JSON ({e}): {}", ledger.body));
    let mut beneficiaries = HashMap::new();
    for flow in flows {
        beneficiaries.insert(
            flow.beneficiary.clone(),
            beneficiary(cluster, &flow.beneficiary).await,
        );
    }
    Ledgers {
        card: rows.iter().map(CardRow::from_json).collect(),
        beneficiaries,
    }
}

async fn beneficiary(cluster: &Cluster, id: &str) -> Beneficiary {
    let base = format!("/sandbox/ancv/admin/beneficiaries/{id}");
    let shown: serde_json::Value =
        serde_json::from_str(&cluster.get(&base).await.body).expect("the beneficiary as JSON");
    let listed: serde_json::Value =
        serde_json::from_str(&cluster.get(&format!("{base}/transactions")).await.body)
            .expect("the transactions as JSON");
    let text = |t: &serde_json::Value, name: &str| t[name].as_str().unwrap_or_default().to_owned();
    let transactions = listed["transactions"]
        .as_array()
        .expect("a transaction list")
        .iter()
        .map(|t| AncvTransaction {
            id: text(t, "id"),
            payment_id: text(t, "paymentId"),
            state: text(t, "state"),
            validated_amount: t["validatedAmount"].as_i64(),
        })
        .collect();
    Beneficiary {
        balance: shown["balance"].as_i64().expect("a balance"),
        transactions,
    }
}

impl Ledgers {
    fn card_rows_of<'a>(&'a self, flow: &Flow) -> impl Iterator<Item = &'a CardRow> + 'a {
        let amount = flow.card_part();
        self.card.iter().filter(move |row| row.amount == amount)
    }

    fn beneficiary_of(&self, flow: &Flow) -> &Beneficiary {
        &self.beneficiaries[&flow.beneficiary]
    }
}

/// Everything wrong with one flow: its final code, then I1 or I2, then I3.
pub fn flow_violations(flow: &Flow, ledgers: &Ledgers) -> Vec<String> {
    let mut found = Vec::new();
    let code = flow.outcome.code.as_str();
    if matches!(code, "" | "02533" | "02306" | "02000") {
        found.push(format!("not final: getWebPaymentDetails answers {code:?}"));
    } else if code != flow.kind.expected_code() {
        found.push(format!(
            "ended {code}, expected {} for {:?}",
            flow.kind.expected_code(),
            flow.kind
        ));
    }
    if flow.accepted() {
        accepted_holds_its_parts(flow, ledgers, &mut found);
    } else {
        nothing_held(flow, ledgers, &mut found);
    }
    balance_matches(flow, ledgers, &mut found);
    found
}

/// I1: the parts add up to the order, ANCV holds the ANCV part, the card holds the card part
/// (less what doRefund gave back), and nothing else of the flow holds money.
fn accepted_holds_its_parts(flow: &Flow, ledgers: &Ledgers, found: &mut Vec<String>) {
    let outcome = &flow.outcome;
    let (ancv, card) = (
        outcome.ancv_amount.unwrap_or_default(),
        outcome.card_amount.unwrap_or_default(),
    );
    if ancv + card != flow.order_amount || outcome.order_amount != Some(flow.order_amount) {
        found.push(format!(
            "I1: ANCV {ancv} + card {card} ≠ order {} (reported order {:?})",
            flow.order_amount, outcome.order_amount
        ));
    }
    let ancv_id = outcome.ancv_transaction.as_deref().unwrap_or("?");
    for transaction in &ledgers.beneficiary_of(flow).transactions {
        let ours = transaction.payment_id == ancv_id;
        let should_hold = ours && !flow.ancv_refunded;
        if transaction.holds() != should_hold
            || (should_hold && transaction.validated_amount != Some(ancv))
        {
            found.push(format!(
                "I1: {} (the payment's ANCV part is {ancv_id}: {ancv}, refunded {})",
                transaction.line(),
                flow.ancv_refunded
            ));
        }
    }
    if !ledgers
        .beneficiary_of(flow)
        .transactions
        .iter()
        .any(|t| t.payment_id == ancv_id)
    {
        found.push(format!("I1: ANCV has no transaction for payment {ancv_id}"));
    }
    let card_id = outcome.card_transaction.as_deref().unwrap_or("?");
    for row in ledgers.card_rows_of(flow) {
        let expected = if row.reference == card_id {
            card - flow.card_refunded
        } else {
            0
        };
        if row.held() != expected {
            found.push(format!(
                "I1: {} but should hold {expected} (card part {card_id}: {card}, refunded {})",
                row.line(),
                flow.card_refunded
            ));
        }
    }
    if !ledgers.card.iter().any(|row| row.reference == card_id) {
        found.push(format!("I1: the card ledger has no transaction {card_id}"));
    }
}

/// I2: a payment that did not end accepted holds nothing at either sandbox.
fn nothing_held(flow: &Flow, ledgers: &Ledgers, found: &mut Vec<String>) {
    for transaction in &ledgers.beneficiary_of(flow).transactions {
        if transaction.holds() {
            found.push(format!(
                "I2: {} on a payment not accepted",
                transaction.line()
            ));
        }
    }
    for row in ledgers.card_rows_of(flow) {
        if row.held() != 0 {
            found.push(format!("I2: {} on a payment not accepted", row.line()));
        }
    }
}

/// I3: the beneficiary paid exactly what its accepted payment holds.
fn balance_matches(flow: &Flow, ledgers: &Ledgers, found: &mut Vec<String>) {
    let spent = if flow.accepted() && !flow.ancv_refunded {
        flow.outcome.ancv_amount.unwrap_or_default()
    } else {
        0
    };
    let balance = ledgers.beneficiary_of(flow).balance;
    if balance != INITIAL_BALANCE - spent {
        found.push(format!(
            "I3: balance {balance}, expected {INITIAL_BALANCE} − {spent}"
        ));
    }
}

/// I4: the card ledger as a whole agrees with what cvgate reported: every row belongs to a
/// flow, the total held is the accepted card parts less the refunds cvgate answered, and the
/// total refunded on those parts is what doRefund gave back.
pub fn totals(flows: &[Flow], ledgers: &Ledgers) -> Vec<String> {
    let mut found = Vec::new();
    for row in &ledgers.card {
        if !flows.iter().any(|flow| flow.card_part() == row.amount) {
            found.push(format!("I4: {} belongs to no flow", row.line()));
        }
    }
    let held: i64 = ledgers.card.iter().map(CardRow::held).sum();
    let reported: i64 = flows
        .iter()
        .filter(|flow| flow.accepted())
        .map(|flow| flow.outcome.card_amount.unwrap_or_default() - flow.card_refunded)
        .sum();
    if held != reported {
        found.push(format!(
            "I4: the card ledger holds {held} in all; cvgate reported {reported}"
        ));
    }
    let card_parts: Vec<&str> = flows
        .iter()
        .filter_map(|flow| flow.outcome.card_transaction.as_deref())
        .collect();
    let refunded: i64 = ledgers
        .card
        .iter()
        .filter(|row| card_parts.contains(&row.reference.as_str()))
        .map(|row| row.refunded)
        .sum();
    let answered: i64 = flows.iter().map(|flow| flow.card_refunded).sum();
    if refunded != answered {
        found.push(format!(
            "I4: the card ledger refunded {refunded} on accepted card parts; doRefund answered {answered}"
        ));
    }
    found
}

/// One line for a flow: what it was, how it ended, how many of its steps an instance failed.
pub fn summary(flow: &Flow) -> String {
    let o = &flow.outcome;
    let failed_over = flow.path.iter().filter(|step| step.contains('✗')).count();
    format!(
        "flow {:2} {:<22} order {} → {} ANCV {:?} card {:?} refunded card {} ANCV {}; {failed_over} steps failed over",
        flow.index,
        format!("{:?}", flow.kind),
        flow.order_amount,
        o.code,
        o.ancv_amount,
        o.card_amount,
        flow.card_refunded,
        flow.ancv_refunded
    )
}

/// A flow in full: its path through the instances and what each ledger says of it.
pub fn report(flow: &Flow, ledgers: &Ledgers, violations: &[String]) -> String {
    let mut text = format!("{}\n  token {}…\n", summary(flow), &flow.token[..6]);
    for violation in violations {
        let _ = writeln!(text, "  !! {violation}");
    }
    for step in &flow.path {
        let _ = writeln!(text, "  | {step}");
    }
    let beneficiary = ledgers.beneficiary_of(flow);
    let _ = writeln!(
        text,
        "  beneficiary {} balance {}",
        flow.beneficiary, beneficiary.balance
    );
    for transaction in &beneficiary.transactions {
        let _ = writeln!(text, "  {}", transaction.line());
    }
    for row in ledgers.card_rows_of(flow) {
        let _ = writeln!(text, "  {}", row.line());
    }
    text
}
