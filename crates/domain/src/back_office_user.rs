//! Back-office users: a merchant's staff (`admin` configures, `operator` refunds, `viewer` looks)
//! and the platform's operators, who see every merchant. They sign in with an e-mail address and
//! a password; the password is stored only as an argon2id hash (by the gateway).

use crate::FieldError;
use crate::clock::Timestamp;
use crate::merchant::MerchantId;
use crate::web_payment::request::is_email;
use std::fmt;
use std::str::FromStr;

/// Database id of a back-office user.
pub type UserId = i64;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Sees the merchant's transactions and configuration.
    Viewer,
    /// A viewer who also refunds, cancels and captures.
    Operator,
    /// An operator who also configures (points of sale, contracts, users, the access key).
    Admin,
    /// The platform's operator: every merchant, no merchant of its own.
    Platform,
}

impl Role {
    /// The stored and typed form: `viewer`, `operator`, `admin` or `platform`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
            Role::Platform => "platform",
        }
    }

    /// Checks a merchant user's role as typed (any case): `admin`, `operator` or `viewer`.
    pub fn merchant_role(value: &str) -> Result<Role, FieldError> {
        match value.trim().parse() {
            Ok(Role::Platform) | Err(()) => {
                Err(FieldError::new("role", "must be admin, operator or viewer"))
            }
            Ok(role) => Ok(role),
        }
    }

    /// Whether this role may refund, cancel and capture.
    pub fn may_operate(self) -> bool {
        self >= Role::Operator
    }

    /// Whether this role may change the configuration.
    pub fn may_configure(self) -> bool {
        self >= Role::Admin
    }
}

impl FromStr for Role {
    type Err = ();

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "operator" => Ok(Role::Operator),
            "admin" => Ok(Role::Admin),
            "platform" => Ok(Role::Platform),
            _ => Err(()),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user's sign-in name: an e-mail address, trimmed and in lower case, unique across cvgate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Checks an address as typed.
    pub fn parse(value: &str) -> Result<Email, FieldError> {
        let value = value.trim().to_lowercase();
        if is_email(&value) {
            Ok(Email(value))
        } else {
            Err(FieldError::new(
                "email",
                "must be an e-mail address (name@domain.tld)",
            ))
        }
    }

    /// The address as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password in clear: typed by a user or generated for one. Never logged (its `Debug` is
/// redacted), never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Shortest password a user may choose.
    pub const MIN_CHARS: usize = 12;
    /// Longest password taken (hashing costs grow with it).
    pub const MAX_CHARS: usize = 128;
    /// Length of the one-time passwords cvgate generates (about 95 bits of base 62).
    pub const GENERATED_CHARS: usize = 16;

    /// Wraps a password as typed at sign-in (checked only against its hash).
    pub fn from_clear(value: &str) -> Password {
        Password(value.to_owned())
    }

    /// Checks a password a user chooses: 12 to 128 characters, not only spaces.
    pub fn chosen(field: &str, value: &str) -> Result<Password, FieldError> {
        let chars = value.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&chars) || value.trim().is_empty() {
            return Err(FieldError::new(
                field,
                format!(
                    "must be {} to {} characters",
                    Self::MIN_CHARS,
                    Self::MAX_CHARS
                ),
            ));
        }
        Ok(Password(value.to_owned()))
    }

    /// A one-time password from a source of uniformly random bytes, to be changed at the first
    /// sign-in.
    pub fn generate(random_byte: impl FnMut() -> u8) -> Password {
        Password(crate::access_key::base62(
            Self::GENERATED_CHARS,
            random_byte,
        ))
    }

    /// The password in clear, to hash it or to show a generated one to its owner once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Whether a user may sign in; stored as `active` / `disabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    /// May sign in.
    Active,
    /// Switched off by an admin or an operator; sign-in is refused like a wrong password.
    Disabled,
}

impl UserStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }
}

impl FromStr for UserStatus {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "active" => Ok(UserStatus::Active),
            "disabled" => Ok(UserStatus::Disabled),
            other => Err(format!("unknown user status {other:?}")),
        }
    }
}

/// A back-office user as stored (without the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Database id.
    pub id: UserId,
    /// Sign-in name.
    pub email: Email,
    /// The merchant whose back office this is; `None` for a platform operator.
    pub merchant_id: Option<MerchantId>,
    /// What the user may do.
    pub role: Role,
    /// Whether the user may sign in.
    pub status: UserStatus,
    /// Whether the password is a one-time password to change at the next sign-in.
    pub must_change_password: bool,
    /// When the user was created.
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grow_in_power() {
        assert!(!Role::Viewer.may_operate());
        assert!(Role::Operator.may_operate() && !Role::Operator.may_configure());
        assert!(Role::Admin.may_configure() && Role::Platform.may_configure());
        assert_eq!(Role::merchant_role(" Admin ").unwrap(), Role::Admin);
        for refused in ["platform", "root", ""] {
            assert_eq!(Role::merchant_role(refused).unwrap_err().field, "role");
        }
    }

    #[test]
    fn emails_are_trimmed_and_lower_case() {
        assert_eq!(
            Email::parse(" Camille.Martin@Example.COM ")
                .unwrap()
                .as_str(),
            "camille.martin@example.com"
        );
        for refused in ["", "camille", "camille@localhost", "a b@example.com"] {
            assert_eq!(Email::parse(refused).unwrap_err().field, "email");
        }
    }

    #[test]
    fn chosen_passwords_have_a_length_and_generated_ones_are_random() {
        assert!(Password::chosen("password", "short").is_err());
        assert!(Password::chosen("password", &" ".repeat(12)).is_err());
        assert!(Password::chosen("password", &"x".repeat(129)).is_err());
        assert!(Password::chosen("password", "correct horse battery").is_ok());
        let mut n = 0u8;
        let one = Password::generate(|| {
            n = n.wrapping_add(7);
            n
        });
        assert_eq!(one.expose().len(), Password::GENERATED_CHARS);
        assert_eq!(format!("{one:?}"), "Password(<redacted>)");
    }
}
