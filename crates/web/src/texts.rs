//! Every word the payment page and the widget show, in French and English (one catalogue, no
//! strings in handlers).

use domain::FieldError;
use domain::return_code::ReturnCode;
use domain::web_payment::request::Language;
use gateway::web_payments::BeneficiaryProblem;
use serde::Serialize;

/// The page's texts in one language, handed to the templates as `t` (and to the widget as
/// its labels). `{name}` marks a value put in with [`fill`].
#[derive(Debug, Clone, Serialize)]
pub struct Texts {
    pub lang: &'static str,
    pub title: &'static str,
    /// Before a value: `" :"` (with a no-break space) in French, `":"` in English.
    pub colon: &'static str,
    pub merchant: &'static str,
    pub order: &'static str,
    pub order_total: &'static str,
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
    pub ancv_unknown_account: &'static str,
    pub ancv_request_pending: &'static str,
    /// `{minutes}`: when the next identifier will be taken.
    pub ancv_too_many: &'static str,
    pub ancv_not_now: &'static str,
    pub homologation_title: &'static str,
    pub homologation_notice: &'static str,
    pub homologation_link: &'static str,
    pub homologation_qr: &'static str,
    pub homologation_scan: &'static str,
    pub card_title: &'static str,
    pub card_intro: &'static str,
    pub card_contract: &'static str,
    pub card_number: &'static str,
    pub card_expiry: &'static str,
    pub card_expiry_help: &'static str,
    pub card_expiry_placeholder: &'static str,
    pub card_cvv: &'static str,
    pub card_cvv_help: &'static str,
    pub card_holder: &'static str,
    pub card_submit: &'static str,
    pub card_not_now: &'static str,
    pub waiting_title: &'static str,
    pub waiting_body: &'static str,
    pub waiting_time_left: &'static str,
    pub waiting_refresh: &'static str,
    pub partial_title: &'static str,
    pub paid_with_vouchers: &'static str,
    pub paid_by_card: &'static str,
    pub remaining: &'static str,
    pub challenge_title: &'static str,
    pub challenge_body: &'static str,
    pub challenge_continue: &'static str,
    pub processing_title: &'static str,
    pub processing_body: &'static str,
    pub cancel: &'static str,
    pub attempts_left: &'static str,
    pub result_accepted: &'static str,
    pub result_refused: &'static str,
    pub result_cancelled: &'static str,
    pub result_expired: &'static str,
    /// The buyer left while the Chèque-Vacances app is still asked (the widget's ONHOLD).
    pub result_onhold: &'static str,
    pub vouchers_given_back: &'static str,
    pub back_to_shop: &'static str,
    pub back_to_shop_now: &'static str,
    pub redirect_notice: &'static str,
    /// `{seconds}`: the countdown before the automatic return to the shop.
    pub redirect_countdown: &'static str,
    pub redirect_stopped: &'static str,
    pub stay_on_page: &'static str,
    pub error_title: &'static str,
    pub unknown_token: &'static str,
    pub form_expired: &'static str,
    pub cross_site: &'static str,
    pub unavailable: &'static str,
    pub back_to_payment_page: &'static str,
    pub field_invalid: &'static str,
    pub pay: &'static str,
    pub close: &'static str,
    pub loading: &'static str,
    pub network_error: &'static str,
    pub not_supported: &'static str,
    pub required_field: &'static str,
    pub authorization_number: &'static str,
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
    colon: "\u{a0}:",
    merchant: "Commerçant",
    order: "Commande",
    order_total: "Montant de la commande",
    amount_to_pay: "Montant à payer",
    choose_method: "Choisissez votre moyen de paiement",
    ancv_title: "Chèque-Vacances Connect",
    ancv_intro: "Payez avec vos Chèques-Vacances dématérialisés.",
    ancv_identifier: "Adresse e-mail ou identifiant ANCV (11 chiffres)",
    ancv_identifier_help: "L'adresse e-mail ou l'identifiant de votre compte Chèque-Vacances Connect.",
    ancv_submit: "Payer avec Chèque-Vacances Connect",
    ancv_app_notice: "Vous devrez valider le paiement dans l'application Chèque-Vacances. Vous pourrez y payer une partie du montant et régler le reste par carte.",
    ancv_below_minimum: "Chèque-Vacances Connect n'est proposé qu'à partir de 20,00\u{a0}€ d'achat.",
    ancv_full_only: "Validez le montant total dans l'application\u{a0}: aucun autre moyen de paiement n'est disponible pour le reste.",
    ancv_unknown_account: "Aucun compte Chèque-Vacances Connect ne correspond à cette adresse e-mail ou à cet identifiant. Vérifiez votre saisie.",
    ancv_request_pending: "Un paiement est déjà en attente sur ce compte Chèque-Vacances. Validez-le ou refusez-le d'abord dans l'application, ou attendez qu'il expire, puis réessayez.",
    ancv_too_many: "Trop de demandes Chèque-Vacances pour ce paiement. Réessayez dans {minutes}\u{a0}min, ou payez par carte.",
    ancv_not_now: "Le paiement Chèque-Vacances n'est pas possible maintenant\u{a0}: un paiement est peut-être déjà en cours, par exemple dans un autre onglet.",
    homologation_title: "Environnement de test",
    homologation_notice: "En test, aucune notification n'est envoyée sur le téléphone\u{a0}: le bénéficiaire doit ouvrir lui-même l'application pour valider.",
    homologation_link: "Ouvrir l'application Chèque-Vacances de test",
    homologation_qr: "Code QR vers l'application de test",
    homologation_scan: "Ou scannez ce code avec votre téléphone.",
    card_title: "Carte bancaire",
    card_intro: "Payez par carte, avec l'authentification de votre banque si elle la demande.",
    card_contract: "Type de carte",
    card_number: "Numéro de carte",
    card_expiry: "Date d'expiration",
    card_expiry_help: "Au format MM/AA, par exemple 05/28.",
    card_expiry_placeholder: "MM/AA",
    card_cvv: "Cryptogramme visuel",
    card_cvv_help: "Les 3 chiffres au dos de la carte (4 au recto pour American Express).",
    card_holder: "Titulaire de la carte (facultatif)",
    card_submit: "Payer",
    card_not_now: "Le paiement par carte n'est pas possible maintenant\u{a0}: un paiement est peut-être déjà en cours, par exemple dans un autre onglet.",
    waiting_title: "Validez le paiement dans votre application Chèque-Vacances",
    waiting_body: "Ouvrez l'application Chèque-Vacances sur votre téléphone, vérifiez le montant et validez avec votre code secret. Cette page se met à jour toute seule.",
    waiting_time_left: "Temps restant",
    waiting_refresh: "Actualiser",
    partial_title: "Payez le reste par carte",
    paid_with_vouchers: "Payé en Chèques-Vacances",
    paid_by_card: "Payé par carte",
    remaining: "Reste à payer",
    challenge_title: "Authentification 3-D Secure",
    challenge_body: "Votre banque demande de confirmer ce paiement sur sa page sécurisée.",
    challenge_continue: "Continuer vers l'authentification de votre banque",
    processing_title: "Paiement par carte en cours",
    processing_body: "Votre banque traite le paiement. Cette page se met à jour toute seule\u{a0}; ne payez pas une deuxième fois.",
    cancel: "Annuler et retourner à la boutique",
    attempts_left: "Tentatives restantes",
    result_accepted: "Votre paiement est accepté. Merci\u{a0}!",
    result_refused: "Votre paiement a été refusé.",
    result_cancelled: "Vous avez annulé le paiement.",
    result_expired: "Le délai de paiement est dépassé.",
    result_onhold: "Le paiement Chèque-Vacances attend encore votre validation dans l'application. La boutique sera informée du résultat.",
    vouchers_given_back: "Les Chèques-Vacances que vous aviez validés vous sont rendus\u{a0}: rien n'est débité de votre compte.",
    back_to_shop: "Retourner à la boutique",
    back_to_shop_now: "Retourner à la boutique maintenant",
    redirect_notice: "Vous allez être redirigé vers la boutique.",
    redirect_countdown: "Retour automatique à la boutique dans {seconds}\u{a0}s.",
    redirect_stopped: "Retour automatique arrêté. Retournez à la boutique quand vous le souhaitez.",
    stay_on_page: "Rester sur cette page",
    error_title: "Une erreur est survenue",
    unknown_token: "Ce paiement n'existe pas ou n'est plus disponible.",
    form_expired: "Ce formulaire a expiré\u{a0}: rechargez la page de paiement.",
    cross_site: "Formulaire envoyé depuis un autre site\u{a0}: refusé.",
    unavailable: "Le service de paiement est momentanément indisponible. Réessayez dans quelques instants.",
    back_to_payment_page: "Revenir à la page de paiement",
    field_invalid: "Vérifiez ce champ.",
    pay: "Payer",
    close: "Fermer",
    loading: "Chargement…",
    network_error: "Connexion impossible. Réessayez.",
    not_supported: "Ce moyen de paiement n'est pas proposé ici.",
    required_field: "Ce champ est obligatoire.",
    authorization_number: "N° d'autorisation",
};

