//! The published test data of spec §6 ("jeux de données de test"), seeded by
//! [`crate::Sandbox::seed_test_data`].

use crate::model::Behaviour;

pub const DEFAULT_SERVICE_PROVIDER_ID: &str = "900001";
pub const DEFAULT_SEAL_KEY_VERSION: &str = "ver001";
pub const DEMO_SHOP_ID: &str = "20000001";
/// Every published beneficiary's secret code (public test data, not a secret).
pub const PUBLISHED_SECRET_CODE: &str = "1234";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedBeneficiary {
    pub beneficiary_id: &'static str,
    pub email: &'static str,
    /// Cents.
    pub balance: i64,
    pub behaviour: Behaviour,
}

pub const PUBLISHED_BENEFICIARIES: [PublishedBeneficiary; 6] = [
    PublishedBeneficiary {
        beneficiary_id: "10000000001",
        email: "camille.martin@example.com",
        balance: 30_000,
        behaviour: Behaviour::Manual,
    },
    PublishedBeneficiary {
        beneficiary_id: "10000000002",
        email: "auto.full@example.com",
        balance: 100_000,
        behaviour: Behaviour::AutoFull,
    },
    PublishedBeneficiary {
        beneficiary_id: "10000000003",
        email: "auto.partial@example.com",
        balance: 2_500,
        behaviour: Behaviour::AutoPartial,
    },
    PublishedBeneficiary {
        beneficiary_id: "10000000004",
        email: "auto.decline@example.com",
        balance: 10_000,
        behaviour: Behaviour::AutoDecline,
    },
    PublishedBeneficiary {
        beneficiary_id: "10000000005",
        email: "auto.expire@example.com",
        balance: 10_000,
        behaviour: Behaviour::AutoExpire,
    },
    PublishedBeneficiary {
        beneficiary_id: "10000000006",
        email: "blocked@example.com",
        balance: 0,
        behaviour: Behaviour::Blocked,
    },
];
