//! The portal's deals, contacts and product rows, and the REST methods over them. Ids go out as
//! Bitrix24 gives them: a create answers a number, records carry `"ID"` as a string.
//!
//! Stricter than Bitrix24 may be, on purpose (unverified against a real portal): a contact's
//! EMAIL that is not an address is refused, so a client passing a typo on is seen; an unknown
//! CURRENCY_ID is refused.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::Bitrix24Stats;

/// A refusal: its HTTP status, Bitrix24's `error` code (often empty) and `error_description`.
pub(super) type Refusal = (StatusCode, &'static str, String);

/// The stage a new deal gets (the default pipeline's first).
pub const NEW_STAGE: &str = "NEW";
const CURRENCIES: [&str; 4] = ["RUB", "USD", "EUR", "KZT"];

#[derive(Debug, Default)]
pub(super) struct Store {
    deals: Vec<Value>,
    contacts: Vec<Value>,
    /// Each deal's product rows, by deal id.
    rows: Vec<(i64, Vec<Value>)>,
    next_id: i64,
}

fn refused(words: impl Into<String>) -> Refusal {
    (StatusCode::BAD_REQUEST, "", words.into())
}

fn not_found() -> Refusal {
    refused("Not found")
}

/// An id parameter: Bitrix24 takes a number or its digits.
fn id_of(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

fn digits_tail(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(10)..].to_string()
}

fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.split('.').filter(|p| !p.is_empty()).count() >= 2
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// The VALUEs of a multi-field (`PHONE`, `EMAIL`).
fn values(entity: &Value, field: &str) -> Vec<String> {
    entity[field]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["VALUE"].as_str().map(str::to_string))
        .collect()
}

impl Store {
    fn new_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub(super) fn contacts(&self) -> &[Value] {
        &self.contacts
    }

