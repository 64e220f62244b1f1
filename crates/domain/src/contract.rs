//! Contracts: a payment-method agreement under a point of sale, identified by its number.
//!
//! An `ANCV_CONNECT` contract carries the merchant's ANCV Shop ID and the card contracts that take
//! the complementary payment when the beneficiary validates less than the total in the app.

use crate::FieldError;
use crate::clock::Timestamp;
use crate::field_error::optional_text;
use crate::merchant::MerchantId;
use crate::money::Currency;
use crate::point_of_sale::PosId;
use std::fmt;

/// How many complementary contracts one ANCV contract may list (Payline's list limit).
pub const MAX_COMPLEMENTARY: usize = 25;

/// The payment method of a contract (Payline's `card_code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardCode {
    /// ANCV Chèque-Vacances Connect (holiday vouchers validated in the ANCV app); not a card.
    AncvConnect,
    /// Carte Bancaire, France's co-branded debit scheme; takes any card brand.
    Cb,
    /// VISA cards only.
    Visa,
    /// Mastercard cards only.
    Mastercard,
    /// American Express cards only.
    Amex,
}

impl CardCode {
    /// Every payment method once, in the order the error message lists them.
    pub const ALL: [CardCode; 5] = [
        CardCode::AncvConnect,
        CardCode::Cb,
        CardCode::Visa,
        CardCode::Mastercard,
        CardCode::Amex,
    ];

    /// The Payline spelling (`ANCV_CONNECT`, `CB`, …): on the wire, in the CLI, in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            CardCode::AncvConnect => "ANCV_CONNECT",
            CardCode::Cb => "CB",
            CardCode::Visa => "VISA",
            CardCode::Mastercard => "MASTERCARD",
            CardCode::Amex => "AMEX",
        }
    }

    /// Reads a [`CardCode::as_str`] spelling, trimmed, in any case; `field` names it in the error.
    pub fn parse(field: &str, value: &str) -> Result<CardCode, FieldError> {
        let value = value.trim();
        CardCode::ALL
            .into_iter()
            .find(|code| code.as_str().eq_ignore_ascii_case(value))
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "must be one of ANCV_CONNECT, CB, VISA, MASTERCARD, AMEX",
                )
            })
    }

    /// Card contracts can take a complementary payment; ANCV Connect cannot.
    pub fn is_card(self) -> bool {
        match self {
            CardCode::AncvConnect => false,
            CardCode::Cb | CardCode::Visa | CardCode::Mastercard | CardCode::Amex => true,
        }
    }
}

impl fmt::Display for CardCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A contract number: unique per merchant, 1 to 20 characters among letters, digits, `-`, `_`, `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContractNumber(String);

impl ContractNumber {
    /// Checks a number as typed (trimmed): 1 to 20 of letters, digits, `-`, `_`, `.`.
    pub fn parse(field: &str, value: &str) -> Result<ContractNumber, FieldError> {
        let value = value.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if value.is_empty() || value.len() > 20 || !value.chars().all(allowed) {
            return Err(FieldError::new(
                field,
                "must be 1 to 20 characters among letters, digits, '-', '_' and '.'",
            ));
        }
        Ok(ContractNumber(value.to_owned()))
    }

    /// The number as stored and sent as Payline's `contractNumber`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContractNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The merchant's identifier at ANCV ("point d'accueil"): digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShopId(String);

impl ShopId {
    /// Checks a Shop ID as typed (trimmed): 1 to 20 ASCII digits.
    pub fn parse(field: &str, value: &str) -> Result<ShopId, FieldError> {
        let value = value.trim();
        if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(field, "must be 1 to 20 digits"));
        }
        Ok(ShopId(value.to_owned()))
    }

    /// The digits, as sent to ANCV in `merchant.shopId`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ShopId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a contract may take payments; stored as `active` / `inactive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractStatus {
    /// Usable for new payments.
    Active,
    /// Disabled by an operator: refused with 02303 for new payments.
    Inactive,
}

impl ContractStatus {
    /// The stored form: `active` or `inactive`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Active => "active",
            ContractStatus::Inactive => "inactive",
        }
    }

    /// Reads the stored form back; `field` names the input in the error.
    pub fn parse(field: &str, value: &str) -> Result<ContractStatus, FieldError> {
        match value {
            "active" => Ok(ContractStatus::Active),
            "inactive" => Ok(ContractStatus::Inactive),
            _ => Err(FieldError::new(field, "must be active or inactive")),
        }
    }
}

