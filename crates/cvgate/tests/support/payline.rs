//! The Payline v4 SOAP calls a merchant makes, as envelopes, and a reader for the answers.

const START: &str = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:impl="http://impl.ws.payline.experian.com" xmlns:obj="http://obj.ws.payline.experian.com"><soapenv:Body>"#;
const END: &str = "</soapenv:Body></soapenv:Envelope>";

/// A split-payment `doWebPayment` of the demo merchant: ANCV-DEMO, then CB-DEMO for the rest.
pub fn do_web_payment(amount: i64, order_ref: &str, email: &str) -> String {
    format!(
        "{START}<impl:doWebPaymentRequest><impl:version>34</impl:version>\
         <impl:payment><obj:amount>{amount}</obj:amount><obj:currency>978</obj:currency><obj:action>101</obj:action><obj:mode>CPT</obj:mode><obj:contractNumber>ANCV-DEMO</obj:contractNumber></impl:payment>\
         <impl:returnURL>https://shop.example/return</impl:returnURL><impl:cancelURL>https://shop.example/cancel</impl:cancelURL>\
         <impl:order><obj:ref>{order_ref}</obj:ref><obj:amount>{amount}</obj:amount><obj:currency>978</obj:currency><obj:date>27/11/2026 11:00</obj:date></impl:order>\
         <impl:selectedContractList><obj:selectedContract>ANCV-DEMO</obj:selectedContract><obj:selectedContract>CB-DEMO</obj:selectedContract></impl:selectedContractList>\
         <impl:languageCode>fr</impl:languageCode><impl:buyer><obj:email>{email}</obj:email></impl:buyer></impl:doWebPaymentRequest>{END}"
    )
}

/// `getWebPaymentDetails` of `token`.
pub fn get_web_payment_details(token: &str) -> String {
    format!(
        "{START}<impl:getWebPaymentDetailsRequest><impl:version>34</impl:version><impl:token>{token}</impl:token></impl:getWebPaymentDetailsRequest>{END}"
    )
}

/// `doRefund` (DirectPaymentAPI) of `amount` on `transaction` of `contract`.
pub fn do_refund(
    transaction: &str,
    amount: i64,
    contract: &str,
    sequence_number: Option<&str>,
) -> String {
    let sequence = sequence_number.map_or(String::new(), |n| {
        format!("<impl:sequenceNumber>{n}</impl:sequenceNumber>")
    });
    format!(
        "{START}<impl:doRefundRequest><impl:version>34</impl:version><impl:transactionID>{transaction}</impl:transactionID>\
         <impl:payment><obj:amount>{amount}</obj:amount><obj:currency>978</obj:currency><obj:action>421</obj:action><obj:mode>CPT</obj:mode><obj:contractNumber>{contract}</obj:contractNumber></impl:payment>\
         <impl:comment>refund</impl:comment>{sequence}</impl:doRefundRequest>{END}"
    )
}

/// The text of `path` (element names, any namespace) in a SOAP answer, e.g.
/// `["result", "code"]`; `None` when absent, empty or not XML.
pub fn soap_value(xml: &str, path: &[&str]) -> Option<String> {
    let doc = soap::xml::parse(xml.as_bytes()).ok()?;
    let mut element = doc.child("Body")?.children.first()?;
    for name in path {
        element = element.child(name)?;
    }
    element.own_value().map(str::to_owned)
}

/// A SOAP answer's `result.code`, or "" when it has none.
pub fn result_code(xml: &str) -> String {
    soap_value(xml, &["result", "code"]).unwrap_or_default()
}
