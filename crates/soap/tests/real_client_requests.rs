//! The request envelopes exactly as the official Payline PHP SDK puts them on the wire (test data
//! in ../shared/conformance, never copied into the repository) all parse, whatever their prefixes,
//! nils and empty lists.

use std::path::PathBuf;

fn conformance_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/payline-requests");
    dir.is_dir().then_some(dir)
}

#[test]
fn official_sdk_requests_parse() {
    let Some(dir) = conformance_dir() else {
        eprintln!(
            "!!! SKIPPED official_sdk_requests_parse: ../shared/conformance/payline-requests is absent"
        );
        return;
    };
    let expected = [
        ("doWebPayment.xml", "doWebPayment"),
        ("getWebPaymentDetails.xml", "getWebPaymentDetails"),
        ("doRefund.xml", "doRefund"),
        ("doReset.xml", "doReset"),
        ("doCapture.xml", "doCapture"),
        ("doAuthorization.xml", "doAuthorization"),
        ("getTransactionDetails.xml", "getTransactionDetails"),
        ("transactionsSearch.xml", "transactionsSearch"),
    ];
    for (file, operation) in expected {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let request =
            soap::envelope::parse_request(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(request.operation, operation, "{file}");
    }
    let web = soap::envelope::parse_request(&std::fs::read(dir.join("doWebPayment.xml")).unwrap())
        .unwrap();
    let payment = web.body.present("payment").unwrap();
    assert_eq!(payment.value("contractNumber"), Some("ANCV-DEMO"));
    assert_eq!(
        payment.value("differedActionDate"),
        None,
        "xsi:nil reads as absent"
    );
    let contracts: Vec<&str> = web
        .body
        .present("selectedContractList")
        .unwrap()
        .children_named("selectedContract")
        .filter_map(|c| c.own_value())
        .collect();
    assert_eq!(contracts, ["ANCV-DEMO", "CB-DEMO"]);
    assert_eq!(
        web.body.present("buyer").unwrap().value("email"),
        Some("camille.martin@example.com")
    );
}
