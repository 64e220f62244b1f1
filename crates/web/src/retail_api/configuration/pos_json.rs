//! Points of sale between the domain and the JSON API's wire types.

use crate::retail_api::session_json::iso_date;
use domain::point_of_sale::{PointOfSale, PointOfSaleChange, PointOfSaleRequest};

/// `pos` as the JSON API shows it.
pub(super) fn point_of_sale(pos: &PointOfSale) -> json_api::PointOfSale {
    json_api::PointOfSale {
        reference: pos.reference.clone(),
        label: pos.label.clone(),
        session_lifetime_minutes: pos.session_lifetime.as_minutes(),
        widget_data_updates: pos.widget_data_updates,
        created_at: iso_date(pos.created_at),
    }
}

/// A `POST` body as a new point of sale (a missing label is refused by its rule).
pub(super) fn new_point_of_sale(body: json_api::PointOfSaleBody) -> PointOfSaleRequest {
    PointOfSaleRequest {
        label: body.label.unwrap_or_default(),
        reference: body.reference,
        session_minutes: body.session_lifetime_minutes,
        widget_data_updates: body.widget_data_updates.unwrap_or(false),
    }
}

/// A `PATCH` body as a change to a stored point of sale.
pub(super) fn point_of_sale_change(body: json_api::PointOfSaleBody) -> PointOfSaleChange {
    PointOfSaleChange {
        reference: body.reference,
        label: body.label,
        session_minutes: body.session_lifetime_minutes,
        widget_data_updates: body.widget_data_updates,
    }
}
