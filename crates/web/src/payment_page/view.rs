//! What the page shows for a session: the view (choose / waiting / partial / challenge /
//! processing / result) and every value the templates need, already formatted.

use crate::sandbox_app::SandboxAppLink;
use crate::texts::{Texts, fill, money, refusal, texts};
use crate::widget_state::WidgetState;
use domain::clock::Timestamp;
use domain::contract::Contract;
use domain::return_code::ReturnCode;
use domain::web_payment::request::{ANCV_MINIMUM_AMOUNT, Language};
use domain::web_payment::{Session, SessionState, WebPayment};
use gateway::web_payments::Snapshot;
use serde::Serialize;

/// How long a result page waits before taking the buyer back to the shop: time to read it, and
/// to press "stay on this page".
const RETURN_SECONDS: u32 = 15;

#[derive(Debug, Serialize)]
pub struct PageView {
    pub t: &'static Texts,
    pub view: &'static str,
    pub state: &'static str,
    /// The state as the widget names it, for the native SDK bridges (widget.md §6).
    pub widget_state: &'static str,
    pub token: String,
    pub csrf: String,
    /// Who asks for the money.
    pub merchant: String,
    pub order_ref: String,
    pub summary: Summary,
    pub error: Option<ShownError>,
    pub kept: Kept,
    /// The method whose form is open on the choice step (`""`: none, the buyer chooses).
    pub open_method: &'static str,
    pub ancv: Option<AncvView>,
    pub sandbox: Option<SandboxAppLink>,
    pub cards: Vec<CardContract>,
    pub card_amount: Option<String>,
    pub attempts_left: Option<u8>,
    pub seconds_left: i64,
    pub time_left: String,
    pub challenge_url: Option<String>,
    pub result: Option<ResultView>,
    pub cancellable: bool,
    /// Whether the page's script asks for the session's state (a partner is at work).
    pub poll: bool,
    /// The `<noscript>` refresh: without JavaScript the page reloads itself (or goes back to
    /// the shop) after `seconds`.
    pub refresh: Option<Refresh>,
}

/// The amounts at the top of the page.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// "Amount to pay", or "Left to pay" once vouchers paid a part.
    pub label: &'static str,
    /// What the buyer still pays.
    pub due: String,
    /// The order's amount.
    pub total: String,
    /// What the vouchers paid, once validated.
    pub paid_vouchers: Option<String>,
    /// What the card paid of a split payment, once accepted.
    pub paid_card: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AncvView {
    pub offered: bool,
    /// No card contract can take a remainder: the beneficiary must validate the full amount.
    pub full_only: bool,
}

#[derive(Debug, Serialize)]
pub struct CardContract {
    pub number: String,
    pub label: String,
}

/// The end of the session as the buyer reads it, and the way back to the shop.
#[derive(Debug, Serialize)]
pub struct ResultView {
    /// A CSS class: accepted, refused, cancelled, expired.
    pub kind: &'static str,
    pub message: &'static str,
    pub detail: Option<&'static str>,
    /// Vouchers were validated, and the session ended without the payment: they go back.
    pub vouchers_given_back: bool,
    pub shop_url: String,
    pub return_seconds: u32,
    /// The countdown sentence around its number.
    pub return_before: String,
    pub return_after: String,
}

#[derive(Debug, Serialize)]
pub struct Refresh {
    pub seconds: u32,
    pub url: Option<String>,
}

/// Which form a problem belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Ancv,
    Card,
}

/// A problem to show on a form, and which field it concerns.
pub struct FormError {
    pub message: String,
    pub field: Option<String>,
    pub scope: Scope,
}

/// The error as the templates place it: in the form it concerns (`ancv`, `card`) when the
/// page shows that form, else at the top (`page`).
#[derive(Debug, Serialize)]
pub struct ShownError {
    pub message: String,
    pub field: Option<String>,
    pub scope: &'static str,
}

/// What the buyer typed, shown again with an error: never the security code.
#[derive(Debug, Default, Serialize)]
pub struct Kept {
    pub beneficiary: String,
    pub card_number: String,
    pub card_expiry: String,
    pub card_holder: String,
}

