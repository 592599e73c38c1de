//! HTTP to ZZAP's `datasharing.asmx`: form-encoded POSTs, the XML-wrapped JSON answer, errors that
//! arrive inside a 200, and the pause ZZAP requires between calls.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use ordertray_core::Secret;
use serde_json::Value;

use crate::http::{body_excerpt, network, retry_after_of};
use crate::ConnectorError;

/// When ZZAP says "too many requests" without saying how long to wait.
const RATE_LIMIT_WAIT: Duration = Duration::from_secs(10);

/// The next moment each (address, login) may call: shared by every connector instance, because
/// a sync and an outbox drain of the same account run side by side and ZZAP counts them together.
static NEXT_CALL: LazyLock<Mutex<HashMap<String, Instant>>> = LazyLock::new(Default::default);

pub struct ZzapClient {
    http: reqwest::Client,
    base: String,
    login: String,
    password: Option<Secret>,
    api_key: Option<Secret>,
    spacing: Duration,
}

impl ZzapClient {
    pub fn new(
        http: reqwest::Client,
        base: String,
        login: String,
        (password, api_key): (Option<Secret>, Option<Secret>),
        spacing: Duration,
    ) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            login,
            password,
            api_key,
            spacing,
        }
    }

    /// Calls `method` with the credentials and `params`; the answer's JSON document on success.
    pub async fn call(&self, method: &str, params: &[(&str, String)]) -> Result<Value, ConnectorError> {
        let (Some(password), Some(api_key)) = (&self.password, &self.api_key) else {
            return Err(ConnectorError::Auth(
                "the ZZAP password or API key is not set".into(),
            ));
        };
        self.wait_turn().await;
        tracing::debug!(method, "zzap request");
        let mut form: Vec<(&str, &str)> = vec![
            ("login", &self.login),
            ("password", password.expose()),
            ("api_key", api_key.expose()),
            ("call_data", ""),
        ];
        form.extend(params.iter().map(|(k, v)| (*k, v.as_str())));
        let response = self
            .http
            .post(format!("{}/webservice/datasharing.asmx/{method}", self.base))
            .form(&form)
            .send()
            .await
            .map_err(|e| network(method, e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after_of(&response);
        let bytes = response.bytes().await.map_err(|e| network(method, e))?;
        let secrets = [password.expose(), api_key.expose()];
        let clean = |text: String| redact(text, &secrets);
        match status {
            200..=299 => {}
            429 => {
                return Err(ConnectorError::RateLimited {
                    retry_after: retry_after.or(Some(RATE_LIMIT_WAIT)),
                    message: format!("{method}: ZZAP allows one request per 3 seconds"),
                })
            }
            401 | 403 => return Err(ConnectorError::Auth(clean(format!("{method}: HTTP {status}")))),
            500..=599 => {
                let message = clean(format!("{method}: {}", asmx_message(&bytes)));
                // ASMX answers 500 for a request it cannot read: retrying the same one will not help.
                return Err(
                    if message.contains("Missing parameter") || message.contains("unrecognized") {
                        ConnectorError::Rejected { status, message }
                    } else {
                        ConnectorError::Server { status, message }
                    },
                );
            }
            _ => {
                return Err(ConnectorError::Rejected {
                    status,
                    message: clean(format!("{method}: {}", body_excerpt(&bytes))),
                })
            }
        }
        let document =
            parse_answer(&bytes).map_err(|e| ConnectorError::Malformed(format!("{method}: {e}")))?;
        let error = document
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim();
        if error.is_empty() {
            return Ok(document);
        }
        Err(classify(method, &clean(error.to_string())))
    }

    /// Sleeps until this account may call again, and books the slot after it.
    async fn wait_turn(&self) {
        if self.spacing.is_zero() {
            return;
        }
        let key = format!("{}\u{0}{}", self.base, self.login);
        let wait = {
            let mut next = NEXT_CALL.lock().expect("ZZAP call clock poisoned");
            let now = Instant::now();
            let slot = next.get(&key).copied().filter(|t| *t > now).unwrap_or(now);
            next.insert(key, slot + self.spacing);
            slot - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// ZZAP's error texts are Russian prose: wrong credentials and rate limits are told apart by words.
fn classify(method: &str, error: &str) -> ConnectorError {
    let lower = error.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["лимит", "много запросов", "слишком часто", "too many", "limit"]) {
        ConnectorError::RateLimited {
            retry_after: Some(RATE_LIMIT_WAIT),
            message: format!("{method}: {error}"),
        }
    } else if has(&[
        "логин",
        "парол",
        "api_key",
        "ключ",
        "авториз",
        "доступ запрещ",
        "login",
        "password",
    ]) {
        ConnectorError::Auth(format!("{method}: {error}"))
    } else {
        ConnectorError::Rejected {
            status: 200,
            message: format!("{method}: {error}"),
        }
    }
}

/// The first line of an ASMX failure page ("System.InvalidOperationException: Missing parameter…").
fn asmx_message(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let first = first
        .trim_start_matches("System.InvalidOperationException:")
        .trim();
    body_excerpt(first.as_bytes())
}

fn redact(mut text: String, secrets: &[&str]) -> String {
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(s, "***");
    }
    text
}

/// The JSON document inside `<string …>…</string>`; a bare JSON body is taken as it is.
pub fn parse_answer(bytes: &[u8]) -> Result<Value, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the answer is not UTF-8 text".to_string())?;
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    let inner = if trimmed.starts_with('{') {
        trimmed.to_string()
    } else {
        let open = trimmed
            .find("<string")
            .ok_or_else(|| format!("the answer is not ZZAP's XML ({})", body_excerpt(bytes)))?;
        let tag_end = trimmed[open..]
            .find('>')
            .map(|i| open + i)
            .ok_or("the answer is cut off")?;
        if trimmed[..tag_end].ends_with('/') {
            return Err("the answer is empty".into());
        }
        let close = trimmed.rfind("</string>").ok_or("the answer is cut off")?;
        if close < tag_end {
            return Err("the answer is cut off".into());
        }
        unescape(&trimmed[tag_end + 1..close])?
    };
    serde_json::from_str(&inner).map_err(|e| format!("the answer's JSON is not valid ({e})"))
}

/// XML character references and the five predefined entities.
fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find(';').ok_or("a broken XML entity")?;
        let name = &tail[1..end];
        let c = match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()
                } else {
                    name.strip_prefix('#').and_then(|d| d.parse().ok())
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("an unknown XML entity &{name};"))?
            }
        };
        out.push(c);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_comes_out_of_the_xml_string() {
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<string xmlns=\"http://www.zzap.ru/\">{\"error\":\"\",\"table\":[{\"class_cat\":\"Фильтр &amp; &lt;b&gt; &#1046;&#x416;\"}]}</string>";
        let v = parse_answer(body.as_bytes()).unwrap();
        assert_eq!(v["table"][0]["class_cat"], "Фильтр & <b> ЖЖ");
        assert_eq!(parse_answer(br#"{"error":"x"}"#).unwrap()["error"], "x");
        assert!(parse_answer(b"<html>502</html>")
            .unwrap_err()
            .contains("not ZZAP"));
        assert!(parse_answer(b"<string xmlns=\"a\">{\"error\":")
            .unwrap_err()
            .contains("cut off"));
        assert!(parse_answer(b"<string xmlns=\"a\" />")
            .unwrap_err()
            .contains("empty"));
        assert!(parse_answer(b"<string>{\"a\":</string>")
            .unwrap_err()
            .contains("JSON"));
        assert!(parse_answer(b"<string>&bogus;</string>")
            .unwrap_err()
            .contains("entity"));
    }

    #[test]
    fn errors_inside_a_200_are_told_apart() {
        assert!(matches!(
            classify("M", "Неверный логин, пароль или api_key"),
            ConnectorError::Auth(_)
        ));
        assert!(matches!(
            classify("M", "Превышен лимит запросов"),
            ConnectorError::RateLimited { .. }
        ));
        assert!(matches!(
            classify("M", "Заказ 5 не найден"),
            ConnectorError::Rejected { status: 200, .. }
        ));
    }

    #[test]
    fn secrets_are_cut_out_of_texts() {
        assert_eq!(
            redact("bad key k-123 for pw".into(), &["k-123", "pw", ""]),
            "bad key *** for ***"
        );
    }
}
