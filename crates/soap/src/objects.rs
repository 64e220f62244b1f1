//! Payline's `obj` complex types as cvgate writes them, each with every element in schema order
//! (from the official schema; the writer is the only place that knows the order).

use crate::writer::{Ns, XmlWriter};

const O: Ns = Ns::Obj;

/// Payline `result`: the outcome of a call (codes in payline-v4.md §2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultOut {
    /// Payline `code`: the five-digit return code, leading zeros kept (`00000` = accepted).
    pub code: String,
    /// Payline `shortMessage`: the code's status word (`ACCEPTED`, `INPROGRESS`, `REFUSED`,
    /// `ERROR`, …).
    pub short_message: String,
    /// Payline `longMessage`: an English sentence explaining the outcome (names the faulty field
    /// for 02305).
    pub long_message: String,
    /// Payline `partnerCode`: the partner's own state or error code (ANCV outcomes), nil otherwise.
    pub partner_code: Option<String>,
    /// Payline `partnerCodeLabel`: words for `partnerCode`.
    pub partner_code_label: Option<String>,
}

impl ResultOut {
    /// Writes the children of `result`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.required(O, "code", Some(&self.code));
        w.leaf(O, "shortMessage", Some(&self.short_message));
        w.leaf(O, "longMessage", Some(&self.long_message));
        w.leaf(O, "partnerCode", self.partner_code.as_deref());
        w.leaf(O, "partnerCodeLabel", self.partner_code_label.as_deref());
    }
}

/// Payline `transaction`: one transaction; the elements cvgate has no data for are written nil.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionOut {
    /// Payline `id`: the transaction's unique id, a numeric string in Payline's style.
    pub id: Option<String>,
    /// Payline `date`: when the transaction was made, `dd/mm/yyyy HH:mm:ss` Europe/Paris.
    pub date: Option<String>,
    /// Payline `isDuplicated`: `1` when the transaction repeats an earlier one, else `0`.
    pub is_duplicated: Option<String>,
    /// Payline `isPossibleFraud`: `1` when flagged as possible fraud, else `0`.
    pub is_possible_fraud: Option<String>,
    /// Payline `threeDSecure`: `Y` when the card payment went through 3-D Secure, else `N`.
    pub three_d_secure: Option<String>,
    /// Payline `softDescriptor`: the text shown on the buyer's bank statement.
    pub soft_descriptor: Option<String>,
    /// Payline `partnerAdditionalData`: free text for what the partner said, `key=value` pairs
    /// (e.g. `ancvTransactionId=fiawa31zot` for an ANCV Connect transaction).
    pub partner_additional_data: Option<String>,
    /// Payline `customerId`: the merchant's own id for the buyer (`buyer.customerId`).
    pub customer_id: Option<String>,
    /// Payline `type`: the kind of transaction, e.g. `AUTHOR+CAP`.
    pub kind: Option<String>,
    /// Payline `orderReference`: the merchant's order reference (`order.ref`).
    pub order_reference: Option<String>,
    /// Payline `payment`: filled where the transaction stands alone (a `transactionsSearch` row);
    /// nil otherwise.
    pub payment: Option<PaymentOut>,
    /// Payline `card`: the card used (masked), where the transaction stands alone; nil otherwise.
    pub card: Option<CardOut>,
    /// Payline `extendedCard`: the card's issuer and network, where known; nil otherwise.
    pub extended_card: Option<ExtendedCardOut>,
}

impl TransactionOut {
    /// Writes the children of `transaction`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.required(O, "id", self.id.as_deref());
        w.required(O, "date", self.date.as_deref());
        w.leaf(O, "isDuplicated", self.is_duplicated.as_deref());
        w.leaf(O, "isPossibleFraud", self.is_possible_fraud.as_deref());
        w.nil(O, "fraudResult");
        w.nil(O, "fraudResultDetails");
        w.nil(O, "explanation");
        w.leaf(O, "threeDSecure", self.three_d_secure.as_deref());
        w.leaf(O, "softDescriptor", self.soft_descriptor.as_deref());
        w.nil(O, "score");
        w.nil(O, "scoring");
        w.nil(O, "externalWalletType");
        w.nil(O, "externalWalletContractNumber");
        w.leaf(
            O,
            "partnerAdditionalData",
            self.partner_additional_data.as_deref(),
        );
        w.nil(O, "avs");
        w.leaf(O, "customerId", self.customer_id.as_deref());
        w.required(O, "type", self.kind.as_deref());
        w.leaf(O, "orderReference", self.order_reference.as_deref());
        w.optional(O, "payment", self.payment.as_ref(), |w, p| p.write(w));
        w.nil(O, "pointOfSell");
        w.optional(O, "card", self.card.as_ref(), |w, c| c.write(w));
        w.optional(O, "extendedCard", self.extended_card.as_ref(), |w, c| {
            c.write(w)
        });
    }
}