static ENGLISH: Texts = Texts {
    lang: "en",
    title: "Secure payment",
    colon: ":",
    merchant: "Merchant",
    order: "Order",
    order_total: "Order total",
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
    ancv_unknown_account: "No Chèque-Vacances Connect account has this e-mail address or identifier. Please check what you typed.",
    ancv_request_pending: "A payment is already pending on this Chèque-Vacances account. Validate or decline it in the app first, or wait for it to expire, then try again.",
    ancv_too_many: "Too many Chèque-Vacances requests for this payment. Try again in {minutes} min, or pay by card.",
    ancv_not_now: "A Chèque-Vacances payment is not possible now: a payment may already be under way, for example in another tab.",
    homologation_title: "Test environment",
    homologation_notice: "In test, no notification is sent to the phone: the beneficiary must open the app to validate.",
    homologation_link: "Open the test Chèque-Vacances app",
    homologation_qr: "QR code to the test app",
    homologation_scan: "Or scan this code with your phone.",
    card_title: "Bank card",
    card_intro: "Pay by card, with your bank's authentication if it asks for it.",
    card_contract: "Card type",
    card_number: "Card number",
    card_expiry: "Expiry date",
    card_expiry_help: "As MM/YY, for example 05/28.",
    card_expiry_placeholder: "MM/YY",
    card_cvv: "Security code",
    card_cvv_help: "The 3 digits on the back of the card (4 on the front for American Express).",
    card_holder: "Cardholder name (optional)",
    card_submit: "Pay",
    card_not_now: "A card payment is not possible now: a payment may already be under way, for example in another tab.",
    waiting_title: "Validate the payment in your Chèque-Vacances app",
    waiting_body: "Open the Chèque-Vacances app on your phone, check the amount and validate with your secret code. This page updates by itself.",
    waiting_time_left: "Time left",
    waiting_refresh: "Refresh",
    partial_title: "Pay the rest by card",
    paid_with_vouchers: "Paid with Chèques-Vacances",
    paid_by_card: "Paid by card",
    remaining: "Left to pay",
    challenge_title: "3-D Secure authentication",
    challenge_body: "Your bank asks you to confirm this payment on its secure page.",
    challenge_continue: "Continue to your bank's authentication",
    processing_title: "Card payment in progress",
    processing_body: "Your bank is processing the payment. This page updates itself; do not pay a second time.",
    cancel: "Cancel and return to the shop",
    attempts_left: "Attempts left",
    result_accepted: "Your payment is accepted. Thank you!",
    result_refused: "Your payment was refused.",
    result_cancelled: "You cancelled the payment.",
    result_expired: "The time to pay is over.",
    result_onhold: "The Chèque-Vacances payment is still waiting for your validation in the app. The shop will be told the outcome.",
    vouchers_given_back: "The Chèques-Vacances you had validated are given back: nothing is taken from your account.",
    back_to_shop: "Return to the shop",
    back_to_shop_now: "Return to the shop now",
    redirect_notice: "You will be taken back to the shop.",
    redirect_countdown: "Returning to the shop automatically in {seconds} s.",
    redirect_stopped: "Automatic return stopped. Return to the shop whenever you like.",
    stay_on_page: "Stay on this page",
    error_title: "Something went wrong",
    unknown_token: "This payment does not exist or is no longer available.",
    form_expired: "This form has expired; reload the payment page.",
    cross_site: "Cross-site form submission refused.",
    unavailable: "The payment service is unavailable for a moment. Please try again shortly.",
    back_to_payment_page: "Back to the payment page",
    field_invalid: "Please check this field.",
    pay: "Pay",
    close: "Close",
    loading: "Loading…",
    network_error: "Cannot connect. Please try again.",
    not_supported: "This kind of payment is not supported here.",
    required_field: "This field is required.",
    authorization_number: "Authorization number",
};

