//! The calls the benchmark makes to cvgate as the demo merchant: SOAP (doWebPayment,
//! getWebPaymentDetails) and the JSON API's sessions.

use crate::cvgate_server::Server;

/// The demo merchant's credentials on one cvgate.
#[derive(Clone)]
pub struct Cvgate {
    pub base: String,
    merchant: String,
    key: String,
    pub http: reqwest::Client,
    /// For the page's forms, answered with redirects.
    pub no_redirects: reqwest::Client,
}

impl Cvgate {
    /// The demo merchant of `server`, from what it printed.
    pub fn of(server: &Server) -> Result<Cvgate, String> {
        let merchant = server
            .printed("merchant id:")
            .ok_or("cvgate printed no demo merchant (is the database new?)")?;
        let key = server
            .printed("access key:")
            .ok_or("cvgate printed no access key")?;
        Ok(Cvgate {
            base: server.base.clone(),
            merchant,
            key,
            http: reqwest::Client::new(),
            no_redirects: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| e.to_string())?,
        })
    }

    /// A SOAP call answered 200 with a result (any code: a session under way is 02306): the
    /// answer.
    pub async fn soap(&self, api: &str, envelope: String) -> Option<String> {
        let answer = self
            .http
            .post(format!("{}/V4/services/{api}", self.base))
            .basic_auth(&self.merchant, Some(&self.key))
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(envelope)
            .send()
            .await
            .ok()?;
        if answer.status() != reqwest::StatusCode::OK {
            return None;
        }
        let body = answer.text().await.ok()?;
        body.contains("result>").then_some(body)
    }

    /// getWebPaymentDetails: the answer (any result code).
    pub async fn details(&self, token: &str) -> Option<String> {
        let envelope = format!(
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:impl="http://impl.ws.payline.experian.com"><soapenv:Body><impl:getWebPaymentDetailsRequest><impl:version>34</impl:version><impl:token>{token}</impl:token></impl:getWebPaymentDetailsRequest></soapenv:Body></soapenv:Envelope>"#
        );
        self.soap("WebPaymentAPI", envelope).await
    }

    /// transactionsSearch of the days `start` to `end` (dd/mm/yyyy, both included): the answer.
    pub async fn transactions_search(&self, start: &str, end: &str) -> Option<String> {
        let envelope = format!(
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:impl="http://impl.ws.payline.experian.com"><soapenv:Body><impl:transactionsSearchRequest><impl:version>34</impl:version><impl:startDate>{start}</impl:startDate><impl:endDate>{end}</impl:endDate></impl:transactionsSearchRequest></soapenv:Body></soapenv:Envelope>"#
        );
        self.soap("ExtendedAPI", envelope).await
    }

    /// doWebPayment of the demo merchant's split payment (order `n`): the token.
    pub async fn do_web_payment(&self, n: u64) -> Option<String> {
        let envelope = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://impl.ws.payline.experian.com" xmlns:ns2="http://obj.ws.payline.experian.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><SOAP-ENV:Body><ns1:doWebPaymentRequest><ns1:version>34</ns1:version><ns1:payment><ns2:amount>6000</ns2:amount><ns2:currency>978</ns2:currency><ns2:action>101</ns2:action><ns2:mode>CPT</ns2:mode><ns2:contractNumber>ANCV-DEMO</ns2:contractNumber><ns2:differedActionDate xsi:nil="true"/></ns1:payment><ns1:returnURL>https://shop.example/return</ns1:returnURL><ns1:cancelURL>https://shop.example/cancel</ns1:cancelURL><ns1:order><ns2:ref>bench-{n}</ns2:ref><ns2:amount>6000</ns2:amount><ns2:currency>978</ns2:currency><ns2:date>02/12/2026 11:00</ns2:date><ns2:details/></ns1:order><ns1:notificationURL xsi:nil="true"/><ns1:selectedContractList><ns2:selectedContract>ANCV-DEMO</ns2:selectedContract><ns2:selectedContract>CB-DEMO</ns2:selectedContract></ns1:selectedContractList><ns1:secondSelectedContractList xsi:nil="true"/><ns1:privateDataList/><ns1:languageCode>fr</ns1:languageCode><ns1:buyer><ns2:lastName>Martin</ns2:lastName><ns2:firstName>Camille</ns2:firstName><ns2:email>camille.martin@example.com</ns2:email></ns1:buyer></ns1:doWebPaymentRequest></SOAP-ENV:Body></SOAP-ENV:Envelope>"#
        );
        let body = self
            .soap("WebPaymentAPI", envelope)
            .await
            .filter(|body| body.contains(">00000<"))?;
        let start = body.find("token>")? + "token>".len();
        let end = start + body[start..].find('<')?;
        Some(body[start..end].to_owned())
    }

    /// Whether the JSON API answers 2xx for session `id`.
    pub async fn session(&self, id: &str) -> bool {
        let url = format!("{}/v1/checkout/payments/sessions/{id}", self.base);
        let sent = self
            .http
            .get(url)
            .basic_auth(&self.merchant, Some(&self.key))
            .send()
            .await;
        matches!(sent, Ok(answer) if answer.status().is_success())
    }

    /// A JSON API session (order `n`): its id.
    pub async fn create_session(&self, n: u64) -> Option<String> {
        let body = serde_json::json!({
            "pointOfSaleReference": "DEMO-SHOP",
            "order": {"reference": format!("bench-json-{n}"), "amount": 6000, "currency": "EUR"},
            "buyer": {"email": "camille.martin@example.com"},
            "returnURL": "https://shop.example/return"
        });
        let answer = self
            .http
            .post(format!("{}/v1/checkout/payments/sessions", self.base))
            .basic_auth(&self.merchant, Some(&self.key))
            .json(&body)
            .send()
            .await
            .ok()?;
        if !answer.status().is_success() {
            return None;
        }
        let created: serde_json::Value = answer.json().await.ok()?;
        created["sessionId"].as_str().map(str::to_owned)
    }
}
