//! What the fake shop holds (products with their stock, delivery variants, payment gateways,
//! orders) and the API routes over it.

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::{answer, not_found, refused, ApiRequest, Shared};

/// The most a list gives per page, and what it gives unasked (a guess).
const MAX_PER_PAGE: usize = 250;
const PER_PAGE: usize = 10;

pub(super) struct Store {
    pub(super) products: Vec<Value>,
    pub(super) orders: Vec<Value>,
    delivery_variants: Vec<Value>,
    payment_gateways: Vec<Value>,
    next_id: i64,
    next_number: i64,
}

type Problems = Vec<(String, String)>;

impl Store {
    /// A shop with two delivery variants (101 courier, 102 pickup) and two payment gateways
    /// (201 cash, 202 online); no products until a test adds them.
    pub(super) fn seeded() -> Self {
        Self {
            products: vec![],
            orders: vec![],
            delivery_variants: vec![
                json!({"id": 101, "title": "Курьером", "type": "DeliveryVariant::Fixed", "price": 300.0}),
                json!({"id": 102, "title": "Самовывоз", "type": "DeliveryVariant::Fixed", "price": 0.0}),
            ],
            payment_gateways: vec![
                json!({"id": 201, "title": "Наличными", "type": "PaymentGateway::Custom"}),
                json!({"id": 202, "title": "Онлайн", "type": "PaymentGateway::Custom"}),
            ],
            // Far from 1, so that a client mixing up ids and numbers is caught.
            next_id: 7_100_001,
            next_number: 1001,
        }
    }

    fn id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub(super) fn add_product(&mut self, product: Value) -> Value {
        let id = self.id();
        let now = Utc::now().to_rfc3339();
        let title = product["title"].as_str().unwrap_or("Товар").to_string();
        let variants: Vec<Value> = product["variants"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|v| {
                json!({
                    "id": self.id(),
                    "product_id": id,
                    "sku": v["sku"],
                    "title": v.get("title").cloned().unwrap_or_else(|| json!(title)),
                    "quantity": v["quantity"].as_i64().unwrap_or(0),
                    "price": v["price"].as_f64().unwrap_or(0.0),
                })
            })
            .collect();
        let product = json!({
            "id": id, "title": title, "created_at": now, "updated_at": now, "variants": variants,
        });
        self.products.push(product.clone());
        product
    }

    fn variant(&self, id: i64) -> Option<&Value> {
        self.products
            .iter()
            .flat_map(|p| p["variants"].as_array().into_iter().flatten())
            .find(|v| v["id"].as_i64() == Some(id))
    }

    pub(super) fn variant_by_sku(&self, sku: &str) -> Option<Value> {
        self.products
            .iter()
            .flat_map(|p| p["variants"].as_array().into_iter().flatten())
            .find(|v| v["sku"].as_str() == Some(sku))
            .cloned()
    }

    /// Moves each variant's stock by `delta` (negative: written off), and marks its product
    /// changed (a catalogue read `updated_since` then sees it).
    fn move_stock(&mut self, delta: &HashMap<i64, i64>) {
        let now = Utc::now().to_rfc3339();
        for product in &mut self.products {
            let mut changed = false;
            for v in product["variants"].as_array_mut().into_iter().flatten() {
                if let Some(d) = v["id"].as_i64().and_then(|id| delta.get(&id)) {
                    v["quantity"] = json!(v["quantity"].as_i64().unwrap_or(0) + d);
                    changed = true;
                }
            }
            if changed {
                product["updated_at"] = json!(now);
            }
        }
    }

    pub(super) fn order_at(&self, id: i64) -> Option<usize> {
        self.orders.iter().position(|o| o["id"].as_i64() == Some(id))
    }

    pub(super) fn set_status(&mut self, id: i64, fulfillment: Option<&str>, financial: Option<&str>) -> bool {
        let Some(at) = self.order_at(id) else {
            return false;
        };
        let order = &mut self.orders[at];
        if let Some(f) = fulfillment {
            order["fulfillment_status"] = json!(f);
        }
        if let Some(f) = financial {
            order["financial_status"] = json!(f);
        }
        order["updated_at"] = json!(Utc::now().to_rfc3339());
        true
    }

