//! `GET /backoffice/transactions` and `/backoffice/transactions.csv`: the merchant's
//! transactions with filters (period in Paris days, state, means of payment, contract, order
//! reference, amount), a page at a time (oldest first, the JSON API's cursor), and the same
//! selection as CSV. Every role sees them.

use super::configuration::{MerchantSession, merchant_user};
use super::render::{failed, page};
use super::texts::Lang;
use super::visit::Visit;
use crate::state::AppState;
use crate::texts::money;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::clock::Timestamp;
use domain::paris_time::{format_payline, instant_of};
use gateway::after_sale::{PageCriteria, TransactionView};
use minijinja::context;
use serde::{Deserialize, Serialize};

/// Transactions per page.
const PAGE: usize = 50;
/// The most rows a CSV export holds.
const MAX_EXPORT: usize = 10_000;

/// The filters as typed (each may be empty).
#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub(super) struct Filters {
    from: String,
    to: String,
    status: String,
    method: String,
    contract: String,
    order: String,
    min: String,
    max: String,
    cursor: String,
}

impl Filters {
    /// The criteria, or the filter at fault.
    fn criteria(&self) -> Result<PageCriteria, &'static str> {
        let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        let to_next_day = |day: Timestamp| day.plus_millis(36 * 3_600_000);
        Ok(PageCriteria {
            from: text(&self.from)
                .map(|v| paris_day(&v).ok_or("from"))
                .transpose()?,
            // The end of the day `to` names: the start of the next one.
            to: text(&self.to)
                .map(|v| {
                    let day = paris_day(&v).ok_or("to")?;
                    paris_day(&next_date(&format_payline(to_next_day(day)))).ok_or("to")
                })
                .transpose()?,
            order_ref: text(&self.order),
            contract_number: text(&self.contract),
            status: text(&self.status),
            method: text(&self.method),
            min_amount: text(&self.min)
                .map(|v| cents(&v).ok_or("min"))
                .transpose()?,
            max_amount: text(&self.max)
                .map(|v| cents(&v).ok_or("max"))
                .transpose()?,
        })
    }

    /// The cursor of the page asked for.
    fn after(&self) -> Option<(Timestamp, String)> {
        let (millis, id) = self.cursor.split_once('.')?;
        Some((Timestamp(millis.parse().ok()?), id.to_owned()))
    }

    /// The query string of these filters with another cursor.
    fn with_cursor(&self, cursor: &str) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("from", &self.from),
            ("to", &self.to),
            ("status", &self.status),
            ("method", &self.method),
            ("contract", &self.contract),
            ("order", &self.order),
            ("min", &self.min),
            ("max", &self.max),
        ] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if !cursor.is_empty() {
            query.append_pair("cursor", cursor);
        }
        query.finish()
    }
}

/// `yyyy-mm-dd` (an HTML date input) at midnight in Paris.
fn paris_day(value: &str) -> Option<Timestamp> {
    let mut parts = value.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    instant_of(year, month, day, 0, 0)
}

/// `dd/mm/yyyy …` (Payline's format of a later instant) as `yyyy-mm-dd`.
fn next_date(payline: &str) -> String {
    let date = payline.split(' ').next().unwrap_or_default();
    let parts: Vec<&str> = date.split('/').collect();
    match parts.as_slice() {
        [day, month, year] => format!("{year}-{month}-{day}"),
        _ => String::new(),
    }
}

/// Euros as typed (`12`, `12,5`, `12.50`) in cents.
pub(super) fn cents(typed: &str) -> Option<i64> {
    let typed = typed.trim().replace(',', ".");
    let (units, fraction) = typed.split_once('.').unwrap_or((&typed, ""));
    if units.is_empty() || fraction.len() > 2 || !units.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let units: i64 = units.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    units.checked_mul(100)?.checked_add(fraction)
}

/// A row of the list (and of the CSV).
#[derive(Serialize)]
pub(super) struct Row {
    pub id: String,
    pub date: String,
    pub order: String,
    pub kind: &'static str,
    pub method: String,
    pub contract: String,
    pub amount: String,
    pub cents: i64,
    pub status: String,
}

pub(super) fn row(view: &TransactionView, lang: Lang) -> Row {
    Row {
        id: view.id.clone(),
        date: format_payline(view.date),
        order: view.order_ref.clone(),
        kind: view.label,
        method: view.card_type.clone().unwrap_or_default(),
        contract: view.contract_number.to_string(),
        amount: money(lang.language(), view.amount),
        cents: view.amount,
        status: view.status.clone(),
    }
}

