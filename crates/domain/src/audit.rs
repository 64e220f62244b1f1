//! The back office's audit trail: every sign-in, configuration change, key rotation and
//! after-sale action, with who did it, when and from where. Entries are only ever added.

use crate::clock::Timestamp;
use crate::merchant::MerchantId;
use std::str::FromStr;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// A user signed in.
    SignIn,
    /// A sign-in with a known address was refused (wrong password, disabled, throttled).
    SignInRefused,
    /// A user signed out.
    SignOut,
    /// A user changed their password.
    PasswordChanged,
    /// A point of sale or a contract was created or changed.
    ConfigurationChanged,
    /// The merchant's access key was replaced.
    AccessKeyRotated,
    /// A refund, capture or cancel was asked for.
    AfterSale,
    /// A platform operator opened the merchant's back office.
    PlatformAccess,
}

impl AuditAction {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInRefused => "sign_in_refused",
            AuditAction::SignOut => "sign_out",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::ConfigurationChanged => "configuration_changed",
            AuditAction::AccessKeyRotated => "access_key_rotated",
            AuditAction::AfterSale => "after_sale",
            AuditAction::PlatformAccess => "platform_access",
        }
    }
}

impl FromStr for AuditAction {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        [
            AuditAction::SignIn,
            AuditAction::SignInRefused,
            AuditAction::SignOut,
            AuditAction::PasswordChanged,
            AuditAction::ConfigurationChanged,
            AuditAction::AccessKeyRotated,
            AuditAction::AfterSale,
            AuditAction::PlatformAccess,
        ]
        .into_iter()
        .find(|action| action.as_str() == value)
        .ok_or_else(|| format!("unknown audit action {value:?}"))
    }
}

/// One entry of the trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// When.
    pub at: Timestamp,
    /// Whose back office (`None`: the platform's).
    pub merchant_id: Option<MerchantId>,
    /// Who: the user's e-mail address.
    pub actor: String,
    /// What.
    pub action: AuditAction,
    /// On what: a user, a point of sale's reference, a contract number, a transaction id.
    pub subject: String,
    /// The change in words (never a secret).
    pub detail: String,
    /// From which address.
    pub address: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_back_as_stored() {
        for action in [
            AuditAction::SignIn,
            AuditAction::AfterSale,
            AuditAction::SignOut,
        ] {
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(action));
        }
        assert!("drop_table".parse::<AuditAction>().is_err());
    }
}
