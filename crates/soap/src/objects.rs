//! Payline's `obj` complex types as cvgate writes them, each with every element in schema order
//! (from the official schema; the writer is the only place that knows the order).

use crate::writer::{Ns, XmlWriter};

const O: Ns = Ns::Obj;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultOut {
    pub code: String,
    pub short_message: String,
    pub long_message: String,
    pub partner_code: Option<String>,
    pub partner_code_label: Option<String>,
}

impl ResultOut {
    pub fn write(&self, w: &mut XmlWriter) {
        w.required(O, "code", Some(&self.code));
        w.leaf(O, "shortMessage", Some(&self.short_message));
        w.leaf(O, "longMessage", Some(&self.long_message));
        w.leaf(O, "partnerCode", self.partner_code.as_deref());
        w.leaf(O, "partnerCodeLabel", self.partner_code_label.as_deref());
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionOut {
    pub id: Option<String>,
    /// `dd/mm/yyyy HH:mm:ss`, Europe/Paris.
    pub date: Option<String>,
    pub is_duplicated: Option<String>,
    pub is_possible_fraud: Option<String>,
    pub three_d_secure: Option<String>,
    pub soft_descriptor: Option<String>,
    /// Payline's free text for what the partner said: `key=value` pairs, e.g.
    /// `ancvTransactionId=fiawa31zot` for an ANCV Connect transaction.
    pub partner_additional_data: Option<String>,
    pub customer_id: Option<String>,
    /// e.g. `AUTHOR+CAP`.
    pub kind: Option<String>,
    pub order_reference: Option<String>,
    /// Filled where the transaction stands alone (a `transactionsSearch` row); nil otherwise.
    pub payment: Option<PaymentOut>,
    pub card: Option<CardOut>,
    pub extended_card: Option<ExtendedCardOut>,
}

impl TransactionOut {
    pub fn write(&self, w: &mut XmlWriter) {
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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentOut {
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub action: Option<String>,
    pub mode: Option<String>,
    pub contract_number: Option<String>,
    pub differed_action_date: Option<String>,
    pub soft_descriptor: Option<String>,
    pub card_brand: Option<String>,
}

impl PaymentOut {
    pub fn write(&self, w: &mut XmlWriter) {
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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationOut {
    pub number: Option<String>,
    pub date: Option<String>,
    pub authorized_amount: Option<String>,
    pub authorized_currency: Option<String>,
}

impl AuthorizationOut {
    pub fn write(&self, w: &mut XmlWriter) {
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
    pub number: Option<String>,
    pub kind: Option<String>,
    /// `MMYY`.
    pub expiration_date: Option<String>,
    pub cardholder: Option<String>,
    pub token: Option<String>,
}

impl CardOut {
    pub fn write(&self, w: &mut XmlWriter) {
        w.leaf(O, "number", self.number.as_deref());
        w.leaf(O, "type", self.kind.as_deref());
        w.leaf(O, "expirationDate", self.expiration_date.as_deref());
        w.leaf(O, "cardholder", self.cardholder.as_deref());
        w.leaf(O, "token", self.token.as_deref());
        w.nil(O, "panType");
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtendedCardOut {
    pub country: Option<String>,
    pub kind: Option<String>,
    pub network: Option<String>,
}

impl ExtendedCardOut {
    pub fn write(&self, w: &mut XmlWriter) {
        w.leaf(O, "country", self.country.as_deref());
        w.nil(O, "isCvd");
        w.nil(O, "bank");
        w.leaf(O, "type", self.kind.as_deref());
        w.leaf(O, "network", self.network.as_deref());
        w.nil(O, "product");
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderOut {
    pub reference: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub date: Option<String>,
}

impl OrderOut {
    pub fn write(&self, w: &mut XmlWriter) {
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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuyerOut {
    pub title: Option<String>,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub email: Option<String>,
    pub mobile_phone: Option<String>,
    pub customer_id: Option<String>,
}

impl BuyerOut {
    pub fn write(&self, w: &mut XmlWriter) {
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
    pub transaction: TransactionOut,
    pub payment: PaymentOut,
    pub authorization: AuthorizationOut,
    pub three_d_secure: Option<AuthenticationOut>,
    pub card: Option<CardOut>,
    pub extended_card: Option<ExtendedCardOut>,
}

impl PaymentAdditionalOut {
    pub fn write(&self, w: &mut XmlWriter) {
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
    pub eci: Option<String>,
    pub authentication_result: Option<String>,
}

impl AuthenticationOut {
    pub fn write(&self, w: &mut XmlWriter) {
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
    pub transaction_id: Option<String>,
    /// e.g. `AUTHOR`, `CAPTURE`, `REFUND`, `RESET`.
    pub kind: Option<String>,
    pub date: Option<String>,
    pub amount: Option<String>,
    pub status: Option<String>,
    pub origin_transaction_id: Option<String>,
    pub currency: Option<String>,
}

impl AssociatedTransactionOut {
    pub fn write(&self, w: &mut XmlWriter) {
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
    pub transaction_id: Option<String>,
    pub date: Option<String>,
    pub amount: Option<String>,
    pub fees: Option<String>,
    pub status: Option<String>,
    pub origin_transaction_id: Option<String>,
    pub amount_value: Option<String>,
    pub amount_currency: Option<String>,
    pub fees_value: Option<String>,
    pub fees_currency: Option<String>,
}

impl StatusHistoryOut {
    pub fn write(&self, w: &mut XmlWriter) {
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
    pub id: Option<String>,
    pub label: Option<String>,
}

impl PointOfSellOut {
    pub fn write(&self, w: &mut XmlWriter) {
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
pub fn write_list<T>(
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
pub fn write_private_data(w: &mut XmlWriter, ns: Ns, entries: &[(String, String)]) {
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
