//! The published homologation test cards (card-sandbox.md, "Test cards"), exactly.

use card::outcome::Decline;
use domain::card::CardData;
use domain::clock::Timestamp;

/// The code the ACS page asks for.
pub const CHALLENGE_CODE: &str = "1234";

/// What the sandbox does with an authorization request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Accepted, 3-D Secure frictionless.
    Accept,
    /// 3-D Secure challenge on the ACS page first.
    Challenge,
    Decline(Decline),
}

/// The table. An expiry in the past is refused 01101 whatever the number.
pub fn decide(card: &CardData, now: Timestamp) -> Decision {
    if card.expiry.is_past(now) {
        return Decision::Decline(Decline::CardExpired);
    }
    match card.number.expose() {
        "4970100000000006" => Decision::Accept,
        "4970100000000014" => Decision::Challenge,
        "4970100000000022" => Decision::Decline(Decline::DoNotHonour),
        "4970100000000030" => Decision::Decline(Decline::AmountLimit),
        "4970100000000048" => Decision::Decline(Decline::CardExpired),
        "4970100000000055" => Decision::Decline(Decline::InvalidCvv),
        "4970100000000063" => Decision::Decline(Decline::Fraud),
        "4970100000000071" => Decision::Decline(Decline::AcquirerError),
        // 5555555555554444 (Mastercard) and any other valid number.
        _ => Decision::Accept,
    }
}

/// What passing the 3-D Secure challenge leads to: never a second challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authenticated {
    Accept,
    Decline(Decline),
}

impl Authenticated {
    /// The name kept in the ledger while the challenge is pending.
    pub fn as_str(self) -> &'static str {
        match self {
            Authenticated::Accept => "ACCEPT",
            Authenticated::Decline(decline) => decline.as_str(),
        }
    }

    pub fn parse(value: &str) -> Option<Authenticated> {
        match value {
            "ACCEPT" => Some(Authenticated::Accept),
            other => Decline::parse(other).map(Authenticated::Decline),
        }
    }

    pub fn decision(self) -> Decision {
        match self {
            Authenticated::Accept => Decision::Accept,
            Authenticated::Decline(decline) => Decision::Decline(decline),
        }
    }
}

/// The decision once the buyer passed the challenge: the same table, authentication done.
/// Computed when the challenge starts, so that the card need not be kept until it ends.
pub fn decide_authenticated(card: &CardData, now: Timestamp) -> Authenticated {
    match decide(card, now) {
        Decision::Challenge | Decision::Accept => Authenticated::Accept,
        Decision::Decline(decline) => Authenticated::Decline(decline),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::card::{CardNumber, Cvv, Expiry};

    const NOW: Timestamp = Timestamp(1_795_774_530_000); // 2026-11-27

    fn card(number: &str, expiry: &str) -> CardData {
        let number = CardNumber::parse(number).unwrap();
        let cvv = Cvv::parse("123", number.brand()).unwrap();
        CardData {
            number,
            expiry: Expiry::parse(expiry).unwrap(),
            cvv,
        }
    }

    #[test]
    fn the_table() {
        let rows = [
            ("4970100000000006", Decision::Accept),
            ("4970100000000014", Decision::Challenge),
            ("4970100000000022", Decision::Decline(Decline::DoNotHonour)),
            ("4970100000000030", Decision::Decline(Decline::AmountLimit)),
            ("4970100000000048", Decision::Decline(Decline::CardExpired)),
            ("4970100000000055", Decision::Decline(Decline::InvalidCvv)),
            ("4970100000000063", Decision::Decline(Decline::Fraud)),
            (
                "4970100000000071",
                Decision::Decline(Decline::AcquirerError),
            ),
            ("5555555555554444", Decision::Accept),
            ("4111111111111111", Decision::Accept),
        ];
        for (number, decision) in rows {
            assert_eq!(decide(&card(number, "1230"), NOW), decision, "{number}");
            assert_eq!(
                decide(&card(number, "1025"), NOW),
                Decision::Decline(Decline::CardExpired),
                "{number} expired"
            );
        }
        assert_eq!(
            decide_authenticated(&card("4970100000000014", "1230"), NOW),
            Authenticated::Accept
        );
        assert_eq!(
            decide_authenticated(&card("4970100000000014", "1025"), NOW),
            Authenticated::Decline(Decline::CardExpired)
        );
    }

    #[test]
    fn authenticated_decisions_read_back() {
        let all = std::iter::once(Authenticated::Accept)
            .chain(Decline::ALL.into_iter().map(Authenticated::Decline));
        for decided in all {
            assert_eq!(Authenticated::parse(decided.as_str()), Some(decided));
        }
        assert_eq!(Authenticated::parse("CHALLENGE"), None);
    }
}
