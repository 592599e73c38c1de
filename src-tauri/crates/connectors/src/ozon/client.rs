//! HTTP to Ozon: headers, error mapping, and the request/answer shapes of each effect.

use ordertray_core::{Effect, EffectItem, Secret};
use serde_json::{json, Value};

use crate::http::{body_excerpt, network, retry_after_of};
use crate::ConnectorError;

pub struct OzonClient {
    http: reqwest::Client,
    base: String,
    client_id: String,
    api_key: Option<Secret>,
}

impl OzonClient {
    pub fn new(http: reqwest::Client, base: String, client_id: String, api_key: Option<Secret>) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            client_id,
            api_key,
        }
    }

    /// Every Ozon call is a POST with a JSON body, even reads.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, ConnectorError> {
        let api_key = self
            .api_key
            .as_ref()
            .ok_or_else(|| ConnectorError::Auth("no Api-Key is set".into()))?;
        tracing::debug!(path, "ozon request");
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Client-Id", &self.client_id)
            .header("Api-Key", api_key.expose())
            .json(body)
            .send()
            .await
            .map_err(|e| network(path, e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after_of(&response);
        let bytes = response.bytes().await.map_err(|e| network(path, e))?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|e| {
                ConnectorError::Malformed(format!("{path}: the answer is not valid JSON ({e})"))
            });
        }
        let message = error_message(&bytes);
        Err(match status {
            429 => ConnectorError::RateLimited { retry_after, message },
            _ if message.contains("Circle is open") => ConnectorError::Server { status, message },
            401 | 403 => ConnectorError::Auth(message),
            500..=599 => ConnectorError::Server { status, message },
            _ => ConnectorError::Rejected {
                status,
                message: format!("{path}: {message}"),
            },
        })
    }
}

/// Ozon's `{"code", "message"}`, or the start of whatever else came back.
fn error_message(bytes: &[u8]) -> String {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) if v.get("message").and_then(Value::as_str).is_some() => {
            v["message"].as_str().unwrap_or_default().to_string()
        }
        _ => body_excerpt(bytes),
    }
}

/// Ozon's ids are numbers on the wire; ours are text.
fn number(sku: &str) -> Result<u64, ConnectorError> {
    sku.parse().map_err(|_| ConnectorError::Rejected {
        status: 0,
        message: format!("sku '{sku}' is not an Ozon product id"),
    })
}

fn items(items: &[EffectItem], key: &str) -> Result<Vec<Value>, ConnectorError> {
    items
        .iter()
        .map(|i| Ok(json!({key: number(&i.sku)?, "quantity": i.quantity})))
        .collect()
}

pub fn request_for(effect: &Effect) -> Result<(&'static str, Value), ConnectorError> {
    Ok(match effect {
        Effect::Ship {
            order_external_id,
            items: it,
        } => (
            "/v4/posting/fbs/ship",
            json!({
                "posting_number": order_external_id,
                "packages": [{"products": items(it, "product_id")?}],
                "with": {"additional_data": false}
            }),
        ),
        Effect::CancelLines {
            order_external_id,
            reason,
            items: it,
        } => (
            "/v2/posting/fbs/product/cancel",
            json!({
                "posting_number": order_external_id,
                "cancel_reason_id": reason.id,
                "cancel_reason_message": reason.message,
                "items": items(it, "sku")?
            }),
        ),
        Effect::CancelOrder {
            order_external_id,
            reason,
        } => (
            "/v2/posting/fbs/cancel",
            json!({
                "posting_number": order_external_id,
                "cancel_reason_id": reason.id,
                "cancel_reason_message": reason.message
            }),
        ),
        Effect::DeliveryStatus {
            order_external_id,
            status,
        } => (
            delivery_path(status)?,
            json!({"posting_number": [order_external_id]}),
        ),
        Effect::SetTracking {
            order_external_id,
            tracking_number,
        } => (
            "/v2/fbs/posting/tracking-number/set",
            json!({"tracking_numbers": [{"posting_number": order_external_id, "tracking_number": tracking_number}]}),
        ),
        Effect::SetLineStatus { .. } | Effect::SetOrderStatus { .. } => {
            return Err(ConnectorError::Rejected {
                status: 0,
                message: format!("Ozon has no call for «{}»", effect.describe()),
            })
        }
    })
}