/// Payline `payment`: how much was paid, in which currency, through which contract and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentOut {
    /// Payline `amount`: minor units (`1000` = 10.00 €).
    pub amount: Option<String>,
    /// Payline `currency`: ISO 4217 numeric code (`978` = euro).
    pub currency: Option<String>,
    /// Payline `action`: the operation code, e.g. `100` authorization, `101` authorization +
    /// capture, `201` capture, `421` refund.
    pub action: Option<String>,
    /// Payline `mode`: how the amount is paid; cvgate writes `CPT` (in full, at once).
    pub mode: Option<String>,
    /// Payline `contractNumber`: the merchant's contract (means of payment) the payment went
    /// through.
    pub contract_number: Option<String>,
    /// Payline `differedActionDate`: when a deferred (`DIF`) payment is to be processed.
    pub differed_action_date: Option<String>,
    /// Payline `softDescriptor`: the text shown on the buyer's bank statement.
    pub soft_descriptor: Option<String>,
    /// Payline `cardBrand`: the card type the buyer paid with (`CB`, `VISA`, …).
    pub card_brand: Option<String>,
}

impl PaymentOut {
    /// Writes the children of `payment`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.leaf(O, "amount", self.amount.as_deref());
        w.required(O, "currency", self.currency.as_deref());
        w.required(O, "action", self.action.as_deref());
        w.required(O, "mode", self.mode.as_deref());
        w.leaf(O, "contractNumber", self.contract_number.as_deref());
        w.leaf(
            O,
            "differedActionDate",
            self.differed_action_date.as_deref(),
        );
        w.nil(O, "method");
        w.leaf(O, "softDescriptor", self.soft_descriptor.as_deref());
        w.leaf(O, "cardBrand", self.card_brand.as_deref());
        w.nil(O, "registrationToken");
        w.nil(O, "cumulatedAmount");
    }
}

/// Payline `authorization`: the acquirer's (or ANCV's) agreement to the payment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationOut {
    /// Payline `number`: the authorization number given by the acquirer or ANCV.
    pub number: Option<String>,
    /// Payline `date`: when it was authorized, `dd/mm/yyyy HH:mm:ss` Europe/Paris.
    pub date: Option<String>,
    /// Payline `authorizedAmount`: the amount authorized, minor units.
    pub authorized_amount: Option<String>,
    /// Payline `authorizedCurrency`: ISO 4217 numeric currency of `authorizedAmount`.
    pub authorized_currency: Option<String>,
}

impl AuthorizationOut {
    /// Writes the children of `authorization`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.required(O, "number", self.number.as_deref());
        w.required(O, "date", self.date.as_deref());
        w.leaf(O, "authorizedAmount", self.authorized_amount.as_deref());
        w.leaf(O, "authorizedCurrency", self.authorized_currency.as_deref());
        w.nil(O, "reattempt");
    }
}

/// `cardOut`: never more than the masked number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardOut {
    /// Payline `number`: the masked card number (an ANCV payment: the masked ANCV account).
    pub number: Option<String>,
    /// Payline `type`: the card type (`CB`, `VISA`, …; `ANCV_CONNECT` for an ANCV payment).
    pub kind: Option<String>,
    /// Payline `expirationDate`: `MMYY`.
    pub expiration_date: Option<String>,
    /// Payline `cardholder`: the name on the card.
    pub cardholder: Option<String>,
    /// Payline `token`: the card's token, to pay again with it without its number.
    pub token: Option<String>,
}

