//! `GET /backoffice/dashboard`: today's and the last 30 days' payments per means of payment
//! (accepted and refused, amounts accepted), the share paid in Chèques-Vacances, refunds, the
//! session notifications failing, and a bar chart of the daily amounts drawn as SVG on the
//! server (no chart library; a table says the same for screen readers).

use super::configuration::merchant_user;
use super::render::{failed, page};
use super::texts::Lang;
use super::visit::Visit;
use crate::state::AppState;
use crate::texts::money;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::clock::Timestamp;
use domain::paris_time::{format_payline, instant_of};
use gateway::after_sale::{PageCriteria, TransactionView};
use gateway::transaction_ids::TransactionKind;
use minijinja::context;
use serde::Serialize;
use std::collections::BTreeMap;

/// Days the dashboard covers.
const DAYS: usize = 30;
/// The most transactions it reads (beyond: the figures say so).
const MAX_READ: usize = 20_000;
/// The chart's drawing size, in SVG units.
const CHART_WIDTH: usize = 600;
const CHART_HEIGHT: usize = 160;

/// Counts and amounts of one means of payment.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub(super) struct Tally {
    pub accepted: u64,
    pub refused: u64,
    pub amount: i64,
}

/// One day of the chart.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub(super) struct Day {
    pub date: String,
    pub ancv: i64,
    pub card: i64,
}

/// What the dashboard shows.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Summary {
    pub today: BTreeMap<String, Tally>,
    pub month: BTreeMap<String, Tally>,
    pub refunds: (u64, i64),
    pub days: Vec<Day>,
}

/// Sums `views` (oldest first) into the dashboard's figures; `today` is the Paris date
/// (`dd/mm/yyyy`) of today, `dates` the chart's days, oldest first.
pub(super) fn summarize(views: &[TransactionView], today: &str, dates: &[String]) -> Summary {
    let mut summary = Summary {
        days: dates
            .iter()
            .map(|date| Day {
                date: date.clone(),
                ..Day::default()
            })
            .collect(),
        ..Summary::default()
    };
    for view in views {
        let date = format_payline(view.date)[..10].to_owned();
        match view.kind {
            TransactionKind::AncvPayment | TransactionKind::CardPayment => {
                let method = view.card_type.clone().unwrap_or_else(|| "?".to_owned());
                let accepted = view.code.code() == "00000";
                let refused = !accepted && view.code.code() != "02306";
                let add = |tally: &mut Tally| {
                    tally.accepted += u64::from(accepted);
                    tally.refused += u64::from(refused);
                    tally.amount += if accepted { view.amount } else { 0 };
                };
                add(summary.month.entry(method.clone()).or_default());
                if date == today {
                    add(summary.today.entry(method.clone()).or_default());
                }
                if accepted && let Some(day) = summary.days.iter_mut().find(|d| d.date == date) {
                    if view.kind == TransactionKind::AncvPayment {
                        day.ancv += view.amount;
                    } else {
                        day.card += view.amount;
                    }
                }
            }
            TransactionKind::AncvRefund | TransactionKind::CardOperation => {
                if view.label == "REFUND" && view.code.code() == "00000" {
                    summary.refunds.0 += 1;
                    summary.refunds.1 += view.amount;
                }
            }
        }
    }
    summary
}

#[derive(Serialize)]
struct Bar {
    x: usize,
    ancv_y: usize,
    ancv_height: usize,
    card_y: usize,
    card_height: usize,
    width: usize,
    label: String,
}

