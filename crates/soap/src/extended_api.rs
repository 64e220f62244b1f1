//! ExtendedAPI: `getTransactionDetails` and `transactionsSearch`, read from and written to SOAP
//! (payline-v4.md §6).

use crate::decode::{sensitive, text};
use crate::objects::{
    AssociatedTransactionOut, AuthenticationOut, AuthorizationOut, BuyerOut, CardOut,
    ExtendedCardOut, OrderOut, PaymentAdditionalOut, PaymentOut, PointOfSellOut, ResultOut,
    StatusHistoryOut, TransactionOut, write_list, write_private_data,
};
use crate::sensitive::Sensitive;
use crate::writer::{Ns, XmlWriter};
use crate::xml::Element;

const I: Ns = Ns::Impl;

/// A `getTransactionDetailsRequest`: by `transactionId`, or by `orderRef` (optionally within
/// `startDate`..`endDate`); `transactionHistory=Y` asks for the history lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionDetailsIn {
    /// Payline `version`: the API version the client speaks (e.g. `34`).
    pub version: Option<String>,
    /// Payline `transactionId`: the transaction asked for.
    pub transaction_id: Option<String>,
    /// Payline `orderRef`: the merchant's order reference, when no `transactionId` is given.
    pub order_ref: Option<String>,
    /// Payline `startDate`: with `orderRef`, the start of the period searched (`dd/mm/yyyy`).
    pub start_date: Option<String>,
    /// Payline `endDate`: with `orderRef`, the end of the period searched (`dd/mm/yyyy`).
    pub end_date: Option<String>,
    /// Payline `transactionHistory`: `Y` asks for the associated transactions and the status
    /// history.
    pub transaction_history: Option<String>,
    /// Payline `archiveSearch`: whether to search archived transactions too (read, not acted on).
    pub archive_search: Option<String>,
}

/// Reads a `getTransactionDetailsRequest` wrapper element.
pub fn decode_get_transaction_details(body: &Element) -> TransactionDetailsIn {
    TransactionDetailsIn {
        version: text(body, "version"),
        transaction_id: text(body, "transactionId"),
        order_ref: text(body, "orderRef"),
        start_date: text(body, "startDate"),
        end_date: text(body, "endDate"),
        transaction_history: text(body, "transactionHistory"),
        archive_search: text(body, "archiveSearch"),
    }
}

/// A `transactionsSearchRequest`: every criterion of the schema, in its order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SearchIn {
    /// Payline `version`: the API version the client speaks (e.g. `34`).
    pub version: Option<String>,
    /// Payline `transactionId`: only this transaction.
    pub transaction_id: Option<String>,
    /// Payline `orderRef`: only transactions of this order reference.
    pub order_ref: Option<String>,
    /// Payline `startDate`: the first day searched, `dd/mm/yyyy` (the period is at most 31 days).
    pub start_date: Option<String>,
    /// Payline `endDate`: the last day searched, `dd/mm/yyyy`.
    pub end_date: Option<String>,
    /// Payline `contractNumber`: only transactions through this contract.
    pub contract_number: Option<String>,
    /// Payline `authorizationNumber`: only transactions with this authorization number.
    pub authorization_number: Option<String>,
    /// Payline `returnCode`: only transactions with this five-digit result code.
    pub return_code: Option<String>,
    /// Payline `paymentMean`: only transactions paid by this means (card type).
    pub payment_mean: Option<String>,
    /// Payline `transactionType`: only transactions of this kind.
    pub transaction_type: Option<String>,
    /// Payline `name`: only transactions of buyers with this family name.
    pub name: Option<String>,
    /// Payline `firstName`: only transactions of buyers with this given name.
    pub first_name: Option<String>,
    /// Payline `email`: only transactions of buyers with this e-mail address.
    pub email: Option<String>,
    /// Payline `cardNumber`: only transactions with this card; may be a full card number, so
    /// never printed.
    pub card_number: Option<Sensitive>,
    /// Payline `currency`: only transactions in this ISO 4217 numeric currency.
    pub currency: Option<String>,
    /// Payline `minAmount`: only transactions of at least this amount, minor units.
    pub min_amount: Option<String>,
    /// Payline `maxAmount`: only transactions of at most this amount, minor units.
    pub max_amount: Option<String>,
    /// Payline `walletId`: only transactions paid from this wallet.
    pub wallet_id: Option<String>,
    /// Payline `sequenceNumber`: only the operation made with this idempotency key.
    pub sequence_number: Option<String>,
    /// Payline `token`: only transactions of this web payment session.
    pub token: Option<String>,
    /// Payline `pointOfSellId`: only transactions of this point of sale.
    pub point_of_sell_id: Option<String>,
    /// Payline `cardNetwork`: only transactions through this card network.
    pub card_network: Option<String>,
    /// Payline `threeDSecured`: only transactions with (`Y`) or without (`N`) 3-D Secure.
    pub three_d_secured: Option<String>,
    /// Payline `customerMediaId`: only transactions from this customer device.
    pub customer_media_id: Option<String>,
}

