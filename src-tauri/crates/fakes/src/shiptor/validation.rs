//! What the fake Shiptor refuses in a package, as (field, message) pairs for the JSON-RPC error's
//! `data`. The fields follow the SDK's `addPackage` (dotted paths into `departure.address`,
//! `products[i]`); the messages are the Symfony validator's standard texts, a guess (Shiptor's
//! own could not be checked). Required by the SDK but not checked here: `kladr_id` (a shop
//! without KLADR codes sends postal code and settlement instead) and the dimensions.

use serde_json::{Map, Value};

const BLANK: &str = "This value should not be blank.";

fn blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn positive(v: &Value) -> bool {
    v.as_f64().is_some_and(|x| x > 0.0)
}

/// What is wrong with a package (`addPackage`'s or `editPackage`'s parameters). `methods`: the
/// shipping method ids the shop may use.
pub(super) fn problems(package: &Map<String, Value>, methods: &[i64]) -> Vec<(String, String)> {
    let field = |name: &str| package.get(name).unwrap_or(&Value::Null);
    let mut found = vec![];
    if !positive(field("weight")) {
        found.push(("weight".into(), "This value should be greater than 0.".into()));
    }
    let departure = field("departure");
    found.extend(method_problem(&departure["shipping_method"], methods));
    found.extend(address_problems(departure));
    found.extend(product_problems(field("products")));
    found
}

fn method_problem(method: &Value, methods: &[i64]) -> Option<(String, String)> {
    let field = "departure.shipping_method".to_string();
    if blank(method) {
        return Some((field, BLANK.into()));
    }
    let known = method.as_i64().is_some_and(|m| methods.contains(&m));
    (!known).then(|| (field, format!("Shipping method {method} is not available.")))
}

fn address_problems(departure: &Value) -> Vec<(String, String)> {
    let a = &departure["address"];
    let mut found = vec![];
    if blank(&a["phone"]) {
        found.push(("departure.address.phone".into(), BLANK.into()));
    }
    // `receiver` stands for both names, as in the SDK's own check.
    if blank(&a["receiver"]) && (blank(&a["name"]) || blank(&a["surname"])) {
        found.push(("departure.address.receiver".into(), BLANK.into()));
    }
    let to_the_door = !(blank(&a["street"]) || blank(&a["house"])) || !blank(&a["address_line_1"]);
    if blank(&departure["delivery_point"]) && !to_the_door {
        found.push((
            "departure.address".into(),
            "Give street and house (or address_line_1), or a delivery_point.".into(),
        ));
    }
    found
}

fn product_problems(products: &Value) -> Vec<(String, String)> {
    let Some(list) = products.as_array().filter(|l| !l.is_empty()) else {
        return vec![("products".into(), BLANK.into())];
    };
    let mut found = vec![];
    for (i, p) in list.iter().enumerate() {
        if blank(&p["shopArticle"]) {
            found.push((format!("products[{i}].shopArticle"), BLANK.into()));
        }
        if !positive(&p["count"]) {
            found.push((
                format!("products[{i}].count"),
                "This value should be greater than 0.".into(),
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(package: Value) -> Vec<String> {
        let Value::Object(p) = package else { unreachable!() };
        problems(&p, &[1]).into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn a_package_to_a_pickup_point_needs_no_street() {
        let ok = json!({"weight": 1.2, "departure": {"shipping_method": 1, "delivery_point": 55,
            "address": {"receiver": "Анна", "phone": "+79160001122"}},
            "products": [{"shopArticle": "A-1", "count": 1, "price": 10}]});
        assert!(fields(ok).is_empty());
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let bad = json!({"weight": 0, "departure": {"shipping_method": 9, "address": {"name": "Анна"}},
            "products": [{"count": 1}]});
        assert_eq!(
            fields(bad),
            [
                "weight",
                "departure.shipping_method",
                "departure.address.phone",
                "departure.address.receiver",
                "departure.address",
                "products[0].shopArticle"
            ]
        );
    }
}
