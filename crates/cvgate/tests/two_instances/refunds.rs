//! The merchant's after-sale calls on finished payments: doRefund of card parts (after the
//! remittance, partly, several times, in full) and of an ANCV part (in full), some with a
//! sequenceNumber sent to both instances at once. What cvgate answers is recorded on the flow,
//! for the ledger checks.

use super::cluster::Cluster;
use super::flows::Flow;
use crate::support::payline;

/// Remits the captured card payments (a card refund needs it), then refunds some accepted
/// flows. Returns what went wrong.
pub async fn refund_some(cluster: &Cluster, flows: &mut [Flow]) -> Vec<String> {
    let remit = cluster.cli(&["remit", "--json"]).await;
    assert_eq!(remit.code, 0, "cvgate remit: {}", remit.stderr);
    let mut problems = Vec::new();
    let mut accepted = flows.iter_mut().filter(|flow| flow.accepted());
    if let Some(flow) = accepted.next() {
        let transaction = flow.outcome.card_transaction.clone().unwrap_or_default();
        problems.extend(twice(cluster, flow, &transaction, 1_000, "CB-DEMO").await);
        flow.card_refunded += 1_000;
    }
    if let Some(flow) = accepted.next() {
        let transaction = flow.outcome.card_transaction.clone().unwrap_or_default();
        for amount in [500, 700] {
            problems.extend(once(cluster, flow, &transaction, amount).await);
            flow.card_refunded += amount;
        }
    }
    if let Some(flow) = accepted.next() {
        let transaction = flow.outcome.ancv_transaction.clone().unwrap_or_default();
        let amount = flow.outcome.ancv_amount.unwrap_or_default();
        problems.extend(twice(cluster, flow, &transaction, amount, "ANCV-DEMO").await);
        flow.ancv_refunded = true;
    }
    if let Some(flow) = accepted.next() {
        let transaction = flow.outcome.card_transaction.clone().unwrap_or_default();
        let amount = flow.outcome.card_amount.unwrap_or_default();
        problems.extend(twice(cluster, flow, &transaction, amount, "CB-DEMO").await);
        flow.card_refunded += amount;
    }
    problems
}

/// A card refund without sequenceNumber, to the next instance.
async fn once(cluster: &Cluster, flow: &mut Flow, transaction: &str, amount: i64) -> Vec<String> {
    let envelope = payline::do_refund(transaction, amount, "CB-DEMO", None);
    let reply = cluster.soap("DirectPaymentAPI", &envelope).await;
    let code = payline::result_code(&reply.body);
    flow.note_reply(
        cluster,
        &format!("doRefund {amount} of {transaction}: {code}"),
        &reply,
    );
    accepted(flow, &code, &reply.body)
}

/// The same refund with a sequenceNumber, sent to A and B at once: both answer the one refund.
async fn twice(
    cluster: &Cluster,
    flow: &mut Flow,
    transaction: &str,
    amount: i64,
    contract: &str,
) -> Vec<String> {
    let sequence = format!("refund-{}", flow.index);
    let envelope = payline::do_refund(transaction, amount, contract, Some(&sequence));
    let (first, second) = tokio::join!(
        cluster.soap_from(0, "DirectPaymentAPI", &envelope),
        cluster.soap_from(1, "DirectPaymentAPI", &envelope)
    );
    let mut problems = Vec::new();
    let mut refunds = Vec::new();
    for reply in [first, second] {
        let code = payline::result_code(&reply.body);
        let line = format!("doRefund {amount} of {transaction} seq {sequence}: {code}");
        flow.note_reply(cluster, &line, &reply);
        problems.extend(accepted(flow, &code, &reply.body));
        refunds.push(payline::soap_value(&reply.body, &["transaction", "id"]));
    }
    if refunds[0] != refunds[1] {
        problems.push(format!(
            "flow {}: one sequenceNumber, two refunds: {refunds:?}",
            flow.index
        ));
    }
    problems
}

fn accepted(flow: &Flow, code: &str, body: &str) -> Vec<String> {
    if code == "00000" {
        return Vec::new();
    }
    vec![format!(
        "flow {}: doRefund answered {code}: {body}",
        flow.index
    )]
}
