//! The CSRF defence of every POST: the request must not come from another site (its `Origin`,
//! when the browser sends one, names this host) and must carry the session's token.

use crate::app_page::session::{Session, SessionKey};
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};

pub(crate) fn post_allowed(
    headers: &HeaderMap,
    session: &Session,
    key: &SessionKey,
    token: &str,
) -> bool {
    // Both checks run, so the answer takes the same time whichever fails.
    let same_origin = same_origin(headers);
    let token_matches = session.csrf_matches(key, token);
    same_origin & token_matches
}

/// Refused when the browser says the form came from elsewhere: `Sec-Fetch-Site: cross-site`,
/// or an `Origin` naming another host (behind a proxy, `X-Forwarded-Host` counts too).
///
/// `Origin: null` says nothing: browsers send it for every form POST of a page served with
/// `Referrer-Policy: no-referrer` — this app's pages. Then, as without `Origin` (old browsers,
/// scripts), `Sec-Fetch-Site` and the token decide.
fn same_origin(headers: &HeaderMap) -> bool {
    if header(headers, "sec-fetch-site") == Some("cross-site") {
        return false;
    }
    let origin = header(headers, ORIGIN.as_str());
    let Some(origin) = origin.filter(|origin| *origin != "null") else {
        return true;
    };
    let Some(authority) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .filter(|authority| !authority.is_empty() && !authority.contains('/'))
    else {
        return false;
    };
    let forwarded = header(headers, "x-forwarded-host")
        .and_then(|hosts| hosts.split(',').next())
        .map(str::trim);
    [header(headers, HOST.as_str()), forwarded]
        .into_iter()
        .flatten()
        .any(|host| {
            without_default_port(host).eq_ignore_ascii_case(without_default_port(authority))
        })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn without_default_port(authority: &str) -> &str {
    authority
        .strip_suffix(":80")
        .or_else(|| authority.strip_suffix(":443"))
        .unwrap_or(authority)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::clock::Timestamp;
    use domain::random::OsRandom;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn origin_must_name_this_host_when_present() {
        let same = [
            headers(&[("host", "127.0.0.1:8080")]),
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
            ]),
            headers(&[
                ("host", "Pay.Example.com"),
                ("origin", "https://pay.example.com:443"),
            ]),
            headers(&[
                ("host", "10.0.0.5:8080"),
                ("x-forwarded-host", "pay.example.com, proxy"),
                ("origin", "https://pay.example.com"),
            ]),
            headers(&[("host", "h"), ("sec-fetch-site", "same-origin")]),
            headers(&[
                ("host", "h"),
                ("origin", "null"),
                ("sec-fetch-site", "same-origin"),
            ]),
        ];
        for map in same {
            assert!(same_origin(&map), "{map:?}");
        }
        let cross = [
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://evil.example"),
            ]),
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8081"),
            ]),
            headers(&[
                ("host", "h"),
                ("origin", "null"),
                ("sec-fetch-site", "cross-site"),
            ]),
            headers(&[("host", "h"), ("origin", "http://h/path")]),
            headers(&[("host", "h"), ("origin", "ftp://h")]),
            headers(&[("host", "h"), ("sec-fetch-site", "cross-site")]),
            headers(&[("origin", "http://h")]),
        ];
        for map in cross {
            assert!(!same_origin(&map), "{map:?}");
        }
    }

    #[test]
    fn both_the_origin_and_the_token_must_hold() {
        let key = SessionKey::generate(&OsRandom);
        let session = Session::anonymous(&OsRandom, Timestamp(0));
        let token = session.csrf_token(&key);
        let good = headers(&[("host", "h"), ("origin", "http://h")]);
        let evil = headers(&[("host", "h"), ("origin", "http://evil")]);
        assert!(post_allowed(&good, &session, &key, &token));
        assert!(!post_allowed(&good, &session, &key, "0000"));
        assert!(!post_allowed(&evil, &session, &key, &token));
    }
}