/// Reads a `transactionsSearchRequest` wrapper element.
pub fn decode_transactions_search(body: &Element) -> SearchIn {
    SearchIn {
        version: text(body, "version"),
        transaction_id: text(body, "transactionId"),
        order_ref: text(body, "orderRef"),
        start_date: text(body, "startDate"),
        end_date: text(body, "endDate"),
        contract_number: text(body, "contractNumber"),
        authorization_number: text(body, "authorizationNumber"),
        return_code: text(body, "returnCode"),
        payment_mean: text(body, "paymentMean"),
        transaction_type: text(body, "transactionType"),
        name: text(body, "name"),
        first_name: text(body, "firstName"),
        email: text(body, "email"),
        card_number: sensitive(body, "cardNumber"),
        currency: text(body, "currency"),
        min_amount: text(body, "minAmount"),
        max_amount: text(body, "maxAmount"),
        wallet_id: text(body, "walletId"),
        sequence_number: text(body, "sequenceNumber"),
        token: text(body, "token"),
        point_of_sell_id: text(body, "pointOfSellId"),
        card_network: text(body, "cardNetwork"),
        three_d_secured: text(body, "threeDSecured"),
        customer_media_id: text(body, "customerMediaId"),
    }
}

/// Everything `getTransactionDetails` answers. `None` and empty lists are written nil; the
/// history lists stay empty unless `transactionHistory=Y` was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionDetailsOut {
    /// Payline `result`: the transaction's own result code (or why none was found).
    pub result: ResultOut,
    /// Payline `transaction`: the transaction; nil when none was found.
    pub transaction: Option<TransactionOut>,
    /// Payline `payment`: its amount, currency, action and contract.
    pub payment: Option<PaymentOut>,
    /// Payline `authorization`: the acquirer's (or ANCV's) authorization.
    pub authorization: Option<AuthorizationOut>,
    /// Payline `order`: the web payment session's order; nil for a transaction without one.
    pub order: Option<OrderOut>,
    /// Payline `buyer`: the web payment session's buyer; nil for a transaction without one.
    pub buyer: Option<BuyerOut>,
    /// Payline `privateDataList`: the session's (key, value) pairs.
    pub private_data: Vec<(String, String)>,
    /// Payline `card`: the card used, its number masked.
    pub card: CardOut,
    /// Payline `extendedCard`: the card's issuer and network, where known.
    pub extended_card: ExtendedCardOut,
    /// Payline `associatedTransactionsList`: every operation on the transaction (with history
    /// only).
    pub associated_transactions: Vec<AssociatedTransactionOut>,
    /// Payline `statusHistoryList`: every status it went through (with history only).
    pub status_history: Vec<StatusHistoryOut>,
    /// Payline `media`: the device the buyer paid from (`Computer`, `Mobile`, …).
    pub media: Option<String>,
    /// Payline `contractNumber`: the contract the transaction went through.
    pub contract_number: Option<String>,
    /// Payline `paymentAdditionalList`: the other means of payment of a split payment.
    pub payment_additional: Vec<PaymentAdditionalOut>,
    /// Payline `authentication3DSecure`: the 3-D Secure authentication; nil when there was none.
    pub three_d_secure: Option<AuthenticationOut>,
    /// Payline `pointOfSell`: the point of sale the transaction belongs to.
    pub point_of_sell: PointOfSellOut,
}

