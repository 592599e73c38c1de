//! What MoySklad refuses in what it is sent, in its words (the error codes of its errors table):
//! 3000 a required field missing, 3002 a negative one, 3015 a bad e-mail, 1021 a reference to no
//! entity, 2016 a field of the wrong type (a `syncId` that is not a UUID), 1047 a changed
//! `syncId`. Refusals of content are HTTP 412, of form 400.
//!
//! Stricter than MoySklad in one place, on purpose: a position without `price` is refused (3000)
//! where MoySklad may take it at zero, so that a client forgetting prices is caught.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::entities::{reference, Kind, Store};

/// One entry of MoySklad's `errors` list.
pub(super) fn error(code: u32, text: &str, parameter: Option<&str>) -> Value {
    let mut e = json!({
        "error": text,
        "code": code,
        "moreInfo": format!("https://dev.moysklad.ru/doc/api/remap/1.2/#error_{code}"),
    });
    if let Some(p) = parameter {
        e["parameter"] = json!(p);
    }
    e
}

/// A refusal with one error, as a handler's answer.
pub(super) fn refusal(
    status: StatusCode,
    code: u32,
    text: &str,
    parameter: Option<&str>,
) -> (StatusCode, Option<Value>) {
    refused(status, vec![error(code, text, parameter)])
}

pub(super) fn refused(status: StatusCode, errors: Vec<Value>) -> (StatusCode, Option<Value>) {
    (status, Some(json!({ "errors": errors })))
}

pub(super) fn required(field: &str) -> Value {
    error(
        3000,
        &format!("Ошибка сохранения объекта: поле '{field}' не может быть пустым или отсутствовать"),
        Some(field),
    )
}

fn negative(field: &str) -> Value {
    error(
        3002,
        &format!("Ошибка сохранения объекта: поле '{field}' не может иметь отрицательное значение"),
        Some(field),
    )
}

pub(super) fn not_found(kind: &str, id: &str) -> Value {
    error(
        1021,
        &format!("Объект с типом '{kind}' и идентификатором '{id}' не найден"),
        None,
    )
}

pub(super) fn wrong_type(field: &str, expected: &str) -> Value {
    error(
        2016,
        &format!("Ошибка формата: значение поля '{field}' не соответствует типу {expected}"),
        Some(field),
    )
}

pub(super) fn sync_id_changed() -> Value {
    error(
        1047,
        "Вы не можете обновить поле syncId в запросе на обновление сущности",
        Some("syncId"),
    )
}

fn blank(m: &Map<String, Value>, field: &str) -> bool {
    m.get(field)
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty())
}

/// What is wrong with a counterparty, product or service about to be stored.
pub(super) fn entity_problems(m: &Map<String, Value>, creating: bool) -> Vec<Value> {
    let mut found = vec![];
    if creating && blank(m, "name") {
        found.push(required("name"));
    }
    if let Some(email) = m.get("email").and_then(Value::as_str).filter(|e| !e.is_empty()) {
        if !looks_like_email(email) {
            found.push(error(
                3015,
                &format!("Ошибка валидации: Ошибка валидации: некорректный адрес E-mail: '{email}'"),
                Some("email"),
            ));
        }
    }
    found
}

/// One `@` between a non-empty local part and a dotted domain, no spaces.
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let dotted = domain.split('.').filter(|part| !part.is_empty()).count() >= 2
        && !domain.starts_with('.')
        && !domain.ends_with('.');
    !local.is_empty() && dotted && !domain.contains('@') && !email.chars().any(char::is_whitespace)
}

/// What is wrong with a customer order about to be stored (`creating`: the fields a create
/// needs are checked too).
pub(super) fn order_problems(store: &Store, m: &Map<String, Value>, creating: bool) -> Vec<Value> {
    let mut found = vec![];
    for (field, kind) in [
        ("organization", Kind::Organization),
        ("agent", Kind::Counterparty),
    ] {
        match m.get(field) {
            None | Some(Value::Null) if creating => found.push(required(field)),
            None => {}
            Some(v) => found.extend(missing_reference(store, v, &[kind], field)),
        }
    }
    if let Some(positions) = m.get("positions") {
        match positions.as_array() {
            Some(list) => list
                .iter()
                .for_each(|p| found.extend(position_problems(store, p))),
            None => found.push(wrong_type("positions", "Array")),
        }
    }
    found
}

fn position_problems(store: &Store, p: &Value) -> Vec<Value> {
    let mut found = vec![];
    match p.get("assortment") {
        None | Some(Value::Null) => found.push(required("assortment")),
        Some(v) => found.extend(missing_reference(
            store,
            v,
            &[Kind::Product, Kind::Service],
            "assortment",
        )),
    }
    match p.get("price") {
        None | Some(Value::Null) => found.push(required("price")),
        Some(v) => match v.as_f64() {
            None => found.push(wrong_type("price", "Float")),
            Some(x) if x < 0.0 => found.push(negative("price")),
            Some(_) => {}
        },
    }
    match p.get("quantity").map(Value::as_f64) {
        None => found.push(required("quantity")),
        Some(None) => found.push(wrong_type("quantity", "Float")),
        Some(Some(q)) if q < 0.0 => found.push(negative("quantity")),
        Some(Some(_)) => {}
    }
    found
}

/// A reference (`{"meta": {"href", "type"}}`) to an entity the account does not have.
fn missing_reference(store: &Store, v: &Value, kinds: &[Kind], field: &str) -> Option<Value> {
    let Some((kind, id)) = reference(v) else {
        return Some(wrong_type(field, "Meta"));
    };
    let known = kinds.contains(&kind) && store.find(kind, &id).is_some();
    (!known).then(|| not_found(kind.as_str(), &id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mails_are_checked_as_a_checkout_would_not() {
        for good in ["anna@example.com", "a.b+c@mail.example.ru"] {
            assert!(looks_like_email(good), "{good}");
        }
        for bad in ["not-an-address", "a@b", "a @b.ru", "@b.ru", "a@.ru", "a@b.ru."] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    #[test]
    fn an_error_links_to_its_code() {
        let e = required("agent");
        assert_eq!(e["code"], 3000);
        assert_eq!(e["parameter"], "agent");
        assert!(e["moreInfo"].as_str().unwrap().ends_with("#error_3000"));
    }
}