/// What depends on the payment method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodSettings {
    /// An `ANCV_CONNECT` contract.
    AncvConnect {
        /// The merchant's ANCV Shop ID, sent as `merchant.shopId`.
        shop_id: ShopId,
        /// Card contracts of the same point of sale, in the order they are offered.
        complementary: Vec<ContractNumber>,
    },
    /// A card contract (CB, VISA, MASTERCARD, AMEX): nothing more to configure.
    Card,
}

/// A stored contract of a merchant's point of sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    /// The merchant that owns the contract.
    pub merchant_id: MerchantId,
    /// The contract number, unique per merchant.
    pub number: ContractNumber,
    /// The point of sale the contract hangs under.
    pub pos_id: PosId,
    /// The payment method.
    pub card_code: CardCode,
    /// Short name (at most 50 characters); the number when none was given.
    pub label: String,
    /// The currency the contract takes (EUR only for ANCV_CONNECT).
    pub currency: Currency,
    /// Free operator notes (at most 255 characters, may be empty).
    pub description: String,
    /// Whether the contract may take new payments.
    pub status: ContractStatus,
    /// What depends on the payment method (ANCV Shop ID, complementary contracts).
    pub method: MethodSettings,
    /// When the contract was created.
    pub created_at: Timestamp,
}

impl MethodSettings {
    /// The ANCV Shop ID; `None` for a card contract.
    pub fn shop_id(&self) -> Option<&ShopId> {
        match self {
            MethodSettings::AncvConnect { shop_id, .. } => Some(shop_id),
            MethodSettings::Card => None,
        }
    }

    /// The complementary card contracts (none for a card contract).
    pub fn complementary(&self) -> &[ContractNumber] {
        match self {
            MethodSettings::AncvConnect { complementary, .. } => complementary,
            MethodSettings::Card => &[],
        }
    }
}

impl Contract {
    /// The ANCV Shop ID; `None` for a card contract.
    pub fn shop_id(&self) -> Option<&ShopId> {
        self.method.shop_id()
    }

    /// The complementary card contracts, in the order offered (empty for a card contract).
    pub fn complementary(&self) -> &[ContractNumber] {
        self.method.complementary()
    }
}

/// A contract as an operator asks for it, before any check.
#[derive(Debug, Clone, Default)]
pub struct ContractRequest {
    /// The contract number as typed (`--number`).
    pub number: String,
    /// The payment method as typed (`ANCV_CONNECT`, `CB`, …; any case).
    pub card_code: String,
    /// Short name; the number when absent or empty.
    pub label: Option<String>,
    /// ISO 4217 numeric code; EUR (`978`) when absent.
    pub currency: Option<String>,
    /// Free notes; empty when absent.
    pub description: Option<String>,
    /// The ANCV Shop ID; required for ANCV_CONNECT, refused otherwise.
    pub shop_id: Option<String>,
    /// Numbers of complementary card contracts (ANCV_CONNECT only; at most 25, no repeats).
    pub complementary: Vec<String>,
}

/// A contract whose own fields are valid; what it refers to is checked by
/// [`check_complementary`] against the stored contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContract {
    /// The contract number.
    pub number: ContractNumber,
    /// The payment method.
    pub card_code: CardCode,
    /// Short name, defaulted to the number.
    pub label: String,
    /// The currency, defaulted to EUR.
    pub currency: Currency,
    /// Free notes, possibly empty.
    pub description: String,
    /// Method-specific settings, checked on their own but not against other contracts yet.
    pub method: MethodSettings,
}

impl ContractRequest {
    /// Checks every field on its own; the first failure wins, in the order of the CLI flags.
    pub fn validate(&self) -> Result<NewContract, FieldError> {
        let number = ContractNumber::parse("number", &self.number)?;
        let card_code = CardCode::parse("card_code", &self.card_code)?;
        let label = optional_text("label", self.label.as_deref().unwrap_or(""), 50)?;
        let currency = match &self.currency {
            Some(code) => Currency::parse("currency", code)?,
            None => Currency::EUR,
        };
        let description = optional_text(
            "description",
            self.description.as_deref().unwrap_or(""),
            255,
        )?;
        let method = match card_code {
            CardCode::AncvConnect => self.ancv_settings(currency)?,
            CardCode::Cb | CardCode::Visa | CardCode::Mastercard | CardCode::Amex => {
                if self.shop_id.is_some() {
                    return Err(FieldError::new(
                        "shop_id",
                        "only applies to ANCV_CONNECT contracts",
                    ));
                }
                if !self.complementary.is_empty() {
                    return Err(FieldError::new(
                        "complementary",
                        "only applies to ANCV_CONNECT contracts",
                    ));
                }
                MethodSettings::Card
            }
        };
        Ok(NewContract {
            label: if label.is_empty() {
                number.as_str().to_owned()
            } else {
                label
            },
            number,
            card_code,
            currency,
            description,
            method,
        })
    }

