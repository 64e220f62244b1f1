//! Every word the payment page and the widget show, in French and English (one catalogue, no
//! strings in handlers).

use domain::return_code::ReturnCode;
use domain::web_payment::request::Language;
use serde::Serialize;

/// The page's texts in one language, handed to the templates as `t`.
#[derive(Debug, Clone, Serialize)]
pub struct Texts {
    pub lang: &'static str,
    pub title: &'static str,
    pub order: &'static str,
    pub amount_to_pay: &'static str,
    pub choose_method: &'static str,
    pub ancv_title: &'static str,
    pub ancv_intro: &'static str,
    pub ancv_identifier: &'static str,
    pub ancv_identifier_help: &'static str,
    pub ancv_submit: &'static str,
    pub ancv_app_notice: &'static str,
    pub ancv_below_minimum: &'static str,
    pub ancv_full_only: &'static str,
    pub homologation_title: &'static str,
    pub homologation_notice: &'static str,
    pub homologation_link: &'static str,
    pub homologation_qr: &'static str,
    pub card_title: &'static str,
    pub card_contract: &'static str,
    pub card_number: &'static str,
    pub card_expiry: &'static str,
    pub card_expiry_help: &'static str,
    pub card_cvv: &'static str,
    pub card_cvv_help: &'static str,
    pub card_holder: &'static str,
    pub card_submit: &'static str,
    pub waiting_title: &'static str,
    pub waiting_body: &'static str,
    pub waiting_time_left: &'static str,
    pub waiting_refresh: &'static str,
    pub partial_title: &'static str,
    pub paid_with_vouchers: &'static str,
    pub remaining: &'static str,
    pub challenge_title: &'static str,
    pub challenge_continue: &'static str,
    pub processing_title: &'static str,
    pub processing_body: &'static str,
    pub cancel: &'static str,
    pub attempts_left: &'static str,
    pub result_accepted: &'static str,
    pub result_refused: &'static str,
    pub result_cancelled: &'static str,
    pub result_expired: &'static str,
    pub back_to_shop: &'static str,
    pub redirect_notice: &'static str,
    pub error_title: &'static str,
    pub unknown_token: &'static str,
}

pub fn texts(language: Language) -> &'static Texts {
    match language {
        Language::French => &FRENCH,
        Language::English => &ENGLISH,
    }
}