pub struct Inputs<'a> {
    pub snapshot: &'a Snapshot,
    pub now: Timestamp,
    pub form_error: Option<FormError>,
    pub kept: Kept,
    pub sandbox: Option<SandboxAppLink>,
}

pub fn language(snapshot: &Snapshot) -> Language {
    snapshot.payment.request.language
}

/// Everything the page shows for the session in `inputs`.
pub fn build(inputs: Inputs<'_>) -> PageView {
    let snapshot = inputs.snapshot;
    let payment = &snapshot.payment;
    let session = &payment.session;
    let language = language(snapshot);
    let t = texts(language);
    let challenge_url = snapshot.card.as_ref().and_then(|c| c.challenge_url.clone());
    let view = view_name(session.state, challenge_url.is_some());
    let complementary = snapshot.complementary_contracts();
    let cards = card_contracts(session.state, &complementary);
    let ancv = snapshot
        .ancv_contract()
        .filter(|_| view == "choose")
        .map(|_| AncvView {
            offered: payment.request.amount >= ANCV_MINIMUM_AMOUNT,
            full_only: complementary.is_empty(),
        });
    let shows = |scope| match scope {
        Scope::Ancv => ancv.as_ref().is_some_and(|a| a.offered),
        Scope::Card => !cards.is_empty(),
    };
    let error = shown_error(inputs.form_error, session, view, language, shows);
    let seconds_left = seconds_left(snapshot, inputs.now);
    let result = result_view(payment, t);
    PageView {
        t,
        view,
        state: session.state.as_str(),
        widget_state: WidgetState::of(snapshot).as_str(),
        token: payment.token.clone(),
        csrf: payment.page_secret.clone(),
        merchant: snapshot.merchant_display_name().to_owned(),
        order_ref: payment.request.order_ref.clone(),
        summary: summary(session, language, t),
        open_method: open_method(error.as_ref(), session, ancv.is_some(), !cards.is_empty()),
        error,
        kept: inputs.kept,
        ancv,
        sandbox: inputs.sandbox,
        card_amount: (!cards.is_empty()).then(|| money(language, session.card_amount())),
        cards,
        attempts_left: (session.attempts > 0 && !session.state.is_final())
            .then(|| session.attempts_left()),
        seconds_left,
        time_left: format!("{}:{:02}", seconds_left / 60, seconds_left % 60),
        challenge_url,
        refresh: refresh(view, result.as_ref()),
        result,
        cancellable: !session.state.is_final(),
        poll: matches!(view, "waiting" | "processing" | "challenge"),
    }
}

/// Which view the page shows in `state`.
fn view_name(state: SessionState, has_challenge: bool) -> &'static str {
    match state {
        SessionState::Created | SessionState::OnPage => "choose",
        SessionState::AncvWaiting => "waiting",
        SessionState::AncvPartial => "partial",
        SessionState::CardInProgress if has_challenge => "challenge",
        SessionState::CardInProgress => "processing",
        SessionState::Accepted
        | SessionState::Refused
        | SessionState::Cancelled
        | SessionState::ExpiredOnPage
        | SessionState::ExpiredUnopened => "result",
    }
}

/// The heading's amount: the whole order, or what the vouchers left to pay. Vouchers of a
/// session that ended unpaid are given back: they paid nothing.
fn summary(session: &Session, language: Language, t: &'static Texts) -> Summary {
    let unpaid_end = session.state.is_final() && session.state != SessionState::Accepted;
    let paid_vouchers = session
        .ancv_validated
        .filter(|paid| *paid > 0 && !unpaid_end);
    Summary {
        label: if paid_vouchers.is_some() {
            t.remaining
        } else {
            t.amount_to_pay
        },
        due: money(language, session.card_amount()),
        total: money(language, session.amount),
        paid_vouchers: paid_vouchers.map(|paid| money(language, paid)),
        paid_card: paid_vouchers
            .filter(|_| session.state == SessionState::Accepted && session.card_amount() > 0)
            .map(|_| money(language, session.card_amount())),
    }
}

