//! transactionsSearch's reads: a merchant's transactions of one kind made in a period, narrowed in
//! SQL by every criterion a column answers (id, order reference, contract, amount, the buyer's
//! e-mail through the web payment session), oldest first, a page at a time. One query per kind
//! (and one for the parents of refunds and operations), whatever the number of rows: the limit is
//! applied after the filters, so a busy period never hides a match.

use super::after_sale::{REFUND_COLUMNS, refund_from_row};
use super::ancv_payments::{SELECT as ANCV_PAYMENT_COLUMNS, payment_from_row};
use super::card_transactions::{
    SELECT as CARD_COLUMNS, SELECT_OPERATION as OPERATION_COLUMNS, operation_from_row,
    transaction_from_row,
};
use crate::StoreError;
use crate::repos::{AncvRefundRow, CardOperationRow, CardTransactionRow};
use domain::ancv_payment::AncvPayment;
use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use sqlx::AnyConnection;

/// What a search narrows by; every criterion given must hold.
#[derive(Debug, Clone, Copy)]
pub struct SearchFilter<'a> {
    /// Only this merchant's transactions.
    pub merchant_id: &'a MerchantId,
    /// Made at or after this instant.
    pub from: Timestamp,
    /// Made before this instant.
    pub to: Timestamp,
    /// Payline `transactionId`.
    pub transaction_id: Option<&'a str>,
    /// Payline `orderRef` (of the payment, for a refund or an operation).
    pub order_ref: Option<&'a str>,
    /// Payline `contractNumber` (of the payment, for a refund or an operation).
    pub contract_number: Option<&'a str>,
    /// The buyer's e-mail on the web payment session, compared without case.
    pub email: Option<&'a str>,
    /// The amount shown, minor units, at least this.
    pub min_amount: Option<i64>,
    /// The amount shown, minor units, at most this.
    pub max_amount: Option<i64>,
}

/// Where a page starts: strictly after this (creation time, id); `None` for the first page.
pub type SearchCursor<'a> = Option<(Timestamp, &'a str)>;

/// How one kind of transaction is joined and which columns answer each criterion.
pub(super) struct Kind {
    /// The table of the kind, aliased `x`, with the joins the criteria need (`w`: the session).
    /// A parent comes with `CROSS JOIN`, which SQLite never reorders: its planner (without
    /// statistics) would otherwise read every transaction of the merchant to find their
    /// refunds, where reading the period's refunds in time order is a range of an index.
    from: &'static str,
    /// How the parent is joined (a condition), if there is one.
    joined_by: Option<&'static str>,
    id: &'static str,
    merchant: &'static str,
    order_ref: &'static str,
    contract: &'static str,
    /// The amount the merchant API shows for a row of this kind.
    amount: &'static str,
}

pub(super) const ANCV_PAYMENTS: Kind = Kind {
    from: "ancv_payments x LEFT JOIN web_payments w ON w.ancv_payment_id = x.payment_id",
    joined_by: None,
    id: "x.payment_id",
    merchant: "x.merchant_id",
    order_ref: "x.order_ref",
    contract: "x.contract_number",
    amount: "COALESCE(x.validated_amount, x.amount)",
};

pub(super) const ANCV_REFUNDS: Kind = Kind {
    from: "ancv_refunds x CROSS JOIN ancv_payments p
           LEFT JOIN web_payments w ON w.ancv_payment_id = p.payment_id",
    joined_by: Some("p.payment_id = x.payment_id"),
    id: "x.id",
    merchant: "p.merchant_id",
    order_ref: "p.order_ref",
    contract: "p.contract_number",
    amount: "x.amount",
};

pub(super) const CARD_TRANSACTIONS: Kind = Kind {
    from: "card_transactions x LEFT JOIN web_payments w ON w.token = x.attempt_group",
    joined_by: None,
    id: "x.id",
    merchant: "x.merchant_id",
    order_ref: "x.order_ref",
    contract: "x.contract_number",
    amount: "x.amount",
};

