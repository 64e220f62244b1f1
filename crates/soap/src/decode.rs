//! Reading the request values every API shares: text leaves and the `obj` types that several
//! requests carry (`payment`, `order`, `buyer`, `privateDataList`). Absent, nil and empty all
//! read as `None`; unknown extra elements are ignored.

use crate::sensitive::Sensitive;
use crate::xml::Element;
use domain::web_payment::request::{BuyerInput, OrderInput, PaymentInput};

pub(crate) fn text(element: &Element, name: &str) -> Option<String> {
    element.value(name).map(str::to_owned)
}

pub(crate) fn sensitive(element: &Element, name: &str) -> Option<Sensitive> {
    element.value(name).map(Sensitive::new)
}

/// The `payment` child of `parent`.
pub(crate) fn payment(parent: &Element) -> Option<PaymentInput> {
    parent.present("payment").map(|p| PaymentInput {
        amount: text(p, "amount"),
        currency: text(p, "currency"),
        action: text(p, "action"),
        mode: text(p, "mode"),
        contract_number: text(p, "contractNumber"),
        differed_action_date: text(p, "differedActionDate"),
        soft_descriptor: text(p, "softDescriptor"),
    })
}

/// The `order` child of `parent`.
pub(crate) fn order(parent: &Element) -> Option<OrderInput> {
    parent.present("order").map(|o| OrderInput {
        reference: text(o, "ref"),
        amount: text(o, "amount"),
        currency: text(o, "currency"),
        date: text(o, "date"),
    })
}

/// The `buyer` child of `parent`; an absent buyer reads as one with no values.
pub(crate) fn buyer(parent: &Element) -> BuyerInput {
    parent
        .present("buyer")
        .map(|b| BuyerInput {
            title: text(b, "title"),
            last_name: text(b, "lastName"),
            first_name: text(b, "firstName"),
            email: text(b, "email"),
            mobile_phone: text(b, "mobilePhone"),
            customer_id: text(b, "customerId"),
        })
        .unwrap_or_default()
}

/// The `privateDataList` child of `parent`: (key, value) pairs; an entry without a key is
/// dropped, a missing value reads as "".
pub(crate) fn private_data(parent: &Element) -> Vec<(String, String)> {
    parent
        .present("privateDataList")
        .map(|list| {
            list.children_named("privateData")
                .filter_map(|entry| {
                    Some((
                        entry.value("key")?.to_owned(),
                        entry.value("value").unwrap_or("").to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}