    pub(super) fn deals_with_rows(&self) -> Vec<Value> {
        self.deals
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d["PRODUCT_ROWS"] = json!(self.rows_of(id_of(&d["ID"]).unwrap_or_default()));
                d
            })
            .collect()
    }

    fn rows_of(&self, deal: i64) -> Vec<Value> {
        self.rows
            .iter()
            .find(|(d, _)| *d == deal)
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    }

    pub(super) fn add_contact(&mut self, name: &str, email: &str, phone: &str) -> i64 {
        let mut fields = json!({"NAME": name});
        if !email.is_empty() {
            fields["EMAIL"] = json!([{"VALUE": email, "VALUE_TYPE": "WORK"}]);
        }
        if !phone.is_empty() {
            fields["PHONE"] = json!([{"VALUE": phone, "VALUE_TYPE": "WORK"}]);
        }
        self.store_contact(&fields)
    }

    fn store_contact(&mut self, fields: &Value) -> i64 {
        let id = self.new_id();
        let mut contact = fields.clone();
        contact["ID"] = json!(id.to_string());
        for field in ["PHONE", "EMAIL"] {
            if let Some(list) = contact[field].as_array_mut() {
                for (i, v) in list.iter_mut().enumerate() {
                    v["ID"] = json!(format!("{}", id * 10 + i as i64));
                    v["TYPE_ID"] = json!(field);
                }
            }
        }
        self.contacts.push(contact);
        id
    }

    pub(super) fn set_stage(&mut self, deal: i64, stage: &str) -> bool {
        match self.deal_mut(deal) {
            Some(d) => {
                d["STAGE_ID"] = json!(stage);
                true
            }
            None => false,
        }
    }

    fn deal_mut(&mut self, id: i64) -> Option<&mut Value> {
        self.deals.iter_mut().find(|d| id_of(&d["ID"]) == Some(id))
    }

    fn deal_problems(fields: &Value) -> Option<Refusal> {
        if !fields.is_object() {
            return Some(refused("Parameter 'fields' must be array."));
        }
        if let Some(c) = fields["CURRENCY_ID"].as_str() {
            if !CURRENCIES.contains(&c) {
                return Some(refused(format!("Currency '{c}' is not found.")));
            }
        }
        match &fields["OPPORTUNITY"] {
            Value::Null => None,
            v if v.as_f64().is_some() || v.as_str().and_then(|s| s.parse::<f64>().ok()).is_some() => None,
            _ => Some(refused("Field 'OPPORTUNITY' must be a number.")),
        }
    }

    fn deal_add(&mut self, fields: &Value) -> Result<Value, Refusal> {
        if let Some(problem) = Self::deal_problems(fields) {
            return Err(problem);
        }
        let id = self.new_id();
        let mut deal = json!({"ID": id.to_string(), "TITLE": format!("Сделка #{id}"), "STAGE_ID": NEW_STAGE,
            "CATEGORY_ID": "0", "CURRENCY_ID": "RUB", "OPPORTUNITY": "0.00",
            "IS_MANUAL_OPPORTUNITY": "N", "DATE_CREATE": chrono::Utc::now().to_rfc3339()});
        for (k, v) in fields.as_object().into_iter().flatten() {
            deal[k] = match v {
                Value::Number(n) => json!(n.to_string()),
                other => other.clone(),
            };
        }
        self.deals.push(deal);
        Ok(json!(id))
    }

    fn deal_update(&mut self, params: &Value) -> Result<Value, Refusal> {
        let id = id_of(&params["id"]).ok_or_else(|| refused("ID is not defined or invalid."))?;
        if let Some(problem) = Self::deal_problems(&params["fields"]) {
            return Err(problem);
        }
        let deal = self.deal_mut(id).ok_or_else(not_found)?;
        for (k, v) in params["fields"].as_object().into_iter().flatten() {
            if k != "ID" {
                deal[k] = match v {
                    Value::Number(n) => json!(n.to_string()),
                    other => other.clone(),
                };
            }
        }
        Ok(json!(true))
    }

    fn deal_list(&self, params: &Value) -> Value {
        let filter = params["filter"].as_object().cloned().unwrap_or_default();
        let matching: Vec<Value> = self
            .deals
            .iter()
            .filter(|d| {
                filter.iter().all(|(k, v)| {
                    let want = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    d[k.trim_start_matches('=')].as_str() == Some(want.as_str())
                })
            })
            .map(|d| {
                let select: Vec<&str> = params["select"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                if select.is_empty() || select.contains(&"*") {
                    d.clone()
                } else {
                    select.iter().map(|k| (k.to_string(), d[*k].clone())).collect()
                }
            })
            .collect();
        json!(matching)
    }

    fn find_by_comm(&self, params: &Value) -> Result<Value, Refusal> {
        let kind = params["type"].as_str().unwrap_or_default();
        if !matches!(kind, "EMAIL" | "PHONE") {
            return Err(refused("Communication type is not defined or invalid."));
        }
        let wanted: Vec<String> = params["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|v| match kind {
                "EMAIL" => v.trim().to_lowercase(),
                _ => digits_tail(v),
            })
            .collect();
        if wanted.len() > 20 {
            return Err(refused("Too many values (20 at most)."));
        }
        let ids: Vec<i64> = self
            .contacts
            .iter()
            .filter(|c| {
                values(c, kind).iter().any(|v| {
                    let have = match kind {
                        "EMAIL" => v.trim().to_lowercase(),
                        _ => digits_tail(v),
                    };
                    !have.is_empty() && wanted.contains(&have)
                })
            })
            .filter_map(|c| id_of(&c["ID"]))
            .collect();
        // Bitrix24 answers an empty list, not an empty object, when it finds nothing.
        Ok(if ids.is_empty() {
            json!([])
        } else {
            json!({"CONTACT": ids})
        })
    }

    fn contact_add(&mut self, fields: &Value) -> Result<Value, Refusal> {
        if !fields.is_object() {
            return Err(refused("Parameter 'fields' must be array."));
        }
        for email in values(fields, "EMAIL") {
            if !looks_like_email(&email) {
                return Err(refused(format!("Неверный формат e-mail: \"{email}\"")));
            }
        }
        Ok(json!(self.store_contact(fields)))
    }

    fn productrow_set(&mut self, params: &Value) -> Result<Value, Refusal> {
        if params["ownerType"] != "D" {
            return Err(refused("Owner type is not supported."));
        }
        let owner = id_of(&params["ownerId"]).ok_or_else(|| refused("Owner id is not defined."))?;
        if self.deal_mut(owner).is_none() {
            return Err(refused("Owner not found."));
        }
        let given = params["productRows"].as_array().cloned().unwrap_or_default();
        let mut rows = vec![];
        for row in &given {
            let price = row["price"]
                .as_f64()
                .or_else(|| row["price"].as_str()?.parse().ok());
            let quantity = row["quantity"]
                .as_f64()
                .or_else(|| row["quantity"].as_str()?.parse().ok())
                .unwrap_or(1.0);
            let Some(price) = price else {
                return Err(refused("Product row price must be a number."));
            };
            let id = self.new_id();
            rows.push(
                json!({"id": id, "ownerId": owner, "ownerType": "D", "productId": 0,
                "productName": row["productName"], "price": price, "quantity": quantity,
                "sort": row["sort"].as_i64().unwrap_or(10)}),
            );
        }
        let sum: f64 = rows
            .iter()
            .map(|r| r["price"].as_f64().unwrap_or(0.0) * r["quantity"].as_f64().unwrap_or(0.0))
            .sum();
        if let Some(deal) = self.deal_mut(owner) {
            // A deal's amount follows its rows unless a manager typed one.
            if deal["IS_MANUAL_OPPORTUNITY"] != "Y" {
                deal["OPPORTUNITY"] = json!(format!("{sum:.2}"));
            }
        }
        self.rows.retain(|(d, _)| *d != owner);
        self.rows.push((owner, rows.clone()));
        Ok(json!({ "productRows": rows }))
    }
}

