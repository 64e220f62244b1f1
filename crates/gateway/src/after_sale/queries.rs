//! getWebPaymentDetails' lists, getTransactionDetails and transactionsSearch: what a transaction
//! id names, described.

use super::model::{
    MAX_SEARCH_DAYS, MAX_SEARCH_ROWS, NoAnswer, PageCriteria, SearchCriteria, StatusEntry,
    TransactionDetails, TransactionView,
};
use super::service::{AfterSale, Found};
use super::views::{
    ancv_view, card_status, card_view, operation_status, operation_view, refund_view,
};
use crate::card_payments::{
    CardTransaction, PaymentState, operation_from_row, transaction_from_row,
};
use domain::ancv_payment::AncvPayment;
use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use domain::return_code::ReturnCode;
use store::StoreError;
use store::repos::{SearchCursor, SearchFilter};

/// The kinds of transaction transactionsSearch lists, each read with its own query.
#[derive(Debug, Clone, Copy)]
enum SearchKind {
    AncvPayments,
    AncvRefunds,
    CardPayments,
    CardOperations,
}

impl SearchKind {
    const ALL: [SearchKind; 4] = [
        SearchKind::AncvPayments,
        SearchKind::AncvRefunds,
        SearchKind::CardPayments,
        SearchKind::CardOperations,
    ];
}

impl AfterSale {
    /// getTransactionDetails by id, or by an order reference naming one payment. For an ANCV or
    /// card transaction of a web payment session, the associated transactions also list the
    /// session's other card attempts.
    pub async fn details(
        &self,
        merchant_id: &MerchantId,
        transaction_id: Option<&str>,
        order_ref: Option<&str>,
    ) -> Result<Result<TransactionDetails, NoAnswer>, StoreError> {
        let id = match (transaction_id, order_ref) {
            (Some(id), _) => id.to_owned(),
            (None, Some(order_ref)) => {
                let mut found = self
                    .inner
                    .store
                    .read()
                    .await?
                    .transaction_ids()
                    .payments_of_order(merchant_id, order_ref)
                    .await?;
                match found.len() {
                    1 => found.remove(0).0,
                    0 => {
                        return Ok(Err(NoAnswer::new(
                            ReturnCode::InvalidField,
                            format!("no transaction for orderRef {order_ref}"),
                        )));
                    }
                    _ => {
                        return Ok(Err(NoAnswer::new(
                            ReturnCode::InvalidField,
                            format!(
                                "orderRef {order_ref} names several transactions: give transactionId"
                            ),
                        )));
                    }
                }
            }
            (None, None) => {
                return Ok(Err(NoAnswer::new(
                    ReturnCode::InvalidField,
                    "transactionId or orderRef is mandatory",
                )));
            }
        };
        let Some(found) = self.find(merchant_id, &id).await? else {
            return Ok(Err(NoAnswer::new(
                ReturnCode::InvalidField,
                format!("transactionId {id} is unknown"),
            )));
        };
        let mut details = self.describe(found).await?;
        let attempts = self.other_card_attempts(&details).await?;
        details.associated.extend(attempts);
        Ok(Ok(details))
    }

    /// The card attempts of the session of `details` (an ANCV or card transaction of a web
    /// payment) that it does not show already (itself, the complementary payment), each
    /// followed by its captures, resets and refunds: every authorization the buyer's card went
    /// through, refused, still open, or accepted and given back by cvgate.
    async fn other_card_attempts(
        &self,
        details: &TransactionDetails,
    ) -> Result<Vec<TransactionView>, StoreError> {
        let Some(session) = &details.session else {
            return Ok(vec![]);
        };
        let shown: Vec<&str> = std::iter::once(&details.transaction)
            .chain(&details.additional)
            .map(|view| view.id.as_str())
            .collect();
        let mut views = Vec::new();
        for attempt in self.inner.card.attempts(&session.token).await? {
            if shown.contains(&attempt.id.as_str()) {
                continue;
            }
            let operations = self.inner.card.operations(&attempt.id).await?;
            views.push(card_view(&attempt));
            views.extend(operations.iter().map(|op| operation_view(op, &attempt)));
        }
        Ok(views)
    }

