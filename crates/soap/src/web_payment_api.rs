//! WebPaymentAPI: `doWebPayment` and `getWebPaymentDetails`, read from and written to SOAP.

use crate::decode::{self, text};
use crate::objects::{
    AuthenticationOut, AuthorizationOut, BuyerOut, CardOut, ExtendedCardOut, OrderOut,
    PaymentAdditionalOut, PaymentOut, ResultOut, TransactionOut, write_list, write_private_data,
};
use crate::writer::{Ns, XmlWriter};
use crate::xml::Element;
use domain::web_payment::request::WebPaymentRequest;

const I: Ns = Ns::Impl;

fn contract_list(body: &Element, name: &str) -> Vec<String> {
    body.present(name)
        .map(|list| {
            list.children_named("selectedContract")
                .filter_map(Element::own_value)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Reads a `doWebPaymentRequest`; unknown extra elements are ignored.
pub fn decode_do_web_payment(body: &Element) -> WebPaymentRequest {
    WebPaymentRequest {
        version: text(body, "version"),
        payment: decode::payment(body),
        return_url: text(body, "returnURL"),
        cancel_url: text(body, "cancelURL"),
        order: decode::order(body),
        notification_url: text(body, "notificationURL"),
        selected_contracts: contract_list(body, "selectedContractList"),
        second_selected_contracts: contract_list(body, "secondSelectedContractList"),
        private_data: decode::private_data(body),
        language_code: text(body, "languageCode"),
        buyer: decode::buyer(body),
        custom_payment_page_code: text(body, "customPaymentPageCode"),
        merchant_name: text(body, "merchantName"),
    }
}

/// The token of a `getWebPaymentDetailsRequest`.
pub fn decode_token(body: &Element) -> Option<String> {
    text(body, "token")
}

/// What `doWebPayment` answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DoWebPaymentOut {
    /// Payline `result`: `00000` when the session was created, else the validation error.
    pub result: ResultOut,
    /// Payline `token`: the session's opaque, URL-safe token; nil on error.
    pub token: Option<String>,
    /// Payline `redirectURL`: the absolute URL of the hosted payment page for this token; nil on
    /// error.
    pub redirect_url: Option<String>,
}

/// The `doWebPaymentResponse` envelope.
pub fn write_do_web_payment(out: &DoWebPaymentOut) -> String {
    XmlWriter::response("doWebPaymentResponse", |w| {
        w.complex(I, "result", |w| out.result.write(w));
        w.leaf(I, "token", out.token.as_deref());
        w.leaf(I, "redirectURL", out.redirect_url.as_deref());
        w.nil(I, "stepCode");
        w.nil(I, "reqCode");
        w.nil(I, "method");
    })
}

/// Everything `getWebPaymentDetails` answers. The top level describes the first means of
/// payment; a split payment's card part is in `payment_additional`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebPaymentDetailsOut {
    /// Payline `result`: where the session stands (payline-v4.md §4), or its final outcome.
    pub result: ResultOut,
    /// Payline `transaction`: the first means of payment's transaction (the ANCV one of a split
    /// payment).
    pub transaction: TransactionOut,
    /// Payline `payment`: the first means of payment's amount, currency, action and contract.
    pub payment: PaymentOut,
    /// Payline `authorization`: the first means of payment's authorization.
    pub authorization: AuthorizationOut,
    /// Payline `privateDataList`: the merchant's (key, value) pairs from `doWebPayment`.
    pub private_data: Vec<(String, String)>,
    /// Payline `authentication3DSecure`: a top-level card payment's 3-D Secure authentication; nil
    /// otherwise.
    pub three_d_secure: Option<AuthenticationOut>,
    /// Payline `card`: the card used, masked (an ANCV payment: the masked ANCV account).
    pub card: CardOut,
    /// Payline `extendedCard`: the card's issuer and network, where known.
    pub extended_card: ExtendedCardOut,
    /// Payline `order`: the merchant's order from `doWebPayment`.
    pub order: OrderOut,
    /// Payline `paymentAdditionalList`: the complementary card payment of a split payment; empty
    /// otherwise.
    pub payment_additional: Vec<PaymentAdditionalOut>,
    /// Payline `media`: the device the buyer paid from (`Computer`, `Mobile`, …).
    pub media: Option<String>,
    /// Payline `numberOfAttempt`: how many payment attempts the buyer made.
    pub number_of_attempt: Option<String>,
    /// Payline `contractNumber`: the contract of the first means of payment.
    pub contract_number: Option<String>,
    /// Payline `buyer`: the buyer from `doWebPayment`.
    pub buyer: Option<BuyerOut>,
}

/// The `getWebPaymentDetailsResponse` envelope.
pub fn write_web_payment_details(out: &WebPaymentDetailsOut) -> String {
    XmlWriter::response("getWebPaymentDetailsResponse", |w| {
        w.complex(I, "result", |w| out.result.write(w));
        w.complex(I, "transaction", |w| out.transaction.write(w));
        w.complex(I, "payment", |w| out.payment.write(w));
        w.complex(I, "authorization", |w| out.authorization.write(w));
        write_private_data(w, I, &out.private_data);
        w.nil(I, "paymentRecordId");
        w.nil(I, "billingRecordList");
        w.optional(
            I,
            "authentication3DSecure",
            out.three_d_secure.as_ref(),
            |w, a| a.write(w),
        );
        w.complex(I, "card", |w| out.card.write(w));
        w.complex(I, "extendedCard", |w| out.extended_card.write(w));
        w.complex(I, "order", |w| out.order.write(w));
        write_list(
            w,
            I,
            "paymentAdditionalList",
            "paymentAdditional",
            &out.payment_additional,
            |w, additional| additional.write(w),
        );
        w.leaf(I, "media", out.media.as_deref());
        w.leaf(I, "numberOfAttempt", out.number_of_attempt.as_deref());
        w.nil(I, "wallet");
        w.nil(I, "contractNumberWalletList");
        w.required(I, "contractNumber", out.contract_number.as_deref());
        w.nil(I, "bankAccountData");
        w.nil(I, "subMerchant");
        w.optional(I, "buyer", out.buyer.as_ref(), |w, b| b.write(w));
        w.nil(I, "linkedTransactionId");
        w.nil(I, "travelFileNumber");
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::parse_request;
    use crate::xml;

    #[test]
    fn a_minimal_request_decodes() {
        let request = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
            <doWebPaymentRequest xmlns="http://impl.ws.payline.experian.com" xmlns:o="http://obj.ws.payline.experian.com">
              <version>34</version>
              <payment><o:amount>6000</o:amount><o:currency>978</o:currency><o:action>101</o:action><o:mode>CPT</o:mode><o:contractNumber>ANCV-DEMO</o:contractNumber></payment>
              <returnURL>https://shop/r</returnURL><cancelURL>https://shop/c</cancelURL>
              <order><o:ref>o1</o:ref><o:amount>6000</o:amount><o:currency>978</o:currency><o:date>27/11/2026 10:00</o:date></order>
              <selectedContractList><o:selectedContract>CB-DEMO</o:selectedContract></selectedContractList>
              <privateDataList><o:privateData><o:key>k</o:key><o:value>v</o:value></o:privateData></privateDataList>
              <buyer><o:email>a@b.example</o:email></buyer>
              <futureField>ignored</futureField>
            </doWebPaymentRequest></s:Body></s:Envelope>"#;
        let decoded = decode_do_web_payment(&parse_request(request.as_bytes()).unwrap().body);
        assert_eq!(
            decoded.payment.as_ref().unwrap().contract_number.as_deref(),
            Some("ANCV-DEMO")
        );
        assert_eq!(decoded.selected_contracts, ["CB-DEMO"]);
        assert_eq!(decoded.private_data, [("k".to_owned(), "v".to_owned())]);
        assert_eq!(decoded.buyer.email.as_deref(), Some("a@b.example"));
        assert_eq!(
            decoded.order.unwrap().date.as_deref(),
            Some("27/11/2026 10:00")
        );
    }

    #[test]
    fn details_write_every_element_in_order() {
        let out = WebPaymentDetailsOut {
            result: ResultOut {
                code: "02533".into(),
                short_message: "INPROGRESS".into(),
                long_message: "x".into(),
                ..Default::default()
            },
            payment_additional: vec![PaymentAdditionalOut::default()],
            ..Default::default()
        };
        let doc = xml::parse(write_web_payment_details(&out).as_bytes()).unwrap();
        let body = &doc.children[0].children[0];
        let names: Vec<&str> = body.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "result",
                "transaction",
                "payment",
                "authorization",
                "privateDataList",
                "paymentRecordId",
                "billingRecordList",
                "authentication3DSecure",
                "card",
                "extendedCard",
                "order",
                "paymentAdditionalList",
                "media",
                "numberOfAttempt",
                "wallet",
                "contractNumberWalletList",
                "contractNumber",
                "bankAccountData",
                "subMerchant",
                "buyer",
                "linkedTransactionId",
                "travelFileNumber"
            ]
        );
        let additional = body
            .child("paymentAdditionalList")
            .unwrap()
            .child("paymentAdditional")
            .unwrap();
        assert_eq!(additional.namespace.as_deref(), Some(crate::OBJ_NS));
        assert_eq!(body.child("result").unwrap().value("code"), Some("02533"));
    }
}