pub(super) const CARD_OPERATIONS: Kind = Kind {
    from: "card_operations x CROSS JOIN card_transactions t
           LEFT JOIN web_payments w ON w.token = t.attempt_group",
    joined_by: Some("t.id = x.transaction_id"),
    id: "x.id",
    merchant: "t.merchant_id",
    order_ref: "t.order_ref",
    contract: "t.contract_number",
    amount: "x.amount",
};

/// A value bound to a placeholder.
pub(super) enum Bind {
    Text(String),
    Int(i64),
}

/// Conditions joined with AND, and the values their placeholders take, in order.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    binds: Vec<Bind>,
}

impl Conditions {
    /// Binds `value` and returns its placeholder.
    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    /// Adds `column <op> value`.
    fn compare(&mut self, column: &str, op: &str, value: Bind) {
        let placeholder = self.bind(value);
        self.sql.push(format!("{column} {op} {placeholder}"));
    }
}

/// The SQL selecting the ids of one page of matches of `kind`, and its bound values.
pub(super) fn page_of_ids(
    kind: &Kind,
    filter: &SearchFilter,
    after: SearchCursor,
    limit: i64,
) -> (String, Vec<Bind>) {
    let text = |value: &str| Bind::Text(value.to_owned());
    let mut where_ = Conditions::default();
    where_.sql.extend(kind.joined_by.map(str::to_owned));
    where_.compare(kind.merchant, "=", text(filter.merchant_id.as_str()));
    where_.compare("x.created_at", ">=", Bind::Int(filter.from.millis()));
    where_.compare("x.created_at", "<", Bind::Int(filter.to.millis()));
    let exact = [
        (kind.id, filter.transaction_id),
        (kind.order_ref, filter.order_ref),
        (kind.contract, filter.contract_number),
    ];
    for (column, value) in exact {
        if let Some(value) = value {
            where_.compare(column, "=", text(value));
        }
    }
    if let Some(email) = filter.email {
        let placeholder = where_.bind(text(email));
        where_
            .sql
            .push(format!("LOWER(w.buyer_email) = LOWER({placeholder})"));
    }
    if let Some(min) = filter.min_amount {
        where_.compare(kind.amount, ">=", Bind::Int(min));
    }
    if let Some(max) = filter.max_amount {
        where_.compare(kind.amount, "<=", Bind::Int(max));
    }
    if let Some((at, id)) = after {
        let at = where_.bind(Bind::Int(at.millis()));
        let id = format!("{} > {}", kind.id, where_.bind(text(id)));
        where_.sql.push(format!(
            "(x.created_at > {at} OR (x.created_at = {at} AND {id}))"
        ));
    }
    let limit = where_.bind(Bind::Int(limit));
    let sql = format!(
        "SELECT {id} FROM {from} WHERE {conditions} ORDER BY x.created_at, {id} LIMIT {limit}",
        id = kind.id,
        from = kind.from,
        conditions = where_.sql.join(" AND "),
    );
    (sql, where_.binds)
}

/// Runs `select` (a `SELECT … FROM table` of whole rows) for the rows whose `key` is in `list`
/// (a subquery or placeholders, with their values), oldest first.
async fn rows_where_in(
    conn: &mut AnyConnection,
    select: &str,
    key: &str,
    (list, binds): (String, Vec<Bind>),
) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    let sql = format!("{select} WHERE {key} IN ({list}) ORDER BY created_at, {key}");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for bind in binds {
        query = match bind {
            Bind::Text(text) => query.bind(text),
            Bind::Int(int) => query.bind(int),
        };
    }
    Ok(query.fetch_all(conn).await?)
}

/// The parents' ids as placeholders, with their values (never empty: callers skip that case).
fn ids_in(ids: &[&str]) -> (String, Vec<Bind>) {
    let mut list = Conditions::default();
    let placeholders: Vec<String> = ids
        .iter()
        .map(|id| list.bind(Bind::Text((*id).to_owned())))
        .collect();
    (placeholders.join(", "), list.binds)
}

/// transactionsSearch's reads, inside a [`crate::UnitOfWork`].
pub struct TransactionSearch<'a> {
    conn: &'a mut AnyConnection,
}