    fn ancv_settings(&self, currency: Currency) -> Result<MethodSettings, FieldError> {
        if currency != Currency::EUR {
            return Err(FieldError::new(
                "currency",
                "must be 978 (EUR) for an ANCV_CONNECT contract: ANCV accepts euros only",
            ));
        }
        let shop_id = match self.shop_id.as_deref() {
            Some(value) => ShopId::parse("shop_id", value)?,
            None => {
                return Err(FieldError::new(
                    "shop_id",
                    "is required for an ANCV_CONNECT contract",
                ));
            }
        };
        if self.complementary.len() > MAX_COMPLEMENTARY {
            return Err(FieldError::new(
                "complementary",
                format!("at most {MAX_COMPLEMENTARY} complementary contracts"),
            ));
        }
        let mut complementary: Vec<ContractNumber> = Vec::with_capacity(self.complementary.len());
        for value in &self.complementary {
            let number = ContractNumber::parse("complementary", value)?;
            if complementary.contains(&number) {
                return Err(FieldError::new(
                    "complementary",
                    format!("lists {number} twice"),
                ));
            }
            complementary.push(number);
        }
        Ok(MethodSettings::AncvConnect {
            shop_id,
            complementary,
        })
    }
}

/// A change to a stored contract: `None` keeps the current value. Number, payment method,
/// currency and point of sale name what the contract is and cannot change: given, each must be
/// the current one.
#[derive(Debug, Clone, Default)]
pub struct ContractChange {
    /// The number, if the caller repeats it.
    pub number: Option<String>,
    /// The payment method, if the caller repeats it (any case).
    pub card_code: Option<String>,
    /// The point of sale's reference, if the caller repeats it.
    pub pos_reference: Option<String>,
    /// The ISO 4217 numeric code, if the caller repeats it.
    pub currency: Option<String>,
    /// Active or inactive from now on.
    pub status: Option<ContractStatus>,
    /// A new label; empty: the number.
    pub label: Option<String>,
    /// New notes; empty clears them.
    pub description: Option<String>,
    /// A new ANCV Shop ID (ANCV_CONNECT only).
    pub shop_id: Option<String>,
    /// A new complementary list, replacing the current one (ANCV_CONNECT only).
    pub complementary: Option<Vec<String>>,
}

impl ContractChange {
    /// The contract as changed, checked by the same rules as a new contract
    /// ([`ContractRequest::validate`]); `pos_reference` is the reference of its point of sale.
    /// Complementary contracts given anew are then checked by [`check_complementary`] against
    /// the stored contracts.
    pub fn apply(&self, current: &Contract, pos_reference: &str) -> Result<Contract, FieldError> {
        let unchanged = |field: &str, is_current: bool, value: &dyn fmt::Display| {
            if is_current {
                Ok(())
            } else {
                Err(FieldError::new(
                    field,
                    format!("cannot be changed (this contract's is {value})"),
                ))
            }
        };
        if let Some(number) = &self.number {
            let same = ContractNumber::parse("number", number).ok() == Some(current.number.clone());
            unchanged("number", same, &current.number)?;
        }
        if let Some(card_code) = &self.card_code {
            let same = CardCode::parse("card_code", card_code).ok() == Some(current.card_code);
            unchanged("card_code", same, &current.card_code)?;
        }
        if let Some(reference) = &self.pos_reference {
            unchanged("pos", reference.trim() == pos_reference, &pos_reference)?;
        }
        if let Some(currency) = &self.currency {
            let same = Currency::parse("currency", currency).ok() == Some(current.currency);
            unchanged("currency", same, &current.currency)?;
        }
        let request = ContractRequest {
            number: current.number.to_string(),
            card_code: current.card_code.as_str().to_owned(),
            label: Some(self.label.clone().unwrap_or_else(|| current.label.clone())),
            currency: Some(current.currency.to_string()),
            description: Some(
                self.description
                    .clone()
                    .unwrap_or_else(|| current.description.clone()),
            ),
            shop_id: self
                .shop_id
                .clone()
                .or_else(|| current.shop_id().map(ToString::to_string)),
            complementary: match &self.complementary {
                Some(numbers) => numbers.clone(),
                None => current
                    .complementary()
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            },
        };
        let valid = request.validate()?;
        Ok(Contract {
            label: valid.label,
            description: valid.description,
            method: valid.method,
            status: self.status.unwrap_or(current.status),
            ..current.clone()
        })
    }
}