    /// A new line for a variant, at the price given or the variant's.
    fn line(&mut self, attrs: &Value, problems: &mut Problems) -> Option<Value> {
        let variant_id = number(&attrs["variant_id"]);
        let Some(variant) = variant_id.and_then(|id| self.variant(id)).cloned() else {
            problems.push((
                "order_lines.variant_id".into(),
                format!("Вариант товара {} не найден", attrs["variant_id"]),
            ));
            return None;
        };
        let quantity = number(&attrs["quantity"]).unwrap_or(1);
        if quantity < 1 {
            problems.push(("order_lines.quantity".into(), "должно быть больше 0".into()));
        }
        let price = decimal(&attrs["sale_price"]).unwrap_or_else(|| variant["price"].as_f64().unwrap_or(0.0));
        Some(json!({
            "id": self.id(),
            "variant_id": variant["id"],
            "product_id": variant["product_id"],
            "sku": variant["sku"],
            "title": variant["title"],
            "quantity": quantity,
            "sale_price": price,
        }))
    }

    /// Applies `order_lines_attributes` as Rails' nested attributes do: `id` + `_destroy`
    /// removes, `id` changes, no `id` adds.
    fn apply_lines(&mut self, lines: &mut Vec<Value>, attrs: &[Value], problems: &mut Problems) {
        for a in attrs {
            match number(&a["id"]) {
                Some(id) => {
                    let Some(at) = lines.iter().position(|l| l["id"].as_i64() == Some(id)) else {
                        problems.push(("order_lines.id".into(), format!("Позиция {id} не найдена")));
                        continue;
                    };
                    if a["_destroy"] == json!(true) || a["_destroy"] == json!("1") {
                        lines.remove(at);
                        continue;
                    }
                    if let Some(q) = number(&a["quantity"]) {
                        lines[at]["quantity"] = json!(q);
                    }
                    if let Some(p) = decimal(&a["sale_price"]) {
                        lines[at]["sale_price"] = json!(p);
                    }
                }
                None => {
                    if let Some(line) = self.line(a, problems) {
                        lines.push(line);
                    }
                }
            }
        }
        if lines.is_empty() {
            problems.push((
                "order_lines".into(),
                "Заказ должен содержать хотя бы одну позицию".into(),
            ));
        }
    }

    /// The order's fields from a create's or an update's `order` object, onto `order`.
    fn apply_fields(&self, order: &mut Value, fields: &Map<String, Value>, problems: &mut Problems) {
        if let Some(client) = fields.get("client").and_then(Value::as_object) {
            for (k, v) in client {
                order["client"][k] = v.clone();
            }
        }
        if let Some(address) = fields
            .get("shipping_address_attributes")
            .and_then(Value::as_object)
        {
            order["shipping_address"] = Value::Object(address.clone());
        }
        for key in [
            "comment",
            "delivery_price",
            "delivery_variant_id",
            "payment_gateway_id",
        ] {
            if let Some(v) = fields.get(key) {
                order[key] = v.clone();
            }
        }
        let text = |v: &Value| v.as_str().map(str::trim).unwrap_or_default().to_string();
        if text(&order["client"]["name"]).is_empty() {
            problems.push(("client.name".into(), "не может быть пустым".into()));
        }
        if text(&order["client"]["phone"]).is_empty() {
            problems.push(("client.phone".into(), "не может быть пустым".into()));
        }
        let delivery = number(&order["delivery_variant_id"]);
        match delivery.and_then(|id| self.delivery_variants.iter().find(|d| d["id"] == json!(id))) {
            Some(d) => {
                order["delivery_variant_id"] = d["id"].clone();
                order["delivery_title"] = d["title"].clone();
                if order["delivery_price"].is_null() {
                    order["delivery_price"] = d["price"].clone();
                }
            }
            None => problems.push((
                "delivery_variant".into(),
                format!("Способ доставки {} не найден", order["delivery_variant_id"]),
            )),
        }
        if let Some(gateway) = order.get("payment_gateway_id").filter(|g| !g.is_null()) {
            let known =
                number(gateway).is_some_and(|id| self.payment_gateways.iter().any(|p| p["id"] == json!(id)));
            if !known {
                problems.push((
                    "payment_gateway".into(),
                    format!("Способ оплаты {gateway} не найден"),
                ));
            }
        }
        order["delivery_price"] = json!(decimal(&order["delivery_price"]).unwrap_or(0.0));
    }

