//! Builds the running parts of cvgate from the settings.

use super::CommandError;
use crate::settings::Settings;
use ancv::{AncvClient, ClientConfig, SealKey, SealKeyring};
use domain::clock::Clock;
use domain::random::SharedRandom;
use gateway::ancv_payments::{AncvPayments, AncvPaymentsConfig};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use store::Store;

/// The seal key from `[ancv]`; a bad one is a setting error naming the key.
pub fn seal_key(settings: &Settings) -> Result<SealKey, CommandError> {
    SealKey::new(&settings.ancv.seal_key_version, settings.ancv.seal_key.expose()).map_err(|rule| {
        CommandError::Invalid { line: format!("setting ancv.seal_key_version: {rule}"), json: None }
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
    let base_url = settings
        .ancv
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}/sandbox/ancv{}", loopback(bound), ancv::API_PATH));
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
            poll_interval_ms: i64::try_from(settings.ancv.poll_interval_ms).unwrap_or(i64::MAX),
        },
    ))
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
        assert_eq!(loopback("0.0.0.0:8080".parse().unwrap()).to_string(), "127.0.0.1:8080");
        assert_eq!(loopback("[::]:8080".parse().unwrap()).to_string(), "[::1]:8080");
        assert_eq!(loopback("10.0.0.5:80".parse().unwrap()).to_string(), "10.0.0.5:80");
    }
}