/// `text` with `{name}` replaced by `value`.
pub fn fill(text: &str, name: &str, value: impl std::fmt::Display) -> String {
    text.replace(&format!("{{{name}}}"), &value.to_string())
}

/// A form field's rule in the buyer's words (a general "check this field" when the catalogue has
/// no words for it).
pub fn field_message(language: Language, invalid: &FieldError) -> &'static str {
    field_error(language, &invalid.field).unwrap_or(texts(language).field_invalid)
}

/// Why ANCV did not take the identifier the buyer typed.
pub fn beneficiary_message(language: Language, problem: BeneficiaryProblem) -> &'static str {
    let t = texts(language);
    match problem {
        BeneficiaryProblem::UnknownAccount => t.ancv_unknown_account,
        BeneficiaryProblem::RequestPending => t.ancv_request_pending,
        BeneficiaryProblem::Other(code) => refusal(language, code),
    }
}

/// Too many Chèque-Vacances requests for the session: when to try again, in whole minutes.
pub fn too_many_requests(language: Language, retry_after_seconds: u64) -> String {
    let minutes = retry_after_seconds.div_ceil(60).max(1);
    fill(texts(language).ancv_too_many, "minutes", minutes)
}

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

/// A form field's rule in the buyer's words (`None`: a field the catalogue does not know).
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
        "contract" => (
            "Choisissez un des types de carte proposés.",
            "Choose one of the card types offered.",
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

/// An amount of euro cents as the page (and the sandbox's 3-D Secure page) writes it:
/// `1\u{202f}234,50\u{a0}€` in French, `€1,234.50` in English.
pub fn money(language: Language, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (units, fraction) = ((cents / 100).unsigned_abs(), (cents % 100).unsigned_abs());
    match language {
        Language::French => format!("{sign}{},{fraction:02}\u{a0}€", grouped(units, '\u{202f}')),
        Language::English => format!("{sign}€{}.{fraction:02}", grouped(units, ',')),
    }
}

/// `units` with `separator` between groups of three digits.
fn grouped(units: u64, separator: char) -> String {
    let digits = units.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_in_each_language() {
        assert_eq!(money(Language::French, 6_000), "60,00\u{a0}€");
        assert_eq!(money(Language::English, 2_505), "€25.05");
        assert_eq!(money(Language::French, 7), "0,07\u{a0}€");
        assert_eq!(
            money(Language::French, 12_345_678),
            "123\u{202f}456,78\u{a0}€"
        );
        assert_eq!(money(Language::English, 10_000_000), "€100,000.00");
        assert_eq!(money(Language::English, -250), "-€2.50");
    }

    #[test]
    fn placeholders_are_filled() {
        for t in [texts(Language::French), texts(Language::English)] {
            let too_many = fill(t.ancv_too_many, "minutes", 7);
            let countdown = fill(t.redirect_countdown, "seconds", 15);
            assert!(
                too_many.contains('7') && !too_many.contains('{'),
                "{too_many}"
            );
            assert!(
                countdown.contains("15") && !countdown.contains('{'),
                "{countdown}"
            );
        }
    }

    /// Every word of a catalogue.
    fn words(t: &Texts) -> Vec<String> {
        let all = serde_json::to_value(t).unwrap();
        let all = all.as_object().unwrap().values();
        all.filter_map(|v| v.as_str().map(str::to_owned)).collect()
    }

    #[test]
    fn typography_of_each_language() {
        for text in words(texts(Language::English)) {
            assert!(!text.contains(" :") && !text.contains("\u{a0}:"), "{text}");
        }
        for text in words(texts(Language::French)) {
            for mark in [':', ';', '!', '?'] {
                assert!(
                    !text.contains(&format!(" {mark}")),
                    "plain space before {mark}: {text}"
                );
            }
        }
    }
}
