//! HS256 JWT verification with upstream's reason codes, checked in upstream's order:
//! [`verify`] returns the [`Claims`] or the first failing check's code (`jwt_malformed`,
//! `jwt_header_invalid`, `jwt_algorithm_unsupported`, `jwt_signature_invalid`,
//! `jwt_payload_invalid`, `jwt_payload_schema_invalid`, `jwt_expired`, `jwt_issuer_mismatch`,
//! `jwt_audience_mismatch`). The signature is compared in constant time by `hmac`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// `sub`: the client id.
    pub subject: String,
    /// `exp`, epoch seconds.
    pub expires_at: u64,
}

/// Verifies `token` against `secret`, `issuer` and `audience` at `now` (epoch seconds).
pub fn verify(
    token: &str,
    secret: &[u8],
    issuer: &str,
    audience: &str,
    now: u64,
) -> Result<Claims, &'static str> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err("jwt_malformed");
    };
    let header: serde_json::Value = decode_json(header).ok_or("jwt_header_invalid")?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err("jwt_algorithm_unsupported");
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| "jwt_signature_invalid")?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| "jwt_signature_invalid")?;
    mac.update(header_and_payload(token).as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| "jwt_signature_invalid")?;
    let payload: serde_json::Value = decode_json(payload).ok_or("jwt_payload_invalid")?;
    let text = |key: &str| payload.get(key).and_then(|v| v.as_str());
    let number = |key: &str| payload.get(key).and_then(serde_json::Value::as_f64);
    let scopes_ok = payload.get("scopes").is_none_or(|s| {
        s.as_array()
            .is_some_and(|a| a.iter().all(serde_json::Value::is_string))
    });
    let claims_ok = payload
        .get("claims")
        .is_none_or(serde_json::Value::is_object);
    let (Some(sub), Some(iss), Some(aud), Some(_iat), Some(exp)) = (
        text("sub"),
        text("iss"),
        text("aud"),
        number("iat"),
        number("exp"),
    ) else {
        return Err("jwt_payload_schema_invalid");
    };
    if !scopes_ok || !claims_ok {
        return Err("jwt_payload_schema_invalid");
    }
    // Upstream: expired when exp <= floor(now), no leeway.
    if exp <= now as f64 {
        return Err("jwt_expired");
    }
    if iss != issuer {
        return Err("jwt_issuer_mismatch");
    }
    if aud != audience {
        return Err("jwt_audience_mismatch");
    }
    Ok(Claims {
        subject: sub.to_owned(),
        // A fractional or huge exp still orders correctly against whole seconds.
        expires_at: exp.min(u64::MAX as f64) as u64,
    })
}

fn header_and_payload(token: &str) -> &str {
    token.rsplit_once('.').map_or(token, |(signed, _)| signed)
}

fn decode_json(part: &str) -> Option<serde_json::Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Makes an HS256 token (tests and tools; the daemon issues none).
pub fn sign(claims: &serde_json::Value, secret: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signed = format!("{header}.{payload}");
    let signature = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(signed.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this cannot happen.
        Err(_) => String::new(),
    };
    format!("{signed}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: u64 = 1_800_000_000;

    fn claims() -> serde_json::Value {
        json!({"sub": "neo", "iss": "wundr-orchestrator", "aud": "wundr-daemon",
               "iat": NOW - 10, "exp": NOW + 60})
    }

    fn check(token: &str) -> Result<Claims, &'static str> {
        verify(token, SECRET, "wundr-orchestrator", "wundr-daemon", NOW)
    }

    fn with(patch: serde_json::Value) -> String {
        let mut c = claims();
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        sign(&c, SECRET)
    }

    #[test]
    fn a_valid_token_verifies() {
        let claims = check(&sign(&claims(), SECRET)).unwrap();
        assert_eq!(claims.subject, "neo");
        assert_eq!(claims.expires_at, NOW + 60);
    }

    #[test]
    fn reason_codes_follow_upstreams_order() {
        let good = sign(&claims(), SECRET);
        let (signed, _) = good.rsplit_once('.').unwrap();
        let payload = signed.split('.').nth(1).unwrap();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let bad_json = URL_SAFE_NO_PAD.encode(b"{nope");
        let forged = |header: &str, payload: &str| {
            let signed = format!("{header}.{payload}");
            let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
            mac.update(signed.as_bytes());
            format!(
                "{signed}.{}",
                URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
            )
        };
        let header = signed.split('.').next().unwrap();
        let cases = [
            ("a.b".to_owned(), "jwt_malformed"),
            (format!("{bad_json}.{payload}.x"), "jwt_header_invalid"),
            (
                format!("{none_header}.{payload}."),
                "jwt_algorithm_unsupported",
            ),
            (format!("{signed}.AAAA"), "jwt_signature_invalid"),
            (
                sign(&claims(), b"another secret, also long enough!!"),
                "jwt_signature_invalid",
            ),
            (forged(header, &bad_json), "jwt_payload_invalid"),
            (
                with(json!({"aud": ["wundr-daemon"]})),
                "jwt_payload_schema_invalid",
            ),
            (with(json!({"exp": "soon"})), "jwt_payload_schema_invalid"),
            (with(json!({"scopes": "all"})), "jwt_payload_schema_invalid"),
            (with(json!({"exp": NOW})), "jwt_expired"),
            (with(json!({"iss": "evil", "exp": NOW - 1})), "jwt_expired"),
            (with(json!({"iss": "evil"})), "jwt_issuer_mismatch"),
            (with(json!({"aud": "other"})), "jwt_audience_mismatch"),
        ];
        for (token, reason) in cases {
            assert_eq!(check(&token), Err(reason), "{token}");
        }
    }
}