impl CardOut {
    /// Writes the children of `card`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.leaf(O, "number", self.number.as_deref());
        w.leaf(O, "type", self.kind.as_deref());
        w.leaf(O, "expirationDate", self.expiration_date.as_deref());
        w.leaf(O, "cardholder", self.cardholder.as_deref());
        w.leaf(O, "token", self.token.as_deref());
        w.nil(O, "panType");
    }
}

/// Payline `extendedCard`: what is known of the card's issuer and network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtendedCardOut {
    /// Payline `country`: the country that issued the card.
    pub country: Option<String>,
    /// Payline `type`: the card type (`CB`, `VISA`, …).
    pub kind: Option<String>,
    /// Payline `network`: the card network the payment went through.
    pub network: Option<String>,
}

impl ExtendedCardOut {
    /// Writes the children of `extendedCard`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.leaf(O, "country", self.country.as_deref());
        w.nil(O, "isCvd");
        w.nil(O, "bank");
        w.leaf(O, "type", self.kind.as_deref());
        w.leaf(O, "network", self.network.as_deref());
        w.nil(O, "product");
    }
}

/// Payline `order`: the merchant's order, as given to `doWebPayment`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderOut {
    /// Payline `ref`: the merchant's order reference (≤ 50 characters).
    pub reference: Option<String>,
    /// Payline `amount`: the order's total, minor units.
    pub amount: Option<String>,
    /// Payline `currency`: ISO 4217 numeric code.
    pub currency: Option<String>,
    /// Payline `date`: when the order was placed, `dd/mm/yyyy HH:mm` as the merchant sent it.
    pub date: Option<String>,
}

impl OrderOut {
    /// Writes the children of `order`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.required(O, "ref", self.reference.as_deref());
        for name in ["origin", "country", "taxes"] {
            w.nil(O, name);
        }
        w.required(O, "amount", self.amount.as_deref());
        w.required(O, "currency", self.currency.as_deref());
        w.required(O, "date", self.date.as_deref());
        for name in [
            "details",
            "deliveryTime",
            "deliveryMode",
            "deliveryExpectedDate",
            "deliveryExpectedDelay",
            "deliveryCharge",
            "discountAmount",
            "otaPackageType",
            "otaDestinationCountry",
            "bookingReference",
            "orderDetail",
            "orderExtended",
            "orderOTA",
        ] {
            w.nil(O, name);
        }
    }
}

/// Payline `buyer`: who pays, as the merchant described them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuyerOut {
    /// Payline `title`: the buyer's title (civility), as the merchant sent it.
    pub title: Option<String>,
    /// Payline `lastName`: the buyer's family name.
    pub last_name: Option<String>,
    /// Payline `firstName`: the buyer's given name.
    pub first_name: Option<String>,
    /// Payline `email`: the buyer's e-mail address (mandatory with ANCV Connect).
    pub email: Option<String>,
    /// Payline `mobilePhone`: the buyer's mobile phone number.
    pub mobile_phone: Option<String>,
    /// Payline `customerId`: the merchant's own id for the buyer.
    pub customer_id: Option<String>,
}

impl BuyerOut {
    /// Writes the children of `buyer`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.leaf(O, "title", self.title.as_deref());
        w.leaf(O, "lastName", self.last_name.as_deref());
        w.leaf(O, "firstName", self.first_name.as_deref());
        w.leaf(O, "email", self.email.as_deref());
        for name in [
            "shippingAdress",
            "billingAddress",
            "accountCreateDate",
            "accountAverageAmount",
            "accountOrderCount",
            "walletId",
            "walletDisplayed",
            "walletSecured",
            "walletCardInd",
            "ip",
        ] {
            w.nil(O, name);
        }
        w.leaf(O, "mobilePhone", self.mobile_phone.as_deref());
        w.leaf(O, "customerId", self.customer_id.as_deref());
        for name in [
            "legalStatus",
            "legalDocumentType",
            "legalDocument",
            "birthDate",
            "fingerprintID",
            "deviceFingerprint",
            "isBot",
            "isIncognito",
            "isBehindProxy",
            "isFromTor",
            "isEmulator",
            "isRooted",
            "hasTimezoneMismatch",
            "loyaltyMemberType",
            "buyerExtended",
            "merchantAuthentication",
        ] {
            w.nil(O, name);
        }
    }
}

