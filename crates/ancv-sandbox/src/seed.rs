//! The published test data of spec §6 ("jeux de données de test"), seeded by
//! [`crate::Sandbox::seed_test_data`].

use crate::model::Behaviour;

/// The published `merchant.serviceProviderId` of the sandbox.
pub const DEFAULT_SERVICE_PROVIDER_ID: &str = "900001";
/// The published seal key of the sandbox (public test data, ancv-connect.md §6; never a
/// production key).
pub const PUBLISHED_SEAL_KEY: &str = "663768ff68ad8ea6768bbf65163e9b0a";
/// The published version of the seal key (the `<keyVersion>` of `ANCV-Security`).
pub const DEFAULT_SEAL_KEY_VERSION: &str = "ver001";
/// The published demo shop (`merchant.shopId`), known from the start.
pub const DEMO_SHOP_ID: &str = "20000001";
/// Every published beneficiary's secret code (public test data, not a secret).
pub const PUBLISHED_SECRET_CODE: &str = "1234";

/// One beneficiary of the published test data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedBeneficiary {
    /// The 11-digit ANCV identifier (`beneficiaryId`).
    pub beneficiary_id: &'static str,
    /// The account's e-mail, the other way to name it.
    pub email: &'static str,
    /// The balance it is seeded with, in cents (integer minor units).
    pub balance: i64,
    /// How it answers requests in the app.
    pub behaviour: Behaviour,
}

/// The six published beneficiaries (ancv-connect.md §6), one per behaviour; their secret code is
/// [`PUBLISHED_SECRET_CODE`].
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