    /// transactionsSearch: the merchant's transactions in a period of at most 31 days.
    pub async fn search(
        &self,
        merchant_id: &MerchantId,
        criteria: &SearchCriteria,
    ) -> Result<Result<Vec<TransactionView>, NoAnswer>, StoreError> {
        let (Some(from), Some(to)) = (criteria.from, criteria.to) else {
            return Ok(Err(NoAnswer::new(
                ReturnCode::InvalidField,
                "startDate and endDate (dd/mm/yyyy) are mandatory",
            )));
        };
        if to.millis() < from.millis() {
            return Ok(Err(NoAnswer::new(
                ReturnCode::InvalidField,
                "endDate is before startDate",
            )));
        }
        if to.millis() - from.millis() > MAX_SEARCH_DAYS * 86_400_000 {
            return Ok(Err(NoAnswer::new(
                ReturnCode::SearchPeriodTooLong,
                "the period is longer than 31 days",
            )));
        }
        let filter = SearchFilter {
            merchant_id,
            from,
            to,
            transaction_id: criteria.transaction_id.as_deref(),
            order_ref: criteria.order_ref.as_deref(),
            contract_number: criteria.contract_number.as_deref(),
            email: criteria.email.as_deref(),
            min_amount: criteria.min_amount,
            max_amount: criteria.max_amount,
        };
        let code = criteria.return_code.as_deref();
        let keep = |view: &TransactionView| code.is_none_or(|code| code == view.code.code());
        let mut views = Vec::new();
        for kind in SearchKind::ALL {
            views.extend(
                self.search_kind(kind, &filter, None, &keep, MAX_SEARCH_ROWS as usize)
                    .await?,
            );
        }
        // Oldest first across kinds; the limit comes last, after every criterion.
        views.sort_by(|a, b| (a.date.millis(), &a.id).cmp(&(b.date.millis(), &b.id)));
        views.truncate(MAX_SEARCH_ROWS as usize);
        if views.is_empty() {
            return Ok(Err(NoAnswer::new(
                ReturnCode::SearchEmpty,
                "no transaction matches the criteria",
            )));
        }
        Ok(Ok(views))
    }

    /// One page of the merchant's transactions, oldest first, strictly after `after` (the
    /// creation time and id of the last one of the previous page): at most `limit`, and whether
    /// more follow. No period limit (the JSON API's search, with cursor pagination).
    pub async fn search_after(
        &self,
        merchant_id: &MerchantId,
        criteria: &PageCriteria,
        after: Option<(Timestamp, String)>,
        limit: usize,
    ) -> Result<(Vec<TransactionView>, bool), StoreError> {
        let filter = SearchFilter {
            merchant_id,
            from: criteria.from.unwrap_or(Timestamp(0)),
            to: criteria.to.unwrap_or(Timestamp(i64::MAX)),
            transaction_id: None,
            order_ref: criteria.order_ref.as_deref(),
            contract_number: criteria.contract_number.as_deref(),
            email: None,
            min_amount: criteria.min_amount,
            max_amount: criteria.max_amount,
        };
        let status = criteria.status.as_deref();
        let method = criteria.method.as_deref();
        let keep = |view: &TransactionView| {
            status.is_none_or(|status| status == view.status || status == view.code.code())
                && method.is_none_or(|method| view.card_type.as_deref() == Some(method))
        };
        let mut views = Vec::new();
        for kind in SearchKind::ALL {
            views.extend(
                self.search_kind(kind, &filter, after.clone(), &keep, limit + 1)
                    .await?,
            );
        }
        views.sort_by(|a, b| (a.date.millis(), &a.id).cmp(&(b.date.millis(), &b.id)));
        let more = views.len() > limit;
        views.truncate(limit);
        Ok((views, more))
    }

    /// The first `wanted` transactions of one kind after `after` that match, oldest first. The
    /// store filters by every column; what cvgate derives from a row's state (its return code,
    /// its status) is checked by `keep`, page after page, until enough match or none is left.
    async fn search_kind(
        &self,
        kind: SearchKind,
        filter: &SearchFilter<'_>,
        mut after: Option<(Timestamp, String)>,
        keep: &(dyn Fn(&TransactionView) -> bool + Sync),
        wanted: usize,
    ) -> Result<Vec<TransactionView>, StoreError> {
        let rows = i64::try_from(wanted)
            .unwrap_or(MAX_SEARCH_ROWS)
            .clamp(1, MAX_SEARCH_ROWS);
        let mut found = Vec::new();
        loop {
            let cursor = after.as_ref().map(|(at, id)| (*at, id.as_str()));
            let page = self.search_page(kind, filter, cursor, rows).await?;
            let complete = (page.len() as i64) < rows;
            after = page.last().map(|view| (view.date, view.id.clone()));
            found.extend(page.into_iter().filter(|view| keep(view)));
            if complete || found.len() >= wanted {
                found.truncate(wanted);
                return Ok(found);
            }
        }
    }

