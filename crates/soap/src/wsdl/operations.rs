//! Each operation's request and response elements, with Payline's names, order and flags.

use super::schema::OperationSchema;

/// `doWebPayment` (WebPaymentAPI): creates a payment session and its token.
pub(super) const DO_WEB_PAYMENT: OperationSchema = OperationSchema {
    name: "doWebPayment",
    request: &[
        ("version", "xsd:string", false, false),
        ("payment", "tns1:payment", false, false),
        ("returnURL", "xsd:string", false, false),
        ("cancelURL", "xsd:string", false, false),
        ("order", "tns1:order", false, false),
        ("notificationURL", "xsd:string", false, true),
        (
            "selectedContractList",
            "tns1:selectedContractList",
            false,
            true,
        ),
        (
            "secondSelectedContractList",
            "tns1:selectedContractList",
            false,
            true,
        ),
        ("privateDataList", "tns1:privateDataList", false, true),
        ("languageCode", "xsd:string", false, true),
        ("customPaymentPageCode", "xsd:string", false, true),
        ("buyer", "tns1:buyer", true, false),
        ("owner", "tns1:owner", false, true),
        ("securityMode", "xsd:string", false, true),
        ("recurring", "tns1:recurring", false, true),
        ("customPaymentTemplateURL", "xsd:string", false, true),
        (
            "contractNumberWalletList",
            "tns1:contractNumberWalletList",
            false,
            true,
        ),
        ("merchantName", "xsd:string", false, true),
        ("subMerchant", "tns1:subMerchant", false, true),
        ("miscData", "xsd:string", false, true),
        ("asynchronousRetryTimeout", "xsd:string", false, true),
        ("threeDSInfo", "tns1:threeDSInfo", false, true),
        ("merchantScore", "xsd:string", false, true),
        ("skipSmartDisplay", "xsd:boolean", false, true),
    ],
    response: &[
        ("result", "tns1:result", false, false),
        ("token", "xsd:string", false, true),
        ("redirectURL", "xsd:string", false, true),
        ("stepCode", "xsd:string", true, true),
        ("reqCode", "xsd:string", true, true),
        ("method", "xsd:string", true, true),
    ],
};

/// `getWebPaymentDetails` (WebPaymentAPI): where a payment session stands.
pub(super) const GET_WEB_PAYMENT_DETAILS: OperationSchema = OperationSchema {
    name: "getWebPaymentDetails",
    request: &[
        ("version", "xsd:string", false, false),
        ("token", "xsd:string", false, false),
    ],
    response: &[
        ("result", "tns1:result", false, false),
        ("transaction", "tns1:transaction", false, false),
        ("payment", "tns1:payment", false, false),
        ("authorization", "tns1:authorization", false, false),
        ("privateDataList", "tns1:privateDataList", true, true),
        ("paymentRecordId", "xsd:string", true, true),
        ("billingRecordList", "tns1:billingRecordList", true, true),
        (
            "authentication3DSecure",
            "tns1:authentication3DSecure",
            true,
            true,
        ),
        ("card", "tns1:cardOut", false, false),
        ("extendedCard", "tns1:extendedCardType", true, false),
        ("order", "tns1:order", false, false),
        (
            "paymentAdditionalList",
            "tns1:paymentAdditionalList",
            true,
            true,
        ),
        ("media", "xsd:string", true, true),
        ("numberOfAttempt", "xsd:string", true, true),
        ("wallet", "tns1:wallet", true, true),
        (
            "contractNumberWalletList",
            "tns1:contractNumberWalletList",
            true,
            true,
        ),
        ("contractNumber", "xsd:string", true, false),
        ("bankAccountData", "tns1:bankAccountData", false, true),
        ("subMerchant", "tns1:subMerchant", false, true),
        ("buyer", "tns1:buyer", false, true),
        ("linkedTransactionId", "xsd:string", false, true),
        ("travelFileNumber", "xsd:string", true, true),
    ],
};

