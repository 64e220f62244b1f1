//! Which language a visit gets: `?lang=fr|en` (then remembered in a cookie), else that cookie,
//! else the browser's `Accept-Language`, else French (the app is French first).

use crate::app_page::catalogue::{self, Texts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Fr,
    En,
}

/// The language chosen, and whether it came from `?lang=` (so it must be remembered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Choice {
    pub lang: Lang,
    pub from_query: bool,
}

impl Lang {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// Exactly `fr` or `en` (what the switch link and the cookie carry).
    pub(crate) fn parse(code: &str) -> Option<Lang> {
        match code {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language the switch offers.
    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    pub(crate) fn texts(self) -> &'static Texts {
        match self {
            Lang::Fr => &catalogue::FR,
            Lang::En => &catalogue::EN,
        }
    }

    pub(crate) fn negotiate(
        query: Option<&str>,
        cookie: Option<&str>,
        accept_language: Option<&str>,
    ) -> Choice {
        if let Some(lang) = query.and_then(query_lang) {
            return Choice {
                lang,
                from_query: true,
            };
        }
        let lang = cookie
            .and_then(Lang::parse)
            .or_else(|| accept_language.and_then(preferred))
            .unwrap_or(Lang::Fr);
        Choice {
            lang,
            from_query: false,
        }
    }
}

/// `lang=…` in a raw query string (the values we accept need no decoding).
fn query_lang(query: &str) -> Option<Lang> {
    query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find_map(Lang::parse)
}

/// The supported language the browser prefers most (`q` weights, first listed on a tie);
/// `None` when it names neither.
fn preferred(header: &str) -> Option<Lang> {
    let mut best: Option<(Lang, u16)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let primary = tag.split('-').next().unwrap_or_default();
        let Some(lang) = Lang::parse(&primary.to_ascii_lowercase()) else {
            continue;
        };
        let weight = parts
            .find_map(|param| param.trim().strip_prefix("q="))
            .map_or(Some(1000), quality)
            .unwrap_or(0);
        if weight > 0 && best.is_none_or(|(_, top)| weight > top) {
            best = Some((lang, weight));
        }
    }
    best.map(|(lang, _)| lang)
}

/// A `q` value in thousandths (`0.8` → 800), read as text; `None` when malformed.
fn quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(query: Option<&str>, cookie: Option<&str>, header: Option<&str>) -> Lang {
        Lang::negotiate(query, cookie, header).lang
    }

    #[test]
    fn query_then_cookie_then_header_then_french() {
        let chosen = Lang::negotiate(Some("notice=x&lang=en"), Some("fr"), Some("fr"));
        assert_eq!(
            chosen,
            Choice {
                lang: Lang::En,
                from_query: true
            }
        );
        assert_eq!(lang(Some("lang=de"), Some("en"), None), Lang::En);
        assert_eq!(lang(None, Some("xx"), Some("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(lang(None, None, None), Lang::Fr);
        assert_eq!(lang(None, None, Some("de-DE, it")), Lang::Fr);
        assert!(!Lang::negotiate(None, Some("en"), None).from_query);
    }

    #[test]
    fn accept_language_weights() {
        assert_eq!(
            lang(None, None, Some("de;q=1, en;q=0.5, fr;q=0.8")),
            Lang::Fr
        );
        assert_eq!(lang(None, None, Some("EN-us;q=0.9, fr;q=0.3")), Lang::En);
        assert_eq!(lang(None, None, Some("en;q=0, fr;q=0.1")), Lang::Fr);
        assert_eq!(lang(None, None, Some("en;q=0")), Lang::Fr);
        // A tie keeps the first; a malformed weight counts as not acceptable.
        assert_eq!(lang(None, None, Some("en, fr")), Lang::En);
        assert_eq!(lang(None, None, Some("en;q=2, fr;q=0.2")), Lang::Fr);
        assert_eq!(quality("0.875"), Some(875));
        assert_eq!(quality("1.000"), Some(1000));
        assert_eq!(quality("0.1234"), None);
    }
}
