//! The language of a request: `?lang=da|en` first, then `Accept-Language`, else Danish.

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
pub use tvaers_messages::Lang;

/// The language for a request's texts.
pub fn request_lang(query: Option<&str>, headers: &HeaderMap) -> Lang {
    if let Some(q) = query {
        for pair in q.split('&') {
            if let Some(("lang", v)) = pair.split_once('=')
                && let Some(l) = Lang::from_code(v)
            {
                return l;
            }
        }
    }
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(accept_language)
        .unwrap_or(Lang::Da)
}

/// The preferred of Danish and English in an `Accept-Language` value (RFC 9110 § 12.5.4),
/// or `None` when it names neither.
pub fn accept_language(value: &str) -> Option<Lang> {
    let mut best: Option<(f32, usize, Lang)> = None;
    for (i, item) in value.split(',').enumerate() {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|q| q.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let lang = match primary {
            "da" => Lang::Da,
            "en" => Lang::En,
            _ => continue,
        };
        if q <= 0.0 {
            continue;
        }
        // Higher q wins; on a tie, the earlier item.
        if best.is_none_or(|(bq, bi, _)| q > bq || (q == bq && i < bi)) {
            best = Some((q, i, lang));
        }
    }
    best.map(|(_, _, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_by_q() {
        assert_eq!(accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(accept_language("de, en;q=0.5, da;q=0.8"), Some(Lang::Da));
        assert_eq!(accept_language("da;q=0, en"), Some(Lang::En));
        assert_eq!(accept_language("fr, de"), None);
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_LANGUAGE, "en".parse().unwrap());
        assert_eq!(request_lang(Some("lang=da"), &h), Lang::Da);
        assert_eq!(request_lang(Some("x=1"), &h), Lang::En);
        assert_eq!(request_lang(None, &HeaderMap::new()), Lang::Da);
    }
}

/// The request's language as an extractor.
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<ReqLang, Self::Rejection> {
        Ok(ReqLang(request_lang(parts.uri.query(), &parts.headers)))
    }
}
