//! What RetailCRM refuses in an order, in its words: `{"success": false, "errorMsg": "Order is
//! not loaded", "errors": …}` with the errors keyed by field (an object) or as a plain list.
//!
//! A reference code that does not exist reads `"Status" with "code"="…" does not exist.`
//! (RetailCRM's words, seen in module logs); the delivery and payment type messages follow that
//! pattern with the entity's name. Field checks use the Symfony validator's standard texts, in the
//! account's language.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// How the `errors` of a refusal are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorsShape {
    /// `{"email": "…", "delivery.code": "…"}`.
    #[default]
    Object,
    /// `["…", "…"]`, as some RetailCRM methods answer.
    List,
}

/// The account's language, for the field checks' messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    #[default]
    En,
    Ru,
}

/// What the fake checks in a created or edited order. Every field has a default, so the admin
/// route takes a partial object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidationRules {
    /// A given, non-empty `email` must look like an address.
    pub check_email: bool,
    /// `phone` must be given and non-empty.
    pub require_phone: bool,
    /// The account's delivery type codes; `delivery.code` must be one of them.
    pub delivery_types: Vec<String>,
    /// The account's payment type codes; each `payments[].type` must be one of them.
    pub payment_types: Vec<String>,
    /// The account's order statuses (code → status group); a given `status` must be one of
    /// them, and `orders/statuses` reports the group. Empty: any status, group `new`.
    pub statuses: BTreeMap<String, String>,
    pub errors_shape: ErrorsShape,
    pub locale: Locale,
}

impl Default for ValidationRules {
    fn default() -> Self {
        Self {
            check_email: true,
            require_phone: false,
            delivery_types: strings(&["courier", "pickup", "russian-post"]),
            payment_types: strings(&["cash", "bank-card"]),
            statuses: default_statuses(),
            errors_shape: ErrorsShape::Object,
            locale: Locale::En,
        }
    }
}

impl ValidationRules {
    /// The group a status belongs to (`new` for one the account does not list).
    pub(super) fn group(&self, status: &str) -> String {
        self.statuses.get(status).cloned().unwrap_or_else(|| "new".into())
    }
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A new RetailCRM account's statuses and their groups.
fn default_statuses() -> BTreeMap<String, String> {
    let groups: &[(&str, &[&str])] = &[
        ("new", &["new"]),
        (
            "approval",
            &[
                "availability-confirmed",
                "offer-analog",
                "client-confirmed",
                "prepayed",
            ],
        ),
        (
            "assembling",
            &["send-to-assembling", "assembling", "assembling-complete"],
        ),
        (
            "delivery",
            &[
                "send-to-delivery",
                "delivering",
                "redirect",
                "ready-for-self-pickup",
            ],
        ),
        ("complete", &["complete"]),
        (
            "cancel",
            &[
                "no-call",
                "no-product",
                "already-buyed",
                "delyvery-did-not-suit",
                "prices-did-not-suit",
                "cancel-other",
            ],
        ),
    ];
    groups
        .iter()
        .flat_map(|(group, codes)| codes.iter().map(move |c| (c.to_string(), group.to_string())))
        .collect()
}

/// What is wrong with `order`, as (field, message) in the order RetailCRM reports them.
pub(super) fn problems(rules: &ValidationRules, order: &Value) -> Vec<(String, String)> {
    let mut found = vec![];
    found.extend(status_problem(rules, order));
    found.extend(email_problem(rules, order));
    found.extend(phone_problem(rules, order));
    found.extend(delivery_problem(rules, order));
    found.extend(payment_problems(rules, order));
    found
}

/// The `errors` member of a refusal, in the configured shape.
pub(super) fn errors_value(shape: ErrorsShape, problems: &[(String, String)]) -> Value {
    match shape {
        ErrorsShape::Object => Value::Object(
            problems
                .iter()
                .map(|(field, message)| (field.clone(), json!(message)))
                .collect(),
        ),
        ErrorsShape::List => json!(problems.iter().map(|(_, m)| m).collect::<Vec<_>>()),
    }
}

fn missing_code(entity: &str, code: &str) -> String {
    format!("\"{entity}\" with \"code\"=\"{code}\" does not exist.")
}

fn status_problem(rules: &ValidationRules, order: &Value) -> Option<(String, String)> {
    let status = order["status"].as_str()?;
    let known = rules.statuses.is_empty() || rules.statuses.contains_key(status);
    (!known).then(|| ("status".into(), missing_code("Status", status)))
}

fn email_problem(rules: &ValidationRules, order: &Value) -> Option<(String, String)> {
    let email = order["email"].as_str().filter(|e| !e.is_empty())?;
    let message = match rules.locale {
        Locale::En => "This value is not a valid email address.",
        Locale::Ru => "Значение адреса электронной почты недопустимо.",
    };
    (rules.check_email && !looks_like_email(email)).then(|| ("email".into(), message.into()))
}

/// One `@` between a non-empty local part and a dotted domain, no spaces: what a shop's checkout
/// lets through and RetailCRM's check still refuses when it is not met.
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let dotted = domain.split('.').filter(|part| !part.is_empty()).count() >= 2
        && !domain.starts_with('.')
        && !domain.ends_with('.');
    !local.is_empty() && dotted && !domain.contains('@') && !email.chars().any(char::is_whitespace)
}

fn not_blank(locale: Locale) -> String {
    match locale {
        Locale::En => "This value should not be blank.",
        Locale::Ru => "Значение не должно быть пустым.",
    }
    .into()
}

fn phone_problem(rules: &ValidationRules, order: &Value) -> Option<(String, String)> {
    let blank = order["phone"].as_str().is_none_or(|p| p.trim().is_empty());
    (rules.require_phone && blank).then(|| ("phone".into(), not_blank(rules.locale)))
}

fn delivery_problem(rules: &ValidationRules, order: &Value) -> Option<(String, String)> {
    let code = order["delivery"]["code"].as_str()?;
    let known = rules.delivery_types.iter().any(|c| c == code);
    (!known).then(|| ("delivery.code".into(), missing_code("DeliveryType", code)))
}

fn payment_problems(rules: &ValidationRules, order: &Value) -> Vec<(String, String)> {
    let Some(payments) = order["payments"].as_array() else {
        return vec![];
    };
    payments
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let field = format!("payments[{i}].type");
            // API v5 makes no payment without a type (v3 and v4 did).
            let Some(code) = p["type"].as_str() else {
                return Some((field, not_blank(rules.locale)));
            };
            let known = rules.payment_types.iter().any(|c| c == code);
            (!known).then(|| (field, missing_code("PaymentType", code)))
        })
        .collect()
}