impl<'a> TransactionSearch<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        TransactionSearch { conn }
    }

    /// A page of the ANCV payments that match, oldest first, at most `limit`.
    pub async fn ancv_payments(
        &mut self,
        filter: &SearchFilter<'_>,
        after: SearchCursor<'_>,
        limit: i64,
    ) -> Result<Vec<AncvPayment>, StoreError> {
        let ids = page_of_ids(&ANCV_PAYMENTS, filter, after, limit);
        let rows = rows_where_in(self.conn, ANCV_PAYMENT_COLUMNS, "payment_id", ids).await?;
        rows.iter().map(payment_from_row).collect()
    }

    /// A page of the ANCV refunds that match, oldest first, at most `limit`, each with its payment.
    pub async fn ancv_refunds(
        &mut self,
        filter: &SearchFilter<'_>,
        after: SearchCursor<'_>,
        limit: i64,
    ) -> Result<Vec<(AncvRefundRow, AncvPayment)>, StoreError> {
        let ids = page_of_ids(&ANCV_REFUNDS, filter, after, limit);
        let rows = rows_where_in(self.conn, REFUND_COLUMNS, "id", ids).await?;
        let refunds = rows
            .iter()
            .map(refund_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if refunds.is_empty() {
            return Ok(Vec::new());
        }
        let parent_ids: Vec<&str> = refunds.iter().map(|r| r.payment_id.as_str()).collect();
        let parents = rows_where_in(
            self.conn,
            ANCV_PAYMENT_COLUMNS,
            "payment_id",
            ids_in(&parent_ids),
        )
        .await?
        .iter()
        .map(payment_from_row)
        .collect::<Result<Vec<_>, _>>()?;
        with_parents(
            refunds,
            &parents,
            |r| &r.payment_id,
            |p| &p.payment_id,
            "ancv_refunds",
        )
    }

    /// A page of the card payments that match, oldest first, at most `limit`.
    pub async fn card_transactions(
        &mut self,
        filter: &SearchFilter<'_>,
        after: SearchCursor<'_>,
        limit: i64,
    ) -> Result<Vec<CardTransactionRow>, StoreError> {
        let ids = page_of_ids(&CARD_TRANSACTIONS, filter, after, limit);
        let rows = rows_where_in(self.conn, CARD_COLUMNS, "id", ids).await?;
        rows.iter().map(transaction_from_row).collect()
    }

    /// A page of the card operations (captures, resets, refunds) that match, oldest first, at
    /// most `limit`, each with its card payment.
    pub async fn card_operations(
        &mut self,
        filter: &SearchFilter<'_>,
        after: SearchCursor<'_>,
        limit: i64,
    ) -> Result<Vec<(CardOperationRow, CardTransactionRow)>, StoreError> {
        let ids = page_of_ids(&CARD_OPERATIONS, filter, after, limit);
        let rows = rows_where_in(self.conn, OPERATION_COLUMNS, "id", ids).await?;
        let operations = rows
            .iter()
            .map(operation_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if operations.is_empty() {
            return Ok(Vec::new());
        }
        let parent_ids: Vec<&str> = operations
            .iter()
            .map(|o| o.transaction_id.as_str())
            .collect();
        let parents = rows_where_in(self.conn, CARD_COLUMNS, "id", ids_in(&parent_ids))
            .await?
            .iter()
            .map(transaction_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        with_parents(
            operations,
            &parents,
            |o| &o.transaction_id,
            |t| &t.id,
            "card_operations",
        )
    }
}

/// Pairs each child with its parent; a missing parent is a corrupt database.
fn with_parents<C, P: Clone>(
    children: Vec<C>,
    parents: &[P],
    parent_of: impl Fn(&C) -> &String,
    id_of: impl Fn(&P) -> &String,
    table: &'static str,
) -> Result<Vec<(C, P)>, StoreError> {
    children
        .into_iter()
        .map(|child| {
            let parent = parents
                .iter()
                .find(|p| id_of(p) == parent_of(&child))
                .cloned()
                .ok_or_else(|| StoreError::corrupt(table, "a row's parent is missing"))?;
            Ok((child, parent))
        })
        .collect()
}