    /// One page of transactions of `kind` matching the filter's columns, as views.
    async fn search_page(
        &self,
        kind: SearchKind,
        filter: &SearchFilter<'_>,
        after: SearchCursor<'_>,
        rows: i64,
    ) -> Result<Vec<TransactionView>, StoreError> {
        let mut uow = self.inner.store.read().await?;
        let mut search = uow.transaction_search();
        Ok(match kind {
            SearchKind::AncvPayments => search
                .ancv_payments(filter, after, rows)
                .await?
                .iter()
                .map(ancv_view)
                .collect(),
            SearchKind::AncvRefunds => search
                .ancv_refunds(filter, after, rows)
                .await?
                .iter()
                .map(|(refund, payment)| refund_view(refund, payment))
                .collect(),
            SearchKind::CardPayments => search
                .card_transactions(filter, after, rows)
                .await?
                .into_iter()
                .map(|row| transaction_from_row(row).map(|card| card_view(&card)))
                .collect::<Result<_, _>>()?,
            SearchKind::CardOperations => search
                .card_operations(filter, after, rows)
                .await?
                .into_iter()
                .map(|(op, card)| {
                    Ok::<_, StoreError>(operation_view(
                        &operation_from_row(op)?,
                        &transaction_from_row(card)?,
                    ))
                })
                .collect::<Result<_, _>>()?,
        })
    }

    /// Everything getTransactionDetails shows about a transaction.
    async fn describe(&self, found: Found) -> Result<TransactionDetails, StoreError> {
        match found {
            Found::Ancv(payment) => self.describe_ancv(payment).await,
            Found::Card(card) => self.describe_card(card).await,
            Found::AncvRefund(refund, payment) => {
                let view = refund_view(&refund, &payment);
                Ok(single(view, refund.updated_at, ancv_view(&payment)))
            }
            Found::CardOperation(op, card) => {
                let view = operation_view(&op, &card);
                Ok(single(view, op.updated_at, card_view(&card)))
            }
        }
    }

    /// An ANCV payment: its session, the card payment that completed it, its refunds, the states
    /// it went through.
    async fn describe_ancv(&self, payment: AncvPayment) -> Result<TransactionDetails, StoreError> {
        let mut uow = self.inner.store.read().await?;
        let session = uow
            .web_payments()
            .find_by_ancv_payment(&payment.payment_id)
            .await?;
        let events = uow.ancv_payments().events(&payment.payment_id).await?;
        let refunds = uow.ancv_refunds().of_payment(&payment.payment_id).await?;
        drop(uow);
        // The card the session counts on; one cvgate gave back (accepted after a cancellation)
        // is among the other attempts instead.
        let wanted_card = session.as_ref().and_then(|s| {
            s.session
                .card_transaction_id
                .clone()
                .filter(|id| s.session.wants_card(id))
        });
        let additional = match wanted_card {
            Some(card_id) => self
                .inner
                .card
                .find(&card_id)
                .await?
                .filter(|c| c.state == PaymentState::Accepted)
                .map(|c| card_view(&c)),
            None => None,
        };
        let amount = payment.validated_amount.unwrap_or(payment.amount);
        let history = events
            .iter()
            .map(|event| StatusEntry {
                transaction_id: payment.payment_id.clone(),
                at: event.at,
                status: event.state.as_str().to_owned(),
                amount,
            })
            .collect();
        Ok(TransactionDetails {
            transaction: ancv_view(&payment),
            session,
            additional: additional.into_iter().collect(),
            associated: refunds
                .iter()
                .map(|refund| refund_view(refund, &payment))
                .collect(),
            history,
        })
    }

    /// A card payment: its session, its captures, resets and refunds, and its history.
    async fn describe_card(&self, card: CardTransaction) -> Result<TransactionDetails, StoreError> {
        let session = match &card.attempt_group {
            Some(token) => {
                self.inner
                    .store
                    .read()
                    .await?
                    .web_payments()
                    .find(token)
                    .await?
            }
            None => None,
        };
        let operations = self.inner.card.operations(&card.id).await?;
        let mut history = vec![StatusEntry {
            transaction_id: card.id.clone(),
            at: card.created_at,
            status: card_status(&card),
            amount: card.amount,
        }];
        history.extend(operations.iter().map(|op| StatusEntry {
            transaction_id: op.id.clone(),
            at: op.updated_at,
            status: format!("{}_{}", op.kind.as_str(), operation_status(op)),
            amount: op.amount,
        }));
        Ok(TransactionDetails {
            transaction: card_view(&card),
            session,
            additional: vec![],
            associated: operations
                .iter()
                .map(|op| operation_view(op, &card))
                .collect(),
            history,
        })
    }
}

/// A refund or an operation: itself, in its current state, and the payment it applies to.
fn single(view: TransactionView, at: Timestamp, origin: TransactionView) -> TransactionDetails {
    TransactionDetails {
        history: vec![StatusEntry {
            transaction_id: view.id.clone(),
            at,
            status: view.status.clone(),
            amount: view.amount,
        }],
        associated: vec![origin],
        transaction: view,
        session: None,
        additional: vec![],
    }
}
