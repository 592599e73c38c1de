//! What amoCRM refuses in what it is sent: 400 `application/problem+json`, `detail` "Request
//! validation failed" and `validation-errors` [{`request_id`, `errors` [{`code`, `path`,
//! `detail`}]}], in the words of its validator ("This value should be of type int.").
//!
//! Stricter than amoCRM may be, on purpose (unverified against a real account): an EMAIL value
//! that is not an address is refused (`InvalidEmail`), so a client passing a typo on is seen.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{problem_answer, Answer};

pub(super) fn error(code: &str, path: &str, detail: &str) -> Value {
    json!({"code": code, "path": path, "detail": detail})
}

/// One entity's errors, under the request id amoCRM gives it (its place in the list).
pub(super) fn entry(at: usize, errors: Vec<Value>) -> Value {
    json!({"request_id": at.to_string(), "errors": errors})
}

pub(super) fn refused(entries: Vec<Value>) -> Answer {
    problem_answer(
        StatusCode::BAD_REQUEST,
        "Request validation failed",
        Some(json!(entries)),
    )
}

fn int(v: &Value, path: &str, found: &mut Vec<Value>) {
    if !v.is_null() && !v.is_i64() {
        found.push(error("InvalidType", path, "This value should be of type int."));
    }
}

fn string(v: &Value, path: &str, most: usize, found: &mut Vec<Value>) {
    match v {
        Value::Null => {}
        Value::String(s) if s.chars().count() > most => found.push(error(
            "MaxLength",
            path,
            &format!("This value is too long. It should have {most} characters or less."),
        )),
        Value::String(_) => {}
        _ => found.push(error("InvalidType", path, "This value should be of type string.")),
    }
}

/// One `custom_fields_values` entry by `field_code`, among the codes this entity has.
fn custom_fields(v: &Value, prefix: &str, codes: &[&str], found: &mut Vec<Value>) {
    let Some(fields) = v.as_array() else {
        if !v.is_null() {
            found.push(error(
                "InvalidType",
                prefix,
                "This value should be of type array.",
            ));
        }
        return;
    };
    for (i, f) in fields.iter().enumerate() {
        let code = f["field_code"].as_str().unwrap_or_default();
        if !codes.contains(&code) {
            found.push(error(
                "NotSupportedChoice",
                &format!("{prefix}.{i}.field_code"),
                "The value you selected is not a valid choice.",
            ));
            continue;
        }
        for (j, value) in f["values"].as_array().into_iter().flatten().enumerate() {
            let path = format!("{prefix}.{i}.values.{j}.value");
            let v = &value["value"];
            match code {
                "PRICE" if !v.is_number() => found.push(error(
                    "InvalidType",
                    &path,
                    "This value should be of type numeric.",
                )),
                "EMAIL" if !v.as_str().is_some_and(looks_like_email) => found.push(error(
                    "InvalidEmail",
                    &path,
                    "This value is not a valid email address.",
                )),
                _ => {}
            }
        }
    }
}

/// One `@` between a non-empty local part and a dotted domain, no spaces.
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

/// A contact, new (`prefix` is its place in a complex create).
pub(super) fn contact(c: &Value, prefix: &str) -> Vec<Value> {
    let mut found = vec![];
    for key in ["name", "first_name", "last_name"] {
        string(&c[key], &format!("{prefix}{key}"), 255, &mut found);
    }
    custom_fields(
        &c["custom_fields_values"],
        &format!("{prefix}custom_fields_values"),
        &["PHONE", "EMAIL"],
        &mut found,
    );
    found
}

/// A deal of a complex create, with its contact (new, or an existing one's id).
pub(super) fn complex_lead(l: &Value, contact_exists: impl Fn(i64) -> bool) -> Vec<Value> {
    let mut found = vec![];
    string(&l["name"], "name", 255, &mut found);
    int(&l["price"], "price", &mut found);
    let contacts = l["_embedded"]["contacts"].as_array().cloned().unwrap_or_default();
    if contacts.len() > 1 {
        found.push(error(
            "Count",
            "_embedded.contacts",
            "This collection should contain 1 element or less.",
        ));
    }
    if let Some(c) = contacts.first() {
        match c.get("id") {
            Some(id) if !id.as_i64().is_some_and(&contact_exists) => {
                found.push(error("NotFound", "_embedded.contacts.0.id", "Entity not found."))
            }
            Some(_) => {}
            None => found.extend(contact(c, "_embedded.contacts.0.")),
        }
    }
    found
}

/// One edit of a batch `PATCH /leads` (or the one deal of `PATCH /leads/{id}`).
pub(super) fn lead_edit(l: &Value) -> Vec<Value> {
    let mut found = vec![];
    if !l["id"].is_i64() {
        found.push(error("NotBlank", "id", "This value should not be blank."));
    }
    string(&l["name"], "name", 255, &mut found);
    int(&l["price"], "price", &mut found);
    int(&l["status_id"], "status_id", &mut found);
    found
}

/// A product to add to the catalog: a name, and SKU / PRICE fields.
pub(super) fn element(e: &Value) -> Vec<Value> {
    let mut found = vec![];
    match e["name"].as_str() {
        Some(n) if !n.trim().is_empty() => string(&e["name"], "name", 255, &mut found),
        _ => found.push(error("NotBlank", "name", "This value should not be blank.")),
    }
    custom_fields(
        &e["custom_fields_values"],
        "custom_fields_values",
        &["SKU", "PRICE"],
        &mut found,
    );
    found
}

/// One link (or unlink) of a catalog element to a deal.
pub(super) fn link(g: &Value, linking: bool, element_exists: impl Fn(i64) -> bool) -> Vec<Value> {
    let mut found = vec![];
    if g["to_entity_type"] != "catalog_elements" {
        found.push(error(
            "NotSupportedChoice",
            "to_entity_type",
            "The value you selected is not a valid choice.",
        ));
    }
    if !g["to_entity_id"].as_i64().is_some_and(element_exists) {
        found.push(error("NotFound", "to_entity_id", "Entity not found."));
    }
    if linking {
        if !g["metadata"]["catalog_id"].is_i64() {
            found.push(error(
                "NotBlank",
                "metadata.catalog_id",
                "This value should not be blank.",
            ));
        }
        if !g["metadata"]["quantity"].as_f64().is_some_and(|q| q > 0.0) {
            found.push(error(
                "GreaterThan",
                "metadata.quantity",
                "This value should be greater than 0.",
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complex_deal_is_checked_with_its_contact() {
        let ok = json!({"name": "Заказ 1", "price": 100, "_embedded": {"contacts": [
            {"first_name": "Анна", "custom_fields_values": [
                {"field_code": "EMAIL", "values": [{"value": "anna@example.com"}]}]}]}});
        assert!(complex_lead(&ok, |_| false).is_empty());
        let bad = json!({"price": 100.5, "_embedded": {"contacts": [
            {"custom_fields_values": [{"field_code": "EMAIL", "values": [{"value": "nope"}]}]}]}});
        let errors = complex_lead(&bad, |_| false);
        let paths: Vec<&str> = errors.iter().filter_map(|e| e["path"].as_str()).collect();
        assert_eq!(
            paths,
            [
                "price",
                "_embedded.contacts.0.custom_fields_values.0.values.0.value"
            ]
        );
        let by_id = json!({"_embedded": {"contacts": [{"id": 7}]}});
        assert!(complex_lead(&by_id, |id| id == 7).is_empty());
        assert_eq!(complex_lead(&by_id, |_| false)[0]["code"], "NotFound");
    }
}
