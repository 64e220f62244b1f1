//! One buyer's split payment, driven over HTTP as a browser (and the beneficiary's phone) would.
//! Every request goes through the cluster, so any instance may serve any step. The buyer acts on
//! the session's state as the page reports it, not on what it sent last: a request cut by the
//! crash may or may not have been done, and the page says which.

use super::cluster::{Cluster, Reply};
use crate::support::payline;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const CARD_OK: &str = "4970100000000006";
pub const CARD_CHALLENGE: &str = "4970100000000014";
pub const CARD_DECLINED: &str = "4970100000000022";
const SECRET_CODE: &str = "1234";
pub const INITIAL_BALANCE: i64 = 30_000;
/// What every beneficiary validates in the app; the rest is paid by card.
const VOUCHERS: i64 = 2_500;
/// Between two looks at a session that waits for someone else (the app, the acquirer).
const POLL: Duration = Duration::from_millis(250);
/// How long a buyer takes to read the page before the next action: flows last long enough for
/// their later steps to happen after the restart.
const THINK: Duration = Duration::from_secs(1);
/// A flow still not final after this is given up (and reported). A card payment the crash
/// cut is reconciled within about 30 s.
const FLOW_DEADLINE: Duration = Duration::from_secs(60);

/// What the buyer does once the vouchers cover part of the amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Card(&'static str),
    Cancel,
    /// The challenge card, then "cancel" in another tab while on the ACS page, then the right
    /// code on the ACS page anyway.
    CancelDuringChallenge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Frictionless,
    Challenge,
    DeclinedThenPaid,
    CancelAfterVouchers,
    DeclinedThenCancel,
    ThreeDeclines,
    CancelDuringChallenge,
    /// Cancels while the request is in the app; the beneficiary validates it just after.
    CancelWhileWaiting,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Frictionless,
        Kind::Challenge,
        Kind::DeclinedThenPaid,
        Kind::CancelAfterVouchers,
        Kind::DeclinedThenCancel,
        Kind::ThreeDeclines,
        Kind::CancelDuringChallenge,
        Kind::CancelWhileWaiting,
    ];

    /// The buyer's actions at the card step, in order; the last one repeats.
    fn actions(self) -> &'static [Action] {
        match self {
            Kind::Frictionless => &[Action::Card(CARD_OK)],
            Kind::Challenge => &[Action::Card(CARD_CHALLENGE)],
            Kind::DeclinedThenPaid => &[Action::Card(CARD_DECLINED), Action::Card(CARD_OK)],
            Kind::CancelAfterVouchers | Kind::CancelWhileWaiting => &[Action::Cancel],
            Kind::DeclinedThenCancel => &[Action::Card(CARD_DECLINED), Action::Cancel],
            Kind::ThreeDeclines => &[Action::Card(CARD_DECLINED)],
            Kind::CancelDuringChallenge => &[Action::CancelDuringChallenge],
        }
    }

    /// Whether the flow waits at the gate on the ACS page (its answer is the step the crash
    /// should cut) rather than before its first card-step action.
    fn gated_at_challenge(self) -> bool {
        matches!(self, Kind::Challenge | Kind::CancelDuringChallenge)
    }

    /// The final code getWebPaymentDetails should answer.
    pub fn expected_code(self) -> &'static str {
        match self {
            Kind::Frictionless | Kind::Challenge | Kind::DeclinedThenPaid => "00000",
            Kind::ThreeDeclines => "01100",
            Kind::CancelAfterVouchers
            | Kind::DeclinedThenCancel
            | Kind::CancelDuringChallenge
            | Kind::CancelWhileWaiting => "02319",
        }
    }
}

/// What getWebPaymentDetails said at the end.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub code: String,
    pub order_amount: Option<i64>,
    /// The first means of payment (top level): the ANCV part.
    pub ancv_amount: Option<i64>,
    pub ancv_transaction: Option<String>,
    /// The complementary payment (`paymentAdditionalList`): the card part.
    pub card_amount: Option<i64>,
    pub card_transaction: Option<String>,
}

pub struct Flow {
    pub index: usize,
    pub kind: Kind,
    pub beneficiary: String,
    pub order_amount: i64,
    pub token: String,
    /// Every step, the instance that served it and its answer.
    pub path: Vec<String>,
    pub outcome: Outcome,
    /// What doRefund gave back, as cvgate answered it.
    pub card_refunded: i64,
    pub ancv_refunded: bool,
    actions_taken: usize,
    current: Option<Action>,
    cancelled: bool,
    passed_gate: bool,
    last_state: String,
}

