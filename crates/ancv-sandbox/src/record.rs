//! A stored transaction with its state and capture mode read back as types, and its wire form
//! (the success envelope of every call and of every notification).

use crate::error::SandboxError;
use crate::model::{Deadlines, State};
use crate::rules;
use crate::storage::SandboxTransaction;
use ancv::wire::{
    Amount, Authorization, CaptureMode, Envelope, Merchant, Order, Payer, PaymentMethod,
    RedirectUrls, Transaction,
};
use domain::clock::Timestamp;
use serde_json::{Map, Value};

pub(crate) struct Txn {
    pub(crate) row: SandboxTransaction,
    pub(crate) state: State,
    pub(crate) capture_mode: CaptureMode,
}

impl Txn {
    pub(crate) fn from_row(row: SandboxTransaction) -> Result<Txn, SandboxError> {
        let state = State::parse(&row.state).ok_or_else(|| {
            SandboxError::Internal(format!("transaction {} has state {:?}", row.id, row.state))
        })?;
        let capture_mode = capture_mode_from_str(&row.capture_mode).ok_or_else(|| {
            SandboxError::Internal(format!(
                "transaction {} has capture mode {:?}",
                row.id, row.capture_mode
            ))
        })?;
        Ok(Txn {
            row,
            state,
            capture_mode,
        })
    }

    pub(crate) fn id(&self) -> &str {
        &self.row.id
    }

    pub(crate) fn set_state(&mut self, state: State, now: Timestamp) {
        self.state = state;
        self.row.state = state.as_str().to_owned();
        self.row.updated_at = now;
    }

    pub(crate) fn deadlines(&self) -> Deadlines {
        Deadlines {
            expires_at: self.row.expires_at,
            capture_at: match self.capture_mode {
                CaptureMode::Normal => None,
                CaptureMode::Deferred => self.row.capture_at,
            },
        }
    }

    /// The currency of the order (always EUR once created).
    fn amount(&self, total: i64) -> Amount {
        Amount {
            total,
            currency: u16::try_from(self.row.currency).unwrap_or(rules::EUR),
        }
    }

    pub(crate) fn to_wire(&self) -> Transaction {
        let row = &self.row;
        let authorizations = match (&row.authorization_number, row.validated_amount) {
            (Some(number), Some(validated)) => vec![Authorization {
                number: number.clone(),
                kind: "CVCo".to_owned(),
                amount: self.amount(validated),
                validation_date: row.validated_at.map(Timestamp::to_rfc3339),
                holder: row.beneficiary_id.as_deref().map(rules::mask_holder),
            }],
            _ => Vec::new(),
        };
        let payers = match (&row.payer_ref, row.payer_amount) {
            (Some(payer_ref), Some(payer_amount)) => vec![Payer {
                beneficiary_id: payer_ref.clone(),
                amount: self.amount(payer_amount),
                authorizations,
            }],
            _ => Vec::new(),
        };
        Transaction {
            id: row.id.clone(),
            state: self.state,
            sub_state: None,
            creation_date: Some(row.created_at.to_rfc3339()),
            update_date: Some(row.updated_at.to_rfc3339()),
            expiration_date: Some(row.expires_at.to_rfc3339()),
            merchant: Merchant {
                shop_id: row.shop_id.clone(),
                service_provider_id: row.service_provider_id.clone(),
            },
            order: Order {
                id: row.order_id.clone(),
                payment_id: row.payment_id.clone(),
                label: row.label.clone(),
                amount: self.amount(row.amount),
            },
            payment_method: Some(PaymentMethod {
                tspd_mode: row.tspd_mode.clone(),
                capture_mode: self.capture_mode,
                capture_date: row.capture_date.clone(),
            }),
            redirect_urls: Some(RedirectUrls {
                return_url: row.return_url.clone(),
                cancel_url: row.cancel_url.clone(),
            }),
            payers,
        }
    }

    pub(crate) fn envelope(&self, now: Timestamp) -> Envelope {
        envelope(self.to_wire(), now)
    }
}

pub(crate) fn envelope(transaction: Transaction, now: Timestamp) -> Envelope {
    Envelope {
        response_date: now.to_rfc3339(),
        application_context: Value::Object(Map::new()),
        transaction,
    }
}

pub(crate) fn capture_mode_str(mode: CaptureMode) -> &'static str {
    match mode {
        CaptureMode::Normal => "NORMAL",
        CaptureMode::Deferred => "DEFERRED",
    }
}

fn capture_mode_from_str(value: &str) -> Option<CaptureMode> {
    [CaptureMode::Normal, CaptureMode::Deferred]
        .into_iter()
        .find(|mode| capture_mode_str(*mode) == value)
}