/// The bars of the chart, scaled to the busiest day.
fn bars(days: &[Day], lang: Lang) -> Vec<Bar> {
    let busiest = days
        .iter()
        .map(|d| d.ancv + d.card)
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = CHART_WIDTH / days.len().max(1);
    let scale = |amount: i64| {
        usize::try_from(amount.max(0)).unwrap_or(0) * CHART_HEIGHT
            / usize::try_from(busiest).unwrap_or(1)
    };
    days.iter()
        .enumerate()
        .map(|(i, day)| {
            // Scaled from the day's total, so that the two parts add up to its bar.
            let card = scale(day.card);
            let ancv = scale(day.ancv + day.card) - card;
            Bar {
                x: i * slot + 1,
                card_y: CHART_HEIGHT - card,
                card_height: card,
                ancv_y: CHART_HEIGHT - card - ancv,
                ancv_height: ancv,
                width: slot.saturating_sub(2).max(1),
                label: format!(
                    "{} : {}",
                    day.date,
                    money(lang.language(), day.ancv + day.card)
                ),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct Line {
    method: String,
    accepted: u64,
    refused: u64,
    amount: String,
}

fn lines(tallies: &BTreeMap<String, Tally>, lang: Lang) -> Vec<Line> {
    tallies
        .iter()
        .map(|(method, tally)| Line {
            method: method.clone(),
            accepted: tally.accepted,
            refused: tally.refused,
            amount: money(lang.language(), tally.amount),
        })
        .collect()
}

/// The Paris dates of the last `DAYS` days, oldest first, and the instant the first began.
fn period(now: Timestamp) -> (Vec<String>, Option<Timestamp>) {
    let dates: Vec<String> = (0..DAYS)
        .rev()
        .map(|back| {
            let day = now.plus_millis(-(i64::try_from(back).unwrap_or(0)) * 86_400_000);
            format_payline(day)[..10].to_owned()
        })
        .collect();
    let start = dates.first().and_then(|date| {
        let mut parts = date.split('/');
        let day = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let year = parts.next()?.parse().ok()?;
        instant_of(year, month, day, 0, 0)
    });
    (dates, start)
}

/// `GET /backoffice/dashboard`.
pub(super) async fn show(State(state): State<AppState>, visit: Visit) -> Response {
    let who = match merchant_user(&state, &visit, |_| true).await {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let (dates, start) = period(state.config.now());
    let criteria = PageCriteria {
        from: start,
        ..PageCriteria::default()
    };
    let mut views = Vec::new();
    let mut after = None;
    loop {
        let page = state
            .after_sale
            .search_after(&who.merchant, &criteria, after, 500)
            .await;
        let (found, more) = match page {
            Ok(page) => page,
            Err(failure) => return failed(visit.lang, &failure),
        };
        after = found.last().map(|last| (last.date, last.id.clone()));
        views.extend(found);
        if !more || views.len() >= MAX_READ {
            break;
        }
    }
    let failing = match state.after_sale.failing_notifications(&who.merchant).await {
        Ok(failing) => failing,
        Err(failure) => return failed(visit.lang, &failure),
    };
    let today = dates.last().cloned().unwrap_or_default();
    let summary = summarize(&views, &today, &dates);
    render(&visit, &summary, failing)
}

fn render(visit: &Visit, summary: &Summary, failing: i64) -> Response {
    let lang = visit.lang;
    let texts = lang.texts();
    let total: i64 = summary.month.values().map(|t| t.amount).sum();
    let ancv = summary.month.get("ANCV_CONNECT").map_or(0, |t| t.amount);
    let share = if total > 0 { ancv * 100 / total } else { 0 };
    let euros = |cents| money(lang.language(), cents);
    let chart_summary = texts
        .dashboard_chart_summary
        .replace("{total}", &euros(total))
        .replace("{ancv}", &euros(ancv));
    let days: Vec<(String, String, String)> = summary
        .days
        .iter()
        .map(|d| (d.date.clone(), euros(d.ancv), euros(d.card)))
        .collect();
    page(
        "dashboard.html",
        lang,
        context! {
            today => lines(&summary.today, lang),
            month => lines(&summary.month, lang),
            share => share,
            refunds => summary.refunds.0,
            refunds_amount => euros(summary.refunds.1),
            failing => failing,
            bars => bars(&summary.days, lang),
            days => days,
            chart_summary => chart_summary,
            width => CHART_WIDTH,
            height => CHART_HEIGHT,
        },
        StatusCode::OK,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::contract::ContractNumber;
    use domain::money::Currency;
    use domain::return_code::ReturnCode;

    fn view(
        kind: TransactionKind,
        method: &str,
        amount: i64,
        code: ReturnCode,
        label: &'static str,
    ) -> TransactionView {
        TransactionView {
            id: "1".into(),
            kind,
            date: Timestamp::parse_rfc3339("2026-12-01T10:00:00Z").unwrap(),
            label,
            action: "101",
            amount,
            currency: Currency::EUR,
            contract_number: ContractNumber::parse("n", "C-1").unwrap(),
            order_ref: "o".into(),
            code,
            status: String::new(),
            partner_code: None,
            authorization_number: None,
            masked_card: None,
            card_type: Some(method.into()),
            card_expiry: None,
            three_ds: None,
            origin_id: None,
            partner_additional_data: None,
        }
    }

    #[test]
    fn payments_are_summed_per_means_and_day() {
        let views = [
            view(
                TransactionKind::AncvPayment,
                "ANCV_CONNECT",
                2_500,
                ReturnCode::Accepted,
                "AUTHOR+CAP",
            ),
            view(
                TransactionKind::CardPayment,
                "CB",
                3_500,
                ReturnCode::Accepted,
                "AUTHOR+CAP",
            ),
            view(
                TransactionKind::CardPayment,
                "CB",
                9_000,
                ReturnCode::CardDoNotHonour,
                "AUTHOR+CAP",
            ),
            view(
                TransactionKind::CardOperation,
                "CB",
                1_000,
                ReturnCode::Accepted,
                "REFUND",
            ),
        ];
        let dates = ["30/11/2026".to_owned(), "01/12/2026".to_owned()];
        let summary = summarize(&views, "01/12/2026", &dates);
        assert_eq!(
            summary.month["CB"],
            Tally {
                accepted: 1,
                refused: 1,
                amount: 3_500
            }
        );
        assert_eq!(summary.today["ANCV_CONNECT"].amount, 2_500);
        assert_eq!(summary.refunds, (1, 1_000));
        assert_eq!(
            summary.days[1],
            Day {
                date: "01/12/2026".into(),
                ancv: 2_500,
                card: 3_500
            }
        );
        assert_eq!(summary.days[0].ancv + summary.days[0].card, 0);
        let drawn = bars(&summary.days, Lang::En);
        assert_eq!(
            drawn[1].ancv_height + drawn[1].card_height,
            CHART_HEIGHT,
            "the busiest day fills the chart"
        );
    }
}