impl Flow {
    /// Flow `index`: its own beneficiary, and an order amount of its own so that its card part
    /// (order − vouchers) identifies its rows in the card ledger.
    pub fn new(index: usize) -> Flow {
        Flow {
            index,
            kind: Kind::ALL[index % Kind::ALL.len()],
            beneficiary: format!("3{index:010}"),
            order_amount: 6_000 + 100 * i64::try_from(index).unwrap(),
            token: String::new(),
            path: Vec::new(),
            outcome: Outcome::default(),
            card_refunded: 0,
            ancv_refunded: false,
            actions_taken: 0,
            current: None,
            cancelled: false,
            passed_gate: false,
            last_state: String::new(),
        }
    }

    pub fn card_part(&self) -> i64 {
        self.order_amount - VOUCHERS
    }

    pub fn accepted(&self) -> bool {
        self.outcome.code == "00000"
    }

    pub fn note(&mut self, cluster: &Cluster, what: String) {
        self.path.push(format!("{:6.2}s {what}", cluster.elapsed()));
    }

    pub fn note_reply(&mut self, cluster: &Cluster, what: &str, reply: &Reply) {
        let line = format!("{} {what} → {}", reply.via(), reply.status);
        self.note(cluster, line);
    }
}

/// Holds every flow at its first card-step action until the test opens it, so that the
/// actions the crash should cut are all sent at once.
pub struct Gate {
    arrived: AtomicUsize,
    open: tokio::sync::watch::Sender<bool>,
}

impl Gate {
    pub fn new() -> Gate {
        Gate {
            arrived: AtomicUsize::new(0),
            open: tokio::sync::watch::channel(false).0,
        }
    }

    /// Waits until `count` flows have arrived (or `within` passed); returns how many did.
    pub async fn wait_for(&self, count: usize, within: Duration) -> usize {
        let deadline = Instant::now() + within;
        while self.arrived.load(Ordering::SeqCst) < count && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.arrived.load(Ordering::SeqCst)
    }

    pub fn open(&self) {
        self.open.send_replace(true);
    }

    async fn pass(&self, flow: &mut Flow) {
        if flow.passed_gate {
            return;
        }
        flow.passed_gate = true;
        self.arrived.fetch_add(1, Ordering::SeqCst);
        let mut open = self.open.subscribe();
        let _ = open.wait_for(|open| *open).await;
    }