/// One method call, past the limit and the credential.
pub(super) fn call(
    store: &mut Store,
    stats: &mut Bitrix24Stats,
    method: &str,
    params: &Value,
) -> Result<Value, Refusal> {
    match method {
        "profile" => Ok(json!({"ID": "1", "ADMIN": true, "NAME": "Анна", "LAST_NAME": "Менеджер"})),
        "crm.duplicate.findbycomm" => store.find_by_comm(params),
        "crm.contact.add" => {
            let id = store.contact_add(&params["fields"])?;
            stats.contacts_created += 1;
            Ok(id)
        }
        "crm.deal.add" => {
            let id = store.deal_add(&params["fields"])?;
            stats.deals_created += 1;
            Ok(id)
        }
        "crm.deal.update" => {
            let done = store.deal_update(params)?;
            stats.deals_updated += 1;
            Ok(done)
        }
        "crm.deal.get" => {
            let id = id_of(&params["id"]).ok_or_else(|| refused("ID is not defined or invalid."))?;
            store
                .deals
                .iter()
                .find(|d| id_of(&d["ID"]) == Some(id))
                .cloned()
                .ok_or_else(not_found)
        }
        "crm.deal.list" => Ok(store.deal_list(params)),
        "crm.deal.delete" => {
            let id = id_of(&params["id"]).ok_or_else(|| refused("ID is not defined or invalid."))?;
            let at = store
                .deals
                .iter()
                .position(|d| id_of(&d["ID"]) == Some(id))
                .ok_or_else(not_found)?;
            store.deals.remove(at);
            store.rows.retain(|(d, _)| *d != id);
            stats.deals_deleted += 1;
            Ok(json!(true))
        }
        "crm.item.productrow.set" => store.productrow_set(params),
        _ => Err((
            StatusCode::NOT_FOUND,
            "ERROR_METHOD_NOT_FOUND",
            "Method not found!".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_found_by_email_any_case_and_by_the_phones_digits() {
        let mut store = Store::default();
        let id = store.add_contact("Анна", "Anna@Example.com", "+7 (916) 000-11-22");
        let by_email = store
            .find_by_comm(&json!({"entity_type": "CONTACT", "type": "EMAIL", "values": ["anna@example.com"]}))
            .unwrap();
        assert_eq!(by_email, json!({"CONTACT": [id]}));
        let by_phone = store
            .find_by_comm(&json!({"entity_type": "CONTACT", "type": "PHONE", "values": ["89160001122"]}))
            .unwrap();
        assert_eq!(by_phone, json!({"CONTACT": [id]}));
        let none = store
            .find_by_comm(&json!({"entity_type": "CONTACT", "type": "EMAIL", "values": ["b@c.ru"]}))
            .unwrap();
        assert_eq!(none, json!([]));
    }
}
