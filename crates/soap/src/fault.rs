//! SOAP 1.1 Faults: only for malformed XML, unknown operations and internal failures (business
//! outcomes are HTTP 200 with a `result`).

use crate::writer::{XmlWriter, escape_into};

/// Who is at fault: the SOAP `faultcode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// The request is at fault (malformed, unknown operation).
    Client,
    /// cvgate failed.
    Server,
}

/// The Fault envelope (sent with HTTP 500).
pub fn fault(code: FaultCode, message: &str) -> String {
    let code = match code {
        FaultCode::Client => "SOAP-ENV:Client",
        FaultCode::Server => "SOAP-ENV:Server",
    };
    let mut writer = XmlWriter::envelope_start();
    let mut escaped = String::new();
    escape_into(&mut escaped, message);
    writer.raw(&format!(
        "<SOAP-ENV:Fault><faultcode>{code}</faultcode><faultstring>{escaped}</faultstring></SOAP-ENV:Fault>"
    ));
    writer.envelope_end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml;

    #[test]
    fn faults_parse_back() {
        let doc = xml::parse(fault(FaultCode::Client, "bad <xml>").as_bytes()).unwrap();
        let fault = &doc.children[0].children[0];
        assert_eq!(fault.name, "Fault");
        assert_eq!(fault.value("faultcode"), Some("SOAP-ENV:Client"));
        assert_eq!(fault.value("faultstring"), Some("bad <xml>"));
    }
}
