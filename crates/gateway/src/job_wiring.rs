//! Every job handler of the gateway's services, for the worker of a process that runs them all.

use crate::after_sale::AfterSale;
use crate::ancv_payments::AncvPayments;
use crate::card_payments::CardPayments;
use crate::web_payments::WebPayments;
use jobs::JobHandler;
use std::sync::Arc;

/// The handlers of ANCV payments, card payments, web payments and after-sale, in that order.
pub fn all_job_handlers(
    ancv: &AncvPayments,
    card: &CardPayments,
    web_payments: &WebPayments,
    after_sale: &AfterSale,
) -> Vec<Arc<dyn JobHandler>> {
    ancv.job_handlers()
        .into_iter()
        .chain(card.job_handlers())
        .chain(web_payments.job_handlers())
        .chain(after_sale.job_handlers())
        .collect()
}