    fn create(&mut self, body: Option<Value>) -> Result<Value, Problems> {
        let fields = order_fields(body)?;
        let mut problems = vec![];
        let mut order = json!({"client": {}, "shipping_address": {}});
        self.apply_fields(&mut order, &fields, &mut problems);
        let attrs = fields
            .get("order_lines_attributes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut lines = vec![];
        self.apply_lines(&mut lines, &attrs, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let now = Utc::now().to_rfc3339();
        let id = self.id();
        let number = self.next_number;
        self.next_number += 1;
        order["id"] = json!(id);
        order["number"] = json!(number);
        // InSales' own key of the order (for its pages), not ours.
        order["key"] = json!(format!("{:032x}", id * 7919));
        order["fulfillment_status"] = json!("new");
        order["financial_status"] = json!("pending");
        order["created_at"] = json!(now);
        order["client"]["id"] = json!(self.id());
        self.move_stock(&stock_delta(&[], &lines));
        finish(&mut order, lines, &now);
        self.orders.push(order.clone());
        Ok(order)
    }

    fn update(&mut self, at: usize, body: Option<Value>) -> Result<Value, Problems> {
        let fields = order_fields(body)?;
        let mut problems = vec![];
        let mut order = self.orders[at].clone();
        let old_lines = order["order_lines"].as_array().cloned().unwrap_or_default();
        self.apply_fields(&mut order, &fields, &mut problems);
        let mut lines = old_lines.clone();
        if let Some(attrs) = fields.get("order_lines_attributes").and_then(Value::as_array) {
            self.apply_lines(&mut lines, attrs, &mut problems);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        self.move_stock(&stock_delta(&old_lines, &lines));
        finish(&mut order, lines, &Utc::now().to_rfc3339());
        self.orders[at] = order.clone();
        Ok(order)
    }

    fn delete(&mut self, at: usize) {
        let order = self.orders.remove(at);
        let lines = order["order_lines"].as_array().cloned().unwrap_or_default();
        self.move_stock(&stock_delta(&lines, &[]));
    }
}

/// The `order` object of a create's or update's body.
fn order_fields(body: Option<Value>) -> Result<Map<String, Value>, Problems> {
    match body.and_then(|mut b| b.get_mut("order").map(Value::take)) {
        Some(Value::Object(fields)) => Ok(fields),
        _ => Err(vec![(
            "order".into(),
            "param is missing or the value is empty".into(),
        )]),
    }
}

/// Lines, totals and the time of the change.
fn finish(order: &mut Value, lines: Vec<Value>, now: &str) {
    let items: f64 = lines
        .iter()
        .map(|l| l["sale_price"].as_f64().unwrap_or(0.0) * l["quantity"].as_f64().unwrap_or(0.0))
        .sum();
    let delivery = order["delivery_price"].as_f64().unwrap_or(0.0);
    order["items_price"] = json!(items);
    order["total_price"] = json!(items + delivery);
    order["order_lines"] = Value::Array(lines);
    order["updated_at"] = json!(now);
}

/// How each variant's stock moves when `old` lines become `new` ones.
fn stock_delta(old: &[Value], new: &[Value]) -> HashMap<i64, i64> {
    let mut delta = HashMap::new();
    for (lines, sign) in [(old, 1), (new, -1)] {
        for l in lines {
            if let Some(id) = l["variant_id"].as_i64() {
                *delta.entry(id).or_default() += sign * l["quantity"].as_i64().unwrap_or(0);
            }
        }
    }
    delta
}

/// A number sent as a number or a string.
fn number(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

fn decimal(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// `updated_since`, `page` and `per_page` over a list kept in order.
fn page(items: &[Value], request: &ApiRequest) -> Value {
    let since = request
        .param("updated_since")
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok());
    let per_page = request
        .param("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(PER_PAGE)
        .clamp(1, MAX_PER_PAGE);
    let page: usize = request
        .param("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mut listed: Vec<&Value> = items
        .iter()
        .filter(|i| {
            let at = i["updated_at"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            since.is_none_or(|s| at.is_some_and(|a| a >= s))
        })
        .collect();
    if since.is_some() {
        listed.sort_by_key(|i| (i["updated_at"].as_str().map(str::to_string), i["id"].as_i64()));
    }
    Value::Array(
        listed
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .cloned()
            .collect(),
    )
}

/// `/admin/orders/{id}.json` → the id.
fn order_id(path: &str) -> Option<i64> {
    path.strip_prefix("/admin/orders/")?
        .strip_suffix(".json")?
        .parse()
        .ok()
}

/// Routes an authorized API request.
pub(super) fn route(shared: &Shared, request: &ApiRequest) -> Response {
    let mut s = shared.lock();
    let s = &mut *s;
    let ok = |body: Value| answer(StatusCode::OK, body);
    match (&request.method, request.path.as_str()) {
        (&Method::GET, super::ACCOUNT_PATH) => ok(json!({
            "id": 12345, "title": "Магазин для тестов", "subdomain": "fake-shop", "country": "RU",
        })),
        (&Method::GET, super::PRODUCTS_PATH) => ok(page(&s.store.products, request)),
        (&Method::GET, super::DELIVERY_VARIANTS_PATH) => ok(Value::Array(s.store.delivery_variants.clone())),
        (&Method::GET, super::PAYMENT_GATEWAYS_PATH) => ok(Value::Array(s.store.payment_gateways.clone())),
        (&Method::GET, super::ORDERS_PATH) => ok(page(&s.store.orders, request)),
        (&Method::POST, super::ORDERS_PATH) => match s.store.create(request.json()) {
            Ok(order) => {
                s.stats.creates += 1;
                answer(StatusCode::CREATED, order)
            }
            Err(problems) => {
                s.stats.refused += 1;
                refused(problems)
            }
        },
        (method, path) => {
            let Some(at) = order_id(path).and_then(|id| s.store.order_at(id)) else {
                return not_found();
            };
            match *method {
                Method::GET => ok(s.store.orders[at].clone()),
                Method::PUT => match s.store.update(at, request.json()) {
                    Ok(order) => {
                        s.stats.updates += 1;
                        ok(order)
                    }
                    Err(problems) => {
                        s.stats.refused += 1;
                        refused(problems)
                    }
                },
                Method::DELETE => {
                    s.store.delete(at);
                    s.stats.deletes += 1;
                    ok(json!({}))
                }
                _ => not_found(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_moves_by_the_lines_that_changed() {
        let old = [
            json!({"variant_id": 1, "quantity": 2}),
            json!({"variant_id": 2, "quantity": 1}),
        ];
        let new = [json!({"variant_id": 1, "quantity": 3})];
        let delta = stock_delta(&old, &new);
        assert_eq!(delta[&1], -1);
        assert_eq!(delta[&2], 1);
    }

    #[test]
    fn an_order_needs_lines_of_known_variants_a_client_and_a_delivery_variant() {
        let mut store = Store::seeded();
        let p = store.add_product(
            json!({"title": "Фильтр", "variants": [{"sku": "F-1", "quantity": 5, "price": 350}]}),
        );
        let variant = p["variants"][0]["id"].as_i64().unwrap();
        let problems = store
            .create(Some(
                json!({"order": {"order_lines_attributes": [{"variant_id": 1, "quantity": 1}],
                "client": {"name": " "}, "delivery_variant_id": 999}}),
            ))
            .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "client.name",
                "client.phone",
                "delivery_variant",
                "order_lines.variant_id",
                "order_lines"
            ]
        );
        let made = store
            .create(Some(
                json!({"order": {"order_lines_attributes": [{"variant_id": variant, "quantity": 2}],
                "client": {"name": "Анна", "phone": "+7916"}, "delivery_variant_id": 101}}),
            ))
            .unwrap();
        assert_eq!(
            made["total_price"], 1000.0,
            "two at 350 and the variant's 300 delivery"
        );
        assert_eq!(store.variant_by_sku("F-1").unwrap()["quantity"], 3);
        let at = store.order_at(made["id"].as_i64().unwrap()).unwrap();
        store.delete(at);
        assert_eq!(store.variant_by_sku("F-1").unwrap()["quantity"], 5);
    }
}
