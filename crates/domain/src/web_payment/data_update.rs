//! The merchant's update of a session's data before any payment attempt
//! (`Payline.Api.updateWebpaymentData`, widget.md §2): a new amount, order reference or buyer
//! identity, under the same rules as `doWebPayment`.

use super::request::{
    Refusal, ValidWebPayment, check_ancv_rules, check_email, check_order_ref, positive_amount,
};
use crate::contract::Contract;

/// What the merchant may change; `None` keeps the session's value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataUpdate {
    /// The new amount (payment and order), minor units.
    pub amount: Option<i64>,
    /// The new order reference.
    pub order_ref: Option<String>,
    /// The buyer's new e-mail address.
    pub buyer_email: Option<String>,
    /// The buyer's new first name.
    pub buyer_first_name: Option<String>,
    /// The buyer's new last name.
    pub buyer_last_name: Option<String>,
}

impl ValidWebPayment {
    /// The request with `update` applied, checked as `doWebPayment` checks it against the
    /// contracts it offers; refused with the code and field when a rule breaks.
    pub fn updated(
        &self,
        update: &DataUpdate,
        offered: &[&Contract],
    ) -> Result<ValidWebPayment, Refusal> {
        let mut next = self.clone();
        if let Some(amount) = update.amount {
            positive_amount("amount", amount)?;
            next.amount = amount;
            next.order_amount = amount;
        }
        if let Some(order_ref) = &update.order_ref {
            check_order_ref(order_ref)?;
            next.order_ref.clone_from(order_ref);
        }
        if let Some(email) = &update.buyer_email {
            check_email(Some(email))?;
            next.buyer.email = Some(email.clone());
        }
        for (value, slot) in [
            (&update.buyer_first_name, &mut next.buyer.first_name),
            (&update.buyer_last_name, &mut next.buyer.last_name),
        ] {
            if let Some(value) = value {
                *slot = Some(value.clone());
            }
        }
        check_ancv_rules(
            offered,
            next.buyer.email.as_deref(),
            next.action,
            next.currency,
            next.amount,
        )?;
        Ok(next)
    }
}