/// `doRefund` (DirectPaymentAPI): gives back (part of) a remitted transaction.
pub(super) const DO_REFUND: OperationSchema = OperationSchema {
    name: "doRefund",
    request: &[
        ("version", "xsd:string", false, false),
        ("transactionID", "xsd:string", false, false),
        ("payment", "tns1:payment", false, false),
        ("comment", "xsd:string", false, true),
        ("privateDataList", "tns1:privateDataList", false, true),
        ("sequenceNumber", "xsd:string", false, true),
        ("media", "xsd:string", false, true),
        ("details", "tns1:details", true, true),
        ("miscData", "xsd:string", false, true),
    ],
    response: &[
        ("result", "tns1:result", false, false),
        ("transaction", "tns1:transaction", false, false),
        ("miscData", "tns1:miscData", true, true),
    ],
};

/// `doReset` (DirectPaymentAPI): cancels a transaction before remittance.
pub(super) const DO_RESET: OperationSchema = OperationSchema {
    name: "doReset",
    request: &[
        ("version", "xsd:string", false, false),
        ("transactionID", "xsd:string", false, false),
        ("comment", "xsd:string", false, true),
        ("media", "xsd:string", false, true),
        ("amount", "xsd:string", false, true),
        ("currency", "xsd:string", false, true),
        ("privateDataList", "tns1:privateDataList", true, true),
        ("sequenceNumber", "xsd:string", false, true),
    ],
    response: &[
        ("result", "tns1:result", false, false),
        ("transaction", "tns1:transaction", false, false),
    ],
};

/// `doCapture` (DirectPaymentAPI): captures an authorization.
pub(super) const DO_CAPTURE: OperationSchema = OperationSchema {
    name: "doCapture",
    request: &[
        ("version", "xsd:string", false, false),
        ("transactionID", "xsd:string", false, false),
        ("payment", "tns1:payment", false, false),
        ("privateDataList", "tns1:privateDataList", false, true),
        ("sequenceNumber", "xsd:string", false, true),
        ("media", "xsd:string", false, true),
        ("miscData", "xsd:string", false, true),
    ],
    response: &[
        ("result", "tns1:result", false, false),
        ("transaction", "tns1:transaction", false, false),
        ("reAuthorization", "xsd:string", false, true),
    ],
};

/// `doAuthorization` (DirectPaymentAPI): a server-to-server card authorization.
pub(super) const DO_AUTHORIZATION: OperationSchema = OperationSchema {
    name: "doAuthorization",
    request: &[
        ("transient", "xsd:string", false, true),
        ("version", "xsd:string", false, false),
        ("payment", "tns1:payment", false, false),
        ("bankAccountData", "tns1:bankAccountData", false, false),
        ("card", "tns1:card", false, false),
        ("order", "tns1:order", false, false),
        ("buyer", "tns1:buyer", false, true),
        ("owner", "tns1:owner", false, true),
        ("privateDataList", "tns1:privateDataList", false, true),
        (
            "authentication3DSecure",
            "tns1:authentication3DSecure",
            false,
            true,
        ),
        ("media", "xsd:string", false, true),
        ("subMerchant", "tns1:subMerchant", false, true),
        ("asynchronousRetryTimeout", "xsd:string", false, true),
        ("linkedTransactionId", "xsd:string", false, true),
        ("threeDSInfo", "tns1:threeDSInfo", false, true),
        ("travelFileNumber", "xsd:string", true, true),
        ("recurring", "tns1:recurring", false, true),
    ],
    response: &[
        ("transient", "xsd:string", false, true),
        ("result", "tns1:result", false, false),
        ("transaction", "tns1:transaction", false, false),
        ("authorization", "tns1:authorization", false, false),
        ("card", "tns1:cardOut", false, false),
        ("extendedCard", "tns1:extendedCardType", false, false),
        ("privateDataList", "tns1:privateDataList", false, true),
        ("contractNumber", "xsd:string", false, false),
        ("linkedTransactionId", "xsd:string", false, true),
        ("travelFileNumber", "xsd:string", true, true),
        (
            "authentication3DSecure",
            "tns1:authentication3DSecure",
            true,
            true,
        ),
        ("resultContainer", "xsd:string", false, true),
    ],
};