/// realFBS status calls, one per delivery stage.
fn delivery_path(status: &str) -> Result<&'static str, ConnectorError> {
    Ok(match status {
        "delivering" => "/v2/fbs/posting/delivering",
        "last_mile" => "/v2/fbs/posting/last-mile",
        "delivered" => "/v2/fbs/posting/delivered",
        other => {
            return Err(ConnectorError::Rejected {
                status: 0,
                message: format!("Ozon has no seller-delivery status «{other}»"),
            })
        }
    })
}

/// The realFBS calls answer 200 with a result per posting: `{posting_number, result, error}`,
/// `error` being `""`, `[]` or a text. Our posting's entry must say `result: true`.
fn per_posting_result(posting: &str, answer: &Value) -> Result<(), String> {
    let list = answer
        .get("result")
        .and_then(Value::as_array)
        .ok_or_else(|| "no result list".to_string())?;
    let entry = list
        .iter()
        .find(|r| r.get("posting_number").and_then(Value::as_str) == Some(posting))
        .ok_or_else(|| format!("no result for {posting}"))?;
    if entry.get("result").and_then(Value::as_bool) == Some(true) {
        return Ok(());
    }
    let error = match entry.get("error") {
        Some(Value::String(e)) if !e.trim().is_empty() => e.trim().to_string(),
        Some(Value::Array(a)) if !a.is_empty() => a
            .iter()
            .map(|e| e.as_str().map(str::to_string).unwrap_or_else(|| e.to_string()))
            .collect::<Vec<_>>()
            .join("; "),
        _ => "refused without a reason".to_string(),
    };
    Err(error)
}

/// A 200 can still carry a refusal: check the documented success shape.
pub fn check_push_answer(effect: &Effect, answer: &Value) -> Result<(), ConnectorError> {
    if let Effect::DeliveryStatus {
        order_external_id, ..
    }
    | Effect::SetTracking {
        order_external_id, ..
    } = effect
    {
        return per_posting_result(order_external_id, answer).map_err(|why| match answer.get("result") {
            // A refusal for our posting is Ozon's answer, not a broken one: do not retry it.
            Some(Value::Array(_)) if !why.starts_with("no result") => ConnectorError::Rejected {
                status: 200,
                message: format!("Ozon refused «{}»: {why}", effect.describe()),
            },
            _ => ConnectorError::Malformed(format!(
                "unexpected answer to {}: {why}: {}",
                effect.kind(),
                truncate(answer)
            )),
        });
    }
    let result = answer.get("result");
    let ok = match effect {
        Effect::Ship {
            order_external_id, ..
        } => result.and_then(Value::as_array).is_some_and(|a| {
            a.iter().any(|n| n.as_str() == Some(order_external_id.as_str())) || !a.is_empty()
        }),
        Effect::CancelLines { .. } => result.is_some_and(|r| !r.is_null() && r != &json!(false)),
        Effect::CancelOrder { .. } => result == Some(&json!(true)),
        Effect::SetLineStatus { .. }
        | Effect::SetOrderStatus { .. }
        | Effect::DeliveryStatus { .. }
        | Effect::SetTracking { .. } => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ConnectorError::Malformed(format!(
            "unexpected answer to {}: {}",
            effect.kind(),
            truncate(answer)
        )))
    }
}

fn truncate(v: &Value) -> String {
    v.to_string().chars().take(200).collect()
}