static FRENCH: Texts = Texts {
    lang: "fr",
    title: "Paiement sécurisé",
    order: "Commande",
    amount_to_pay: "Montant à payer",
    choose_method: "Choisissez votre moyen de paiement",
    ancv_title: "Chèque-Vacances Connect",
    ancv_intro: "Payez avec vos Chèques-Vacances dématérialisés.",
    ancv_identifier: "Adresse e-mail ou identifiant ANCV (11 chiffres)",
    ancv_identifier_help: "L'adresse e-mail ou l'identifiant de votre compte Chèque-Vacances Connect.",
    ancv_submit: "Payer avec Chèque-Vacances Connect",
    ancv_app_notice: "Vous devrez valider le paiement dans l'application Chèque-Vacances. Vous pourrez y payer une partie du montant et régler le reste par carte.",
    ancv_below_minimum: "Chèque-Vacances Connect n'est proposé qu'à partir de 20,00 € d'achat.",
    ancv_full_only: "Validez le montant total dans l'application : aucun autre moyen de paiement n'est disponible pour le reste.",
    homologation_title: "Environnement de test",
    homologation_notice: "En test, aucune notification n'est envoyée sur le téléphone : le bénéficiaire doit ouvrir lui-même l'application pour valider.",
    homologation_link: "Ouvrir l'application Chèque-Vacances de test",
    homologation_qr: "Code QR vers l'application de test",
    card_title: "Carte bancaire",
    card_contract: "Type de carte",
    card_number: "Numéro de carte",
    card_expiry: "Date d'expiration",
    card_expiry_help: "Au format MM/AA, par exemple 05/28.",
    card_cvv: "Cryptogramme visuel",
    card_cvv_help: "Les 3 chiffres au dos de la carte (4 au recto pour American Express).",
    card_holder: "Titulaire de la carte (facultatif)",
    card_submit: "Payer",
    waiting_title: "Validez le paiement dans votre application Chèque-Vacances",
    waiting_body: "Ouvrez l'application Chèque-Vacances sur votre téléphone, vérifiez le montant et validez avec votre code secret. Cette page se met à jour toute seule.",
    waiting_time_left: "Temps restant",
    waiting_refresh: "Actualiser",
    partial_title: "Il reste un montant à payer",
    paid_with_vouchers: "Payé en Chèques-Vacances",
    remaining: "Reste à payer",
    challenge_title: "Authentification 3-D Secure",
    challenge_continue: "Continuer vers l'authentification de votre banque",
    processing_title: "Paiement par carte en cours",
    processing_body: "Votre banque traite le paiement. Cette page se met à jour toute seule ; ne payez pas une deuxième fois.",
    cancel: "Annuler et retourner à la boutique",
    attempts_left: "Tentatives restantes",
    result_accepted: "Votre paiement est accepté. Merci !",
    result_refused: "Votre paiement a été refusé.",
    result_cancelled: "Vous avez annulé le paiement.",
    result_expired: "Le délai de paiement est dépassé.",
    back_to_shop: "Retourner à la boutique",
    redirect_notice: "Vous allez être redirigé vers la boutique.",
    error_title: "Une erreur est survenue",
    unknown_token: "Ce paiement n'existe pas ou n'est plus disponible.",
};

static ENGLISH: Texts = Texts {
    lang: "en",
    title: "Secure payment",
    order: "Order",
    amount_to_pay: "Amount to pay",
    choose_method: "Choose how to pay",
    ancv_title: "Chèque-Vacances Connect",
    ancv_intro: "Pay with your digital Chèques-Vacances (holiday vouchers).",
    ancv_identifier: "E-mail address or ANCV identifier (11 digits)",
    ancv_identifier_help: "The e-mail address or the identifier of your Chèque-Vacances Connect account.",
    ancv_submit: "Pay with Chèque-Vacances Connect",
    ancv_app_notice: "You will validate the payment in the Chèque-Vacances app. You may pay part of the amount there and the rest by card.",
    ancv_below_minimum: "Chèque-Vacances Connect is offered from €20.00 only.",
    ancv_full_only: "Validate the full amount in the app: no other means of payment is available for the rest.",
    homologation_title: "Test environment",
    homologation_notice: "In test, no notification is sent to the phone: the beneficiary must open the app to validate.",
    homologation_link: "Open the test Chèque-Vacances app",
    homologation_qr: "QR code to the test app",
    card_title: "Bank card",
    card_contract: "Card type",
    card_number: "Card number",
    card_expiry: "Expiry date",
    card_expiry_help: "As MM/YY, for example 05/28.",
    card_cvv: "Security code",
    card_cvv_help: "The 3 digits on the back of the card (4 on the front for American Express).",
    card_holder: "Cardholder name (optional)",
    card_submit: "Pay",
    waiting_title: "Validate the payment in your Chèque-Vacances app",
    waiting_body: "Open the Chèque-Vacances app on your phone, check the amount and validate with your secret code. This page updates by itself.",
    waiting_time_left: "Time left",
    waiting_refresh: "Refresh",
    partial_title: "An amount remains to be paid",
    paid_with_vouchers: "Paid with Chèques-Vacances",
    remaining: "Remaining",
    challenge_title: "3-D Secure authentication",
    challenge_continue: "Continue to your bank's authentication",
    processing_title: "Card payment in progress",
    processing_body: "Your bank is processing the payment. This page updates itself; do not pay a second time.",
    cancel: "Cancel and return to the shop",
    attempts_left: "Attempts left",
    result_accepted: "Your payment is accepted. Thank you!",
    result_refused: "Your payment was refused.",
    result_cancelled: "You cancelled the payment.",
    result_expired: "The time to pay is over.",
    back_to_shop: "Return to the shop",
    redirect_notice: "You will be taken back to the shop.",
    error_title: "Something went wrong",
    unknown_token: "This payment does not exist or is no longer available.",
};

