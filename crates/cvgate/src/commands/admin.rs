//! `cvgate merchant|pos|contract …`: the back office on the command line.

use super::error::CommandError;
use super::output::Output;
use crate::cli::{ContractCommand, MerchantCommand, PosCommand};
use domain::contract::ContractRequest;
use gateway::MerchantConfig;
use gateway::notification_signing::DEFAULT_OVERLAP_MS;

/// `cvgate merchant create|rotate-key|list`.
pub async fn merchant(
    config: &MerchantConfig,
    command: MerchantCommand,
    json: bool,
) -> Result<(), CommandError> {
    let fail = |error| CommandError::from_config(error, json);
    let out = Output { json };
    match command {
        MerchantCommand::Create { name } => {
            let (merchant, key) = config.create_merchant(&name).await.map_err(fail)?;
            out.access_key(&merchant.id, &key, "created");
        }
        MerchantCommand::RotateKey { merchant } => {
            let (id, key) = config.rotate_key(&merchant).await.map_err(fail)?;
            out.access_key(
                &id,
                &key,
                "has a new access key (the previous one no longer works)",
            );
        }
        MerchantCommand::List => out.merchants(&config.list_merchants().await.map_err(fail)?),
    }
    Ok(())
}

/// `cvgate pos create|list|set|notification-secret`.
pub async fn pos(
    config: &MerchantConfig,
    command: PosCommand,
    json: bool,
) -> Result<(), CommandError> {
    let fail = |error| CommandError::from_config(error, json);
    let out = Output { json };
    match command {
        PosCommand::Create {
            merchant,
            label,
            reference,
            session_minutes,
        } => {
            let pos = config
                .create_point_of_sale(&merchant, &label, reference.as_deref(), session_minutes)
                .await
                .map_err(fail)?;
            out.pos_created(&pos);
        }
        PosCommand::List { merchant } => {
            out.points_of_sale(&config.list_points_of_sale(&merchant).await.map_err(fail)?)
        }
        PosCommand::Set {
            merchant,
            pos,
            widget_data_updates,
        } => {
            let pos = config
                .set_widget_data_updates(&merchant, pos, widget_data_updates)
                .await
                .map_err(fail)?;
            out.points_of_sale(std::slice::from_ref(&pos));
        }
        PosCommand::NotificationSecret {
            merchant,
            pos,
            overlap_hours,
            off,
        } => {
            if off {
                config
                    .stop_signing_notifications(&merchant, pos)
                    .await
                    .map_err(fail)?;
                out.notification_secret(pos, None);
            } else {
                let overlap_ms =
                    overlap_hours.map_or(DEFAULT_OVERLAP_MS, |h| h.saturating_mul(3_600_000));
                let secret = config
                    .rotate_notification_secret(&merchant, pos, overlap_ms)
                    .await
                    .map_err(fail)?;
                out.notification_secret(pos, Some(&secret));
            }
        }
    }
    Ok(())
}

/// `cvgate contract create|list|show|disable`.
pub async fn contract(
    config: &MerchantConfig,
    command: ContractCommand,
    json: bool,
) -> Result<(), CommandError> {
    let fail = |error| CommandError::from_config(error, json);
    let out = Output { json };
    match command {
        ContractCommand::Create(args) => {
            let request = ContractRequest {
                number: args.number,
                card_code: args.card_code,
                label: args.label,
                currency: args.currency,
                description: args.description,
                shop_id: args.shop_id,
                complementary: args.complementary,
            };
            let contract = config
                .create_contract(&args.merchant, args.pos, &request)
                .await
                .map_err(fail)?;
            out.contract(&contract);
        }
        ContractCommand::List { merchant } => {
            out.contracts(&config.list_contracts(&merchant).await.map_err(fail)?)
        }
        ContractCommand::Show(key) => out.contract(
            &config
                .show_contract(&key.merchant, &key.number)
                .await
                .map_err(fail)?,
        ),
        ContractCommand::Disable(key) => {
            out.contract(
                &config
                    .disable_contract(&key.merchant, &key.number)
                    .await
                    .map_err(fail)?,
            );
        }
    }
    Ok(())
}
