//! Every word of the back office's pages, in French and English.

use serde::Serialize;

/// The back office's language: the `lang` query (a switch link), else the `cvgate_bo_lang`
/// cookie the switch set, else the browser's first choice; French unless English is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    Fr,
    En,
}

impl Lang {
    pub(super) fn parse(value: &str) -> Option<Lang> {
        match value.get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("fr") => Some(Lang::Fr),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    pub(super) fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub(super) fn texts(self) -> &'static Texts {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }
}

/// The texts handed to the templates as `t`; `{n}` marks a value.
#[derive(Debug, Serialize)]
pub(super) struct Texts {
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub other_lang_name: &'static str,
    pub title: &'static str,
    pub sign_in_title: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub refused: &'static str,
    /// `{n}`: minutes.
    pub throttled: &'static str,
    pub form_expired: &'static str,
    pub signed_in_as: &'static str,
    pub role: &'static str,
    pub role_admin: &'static str,
    pub role_operator: &'static str,
    pub role_viewer: &'static str,
    pub role_platform: &'static str,
    pub merchant: &'static str,
    pub platform: &'static str,
    pub sign_out: &'static str,
    pub password_title: &'static str,
    pub password_first: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub new_password_help: &'static str,
    pub confirm_password: &'static str,
    pub change_password: &'static str,
    pub password_wrong: &'static str,
    pub password_rule: &'static str,
    pub password_same: &'static str,
    pub password_mismatch: &'static str,
    pub password_changed: &'static str,
    pub error_title: &'static str,
    pub error_body: &'static str,
    pub home_intro: &'static str,
    pub error_prefix: &'static str,
}

static FR: Texts = Texts {
    lang: "fr",
    other_lang: "en",
    other_lang_name: "English",
    title: "cvgate — back office",
    sign_in_title: "Connexion",
    email: "Adresse e-mail",
    password: "Mot de passe",
    sign_in: "Se connecter",
    refused: "Adresse e-mail ou mot de passe incorrect.",
    throttled: "Trop de tentatives. Réessayez dans {n} minutes.",
    form_expired: "Le formulaire a expiré : rechargez la page et recommencez.",
    signed_in_as: "Connecté en tant que",
    role: "Rôle",
    role_admin: "administrateur (configure)",
    role_operator: "opérateur (rembourse)",
    role_viewer: "lecteur (consulte)",
    role_platform: "opérateur de la plateforme",
    merchant: "Commerçant",
    platform: "Opérateur de la plateforme (tous les commerçants)",
    sign_out: "Se déconnecter",
    password_title: "Changer le mot de passe",
    password_first: "Votre mot de passe est provisoire : choisissez-en un avant de continuer.",
    current_password: "Mot de passe actuel",
    new_password: "Nouveau mot de passe",
    new_password_help: "12 caractères au moins.",
    confirm_password: "Confirmez le nouveau mot de passe",
    change_password: "Changer le mot de passe",
    password_wrong: "Ce n’est pas votre mot de passe actuel.",
    password_rule: "Le nouveau mot de passe doit compter de 12 à 128 caractères.",
    password_same: "Le nouveau mot de passe doit être différent de l’actuel.",
    password_mismatch: "Les deux saisies du nouveau mot de passe diffèrent.",
    password_changed: "Mot de passe changé. Vos autres sessions ont été fermées.",
    error_title: "Une erreur est survenue",
    error_body: "Réessayez dans un instant.",
    home_intro: "Le back office de votre passerelle Chèque-Vacances Connect.",
    error_prefix: "Erreur :",
};

static EN: Texts = Texts {
    lang: "en",
    other_lang: "fr",
    other_lang_name: "Français",
    title: "cvgate — back office",
    sign_in_title: "Sign in",
    email: "E-mail address",
    password: "Password",
    sign_in: "Sign in",
    refused: "Wrong e-mail address or password.",
    throttled: "Too many attempts. Try again in {n} minutes.",
    form_expired: "This form has expired: reload the page and try again.",
    signed_in_as: "Signed in as",
    role: "Role",
    role_admin: "admin (configures)",
    role_operator: "operator (refunds)",
    role_viewer: "viewer (looks)",
    role_platform: "platform operator",
    merchant: "Merchant",
    platform: "Platform operator (every merchant)",
    sign_out: "Sign out",
    password_title: "Change your password",
    password_first: "Your password is temporary: choose your own before going on.",
    current_password: "Current password",
    new_password: "New password",
    new_password_help: "At least 12 characters.",
    confirm_password: "Confirm the new password",
    change_password: "Change password",
    password_wrong: "This is not your current password.",
    password_rule: "The new password must be 12 to 128 characters long.",
    password_same: "The new password must differ from the current one.",
    password_mismatch: "The two entries of the new password differ.",
    password_changed: "Password changed. Your other sessions have been closed.",
    error_title: "Something went wrong",
    error_body: "Please try again in a moment.",
    home_intro: "The back office of your Chèque-Vacances Connect gateway.",
    error_prefix: "Error:",
};