/// Checks one complementary contract of an ANCV contract to be created at `pos_id`:
/// it must exist (for this merchant), be an active card contract, and belong to the same point of
/// sale. `found` is the stored contract with that number, if any.
pub fn check_complementary(
    pos_id: PosId,
    number: &ContractNumber,
    found: Option<&Contract>,
) -> Result<(), FieldError> {
    let field = "complementary";
    let Some(contract) = found else {
        return Err(FieldError::new(
            field,
            format!("contract {number} does not exist for this merchant"),
        ));
    };
    if !contract.card_code.is_card() {
        return Err(FieldError::new(
            field,
            format!(
                "contract {number} is not a card contract (it is {})",
                contract.card_code
            ),
        ));
    }
    if contract.pos_id != pos_id {
        return Err(FieldError::new(
            field,
            format!("contract {number} belongs to another point of sale"),
        ));
    }
    if contract.status != ContractStatus::Active {
        return Err(FieldError::new(
            field,
            format!("contract {number} is inactive"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ancv_request() -> ContractRequest {
        ContractRequest {
            number: "ANCV-1".into(),
            card_code: "ANCV_CONNECT".into(),
            shop_id: Some("20000001".into()),
            complementary: vec!["CB-1".into()],
            ..ContractRequest::default()
        }
    }

    fn card(number: &str, pos_id: PosId, card_code: CardCode) -> Contract {
        Contract {
            merchant_id: MerchantId::parse("m", "1").unwrap(),
            number: ContractNumber::parse("n", number).unwrap(),
            pos_id,
            card_code,
            label: number.into(),
            currency: Currency::EUR,
            description: String::new(),
            status: ContractStatus::Active,
            method: MethodSettings::Card,
            created_at: Timestamp(0),
        }
    }

    #[test]
    fn a_valid_ancv_contract_defaults_label_and_currency() {
        let contract = ancv_request().validate().unwrap();
        assert_eq!(contract.label, "ANCV-1");
        assert_eq!(contract.currency, Currency::EUR);
        assert_eq!(
            contract.method,
            MethodSettings::AncvConnect {
                shop_id: ShopId::parse("s", "20000001").unwrap(),
                complementary: vec![ContractNumber::parse("c", "CB-1").unwrap()],
            }
        );
    }

    #[test]
    fn ancv_rules_name_the_field() {
        let cases: Vec<(ContractRequest, &str)> = vec![
            (
                ContractRequest {
                    shop_id: None,
                    ..ancv_request()
                },
                "shop_id",
            ),
            (
                ContractRequest {
                    shop_id: Some("12ab".into()),
                    ..ancv_request()
                },
                "shop_id",
            ),
            (
                ContractRequest {
                    currency: Some("840".into()),
                    ..ancv_request()
                },
                "currency",
            ),
            (
                ContractRequest {
                    complementary: vec!["CB-1".into(), "CB-1".into()],
                    ..ancv_request()
                },
                "complementary",
            ),
            (
                ContractRequest {
                    complementary: vec!["bad number!".into()],
                    ..ancv_request()
                },
                "complementary",
            ),
            (
                ContractRequest {
                    number: "x".repeat(21),
                    ..ancv_request()
                },
                "number",
            ),
            (
                ContractRequest {
                    card_code: "PAYPAL".into(),
                    ..ancv_request()
                },
                "card_code",
            ),
            (
                ContractRequest {
                    label: Some("l".repeat(51)),
                    ..ancv_request()
                },
                "label",
            ),
        ];
        for (request, field) in cases {
            assert_eq!(request.validate().unwrap_err().field, field, "{request:?}");
        }
    }

    #[test]
    fn card_contracts_take_no_ancv_settings() {
        let base = ContractRequest {
            number: "CB-1".into(),
            card_code: "cb".into(),
            ..ContractRequest::default()
        };
        assert_eq!(base.validate().unwrap().method, MethodSettings::Card);
        let with_shop = ContractRequest {
            shop_id: Some("1".into()),
            ..base.clone()
        };
        assert_eq!(with_shop.validate().unwrap_err().field, "shop_id");
        let with_complementary = ContractRequest {
            complementary: vec!["CB-2".into()],
            ..base
        };
        assert_eq!(
            with_complementary.validate().unwrap_err().field,
            "complementary"
        );
    }

    #[test]
    fn complementary_must_be_an_active_card_contract_of_the_same_pos() {
        let number = ContractNumber::parse("c", "CB-1").unwrap();
        assert!(check_complementary(7, &number, Some(&card("CB-1", 7, CardCode::Cb))).is_ok());
        let missing = check_complementary(7, &number, None).unwrap_err();
        assert!(missing.rule.contains("does not exist"), "{missing}");
        let ancv = check_complementary(7, &number, Some(&card("CB-1", 7, CardCode::AncvConnect)))
            .unwrap_err();
        assert!(ancv.rule.contains("not a card contract"), "{ancv}");
        let other_pos =
            check_complementary(7, &number, Some(&card("CB-1", 8, CardCode::Visa))).unwrap_err();
        assert!(
            other_pos.rule.contains("another point of sale"),
            "{other_pos}"
        );
        let mut inactive = card("CB-1", 7, CardCode::Cb);
        inactive.status = ContractStatus::Inactive;
        assert!(
            check_complementary(7, &number, Some(&inactive))
                .unwrap_err()
                .rule
                .contains("inactive")
        );
    }

    fn stored_ancv() -> Contract {
        Contract {
            card_code: CardCode::AncvConnect,
            method: MethodSettings::AncvConnect {
                shop_id: ShopId::parse("s", "20000001").unwrap(),
                complementary: vec![ContractNumber::parse("c", "CB-1").unwrap()],
            },
            ..card("ANCV-1", 7, CardCode::AncvConnect)
        }
    }

    #[test]
    fn a_change_keeps_what_it_does_not_name() {
        let current = stored_ancv();
        assert_eq!(
            ContractChange::default().apply(&current, "SHOP").unwrap(),
            current
        );
        let changed = ContractChange {
            number: Some("ANCV-1".into()),
            card_code: Some("ancv_connect".into()),
            pos_reference: Some("SHOP".into()),
            currency: Some("978".into()),
            status: Some(ContractStatus::Inactive),
            label: Some("Vouchers".into()),
            description: Some("Holidays".into()),
            shop_id: Some("30000002".into()),
            complementary: Some(vec![]),
        }
        .apply(&current, "SHOP")
        .unwrap();
        assert_eq!(changed.status, ContractStatus::Inactive);
        assert_eq!(changed.label, "Vouchers");
        assert_eq!(changed.description, "Holidays");
        assert_eq!(changed.shop_id().unwrap().as_str(), "30000002");
        assert!(changed.complementary().is_empty());
        assert_eq!(changed.number, current.number);
        let relabelled = ContractChange {
            label: Some(String::new()),
            ..ContractChange::default()
        }
        .apply(&current, "SHOP")
        .unwrap();
        assert_eq!(relabelled.label, "ANCV-1");
    }

    #[test]
    fn a_change_follows_the_rules_of_a_new_contract() {
        let ancv = stored_ancv();
        let cb = card("CB-1", 7, CardCode::Cb);
        let with = |edit: fn(&mut ContractChange)| {
            let mut change = ContractChange::default();
            edit(&mut change);
            change
        };
        let cases: Vec<(&Contract, ContractChange, &str)> = vec![
            (&ancv, with(|c| c.number = Some("ANCV-2".into())), "number"),
            (
                &ancv,
                with(|c| c.card_code = Some("CB".into())),
                "card_code",
            ),
            (
                &ancv,
                with(|c| c.pos_reference = Some("OTHER".into())),
                "pos",
            ),
            (&ancv, with(|c| c.currency = Some("840".into())), "currency"),
            (&ancv, with(|c| c.shop_id = Some("12ab".into())), "shop_id"),
            (
                &ancv,
                with(|c| c.complementary = Some(vec!["CB-1".into(), "CB-1".into()])),
                "complementary",
            ),
            (&cb, with(|c| c.shop_id = Some("1".into())), "shop_id"),
            (
                &cb,
                with(|c| c.complementary = Some(vec!["CB-2".into()])),
                "complementary",
            ),
            (&cb, with(|c| c.label = Some("l".repeat(51))), "label"),
        ];
        for (current, change, field) in cases {
            assert_eq!(
                change.apply(current, "SHOP").unwrap_err().field,
                field,
                "{change:?}"
            );
        }
    }
}