/// Why the last attempt failed, in the buyer's words.
pub fn refusal(language: Language, code: ReturnCode) -> &'static str {
    let (fr, en) = match code {
        ReturnCode::CardDoNotHonour => (
            "Votre banque a refusé le paiement.",
            "Your bank declined the payment.",
        ),
        ReturnCode::CardExpired => ("La carte est expirée.", "The card has expired."),
        ReturnCode::CardAmountLimit => (
            "Le plafond de la carte est atteint.",
            "The card's limit is reached.",
        ),
        ReturnCode::CardInvalidCvv => (
            "Le cryptogramme est incorrect.",
            "The security code is wrong.",
        ),
        ReturnCode::ThreeDSecureFailed => (
            "L'authentification 3-D Secure a échoué.",
            "3-D Secure authentication failed.",
        ),
        ReturnCode::FraudDetected => (
            "Le paiement a été refusé pour suspicion de fraude.",
            "The payment was refused as possible fraud.",
        ),
        ReturnCode::AcquirerError | ReturnCode::InternalError => (
            "Le service de paiement ne répond pas, réessayez.",
            "The payment service did not answer; please try again.",
        ),
        ReturnCode::PartnerRefused => (
            "Le paiement Chèque-Vacances n'a pas abouti (refusé, non validé à temps ou refusé dans l'application). Vous pouvez réessayer ou payer par carte.",
            "The Chèque-Vacances payment did not go through (declined, refused or not validated in time). You may try again or pay by card.",
        ),
        ReturnCode::InvalidField => (
            "Ce compte Chèque-Vacances est inconnu ou a déjà un paiement en attente.",
            "This Chèque-Vacances account is unknown or already has a payment waiting.",
        ),
        _ => (
            "Le paiement n'a pas abouti.",
            "The payment did not go through.",
        ),
    };
    match language {
        Language::French => fr,
        Language::English => en,
    }
}

/// A form field's rule in the buyer's words (`None`: keep the service's English message).
pub fn field_error(language: Language, field: &str) -> Option<&'static str> {
    let (fr, en) = match field {
        "card.number" => (
            "Le numéro de carte n'est pas valide.",
            "The card number is not valid.",
        ),
        "card.expiry" => (
            "La date d'expiration n'est pas valide ou est dépassée (MM/AA).",
            "The expiry date is not valid or is past (MM/YY).",
        ),
        "card.cvv" => (
            "Le cryptogramme doit comporter 3 chiffres (4 pour American Express).",
            "The security code must be 3 digits (4 for American Express).",
        ),
        "beneficiary" => (
            "Saisissez l'adresse e-mail ou l'identifiant à 11 chiffres de votre compte Chèque-Vacances.",
            "Enter the e-mail address or the 11-digit identifier of your Chèque-Vacances account.",
        ),
        _ => return None,
    };
    Some(match language {
        Language::French => fr,
        Language::English => en,
    })
}

/// An amount of euro cents as the page writes it (`60,00 €` / `€60.00`).
pub fn money(language: Language, cents: i64) -> String {
    let (units, fraction) = (cents / 100, (cents % 100).abs());
    match language {
        Language::French => format!("{units},{fraction:02}\u{a0}€"),
        Language::English => format!("€{units}.{fraction:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_in_each_language() {
        assert_eq!(money(Language::French, 6_000), "60,00\u{a0}€");
        assert_eq!(money(Language::English, 2_505), "€25.05");
        assert_eq!(money(Language::French, 7), "0,07\u{a0}€");
    }
}
