//! The people in the simulation: buyers going through the hosted page (and the beneficiary's
//! app, and the 3-D Secure page), and merchants reading results and asking for refunds, resets
//! and captures. Each acts one step at a time, choosing among what the page offers now — and
//! sometimes what it no longer offers (a second tab, a late click) — with the run's seed.

use crate::rng::Rng;
use crate::trace::Trace;
use crate::world::World;
use ancv_sandbox::{Behaviour, NewBeneficiary};
use domain::card::CardInput;
use domain::clock::Timestamp;
use domain::web_payment::SessionState;
use domain::web_payment::request::{BuyerInput, OrderInput, PaymentInput, WebPaymentRequest};
use gateway::after_sale::{Operation, Reply};
use gateway::web_payments::Snapshot;
use store::StoreError;

/// Test cards and how often buyers use them.
const CARDS: [(u32, &str); 7] = [
    (45, "4970100000000006"), // accepted, frictionless
    (25, "4970100000000014"), // 3-D Secure challenge
    (10, "4970100000000022"), // 01100
    (5, "4970100000000030"),  // 01116
    (5, "4970100000000063"),  // 04002
    (5, "4970100000000071"),  // 01199
    (5, "5555555555554444"),  // Mastercard, accepted
];
const SECRET_CODE: &str = "1234";
/// A sequenceNumber claim outlives a crashed call this long (the gateway's claim lease).
const CLAIM_LEASE_MS: i64 = 60_000;

/// One web payment, from doWebPayment to the last after-sale call.
pub struct Flow {
    /// The flow's number in the run, from 1 (the trace's `flow N:`).
    pub number: usize,
    /// The web payment's token, as doWebPayment returned it.
    pub token: String,
    /// What the order costs, in cents.
    pub order_amount: i64,
    /// ANCV Connect then card; otherwise card only.
    pub split: bool,
    /// Card only, authorization without capture (the merchant captures).
    pub authorize_only: bool,
    /// This flow's own Chèque-Vacances account (manual: the simulation validates in the app).
    pub beneficiary: String,
    /// The beneficiary's balance before the flow, in cents (I3 starts from it).
    pub initial_balance: i64,
    /// Where the buyer is in the hosted page.
    pub buyer: Buyer,
    /// What the merchant learnt and still means to do.
    pub merchant: Merchant,
}

/// The buyer's side of a flow.
#[derive(Default)]
pub struct Buyer {
    /// Stopped acting (paid, refused, cancelled, or walked away).
    pub done: bool,
    /// A 3-D Secure page open in the buyer's browser.
    pub acs: Option<Acs>,
    /// Whether the beneficiary looked at the app once more after the page had ended.
    pub app_checked_late: bool,
}

/// A 3-D Secure challenge page, as the buyer's browser holds it.
pub struct Acs {
    /// The ACS page the buyer answers on.
    pub url: String,
    /// Where the ACS sent the browser after an answer (cvgate's `/3ds?challenge=…`).
    pub back_to: Option<String>,
}

/// The merchant's side of a flow.
#[derive(Default)]
pub struct Merchant {
    /// The final result as getWebPaymentDetails told it.
    pub final_code: Option<String>,
    /// How many more after-sale calls the merchant will make.
    pub calls_left: u32,
    /// The last sequenceNumber the merchant used.
    pub sequence: u32,
    /// A call whose request died: the merchant repeats it (after the claim lease).
    pub repeat: Option<(AfterSaleCall, Timestamp)>,
    /// Made every call it meant to.
    pub done: bool,
    /// Every after-sale answer it got (I6 checks them against the ledgers).
    pub told: Vec<Told>,
}

/// One refund, reset or capture as the merchant asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AfterSaleCall {
    /// Refund, reset or capture.
    pub operation: Operation,
    /// The card transaction or ANCV payment it applies to.
    pub transaction_id: String,
    /// The amount in cents (`None`: the whole remaining amount).
    pub amount: Option<i64>,
    /// The merchant's sequenceNumber, if it sends one (a repeat with it is answered once).
    pub sequence: Option<String>,
}