/// One means of payment of a split payment: the complementary card payment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentAdditionalOut {
    /// Payline `transaction`: the complementary card transaction.
    pub transaction: TransactionOut,
    /// Payline `payment`: the remainder paid by card, with its card contract.
    pub payment: PaymentOut,
    /// Payline `authorization`: the card authorization.
    pub authorization: AuthorizationOut,
    /// Payline `authentication3DSecure`: the card's 3-D Secure authentication; nil when there was
    /// none.
    pub three_d_secure: Option<AuthenticationOut>,
    /// Payline `card`: the card used (masked); nil when unknown.
    pub card: Option<CardOut>,
    /// Payline `extendedCard`: the card's issuer and network; nil when unknown.
    pub extended_card: Option<ExtendedCardOut>,
}

impl PaymentAdditionalOut {
    /// Writes the children of `paymentAdditional`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.complex(O, "transaction", |w| self.transaction.write(w));
        w.complex(O, "payment", |w| self.payment.write(w));
        w.complex(O, "authorization", |w| self.authorization.write(w));
        w.optional(
            O,
            "authentication3DSecure",
            self.three_d_secure.as_ref(),
            |w, a| a.write(w),
        );
        w.optional(O, "card", self.card.as_ref(), |w, c| c.write(w));
        w.optional(O, "extendedCard", self.extended_card.as_ref(), |w, c| {
            c.write(w)
        });
    }
}

/// `authentication3DSecure`: what is known of the 3-D Secure authentication.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthenticationOut {
    /// Payline `eci`: the Electronic Commerce Indicator the authentication yielded.
    pub eci: Option<String>,
    /// Payline `authenticationResult`: how the authentication went (`FRICTIONLESS`, `CHALLENGE`).
    pub authentication_result: Option<String>,
}

impl AuthenticationOut {
    /// Writes the children of `authentication3DSecure`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        for name in ["md", "pares", "xid"] {
            w.nil(O, name);
        }
        w.leaf(O, "eci", self.eci.as_deref());
        for name in [
            "cavv",
            "cavvAlgorithm",
            "vadsResult",
            "typeSecurisation",
            "PaResStatus",
            "VeResStatus",
            "resultContainer",
        ] {
            w.nil(O, name);
        }
        w.leaf(
            O,
            "authenticationResult",
            self.authentication_result.as_deref(),
        );
    }
}

/// One operation in a transaction's life (the authorization, a capture, a refund, …), as
/// `getTransactionDetails` lists it with `transactionHistory=Y`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssociatedTransactionOut {
    /// Payline `transactionId`: the id of this operation's transaction.
    pub transaction_id: Option<String>,
    /// Payline `type`: the kind of operation, e.g. `AUTHOR`, `CAPTURE`, `REFUND`, `RESET`.
    pub kind: Option<String>,
    /// Payline `date`: when it happened, `dd/mm/yyyy HH:mm:ss` Europe/Paris.
    pub date: Option<String>,
    /// Payline `amount`: minor units.
    pub amount: Option<String>,
    /// Payline `status`: its state (`ACCEPTED`, `PENDING`, …, or a refusal such as
    /// `REFUSED_01100`).
    pub status: Option<String>,
    /// Payline `originTransactionId`: the transaction this operation applies to; empty for the
    /// original.
    pub origin_transaction_id: Option<String>,
    /// Payline `currency`: ISO 4217 numeric code.
    pub currency: Option<String>,
}

impl AssociatedTransactionOut {
    /// Writes the children of `associatedTransactions`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.required(O, "transactionId", self.transaction_id.as_deref());
        w.required(O, "type", self.kind.as_deref());
        w.required(O, "date", self.date.as_deref());
        w.required(O, "amount", self.amount.as_deref());
        w.required(O, "status", self.status.as_deref());
        w.required(
            O,
            "originTransactionId",
            self.origin_transaction_id.as_deref(),
        );
        w.leaf(O, "currency", self.currency.as_deref());
    }
}