/// Whether the posting as Ozon shows it now already reflects the effect.
pub fn effect_visible(effect: &Effect, posting: &Value) -> bool {
    let status = posting.get("status").and_then(Value::as_str).unwrap_or_default();
    match effect {
        // A posting cancelled before it was assembled never shipped: a cancelled one says nothing
        // of the ship call (the retry's refusal tells the manager what happened).
        Effect::Ship { .. } => !matches!(
            status,
            "" | "awaiting_registration"
                | "acceptance_in_progress"
                | "awaiting_approve"
                | "awaiting_packaging"
                | "cancelled"
        ),
        Effect::CancelOrder { .. } => status == "cancelled",
        Effect::SetLineStatus { .. } | Effect::SetOrderStatus { .. } => false,
        // Ozon applies these asynchronously; a later stage shows the earlier one was taken.
        Effect::DeliveryStatus { status: stage, .. } => {
            let reached: &[&str] = match stage.as_str() {
                "delivering" => &["delivering", "driver_pickup", "delivered"],
                "last_mile" => &["driver_pickup", "delivered"],
                "delivered" => &["delivered"],
                _ => &[],
            };
            reached.contains(&status)
        }
        Effect::SetTracking { tracking_number, .. } => {
            posting.get("tracking_number").and_then(Value::as_str) == Some(tracking_number.as_str())
        }
        Effect::CancelLines { items, .. } => {
            let products = posting
                .get("products")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            items.iter().all(|item| {
                let now = products
                    .iter()
                    .find(|p| {
                        p.get("sku")
                            .map(|s| s.to_string().trim_matches('"') == item.sku)
                            .unwrap_or(false)
                    })
                    .and_then(|p| p.get("quantity").and_then(Value::as_i64))
                    .unwrap_or(0);
                now == 0
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_come_from_ozon_or_the_body_start() {
        assert_eq!(
            error_message(br#"{"code":7,"message":"Invalid Api-Key"}"#),
            "Invalid Api-Key"
        );
        assert_eq!(error_message(b"<html>oops</html>"), "<html>oops</html>");
        assert_eq!(error_message(b""), "no details");
    }

    #[test]
    fn realfbs_answers_are_read_per_posting() {
        let d = Effect::DeliveryStatus {
            order_external_id: "P-1".into(),
            status: "delivering".into(),
        };
        assert_eq!(request_for(&d).unwrap().0, "/v2/fbs/posting/delivering");
        assert_eq!(request_for(&d).unwrap().1, json!({"posting_number": ["P-1"]}));
        let ok = json!({"result": [{"posting_number": "P-1", "result": true, "error": []}]});
        assert!(check_push_answer(&d, &ok).is_ok());
        let refused =
            json!({"result": [{"posting_number": "P-1", "result": false, "error": "INVALID_STATUS"}]});
        let e = check_push_answer(&d, &refused).unwrap_err();
        assert!(
            matches!(&e, ConnectorError::Rejected { message, .. } if message.contains("INVALID_STATUS")),
            "{e:?}"
        );
        let other = json!({"result": [{"posting_number": "P-2", "result": true, "error": ""}]});
        assert!(matches!(
            check_push_answer(&d, &other),
            Err(ConnectorError::Malformed(_))
        ));
        assert!(matches!(
            check_push_answer(&d, &json!({})),
            Err(ConnectorError::Malformed(_))
        ));
        let bad = Effect::DeliveryStatus {
            order_external_id: "P-1".into(),
            status: "sent_by_seller".into(),
        };
        assert!(request_for(&bad).is_err());
        let t = Effect::SetTracking {
            order_external_id: "P-1".into(),
            tracking_number: "RA123".into(),
        };
        let (path, body) = request_for(&t).unwrap();
        assert_eq!(path, "/v2/fbs/posting/tracking-number/set");
        assert_eq!(body["tracking_numbers"][0]["tracking_number"], "RA123");
        assert!(effect_visible(&t, &json!({"tracking_number": "RA123"})));
        assert!(!effect_visible(&t, &json!({"tracking_number": ""})));
        assert!(effect_visible(&d, &json!({"status": "driver_pickup"})));
        assert!(!effect_visible(&d, &json!({"status": "awaiting_deliver"})));
    }

    #[test]
    fn visible_effects() {
        let ship = Effect::Ship {
            order_external_id: "P".into(),
            items: vec![],
        };
        assert!(effect_visible(&ship, &json!({"status": "awaiting_deliver"})));
        assert!(!effect_visible(&ship, &json!({"status": "awaiting_packaging"})));
        assert!(!effect_visible(&ship, &json!({"status": "cancelled"})));
        let lines = Effect::CancelLines {
            order_external_id: "P".into(),
            reason: ordertray_core::CancelReason {
                id: 352,
                message: String::new(),
            },
            items: vec![EffectItem {
                sku: "11".into(),
                quantity: 1,
            }],
        };
        assert!(effect_visible(
            &lines,
            &json!({"products": [{"sku": 12, "quantity": 1}]})
        ));
        assert!(!effect_visible(
            &lines,
            &json!({"products": [{"sku": 11, "quantity": 1}]})
        ));
    }
}