/// The result of a final session; `None` while it goes on.
fn result_view(payment: &WebPayment, t: &'static Texts) -> Option<ResultView> {
    let session = &payment.session;
    let (kind, message) = match session.state {
        SessionState::Accepted => ("accepted", t.result_accepted),
        SessionState::Refused => ("refused", t.result_refused),
        SessionState::Cancelled => ("cancelled", t.result_cancelled),
        SessionState::ExpiredOnPage | SessionState::ExpiredUnopened => {
            ("expired", t.result_expired)
        }
        SessionState::Created
        | SessionState::OnPage
        | SessionState::AncvWaiting
        | SessionState::AncvPartial
        | SessionState::CardInProgress => return None,
    };
    let countdown = fill(t.redirect_countdown, "seconds", "\u{0}");
    let (before, after) = countdown.split_once('\u{0}').unwrap_or((&countdown, ""));
    Some(ResultView {
        kind,
        message,
        detail: (session.state == SessionState::Refused)
            .then(|| {
                session
                    .last_code
                    .map(|c| refusal(payment.request.language, c))
            })
            .flatten(),
        vouchers_given_back: session.state != SessionState::Accepted
            && session.ancv_validated.is_some_and(|paid| paid > 0),
        shop_url: shop_url(payment),
        return_seconds: RETURN_SECONDS,
        return_before: before.to_owned(),
        return_after: after.to_owned(),
    })
}

/// Where the buyer goes back to: `cancelURL` after a cancel, `returnURL` otherwise, with the
/// token appended.
fn shop_url(payment: &WebPayment) -> String {
    let shop_base = if payment.session.state == SessionState::Cancelled {
        &payment.request.cancel_url
    } else {
        &payment.request.return_url
    };
    domain::web_payment::shop_return_url(shop_base, &payment.token)
}