/// One status a transaction went through, as `getTransactionDetails` lists it with
/// `transactionHistory=Y`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusHistoryOut {
    /// Payline `transactionId`: the transaction that went through this status.
    pub transaction_id: Option<String>,
    /// Payline `date`: when it did, `dd/mm/yyyy HH:mm:ss` Europe/Paris.
    pub date: Option<String>,
    /// Payline `amount`: the amount concerned, minor units.
    pub amount: Option<String>,
    /// Payline `fees`: the fees charged, minor units (empty: cvgate charges none).
    pub fees: Option<String>,
    /// Payline `status`: the state reached (`ACCEPTED`, `PENDING`, …, or a refusal such as
    /// `REFUSED_01100`).
    pub status: Option<String>,
    /// Payline `originTransactionId`: the transaction this one applies to; empty for the original.
    pub origin_transaction_id: Option<String>,
    /// Payline `amountValue`: the amount in minor units, paired with `amountCurrency`.
    pub amount_value: Option<String>,
    /// Payline `amountCurrency`: ISO 4217 numeric currency of `amountValue`.
    pub amount_currency: Option<String>,
    /// Payline `feesValue`: the fees in minor units, paired with `feesCurrency`.
    pub fees_value: Option<String>,
    /// Payline `feesCurrency`: ISO 4217 numeric currency of `feesValue`.
    pub fees_currency: Option<String>,
}

impl StatusHistoryOut {
    /// Writes the children of `statusHistory`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.required(O, "transactionId", self.transaction_id.as_deref());
        w.required(O, "date", self.date.as_deref());
        w.required(O, "amount", self.amount.as_deref());
        w.required(O, "fees", self.fees.as_deref());
        w.required(O, "status", self.status.as_deref());
        w.required(
            O,
            "originTransactionId",
            self.origin_transaction_id.as_deref(),
        );
        w.leaf(O, "amountValue", self.amount_value.as_deref());
        w.leaf(O, "amountCurrency", self.amount_currency.as_deref());
        w.leaf(O, "feesValue", self.fees_value.as_deref());
        w.leaf(O, "feesCurrency", self.fees_currency.as_deref());
    }
}

/// `pointOfSell` where the schema requires one: what cvgate knows of the point of sale, every
/// other element nil and the two lists empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PointOfSellOut {
    /// Payline `id`: the point of sale's identifier.
    pub id: Option<String>,
    /// Payline `label`: the point of sale's name.
    pub label: Option<String>,
}

impl PointOfSellOut {
    /// Writes the children of `pointOfSell`, in schema order.
    pub(crate) fn write(&self, w: &mut XmlWriter) {
        w.leaf(O, "id", self.id.as_deref());
        w.nil(O, "siret");
        w.nil(O, "codeMcc");
        w.leaf(O, "label", self.label.as_deref());
        for name in [
            "webmasterEmail",
            "comments",
            "webstoreURL",
            "notificationURL",
            "privateLifeURL",
            "saleCondURL",
            "buyerMustAcceptSaleCond",
            "endOfPaymentRedirection",
            "ticketSend",
        ] {
            w.nil(O, name);
        }
        w.complex(O, "contracts", |_| {});
        w.nil(O, "virtualTerminal");
        w.complex(O, "customPaymentPageCodeList", |_| {});
        w.nil(O, "reference");
    }
}

/// A list element holding one `item` per entry, or nil when there is none.
pub(crate) fn write_list<T>(
    w: &mut XmlWriter,
    ns: Ns,
    list: &str,
    item: &str,
    entries: &[T],
    write: impl Fn(&mut XmlWriter, &T),
) {
    if entries.is_empty() {
        return w.nil(ns, list);
    }
    w.complex(ns, list, |w| {
        for entry in entries {
            w.complex(O, item, |w| write(w, entry));
        }
    });
}

/// `privateDataList`, or nil when empty.
pub(crate) fn write_private_data(w: &mut XmlWriter, ns: Ns, entries: &[(String, String)]) {
    write_list(
        w,
        ns,
        "privateDataList",
        "privateData",
        entries,
        |w, (key, value)| {
            w.required(O, "key", Some(key));
            w.required(O, "value", Some(value));
        },
    );
}
