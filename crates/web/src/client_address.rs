//! Who is calling: the TCP peer's address, or, when the peer is a proxy the operator trusts
//! (`trusted_proxies`), the address that proxy says it serves (`X-Forwarded-For`). The sign-in
//! and API throttles and the audit trail count by it; behind a TLS-terminating proxy, without
//! it, every caller would be the proxy.

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The proxies whose `X-Forwarded-For` is believed (none by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses and networks (`127.0.0.1, 10.0.0.0/8, ::1`).
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("must be addresses or networks separated by commas (e.g. 10.0.0.0/8); {item:?} is neither")
                    })
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address as text (`unknown` when the server does not know the peer): the
    /// peer, or behind trusted proxies the nearest address in `X-Forwarded-For` that is not one
    /// of them (those further left could be made up by the client).
    pub(crate) fn client_address(&self, extensions: &Extensions, headers: &HeaderMap) -> String {
        let Some(ConnectInfo(peer)) = extensions.get::<ConnectInfo<SocketAddr>>() else {
            return "unknown".to_owned();
        };
        let mut client = peer.ip();
        if self.trusts(client) {
            let forwarded = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .map(str::trim)
                .collect::<Vec<_>>();
            for hop in forwarded.iter().rev() {
                let Ok(ip) = hop.parse::<IpAddr>() else { break };
                client = ip;
                if !self.trusts(ip) {
                    break;
                }
            }
        }
        client.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(trusted: &str, peer: &str, forwarded: &[&str]) -> String {
        let mut extensions = Extensions::new();
        extensions.insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 443)));
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        TrustedProxies::parse(trusted)
            .unwrap()
            .client_address(&extensions, &headers)
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        assert_eq!(address("", "203.0.113.9", &["198.51.100.1"]), "203.0.113.9");
        assert_eq!(
            address("10.0.0.0/8", "10.0.0.2", &["198.51.100.1"]),
            "198.51.100.1"
        );
        // A client's own X-Forwarded-For is left of what the proxy appended: not believed.
        assert_eq!(
            address(
                "10.0.0.0/8, ::1",
                "10.0.0.2",
                &["1.2.3.4, 198.51.100.1", "10.0.0.3"]
            ),
            "198.51.100.1"
        );
        assert_eq!(address("10.0.0.2", "10.0.0.2", &["garbage"]), "10.0.0.2");
        assert_eq!(address("10.0.0.2", "10.0.0.2", &[]), "10.0.0.2");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
    }
}