    /// A flow that ended without reaching the gate must not keep the others waiting.
    fn leave(&self, flow: &mut Flow) {
        if !flow.passed_gate {
            flow.passed_gate = true;
            self.arrived.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Creates the flow's beneficiary in the ANCV sandbox (manual validation in the app).
pub async fn add_beneficiary(cluster: &Cluster, flow: &Flow) {
    let body = serde_json::json!({
        "beneficiaryId": flow.beneficiary,
        "email": format!("flow{}@example.com", flow.index),
        "balance": INITIAL_BALANCE,
        "secretCode": SECRET_CODE,
        "behaviour": "manual",
    });
    let reply = cluster
        .post_json("/sandbox/ancv/admin/beneficiaries", &body)
        .await;
    assert_eq!(
        reply.status, 201,
        "beneficiary {}: {}",
        flow.beneficiary, reply.body
    );
}

/// Runs the flow to a final state (or its deadline), then reads the outcome.
pub async fn run(cluster: &Cluster, gate: &Gate, mut flow: Flow) -> Flow {
    create_payment(cluster, &mut flow).await;
    let deadline = Instant::now() + FLOW_DEADLINE;
    loop {
        let Some(state) = session_state(cluster, &mut flow).await else {
            tokio::time::sleep(POLL).await;
            continue;
        };
        if is_final(&state) {
            break;
        }
        if Instant::now() > deadline {
            flow.note(
                cluster,
                format!("still {state} after {FLOW_DEADLINE:?}: given up"),
            );
            break;
        }
        match state.as_str() {
            "CREATED" => open_page(cluster, &mut flow).await,
            "ON_PAGE" => ask_the_app(cluster, &mut flow).await,
            "ANCV_WAITING" => in_the_app(cluster, gate, &mut flow).await,
            "ANCV_PARTIAL" => {
                if !flow.kind.gated_at_challenge() {
                    gate.pass(&mut flow).await;
                }
                next_action(cluster, &mut flow).await;
            }
            "CARD_IN_PROGRESS" => finish_card(cluster, gate, &mut flow).await,
            _ => tokio::time::sleep(POLL).await,
        }
    }
    gate.leave(&mut flow);
    read_outcome(cluster, &mut flow).await;
    flow
}

fn is_final(state: &str) -> bool {
    matches!(
        state,
        "ACCEPTED" | "REFUSED" | "CANCELLED" | "EXPIRED_ON_PAGE" | "EXPIRED_UNOPENED"
    )
}

async fn create_payment(cluster: &Cluster, flow: &mut Flow) {
    let envelope = payline::do_web_payment(
        flow.order_amount,
        &format!("order-{}", flow.index),
        &format!("buyer{}@example.com", flow.index),
    );
    let reply = cluster.soap("WebPaymentAPI", &envelope).await;
    flow.note_reply(cluster, "doWebPayment", &reply);
    assert_eq!(payline::result_code(&reply.body), "00000", "{}", reply.body);
    flow.token = payline::soap_value(&reply.body, &["token"]).expect("a token");
}

/// The state the page's script polls; logged when it changes.
async fn session_state(cluster: &Cluster, flow: &mut Flow) -> Option<String> {
    let reply = cluster
        .get(&format!("/webpayment/{}/status", flow.token))
        .await;
    if reply.status != 200 {
        flow.note_reply(cluster, "GET status", &reply);
        return None;
    }
    let status: serde_json::Value = serde_json::from_str(&reply.body).ok()?;
    let state = status["state"].as_str()?.to_owned();
    if state != flow.last_state {
        flow.note(cluster, format!("{} state {state}", reply.via()));
        flow.last_state = state.clone();
    }
    Some(state)
}

async fn page(cluster: &Cluster, flow: &Flow) -> Reply {
    cluster.get(&format!("/webpayment/{}", flow.token)).await
}

async fn open_page(cluster: &Cluster, flow: &mut Flow) {
    let reply = page(cluster, flow).await;
    flow.note_reply(cluster, "GET page", &reply);
}

/// Posts one of the page's forms with the CSRF secret of the page as served now (by any
/// instance). `None` when the page has no form any more (the session moved on).
async fn post_form(
    cluster: &Cluster,
    flow: &mut Flow,
    action: &str,
    fields: &[(&str, &str)],
) -> Option<Reply> {
    let html = page(cluster, flow).await.body;
    let Some(csrf) = html
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
    else {
        flow.note(cluster, format!("no form on the page for {action}"));
        return None;
    };
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(fields);
    let reply = cluster
        .post_form(&format!("/webpayment/{}/{action}", flow.token), &form)
        .await;
    flow.note_reply(
        cluster,
        &format!("POST {action} {}", describe(fields)),
        &reply,
    );
    tokio::time::sleep(THINK).await;
    Some(reply)
}

/// The fields worth a log line (a card by its last digits, never a CVV).
fn describe(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .filter_map(|(name, value)| match *name {
            "number" => Some(format!("…{}", &value[value.len() - 4..])),
            "beneficiary" => Some((*value).to_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn ask_the_app(cluster: &Cluster, flow: &mut Flow) {
    let beneficiary = flow.beneficiary.clone();
    post_form(cluster, flow, "ancv", &[("beneficiary", &beneficiary)]).await;
}

async fn cancel(cluster: &Cluster, flow: &mut Flow) {
    flow.cancelled = true;
    post_form(cluster, flow, "cancel", &[]).await;
}

/// The beneficiary's side: validates the request waiting in the app, if there is one yet.
async fn in_the_app(cluster: &Cluster, gate: &Gate, flow: &mut Flow) {
    let Some(request) = pending_request(cluster, flow).await else {
        tokio::time::sleep(POLL).await;
        return;
    };
    if flow.kind == Kind::CancelWhileWaiting {
        gate.pass(flow).await;
        cancel(cluster, flow).await;
    }
    let path = format!("/sandbox/ancv/app/api/requests/{request}/validate");
    let body = serde_json::json!({"secretCode": SECRET_CODE, "amount": VOUCHERS});
    let reply = cluster.post_json(&path, &body).await;
    flow.note_reply(
        cluster,
        &format!("app validates {VOUCHERS} of {request}"),
        &reply,
    );
    tokio::time::sleep(POLL).await;
}

/// The ANCV transaction waiting in the beneficiary's app.
async fn pending_request(cluster: &Cluster, flow: &Flow) -> Option<String> {
    let path = format!(
        "/sandbox/ancv/app/api/beneficiaries/{}/requests",
        flow.beneficiary
    );
    let reply = cluster.get(&path).await;
    let list: serde_json::Value = serde_json::from_str(&reply.body).ok()?;
    list["requests"][0]["transactionId"]
        .as_str()
        .map(str::to_owned)
}

async fn next_action(cluster: &Cluster, flow: &mut Flow) {
    let actions = flow.kind.actions();
    let action = actions[flow.actions_taken.min(actions.len() - 1)];
    flow.actions_taken += 1;
    flow.current = Some(action);
    let number = match action {
        Action::Cancel => return cancel(cluster, flow).await,
        Action::Card(number) => number,
        Action::CancelDuringChallenge => CARD_CHALLENGE,
    };
    let card = [
        ("contract", "CB-DEMO"),
        ("number", number),
        ("expiry", "12/30"),
        ("cvv", "123"),
    ];
    post_form(cluster, flow, "card", &card).await;
}

/// A card payment under way: the buyer answers its challenge when the page shows one;
/// otherwise the authorization is still at the acquirer (or being reconciled) and the buyer
/// waits.
async fn finish_card(cluster: &Cluster, gate: &Gate, flow: &mut Flow) {
    let html = page(cluster, flow).await.body;
    let Some(acs) = challenge_link(&html) else {
        tokio::time::sleep(POLL).await;
        return;
    };
    gate.pass(flow).await;
    if flow.current == Some(Action::CancelDuringChallenge) && !flow.cancelled {
        cancel(cluster, flow).await;
    }
    answer_challenge(cluster, flow, &acs).await;
}

/// The ACS link of the page's challenge view (HTML-escaped in the page).
fn challenge_link(html: &str) -> Option<String> {
    let start = html.find(r#"<a class="button" href=""#)? + r#"<a class="button" href=""#.len();
    let link = html[start..].split('"').next()?;
    let link = link.replace("&#x2f;", "/").replace("&amp;", "&");
    link.contains("/sandbox/acs/").then_some(link)
}

/// Types the code on the ACS page and follows the ACS back to cvgate. A challenge already
/// answered (by a request the crash cut) sends the browser straight back.
async fn answer_challenge(cluster: &Cluster, flow: &mut Flow, acs: &str) {
    let shown = cluster.get(acs).await;
    let back = match shown.status {
        200 => {
            let reply = cluster.post_form(acs, &[("code", SECRET_CODE)]).await;
            flow.note_reply(cluster, "ACS code", &reply);
            reply.location
        }
        _ => {
            flow.note_reply(cluster, "GET ACS", &shown);
            shown.location
        }
    };
    if let Some(back) = back {
        tokio::time::sleep(THINK).await;
        let reply = cluster.get(&back).await;
        flow.note_reply(cluster, "GET 3ds return", &reply);
    }
}

async fn read_outcome(cluster: &Cluster, flow: &mut Flow) {
    let reply = cluster
        .soap(
            "WebPaymentAPI",
            &payline::get_web_payment_details(&flow.token),
        )
        .await;
    let body = &reply.body;
    let value = |path: &[&str]| payline::soap_value(body, path);
    let amount = |path: &[&str]| value(path).and_then(|v| v.parse::<i64>().ok());
    let additional = ["paymentAdditionalList", "paymentAdditional"];
    flow.outcome = Outcome {
        code: payline::result_code(body),
        order_amount: amount(&["order", "amount"]),
        ancv_amount: amount(&["payment", "amount"]),
        ancv_transaction: value(&["transaction", "id"]),
        card_amount: amount(&[additional[0], additional[1], "payment", "amount"]),
        card_transaction: value(&[additional[0], additional[1], "transaction", "id"]),
    };
    let line = format!("getWebPaymentDetails {}", flow.outcome.code);
    flow.note_reply(cluster, &line, &reply);
}