/// `getTransactionDetails` (ExtendedAPI): one transaction, optionally with its history.
pub(super) const GET_TRANSACTION_DETAILS: OperationSchema = OperationSchema {
    name: "getTransactionDetails",
    request: &[
        ("version", "xsd:string", false, false),
        ("transactionId", "xsd:string", false, true),
        ("orderRef", "xsd:string", false, true),
        ("startDate", "xsd:string", false, true),
        ("endDate", "xsd:string", false, true),
        ("transactionHistory", "xsd:string", false, true),
        ("archiveSearch", "xsd:string", false, true),
    ],
    response: &[
        ("result", "tns1:result", false, false),
        ("transaction", "tns1:transaction", false, true),
        ("payment", "tns1:payment", false, true),
        ("authorization", "tns1:authorization", false, true),
        ("order", "tns1:order", false, true),
        ("buyer", "tns1:buyer", false, true),
        ("privateDataList", "tns1:privateDataList", false, true),
        ("card", "tns1:cardOut", false, false),
        ("extendedCard", "tns1:extendedCardType", false, false),
        (
            "associatedTransactionsList",
            "tns1:associatedTransactionsList",
            false,
            true,
        ),
        ("statusHistoryList", "tns1:statusHistoryList", false, true),
        ("media", "xsd:string", false, true),
        ("customerMedia", "tns1:media", false, false),
        ("contractNumber", "xsd:string", false, false),
        (
            "paymentAdditionalList",
            "tns1:paymentAdditionalList",
            true,
            true,
        ),
        ("bankAccountData", "tns1:bankAccountData", false, true),
        ("subMerchant", "tns1:subMerchant", false, true),
        (
            "authentication3DSecure",
            "tns1:authentication3DSecure",
            true,
            true,
        ),
        ("pointOfSell", "tns1:pointOfSell", false, false),
        ("routingRule", "tns1:routingRule", false, false),
        ("linkedTransactionId", "xsd:string", false, true),
        ("travelFileNumber", "xsd:string", true, true),
    ],
};

/// Every criterion is a string; only the period is mandatory.
/// `transactionsSearch` (ExtendedAPI): the transactions matching some criteria.
pub(super) const TRANSACTIONS_SEARCH: OperationSchema = OperationSchema {
    name: "transactionsSearch",
    request: &[
        ("version", "xsd:string", false, false),
        ("transactionId", "xsd:string", false, true),
        ("orderRef", "xsd:string", false, true),
        ("startDate", "xsd:string", false, false),
        ("endDate", "xsd:string", false, false),
        ("contractNumber", "xsd:string", false, true),
        ("authorizationNumber", "xsd:string", false, true),
        ("returnCode", "xsd:string", false, true),
        ("paymentMean", "xsd:string", false, true),
        ("transactionType", "xsd:string", false, true),
        ("name", "xsd:string", false, true),
        ("firstName", "xsd:string", false, true),
        ("email", "xsd:string", false, true),
        ("cardNumber", "xsd:string", false, true),
        ("currency", "xsd:string", false, true),
        ("minAmount", "xsd:string", false, true),
        ("maxAmount", "xsd:string", false, true),
        ("walletId", "xsd:string", false, true),
        ("sequenceNumber", "xsd:string", false, true),
        ("token", "xsd:string", false, true),
        ("pointOfSellId", "xsd:string", false, true),
        ("cardNetwork", "xsd:string", false, true),
        ("threeDSecured", "xsd:string", false, true),
        ("customerMediaId", "xsd:string", false, true),
    ],
    response: &[
        ("result", "tns1:result", false, false),
        ("transactionList", "tns1:transactionList", false, true),
    ],
};