/// What an after-sale call answered the merchant.
#[derive(Debug, Clone)]
pub struct Told {
    /// The call as it was made.
    pub call: AfterSaleCall,
    /// The return code it answered.
    pub code: String,
    /// The refund, reset or capture the answer names.
    pub transaction_id: Option<String>,
}

impl Flow {
    /// Both the buyer and the merchant stopped acting: the run no longer steps this flow.
    pub fn finished(&self) -> bool {
        self.buyer.done && self.merchant.done
    }

    fn label(&self) -> String {
        format!("flow {}", self.number)
    }
}

/// Starts a flow: the beneficiary's account, then doWebPayment.
pub async fn start(
    world: &World,
    rng: &mut Rng,
    number: usize,
    trace: &mut Trace,
) -> Result<Flow, String> {
    let split = rng.chance(700);
    let order_amount = if split {
        rng.between(2_000, 20_000)
    } else {
        rng.between(100, 20_000)
    };
    let authorize_only = !split && rng.chance(300);
    let beneficiary = format!("3{number:010}");
    let initial_balance = rng.between(1_000, 30_000);
    world
        .ancv_sandbox
        .add_beneficiary(&NewBeneficiary {
            beneficiary_id: beneficiary.clone(),
            email: format!("sim{number}@example.com"),
            balance: initial_balance,
            secret_code: SECRET_CODE.to_owned(),
            behaviour: Behaviour::Manual,
        })
        .await
        .map_err(|e| e.to_string())?;
    let notification_url = format!("{}{}", world.base, crate::world::MERCHANT_NOTIFY_PATH);
    let request = web_payment_request(
        number,
        order_amount,
        split,
        authorize_only,
        notification_url,
    );
    let (token, _) = world
        .app
        .web_payments
        .create(&world.merchant_id, &request)
        .await
        .map_err(|e| format!("doWebPayment refused: {e}"))?;
    trace.line(
        world,
        &format!(
            "flow {number}: doWebPayment {order_amount} {}",
            if split {
                "ANCV+card"
            } else if authorize_only {
                "card, authorization only"
            } else {
                "card"
            }
        ),
    );
    Ok(Flow {
        number,
        token,
        order_amount,
        split,
        authorize_only,
        beneficiary,
        initial_balance,
        buyer: Buyer::default(),
        merchant: Merchant {
            calls_left: u32::try_from(rng.between(0, 3)).unwrap_or(0),
            ..Merchant::default()
        },
    })
}

fn web_payment_request(
    number: usize,
    amount: i64,
    split: bool,
    authorize_only: bool,
    notification_url: String,
) -> WebPaymentRequest {
    let contract = if split { "ANCV-DEMO" } else { "CB-DEMO" };
    let selected = if split {
        vec!["ANCV-DEMO".to_owned(), "CB-DEMO".to_owned()]
    } else {
        vec!["CB-DEMO".to_owned()]
    };
    WebPaymentRequest {
        version: Some("34".into()),
        payment: Some(PaymentInput {
            amount: Some(amount.to_string()),
            currency: Some("978".into()),
            action: Some(if authorize_only { "100" } else { "101" }.into()),
            mode: Some("CPT".into()),
            contract_number: Some(contract.into()),
            ..PaymentInput::default()
        }),
        return_url: Some("https://shop.example/return".into()),
        cancel_url: Some("https://shop.example/cancel".into()),
        notification_url: Some(notification_url),
        order: Some(OrderInput {
            reference: Some(format!("sim-{number}")),
            amount: Some(amount.to_string()),
            currency: Some("978".into()),
            date: Some("27/11/2026 11:00".into()),
        }),
        selected_contracts: selected,
        buyer: BuyerInput {
            email: Some(format!("sim{number}@example.com")),
            ..BuyerInput::default()
        },
        ..WebPaymentRequest::default()
    }
}

