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
    pub version: Option<String>,
    pub transaction_id: Option<String>,
    pub order_ref: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub transaction_history: Option<String>,
    pub archive_search: Option<String>,
}

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
    pub version: Option<String>,
    pub transaction_id: Option<String>,
    pub order_ref: Option<String>,
    /// `dd/mm/yyyy`.
    pub start_date: Option<String>,
    /// `dd/mm/yyyy`.
    pub end_date: Option<String>,
    pub contract_number: Option<String>,
    pub authorization_number: Option<String>,
    pub return_code: Option<String>,
    pub payment_mean: Option<String>,
    pub transaction_type: Option<String>,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub email: Option<String>,
    /// May be a full card number: never printed.
    pub card_number: Option<Sensitive>,
    pub currency: Option<String>,
    pub min_amount: Option<String>,
    pub max_amount: Option<String>,
    pub wallet_id: Option<String>,
    pub sequence_number: Option<String>,
    pub token: Option<String>,
    pub point_of_sell_id: Option<String>,
    pub card_network: Option<String>,
    pub three_d_secured: Option<String>,
    pub customer_media_id: Option<String>,
}

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
    pub result: ResultOut,
    pub transaction: Option<TransactionOut>,
    pub payment: Option<PaymentOut>,
    pub authorization: Option<AuthorizationOut>,
    pub order: Option<OrderOut>,
    pub buyer: Option<BuyerOut>,
    pub private_data: Vec<(String, String)>,
    pub card: CardOut,
    pub extended_card: ExtendedCardOut,
    pub associated_transactions: Vec<AssociatedTransactionOut>,
    pub status_history: Vec<StatusHistoryOut>,
    pub media: Option<String>,
    pub contract_number: Option<String>,
    pub payment_additional: Vec<PaymentAdditionalOut>,
    pub three_d_secure: Option<AuthenticationOut>,
    pub point_of_sell: PointOfSellOut,
}

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
    pub result: ResultOut,
    pub transactions: Vec<TransactionOut>,
}

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
