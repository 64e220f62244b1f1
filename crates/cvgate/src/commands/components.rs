//! Builds the running parts of cvgate from the settings.

use super::error::CommandError;
use crate::settings::{Environment, Settings};
use ancv::{AncvClient, ClientConfig, SealKey, SealKeyring};
use ancv_sandbox::{Sandbox, SandboxConfig};
use card::{Acquirer, HttpAcquirer, HttpAcquirerConfig, NoAcquirer};
use card_sandbox::{ACS_MOUNT, API_MOUNT, CardSandbox, CardSandboxConfig};
use domain::clock::Clock;
use domain::random::SharedRandom;
use gateway::ancv_payments::{AncvPayments, AncvPaymentsConfig};
use gateway::card_payments::{CardPayments, CardPaymentsConfig};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use store::Store;

/// The seal key from `[ancv]`; a bad one is a setting error naming the key.
pub fn seal_key(settings: &Settings) -> Result<SealKey, CommandError> {
    SealKey::new(
        &settings.ancv.seal_key_version,
        settings.ancv.seal_key.expose(),
    )
    .map_err(|rule| CommandError::Invalid {
        line: format!("setting ancv.seal_key_version: {rule}"),
        json: None,
    })
}

/// The ANCV connector and cvgate's ANCV payments. Without `ancv.base_url` (homologation) the
/// connector calls the in-process sandbox over loopback HTTP, like a real partner.
pub fn ancv_payments(
    settings: &Settings,
    store: &Store,
    clock: &Arc<dyn Clock>,
    random: &SharedRandom,
    bound: SocketAddr,
    public_base: &str,
) -> Result<AncvPayments, CommandError> {
    let key = seal_key(settings)?;
    let base_url =
        settings.ancv.base_url.clone().unwrap_or_else(|| {
            format!("http://{}/sandbox/ancv{}", loopback(bound), ancv::API_PATH)
        });
    let client = AncvClient::new(
        ClientConfig {
            base_url,
            service_provider_id: settings.ancv.service_provider_id.clone(),
            seal_key: key.clone(),
            connect_timeout: Duration::from_millis(settings.ancv.connect_timeout_ms),
            read_timeout: Duration::from_millis(settings.ancv.read_timeout_ms),
        },
        Arc::clone(clock),
    )
    .map_err(|error| CommandError::Internal(anyhow::anyhow!(error)))?;
    Ok(AncvPayments::new(
        store.clone(),
        Arc::clone(clock),
        Arc::clone(random),
        AncvPaymentsConfig {
            client,
            notification_keys: SealKeyring::new(vec![key]),
            notification_url: format!("{public_base}{}", web::partner::ANCV_NOTIFICATIONS),
            poll_interval_ms: millis(settings.ancv.poll_interval_ms),
        },
    ))
}

/// The ANCV sandbox, agreeing with the connector on the service provider and seal key of
/// `[ancv]` with no extra setting.
pub async fn ancv_sandbox(
    settings: &Settings,
    store: &Store,
    clock: &Arc<dyn Clock>,
    random: &SharedRandom,
) -> Result<Sandbox, CommandError> {
    let mut config = SandboxConfig::new(
        settings.ancv.service_provider_id.clone(),
        seal_key(settings)?,
    );
    config.validation_window_ms = millis(
        settings
            .sandbox_ancv
            .validation_window_secs
            .saturating_mul(1000),
    );
    config.auto_delay_ms = millis(settings.sandbox_ancv.auto_delay_ms);
    Sandbox::open(store.clone(), Arc::clone(clock), Arc::clone(random), config)
        .await
        .map_err(|error| CommandError::Internal(anyhow::anyhow!(error)))
}

/// The card sandbox; its ACS page is reached by buyers at the public URL.
pub async fn card_sandbox(
    store: &Store,
    clock: &Arc<dyn Clock>,
    random: &SharedRandom,
    public_base: &str,
) -> Result<CardSandbox, CommandError> {
    let config = CardSandboxConfig {
        acs_base_url: format!("{public_base}{ACS_MOUNT}"),
    };
    Ok(CardSandbox::open(store.clone(), Arc::clone(clock), Arc::clone(random), config).await?)
}

/// The card payment service and its acquirer: `card.base_url`, else in homologation the card
/// sandbox over loopback HTTP, else none (production refuses card payments rather than take test
/// cards).
pub fn card_payments(
    settings: &Settings,
    store: &Store,
    clock: &Arc<dyn Clock>,
    random: &SharedRandom,
    bound: SocketAddr,
    wake_worker: Arc<tokio::sync::Notify>,
) -> Result<CardPayments, CommandError> {
    let base_url = match (&settings.card.base_url, settings.env) {
        (Some(url), _) => Some(url.clone()),
        (None, Environment::Homologation) => Some(format!("http://{}{API_MOUNT}", loopback(bound))),
        (None, Environment::Production) => None,
    };
    let acquirer: Arc<dyn Acquirer> = match base_url {
        Some(base_url) => Arc::new(
            HttpAcquirer::new(HttpAcquirerConfig {
                base_url,
                connect_timeout: Duration::from_millis(settings.card.connect_timeout_ms),
                read_timeout: Duration::from_millis(settings.card.read_timeout_ms),
            })
            .map_err(|error| CommandError::Internal(anyhow::anyhow!(error)))?,
        ),
        None => {
            tracing::warn!(
                "no acquirer configured (setting card.base_url): card payments will be refused"
            );
            Arc::new(NoAcquirer)
        }
    };
    let config = CardPaymentsConfig {
        remittance_time: settings.remittance_time,
        wake_worker: Some(wake_worker),
        never_arrived_after_ms: i64::try_from(settings.card.never_arrived_after_secs)
            .unwrap_or(i64::MAX / 1_000)
            * 1_000,
    };
    Ok(CardPayments::new(
        store.clone(),
        Arc::clone(clock),
        Arc::clone(random),
        acquirer,
        config,
    ))
}

fn millis(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The address to reach our own listener: a wildcard bind is reached on loopback.
fn loopback(bound: SocketAddr) -> SocketAddr {
    let ip = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, bound.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_binds_are_reached_on_loopback() {
        assert_eq!(
            loopback("0.0.0.0:8080".parse().unwrap()).to_string(),
            "127.0.0.1:8080"
        );
        assert_eq!(
            loopback("[::]:8080".parse().unwrap()).to_string(),
            "[::1]:8080"
        );
        assert_eq!(
            loopback("10.0.0.5:80".parse().unwrap()).to_string(),
            "10.0.0.5:80"
        );
    }
}