/// What a buyer (or the beneficiary in the app) does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BuyerAction {
    StartAncv(Beneficiary),
    PayCard,
    ValidateFull,
    ValidatePart,
    Decline,
    AnswerAcs(AcsAnswer),
    ComeBack,
    Cancel,
    Abandon,
    Wait,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Beneficiary {
    Own,
    Unknown,
    Blocked,
    Malformed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AcsAnswer {
    RightCode,
    WrongCode,
    Cancel,
}

/// One step of the buyer's: look at the page, then do something.
pub async fn buyer_step(
    world: &mut World,
    rng: &mut Rng,
    flow: &mut Flow,
    trace: &mut Trace,
) -> Result<(), String> {
    let token = flow.token.clone();
    let page = world.drive(world.app.web_payments.refresh(&token)).await;
    let Some(page) = crashed_or(world, trace, flow, "opens the page", page).await? else {
        return Ok(());
    };
    let snapshot = match page {
        Ok(snapshot) => snapshot,
        Err(error) => {
            trace.line(world, &format!("{}: page error: {error}", flow.label()));
            return unexpected(&error);
        }
    };
    let state = snapshot.payment.session.state;
    if state.is_final() {
        // The 3-D Secure page may still be open in another tab, the request still in the app:
        // the buyer may finish them anyway.
        let late = match &flow.buyer.acs {
            Some(acs) if acs.back_to.is_none() => rng.weighted(&[
                (60, Some(BuyerAction::AnswerAcs(AcsAnswer::RightCode))),
                (40, None),
            ]),
            Some(_) => rng.weighted(&[(60, Some(BuyerAction::ComeBack)), (40, None)]),
            None if flow.split && !flow.buyer.app_checked_late => {
                rng.weighted(&[(50, Some(BuyerAction::ValidatePart)), (50, None)])
            }
            None => None,
        };
        flow.buyer.app_checked_late = true;
        if let Some(action) = late {
            return act(world, rng, flow, &snapshot, action, trace).await;
        }
        flow.buyer.done = true;
        flow.buyer.acs = None;
        trace.line(
            world,
            &format!("{}: page shows {}", flow.label(), state.as_str()),
        );
        return Ok(());
    }
    let action = choose(rng, flow, &snapshot);
    act(world, rng, flow, &snapshot, action, trace).await
}

fn choose(rng: &mut Rng, flow: &Flow, snapshot: &Snapshot) -> BuyerAction {
    use BuyerAction::*;
    let ancv_offered = flow.split && snapshot.ancv_offered();
    let acs_open = flow.buyer.acs.as_ref().is_some_and(|a| a.back_to.is_none());
    let acs_answered = flow.buyer.acs.as_ref().is_some_and(|a| a.back_to.is_some());
    // A second tab may show an older page: a few actions come from it.
    let stale = rng.chance(60);
    if stale {
        return rng.weighted(&[
            (3, PayCard),
            (if flow.split { 3 } else { 0 }, StartAncv(Beneficiary::Own)),
            (
                if acs_open { 2 } else { 0 },
                AnswerAcs(AcsAnswer::RightCode),
            ),
            (if acs_answered { 2 } else { 0 }, ComeBack),
            (1, Cancel),
        ]);
    }
    match snapshot.payment.session.state {
        SessionState::Created | SessionState::OnPage => rng.weighted(&[
            (
                if ancv_offered { 30 } else { 0 },
                StartAncv(Beneficiary::Own),
            ),
            (
                if ancv_offered { 2 } else { 0 },
                StartAncv(Beneficiary::Unknown),
            ),
            (
                if ancv_offered { 2 } else { 0 },
                StartAncv(Beneficiary::Blocked),
            ),
            (
                if ancv_offered { 1 } else { 0 },
                StartAncv(Beneficiary::Malformed),
            ),
            (40, PayCard),
            (4, Cancel),
            (4, Abandon),
            (if acs_answered { 4 } else { 0 }, ComeBack),
        ]),
        SessionState::AncvWaiting => rng.weighted(&[
            (25, ValidateFull),
            (30, ValidatePart),
            (10, Decline),
            (20, Wait),
            (5, Cancel),
            (3, Abandon),
        ]),
        SessionState::AncvPartial => {
            rng.weighted(&[(70, PayCard), (8, Cancel), (5, Abandon), (5, Wait)])
        }
        SessionState::CardInProgress if acs_open => rng.weighted(&[
            (45, AnswerAcs(AcsAnswer::RightCode)),
            (10, AnswerAcs(AcsAnswer::WrongCode)),
            (5, AnswerAcs(AcsAnswer::Cancel)),
            (5, ComeBack),
            (15, Cancel),
            (15, Wait),
            (3, Abandon),
        ]),
        SessionState::CardInProgress if acs_answered => {
            rng.weighted(&[(60, ComeBack), (25, Wait), (8, Cancel), (3, Abandon)])
        }
        SessionState::CardInProgress => rng.weighted(&[(80, Wait), (10, Cancel), (3, Abandon)]),
        SessionState::Accepted
        | SessionState::Refused
        | SessionState::Cancelled
        | SessionState::ExpiredOnPage
        | SessionState::ExpiredUnopened => Wait,
    }
}

/// Does what the buyer chose (or the beneficiary, in the app), then traces what the page said.
async fn act(
    world: &mut World,
    rng: &mut Rng,
    flow: &mut Flow,
    snapshot: &Snapshot,
    action: BuyerAction,
    trace: &mut Trace,
) -> Result<(), String> {
    match action {
        BuyerAction::StartAncv(who) => start_ancv(world, flow, who, trace).await?,
        BuyerAction::PayCard => pay_card(world, rng, flow, trace).await?,
        BuyerAction::ValidateFull | BuyerAction::ValidatePart | BuyerAction::Decline => {
            app_answer(world, rng, flow, action, trace).await?;
        }
        BuyerAction::AnswerAcs(answer) => answer_acs(world, flow, answer, trace).await?,
        BuyerAction::ComeBack => come_back(world, flow, trace).await?,
        BuyerAction::Cancel => {
            let outcome = world
                .drive(world.app.web_payments.cancel(&flow.token))
                .await;
            let what = "cancels".to_owned();
            if let Some(outcome) = crashed_or(world, trace, flow, &what, outcome).await? {
                report_page(world, trace, &flow.label(), &what, outcome)?;
            }
        }
        BuyerAction::Abandon => {
            flow.buyer.done = true;
            trace.line(
                world,
                &format!(
                    "{}: walks away ({})",
                    flow.label(),
                    snapshot.payment.session.state.as_str()
                ),
            );
        }
        BuyerAction::Wait => {}
    }
    Ok(())
}

/// The buyer names a Chèque-Vacances account on the page: its own, or a wrong one.
async fn start_ancv(
    world: &mut World,
    flow: &Flow,
    who: Beneficiary,
    trace: &mut Trace,
) -> Result<(), String> {
    let beneficiary = match who {
        Beneficiary::Own => flow.beneficiary.clone(),
        Beneficiary::Unknown => "29999999999".to_owned(),
        Beneficiary::Blocked => "blocked@example.com".to_owned(),
        Beneficiary::Malformed => "not an account".to_owned(),
    };
    let outcome = world
        .drive(world.app.web_payments.start_ancv(&flow.token, &beneficiary))
        .await;
    let what = format!("asks the app of {who:?} ({beneficiary})");
    if let Some(outcome) = crashed_or(world, trace, flow, &what, outcome).await? {
        report_page(world, trace, &flow.label(), &what, outcome)?;
    }
    Ok(())
}

/// The buyer pays by card with a test card drawn by weight; a challenge opens the ACS page.
async fn pay_card(
    world: &mut World,
    rng: &mut Rng,
    flow: &mut Flow,
    trace: &mut Trace,
) -> Result<(), String> {
    let number = rng.weighted(&CARDS);
    let card = CardInput::new(number, "12/30", "123");
    let outcome = world
        .drive(
            world
                .app
                .web_payments
                .pay_card(&flow.token, "CB-DEMO", card),
        )
        .await;
    let what = format!("pays by card {number}");
    if let Some(outcome) = crashed_or(world, trace, flow, &what, outcome).await? {
        if let Ok(after) = &outcome
            && let Some(url) = after.card.as_ref().and_then(|c| c.challenge_url.clone())
            && after.payment.session.state == SessionState::CardInProgress
        {
            flow.buyer.acs = Some(Acs { url, back_to: None });
        }
        report_page(world, trace, &flow.label(), &what, outcome)?;
    }
    Ok(())
}

/// The buyer answers the 3-D Secure page (in the browser, straight to the ACS).
async fn answer_acs(
    world: &World,
    flow: &mut Flow,
    answer: AcsAnswer,
    trace: &mut Trace,
) -> Result<(), String> {
    let label = flow.label();
    let Some(acs) = flow.buyer.acs.as_mut() else {
        return Ok(());
    };
    let form: Vec<(&str, &str)> = match answer {
        AcsAnswer::RightCode => vec![("code", card_sandbox::CHALLENGE_CODE)],
        AcsAnswer::WrongCode => vec![("code", "9999")],
        AcsAnswer::Cancel => vec![("action", "cancel")],
    };
    let response = world
        .http
        .post(&acs.url)
        .form(&form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let back = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    trace.line(
        world,
        &format!(
            "{label}: answers the ACS {answer:?} -> {}",
            response.status()
        ),
    );
    if back.is_some() {
        acs.back_to = back;
    }
    Ok(())
}

/// The browser comes back from the ACS to cvgate, which completes the 3-D Secure payment.
async fn come_back(world: &mut World, flow: &mut Flow, trace: &mut Trace) -> Result<(), String> {
    let Some(acs) = flow.buyer.acs.take() else {
        return Ok(());
    };
    let challenge = acs
        .back_to
        .as_deref()
        .or(Some(acs.url.as_str()))
        .and_then(challenge_ref)
        .unwrap_or_default();
    let outcome = world
        .drive(
            world
                .app
                .web_payments
                .complete_three_ds(&flow.token, &challenge),
        )
        .await;
    let what = "comes back from the ACS".to_owned();
    if let Some(outcome) = crashed_or(world, trace, flow, &what, outcome).await? {
        report_page(world, trace, &flow.label(), &what, outcome)?;
    }
    Ok(())
}

/// The challenge reference in cvgate's `/3ds?challenge=…` URL (or the ACS page's own URL).
fn challenge_ref(url: &str) -> Option<String> {
    if let Some((_, query)) = url.split_once("challenge=") {
        return Some(query.split('&').next().unwrap_or_default().to_owned());
    }
    url.rsplit('/').next().map(str::to_owned)
}

/// The beneficiary answers in the Chèque-Vacances app (whatever cvgate knows of the request).
async fn app_answer(
    world: &World,
    rng: &mut Rng,
    flow: &Flow,
    action: BuyerAction,
    trace: &mut Trace,
) -> Result<(), String> {
    let pending = world
        .ancv_sandbox
        .pending_requests(&flow.beneficiary)
        .await
        .map_err(|e| e.to_string())?;
    let Some(request) = pending.requests.first() else {
        trace.line(world, &format!("{}: nothing in the app", flow.label()));
        return Ok(());
    };
    let most = request.amount.min(pending.balance);
    let outcome = match action {
        BuyerAction::Decline => {
            world
                .ancv_sandbox
                .decline_request(&request.transaction_id, SECRET_CODE)
                .await
        }
        _ if most <= 0 => {
            trace.line(world, &format!("{}: no balance left", flow.label()));
            return Ok(());
        }
        BuyerAction::ValidatePart => {
            let amount = rng.between(1, most);
            world
                .ancv_sandbox
                .validate_request(&request.transaction_id, SECRET_CODE, Some(amount))
                .await
        }
        _ => {
            world
                .ancv_sandbox
                .validate_request(&request.transaction_id, SECRET_CODE, Some(most))
                .await
        }
    };
    trace.line(
        world,
        &format!(
            "{}: in the app {action:?} -> {}",
            flow.label(),
            match &outcome {
                Ok(done) => format!("{} {:?}", done.state, done.validated_amount),
                Err(error) => error.to_string(),
            }
        ),
    );
    Ok(())
}

/// After a step: logs a crash (and rebuilds cvgate) and says so with `None`.
async fn crashed_or<T>(
    world: &mut World,
    trace: &mut Trace,
    flow: &Flow,
    what: &str,
    outcome: Option<T>,
) -> Result<Option<T>, String> {
    if outcome.is_some() {
        return Ok(outcome);
    }
    trace.line(
        world,
        &format!("{}: {what} -> CRASH, cvgate restarts", flow.label()),
    );
    world.restart().await?;
    Ok(None)
}

fn report_page(
    world: &World,
    trace: &mut Trace,
    label: &str,
    what: &str,
    outcome: Result<Snapshot, gateway::web_payments::WebPaymentError>,
) -> Result<(), String> {
    match outcome {
        Ok(snapshot) => {
            let session = &snapshot.payment.session;
            trace.line(
                world,
                &format!(
                    "{label}: {what} -> {} ({})",
                    session.state.as_str(),
                    session.return_code().code()
                ),
            );
            Ok(())
        }
        Err(error) => {
            trace.line(world, &format!("{label}: {what} -> refused: {error}"));
            unexpected(&error)
        }
    }
}

/// A page error the buyer may meet (a form error, an action not possible now) is part of the
/// game; anything else is a failure of the run.
fn unexpected(error: &gateway::web_payments::WebPaymentError) -> Result<(), String> {
    use gateway::web_payments::WebPaymentError;
    match error {
        WebPaymentError::NotNow(_)
        | WebPaymentError::Invalid(_)
        | WebPaymentError::Beneficiary(_)
        | WebPaymentError::TooManyAttempts { .. } => Ok(()),
        WebPaymentError::Refused(_)
        | WebPaymentError::NotAllowed(_)
        | WebPaymentError::UnknownToken
        | WebPaymentError::Store(_) => Err(format!("unexpected error on the page: {error}")),
    }
}

/// One step of the merchant's: read the result, then call after-sale operations.
pub async fn merchant_step(
    world: &mut World,
    rng: &mut Rng,
    flow: &mut Flow,
    trace: &mut Trace,
) -> Result<(), String> {
    let label = flow.label();
    let details = world
        .app
        .web_payments
        .details(&world.merchant_id, &flow.token)
        .await
        .map_err(|e| format!("getWebPaymentDetails failed: {e}"))?;
    let session = details.payment.session.clone();
    if flow.merchant.final_code.is_none() {
        if session.state.is_final() {
            let code = session.return_code().code().to_owned();
            trace.line(world, &format!("{label}: merchant reads {code}"));
            flow.merchant.final_code = Some(code);
        }
        return Ok(());
    }
    let call = match flow.merchant.repeat.take() {
        Some((call, not_before)) if world.now() >= not_before => call,
        Some(waiting) => {
            flow.merchant.repeat = Some(waiting);
            return Ok(());
        }
        None if flow.merchant.calls_left > 0 && session.state == SessionState::Accepted => {
            flow.merchant.calls_left -= 1;
            match next_call(rng, flow, &details) {
                Some(call) => call,
                None => return Ok(()),
            }
        }
        None => {
            flow.merchant.done = true;
            return Ok(());
        }
    };
    after_sale(world, flow, call, trace).await
}

/// A refund, reset or capture on one part of the paid order.
fn next_call(rng: &mut Rng, flow: &mut Flow, details: &Snapshot) -> Option<AfterSaleCall> {
    let session = &details.payment.session;
    let card = session.card_transaction_id.clone();
    let ancv = session.ancv_payment_id.clone();
    let on_card = match (&card, &ancv) {
        (Some(_), Some(_)) => rng.chance(650),
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => return None,
    };
    let (transaction_id, operation, amount) = if on_card {
        let part = session.card_amount();
        let operation = rng.weighted(&[
            (45, Operation::Refund),
            (35, Operation::Reset),
            (if flow.authorize_only { 40 } else { 3 }, Operation::Capture),
        ]);
        let amount = rng.weighted(&[(30, None), (60, Some(0)), (10, Some(-1))]);
        let amount = amount.map(|kind| match kind {
            0 => rng.between(1, part.max(1)),
            _ => part + 1,
        });
        (card?, operation, amount)
    } else {
        let validated = session.ancv_validated.unwrap_or(0);
        let operation = rng.weighted(&[(85, Operation::Refund), (15, Operation::Reset)]);
        let amount = rng.weighted(&[(45, None), (45, Some(validated)), (10, Some(validated / 2))]);
        (ancv?, operation, amount)
    };
    let sequence = rng.weighted(&[(40, 0), (45, 1), (15, 2)]);
    let sequence = match sequence {
        0 => None,
        1 => {
            flow.merchant.sequence += 1;
            Some(flow.merchant.sequence.to_string())
        }
        _ => Some(flow.merchant.sequence.max(1).to_string()),
    };
    Some(AfterSaleCall {
        operation,
        transaction_id,
        amount,
        sequence,
    })
}

async fn after_sale(
    world: &mut World,
    flow: &mut Flow,
    call: AfterSaleCall,
    trace: &mut Trace,
) -> Result<(), String> {
    let label = flow.label();
    let after_sale = world.app.after_sale.clone();
    let merchant = world.merchant_id.clone();
    let run = after_sale.once(
        &merchant,
        call.operation.name(),
        &call.transaction_id,
        call.sequence.as_deref(),
        |request_key| async {
            let answer = after_sale
                .operate(
                    call.operation,
                    &merchant,
                    &call.transaction_id,
                    call.amount,
                    request_key,
                )
                .await?;
            let made = answer.transaction.as_ref().map_or("-", |t| t.id.as_str());
            Ok::<_, StoreError>(Reply {
                body: format!("{}|{made}", answer.code.code()),
                settled: answer.is_settled(),
            })
        },
    );
    let what = format!(
        "{} {} amount {:?} seq {:?}",
        call.operation.name(),
        call.transaction_id,
        call.amount,
        call.sequence
    );
    let Some(answer) = world.drive(run).await else {
        trace.line(
            world,
            &format!("{label}: merchant {what} -> CRASH, cvgate restarts"),
        );
        world.restart().await?;
        flow.merchant.repeat = Some((call, world.now().plus_millis(CLAIM_LEASE_MS + 1)));
        return Ok(());
    };
    let body = answer.map_err(|e| format!("{what} failed inside cvgate: {e}"))?;
    let (code, made) = body.split_once('|').unwrap_or((body.as_str(), "-"));
    trace.line(world, &format!("{label}: merchant {what} -> {code} {made}"));
    flow.merchant.told.push(Told {
        call,
        code: code.to_owned(),
        transaction_id: (made != "-").then(|| made.to_owned()),
    });
    Ok(())
}
