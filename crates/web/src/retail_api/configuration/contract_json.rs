//! Contracts between the domain and the JSON API's wire types: the currency in ISO alphabetic
//! form (`EUR`) where the domain keeps the numeric code (978).

use crate::retail_api::session_json::iso_date;
use domain::contract::{Contract, ContractChange, ContractRequest, ContractStatus};
use json_api::ContractBody;

/// `contract`, which hangs under the point of sale `pos_reference`, as the JSON API shows it.
pub(super) fn contract(contract: &Contract, pos_reference: &str) -> json_api::Contract {
    let shop_id = contract.shop_id().map(ToString::to_string);
    json_api::Contract {
        number: contract.number.to_string(),
        card_code: contract.card_code.as_str().to_owned(),
        point_of_sale_reference: pos_reference.to_owned(),
        label: contract.label.clone(),
        currency: contract.currency.alpha(),
        description: contract.description.clone(),
        status: wire_status(contract.status),
        complementary_contracts: shop_id.is_some().then(|| {
            contract
                .complementary()
                .iter()
                .map(ToString::to_string)
                .collect()
        }),
        shop_id,
        created_at: iso_date(contract.created_at),
    }
}

/// A `POST` body as a new contract and its status (active unless said otherwise); missing
/// number or card code are refused by their rules.
pub(super) fn new_contract(body: ContractBody) -> (ContractRequest, ContractStatus) {
    let status = body.status.map_or(ContractStatus::Active, domain_status);
    let request = ContractRequest {
        number: body.number.unwrap_or_default(),
        card_code: body.card_code.unwrap_or_default(),
        label: body.label,
        currency: body.currency.as_deref().map(numeric_currency),
        description: body.description,
        shop_id: body.shop_id,
        complementary: body.complementary_contracts.unwrap_or_default(),
    };
    (request, status)
}

/// A `PATCH` body as a change to a stored contract.
pub(super) fn contract_change(body: ContractBody) -> ContractChange {
    ContractChange {
        number: body.number,
        card_code: body.card_code,
        pos_reference: body.point_of_sale_reference,
        currency: body.currency.as_deref().map(numeric_currency),
        status: body.status.map(domain_status),
        label: body.label,
        description: body.description,
        shop_id: body.shop_id,
        complementary: body.complementary_contracts,
    }
}

fn domain_status(status: json_api::ContractStatus) -> ContractStatus {
    match status {
        json_api::ContractStatus::Active => ContractStatus::Active,
        json_api::ContractStatus::Inactive => ContractStatus::Inactive,
    }
}

fn wire_status(status: ContractStatus) -> json_api::ContractStatus {
    match status {
        ContractStatus::Active => json_api::ContractStatus::Active,
        ContractStatus::Inactive => json_api::ContractStatus::Inactive,
    }
}

/// `EUR` (any case) as the domain's numeric code `978`; anything else as given (an ISO numeric
/// code is taken too; the domain refuses the rest).
fn numeric_currency(code: &str) -> String {
    if code.trim().eq_ignore_ascii_case("EUR") {
        "978".to_owned()
    } else {
        code.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_currency_is_alphabetic_in_json() {
        assert_eq!(numeric_currency("eur"), "978");
        assert_eq!(numeric_currency("978"), "978");
        assert_eq!(numeric_currency("USD"), "USD");
    }
}