/// The `getTransactionDetailsResponse` envelope.
pub fn write_transaction_details(out: &TransactionDetailsOut) -> String {
    XmlWriter::response("getTransactionDetailsResponse", |w| {
        w.complex(I, "result", |w| out.result.write(w));
        w.optional(I, "transaction", out.transaction.as_ref(), |w, t| {
            t.write(w)
        });
        w.optional(I, "payment", out.payment.as_ref(), |w, p| p.write(w));
        w.optional(I, "authorization", out.authorization.as_ref(), |w, a| {
            a.write(w)
        });
        w.optional(I, "order", out.order.as_ref(), |w, o| o.write(w));
        w.optional(I, "buyer", out.buyer.as_ref(), |w, b| b.write(w));
        write_private_data(w, I, &out.private_data);
        w.complex(I, "card", |w| out.card.write(w));
        w.complex(I, "extendedCard", |w| out.extended_card.write(w));
        write_list(
            w,
            I,
            "associatedTransactionsList",
            "associatedTransactions",
            &out.associated_transactions,
            |w, entry| entry.write(w),
        );
        write_list(
            w,
            I,
            "statusHistoryList",
            "statusHistory",
            &out.status_history,
            |w, entry| entry.write(w),
        );
        w.leaf(I, "media", out.media.as_deref());
        // Required and not nillable, all five children too: cvgate records no customer media.
        w.complex(I, "customerMedia", |w| {
            for name in ["id", "label", "operatingSystem", "browser", "userAgent"] {
                w.required(Ns::Obj, name, None);
            }
        });
        w.required(I, "contractNumber", out.contract_number.as_deref());
        write_list(
            w,
            I,
            "paymentAdditionalList",
            "paymentAdditional",
            &out.payment_additional,
            |w, additional| additional.write(w),
        );
        w.nil(I, "bankAccountData");
        w.nil(I, "subMerchant");
        w.optional(
            I,
            "authentication3DSecure",
            out.three_d_secure.as_ref(),
            |w, a| a.write(w),
        );
        w.complex(I, "pointOfSell", |w| out.point_of_sell.write(w));
        // Required, not nillable: cvgate has no routing rules, so every child is nil.
        w.complex(I, "routingRule", |w| {
            for name in ["id", "sourceContractNumber", "targetContractNumber"] {
                w.nil(Ns::Obj, name);
            }
        });
        w.nil(I, "linkedTransactionId");
        w.nil(I, "travelFileNumber");
    })
}

/// What `transactionsSearch` answers: one `transaction` per match (with its `payment`, `card`
/// and `extendedCard`), nil when nothing matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchOut {
    /// Payline `result`: `00000`, or why nothing is listed (02310 no match, 02320 period too long).
    pub result: ResultOut,
    /// Payline `transactionList`: the matching transactions.
    pub transactions: Vec<TransactionOut>,
}

/// The `transactionsSearchResponse` envelope.
pub fn write_transactions_search(out: &SearchOut) -> String {
    XmlWriter::response("transactionsSearchResponse", |w| {
        w.complex(I, "result", |w| out.result.write(w));
        write_list(
            w,
            I,
            "transactionList",
            "transaction",
            &out.transactions,
            |w, transaction| transaction.write(w),
        );
    })
}

#[cfg(test)]
mod tests;