/// `GET /backoffice/transactions`.
pub(super) async fn list(
    State(state): State<AppState>,
    visit: Visit,
    Query(filters): Query<Filters>,
) -> Response {
    let who = match merchant_user(&state, &visit, |_| true).await {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let texts = visit.lang.texts();
    let criteria = match filters.criteria() {
        Ok(criteria) => criteria,
        Err(field) => {
            let message = if matches!(field, "from" | "to") {
                texts.err_date
            } else {
                texts.err_amount
            };
            return list_page(&visit, &filters, &[], None, Some((field, message)));
        }
    };
    match state
        .after_sale
        .search_after(&who.merchant, &criteria, filters.after(), PAGE)
        .await
    {
        Ok((views, more)) => {
            let rows: Vec<Row> = views.iter().map(|v| row(v, visit.lang)).collect();
            let next = more
                .then(|| views.last())
                .flatten()
                .map(|last| filters.with_cursor(&format!("{}.{}", last.date.millis(), last.id)));
            list_page(&visit, &filters, &rows, next, None)
        }
        Err(failure) => failed(visit.lang, &failure),
    }
}

fn list_page(
    visit: &Visit,
    filters: &Filters,
    rows: &[Row],
    next: Option<String>,
    refusal: Option<(&str, &str)>,
) -> Response {
    let status = if refusal.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(
        "transactions.html",
        visit.lang,
        context! {
            filters => filters,
            rows => rows,
            next => next,
            export => filters.with_cursor(""),
            statuses => ["ACCEPTED", "DONE", "PENDING", "VALIDATED", "CONSIGNED", "PAID", "REJECTED", "00000"],
            methods => ["ANCV_CONNECT", "CB", "VISA", "MASTERCARD", "AMEX"],
            field => refusal.map(|r| r.0),
            message => refusal.map(|r| r.1),
        },
        status,
    )
}

/// `GET /backoffice/transactions.csv`: every transaction the filters select (at most 10,000),
/// amounts in cents, dates in Paris time; a `;`-separated file Excel opens in France.
pub(super) async fn export(
    State(state): State<AppState>,
    visit: Visit,
    Query(filters): Query<Filters>,
) -> Response {
    let who = match merchant_user(&state, &visit, |_| true).await {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let Ok(criteria) = filters.criteria() else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            visit.lang.texts().err_date,
        )
            .into_response();
    };
    match all_rows(&state, &who, &criteria, visit.lang).await {
        Ok(rows) => csv(&rows),
        Err(failure) => failed(visit.lang, &failure),
    }
}

async fn all_rows(
    state: &AppState,
    who: &MerchantSession,
    criteria: &PageCriteria,
    lang: Lang,
) -> Result<Vec<Row>, store::StoreError> {
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let (views, more) = state
            .after_sale
            .search_after(&who.merchant, criteria, after, 500)
            .await?;
        rows.extend(views.iter().map(|v| row(v, lang)));
        after = views.last().map(|last| (last.date, last.id.clone()));
        if !more || rows.len() >= MAX_EXPORT {
            rows.truncate(MAX_EXPORT);
            return Ok(rows);
        }
    }
}

fn csv(rows: &[Row]) -> Response {
    let mut out =
        String::from("date;transaction;order;type;method;contract;amount_cents;status\r\n");
    for row in rows {
        let fields = [
            row.date.as_str(),
            &row.id,
            &row.order,
            row.kind,
            &row.method,
            &row.contract,
            &row.cents.to_string(),
            &row.status,
        ];
        let quoted: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
        out.push_str(&quoted.join(";"));
        out.push_str("\r\n");
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"transactions.csv\"",
            ),
        ],
        out,
    )
        .into_response()
}

/// A CSV field: quoted when it holds a separator, a quote or a line break; a leading `=`, `+`,
/// `-` or `@` is neutralised so that a spreadsheet does not run it as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_are_read_in_cents() {
        for (typed, expected) in [("12", Some(1200)), ("12,5", Some(1250)), ("0.07", Some(7))] {
            assert_eq!(cents(typed), expected, "{typed}");
        }
        for refused in ["", "-1", "1.234", "12e3", ",5", "abc"] {
            assert_eq!(cents(refused), None, "{refused}");
        }
    }

    #[test]
    fn days_are_paris_days() {
        // 1 December 2026: Paris is UTC+1.
        assert_eq!(
            paris_day("2026-12-01"),
            Timestamp::parse_rfc3339("2026-11-30T23:00:00Z")
        );
        assert_eq!(paris_day("2026-02-30"), None);
        assert_eq!(paris_day("01/12/2026"), None);
        assert_eq!(next_date("02/12/2026 11:00:00"), "2026-12-02");
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("a;b"), "\"a;b\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("x\"y;"), "\"x\"\"y;\"");
    }
}