/// The card contracts the buyer may pay with now (none once a payment is under way or over).
fn card_contracts(state: SessionState, complementary: &[&Contract]) -> Vec<CardContract> {
    match state {
        SessionState::Created | SessionState::OnPage | SessionState::AncvPartial => complementary
            .iter()
            .map(|c| CardContract {
                number: c.number.to_string(),
                label: format!("{} ({})", c.label, c.card_code),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Seconds until the session (or the ANCV request, when it ends first) expires, never negative.
fn seconds_left(snapshot: &Snapshot, now: Timestamp) -> i64 {
    let session = &snapshot.payment.session;
    let deadline = snapshot
        .ancv
        .as_ref()
        .and_then(|a| a.expires_at)
        .map_or(session.expires_at, |at| at.min(session.expires_at));
    ((deadline.millis() - now.millis()) / 1000).max(0)
}

/// The error to show and where: the form's own (in its form when the page shows it), else the
/// last refusal at the top (not on a result page, which says it otherwise).
fn shown_error(
    form_error: Option<FormError>,
    session: &Session,
    view: &str,
    language: Language,
    shows: impl Fn(Scope) -> bool,
) -> Option<ShownError> {
    if let Some(error) = form_error {
        let scope = match error.scope {
            Scope::Ancv if shows(Scope::Ancv) => "ancv",
            Scope::Card if shows(Scope::Card) => "card",
            Scope::Ancv | Scope::Card => "page",
        };
        return Some(ShownError {
            message: error.message,
            field: error.field.filter(|_| scope != "page"),
            scope,
        });
    }
    let last_failure = session.last_code.filter(|_| !session.state.is_final());
    last_failure
        .filter(|_| view != "result")
        .map(|code| ShownError {
            message: refusal(language, code).to_owned(),
            field: None,
            scope: "page",
        })
}

/// The choice step opens the form the error is about, the card form after a card refusal, or
/// the only method offered; otherwise the buyer chooses.
fn open_method(
    error: Option<&ShownError>,
    session: &Session,
    has_ancv: bool,
    has_cards: bool,
) -> &'static str {
    match error.map(|e| e.scope) {
        Some("ancv") => return "ancv",
        Some("card") => return "card",
        _ => {}
    }
    let card_refused = session.last_code.is_some_and(is_card_refusal);
    match (has_ancv, has_cards) {
        (true, false) => "ancv",
        (false, true) => "card",
        (true, true) if card_refused => "card",
        _ => "",
    }
}

/// Whether the acquirer gave `code` (the buyer then tries a card again).
fn is_card_refusal(code: ReturnCode) -> bool {
    matches!(
        code,
        ReturnCode::CardDoNotHonour
            | ReturnCode::CardExpired
            | ReturnCode::CardAmountLimit
            | ReturnCode::CardInvalidCvv
            | ReturnCode::AcquirerError
            | ReturnCode::ThreeDSecureFailed
            | ReturnCode::FraudDetected
    )
}

/// Without JavaScript, the waiting pages reload themselves and a result page goes back to the
/// shop; the script does it in place instead (the tags are inside `<noscript>`).
fn refresh(view: &str, result: Option<&ResultView>) -> Option<Refresh> {
    let seconds = |seconds| Some(Refresh { seconds, url: None });
    match (view, result) {
        ("waiting", _) => seconds(5),
        ("processing", _) => seconds(3),
        (_, Some(result)) => Some(Refresh {
            seconds: result.return_seconds,
            url: Some(result.shop_url.clone()),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::web_payment::SessionEvent;

    /// A 60.00 € session on the page, with `validated` cents of vouchers if any.
    fn session(validated: Option<i64>) -> Session {
        let mut session = Session::new(6_000, Timestamp(1_000_000));
        session.apply(SessionEvent::PageOpened).unwrap();
        session.ancv_validated = validated;
        session
    }

    #[test]
    fn the_heading_shows_what_is_left_to_pay() {
        let t = texts(Language::English);
        let whole = summary(&session(None), Language::English, t);
        assert_eq!(
            (whole.label, whole.due.as_str()),
            (t.amount_to_pay, "€60.00")
        );
        let mut partial = session(Some(2_500));
        partial.state = SessionState::AncvPartial;
        let rest = summary(&partial, Language::English, t);
        assert_eq!((rest.label, rest.due.as_str()), (t.remaining, "€35.00"));
        assert_eq!(rest.paid_vouchers.as_deref(), Some("€25.00"));
        partial.state = SessionState::Cancelled;
        let given_back = summary(&partial, Language::English, t);
        assert_eq!(
            given_back.paid_vouchers, None,
            "given back, they paid nothing"
        );
    }

    #[test]
    fn the_choice_step_opens_what_the_buyer_needs() {
        let on_page = session(None);
        let card_error = ShownError {
            message: String::new(),
            field: None,
            scope: "card",
        };
        assert_eq!(open_method(Some(&card_error), &on_page, true, true), "card");
        assert_eq!(open_method(None, &on_page, true, true), "");
        assert_eq!(open_method(None, &on_page, false, true), "card");
        let mut refused = session(None);
        refused.last_code = Some(ReturnCode::CardDoNotHonour);
        assert_eq!(open_method(None, &refused, true, true), "card");
        refused.last_code = Some(ReturnCode::PartnerRefused);
        assert_eq!(open_method(None, &refused, true, true), "");
    }

    #[test]
    fn only_noscript_refreshes_wait_and_results_go_back_to_the_shop() {
        assert_eq!(refresh("choose", None).map(|r| r.seconds), None);
        assert_eq!(refresh("waiting", None).map(|r| r.seconds), Some(5));
        let result = ResultView {
            kind: "accepted",
            message: "",
            detail: None,
            vouchers_given_back: false,
            shop_url: "https://shop.example/return?paylinetoken=t".into(),
            return_seconds: RETURN_SECONDS,
            return_before: String::new(),
            return_after: String::new(),
        };
        let back = refresh("result", Some(&result)).unwrap();
        assert_eq!(back.url.as_deref(), Some(result.shop_url.as_str()));
    }
}
