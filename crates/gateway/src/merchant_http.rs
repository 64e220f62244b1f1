//! The HTTP client that calls merchants (WEBTRS/TRS notifications). Unless told otherwise
//! (homologation, where shops run on localhost), it only reaches public addresses: a
//! `notificationURL` must not make cvgate call into its own network (server-side request forgery).

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// A client for merchant calls: no redirects followed, no proxy, 10 s at most, and (unless
/// `allow_private_addresses`) host names resolved to public addresses only.
pub fn client(allow_private_addresses: bool) -> reqwest::Client {
    // No proxy from HTTP(S)_PROXY: a proxy would resolve the merchant's host itself, past the
    // public-address check.
    let builder = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("cvgate/", env!("CARGO_PKG_VERSION")));
    let builder = if allow_private_addresses {
        builder
    } else {
        builder.dns_resolver(PublicOnly)
    };
    builder.build().expect("the merchant HTTP client builds")
}

/// Why a merchant URL is not called.
#[derive(Debug, thiserror::Error)]
pub enum RefusedUrl {
    /// It does not parse as a URL (the parser's reason).
    #[error("not a URL: {0}")]
    Malformed(String),
    /// It names no host (e.g. `data:`).
    #[error("the URL has no host")]
    NoHost,
    /// Its host is a loopback, private or otherwise special address, or `localhost`.
    #[error("{0} is not a public address")]
    NotPublic(String),
}

/// Whether `url` may be called: its host, when an address or `localhost`, must be public (names
/// are checked when resolved).
pub fn check_url(url: &str, allow_private_addresses: bool) -> Result<(), RefusedUrl> {
    if allow_private_addresses {
        return Ok(());
    }
    let parsed =
        reqwest::Url::parse(url).map_err(|error| RefusedUrl::Malformed(error.to_string()))?;
    let host = parsed.host_str().ok_or(RefusedUrl::NoHost)?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let refused = match bare.parse::<IpAddr>() {
        Ok(ip) => !is_public(ip),
        Err(_) => {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    if refused {
        Err(RefusedUrl::NotPublic(host.to_owned()))
    } else {
        Ok(())
    }
}

/// Addresses on the Internet, not loopback, private, link-local, shared or otherwise special.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(mapped) => is_public_v4(mapped),
            None => is_public_v6(ip),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b); // 100.64.0.0/10 (carrier-grade NAT)
    let benchmarking = a == 198 && (b == 18 || b == 19); // 198.18.0.0/15
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || shared
        || benchmarking
        || a == 0
        || a >= 240)
}

/// Besides the special ranges, the ones that carry an IPv4 address a gateway on the way would
/// reach (NAT64, 6to4, Teredo, IPv4-compatible): cvgate cannot tell where they lead.
fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let first = segments[0];
    let unique_local = first & 0xfe00 == 0xfc00; // fc00::/7
    let link_local = first & 0xffc0 == 0xfe80; // fe80::/10
    let nat64 = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] // 64:ff9b::/96
        || segments[..3] == [0x64, 0xff9b, 1]; // 64:ff9b:1::/48
    let six_to_four = first == 0x2002; // 2002::/16
    let teredo = first == 0x2001 && segments[1] == 0; // 2001::/32
    let documentation = first == 0x2001 && segments[1] == 0x0db8; // 2001:db8::/32
    let ipv4_compatible = segments[..6] == [0; 6]; // ::/96 (:: and ::1 included)
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || unique_local
        || link_local
        || nat64
        || six_to_four
        || teredo
        || documentation
        || ipv4_compatible)
}

/// Resolves names, keeping only public addresses.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|addr| is_public(addr.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
            "198.18.0.1",
            "198.19.255.254",
            "64:ff9b::7f00:1",
            "64:ff9b::808:808",
            "64:ff9b:1::a00:1",
            "2002:7f00:1::1",
            "2001:0:4136:e378::1",
            "2001:db8::1",
            "::7f00:1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "198.20.0.1",
            "2001:4860:4860::8888",
            "2a00:1450:4007::1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_with_private_hosts_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:8080/n",
            "http://[::1]/n",
            "http://localhost/n",
            "https://169.254.169.254/latest",
        ] {
            assert!(check_url(url, false).is_err(), "{url}");
            assert!(check_url(url, true).is_ok(), "{url}");
        }
        assert!(check_url("https://shop.example/notify", false).is_ok());
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_not_called() {
        let client = client(false);
        let error = client
            .get("http://localhost:9/never")
            .send()
            .await
            .unwrap_err();
        assert!(
            format!("{error:?}").contains("no public address"),
            "{error:?}"
        );
    }

    /// Whatever `HTTP_PROXY` says, a merchant is called directly. The proxy variable is set
    /// only in a child process (this test run again), so that no other test sees it.
    #[tokio::test]
    async fn merchant_calls_ignore_the_proxy_variables() {
        const TARGET: &str = "CVGATE_TEST_MERCHANT_URL";
        let merchant = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/notify", merchant.local_addr().unwrap());
        if let Ok(target) = std::env::var(TARGET) {
            // The child: the proxy variables point at a closed port.
            let answer = client(true).get(&target).send().await;
            assert!(answer.is_ok(), "called directly: {answer:?}");
            return;
        }
        let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
        drop(proxy);
        let serve = tokio::spawn(async move {
            let (mut stream, _) = merchant.accept().await.unwrap();
            let mut request = [0u8; 1024];
            let read = tokio::io::AsyncReadExt::read(&mut stream, &mut request)
                .await
                .unwrap();
            let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
            tokio::io::AsyncWriteExt::write_all(&mut stream, answer)
                .await
                .unwrap();
            String::from_utf8_lossy(&request[..read]).into_owned()
        });
        let child = tokio::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "merchant_http::tests::merchant_calls_ignore_the_proxy_variables",
            ])
            .env(TARGET, &url)
            .env("HTTP_PROXY", &proxy_url)
            .env("http_proxy", &proxy_url)
            .env("ALL_PROXY", &proxy_url)
            .output()
            .await
            .unwrap();
        assert!(
            child.status.success(),
            "{}",
            String::from_utf8_lossy(&child.stdout)
        );
        let request = serve.await.unwrap();
        assert!(request.starts_with("GET /notify HTTP/1.1"), "{request}");
    }
}
