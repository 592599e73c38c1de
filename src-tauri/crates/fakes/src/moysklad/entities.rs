//! The account's entities as MoySklad keeps and returns them: each with its `meta` (`href`,
//! `metadataHref`, `type`, `mediaType`, `uuidHref`), `id`, `externalCode`, times; lists as
//! `{"context", "meta": {…, "size", "limit", "offset"}, "rows"}`. `href`s are kept relative to
//! the fake's address and made absolute as they leave ([`absolute`]).

use axum::http::{Method, StatusCode};
use chrono::Utc;
use serde_json::{json, Map, Value};

use super::validation::{self, not_found, refusal, refused};
use super::{Answer, ApiRequest, SkladState, API};

/// The kinds of entity the fake keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Counterparty,
    Product,
    Service,
    Organization,
    CustomerOrder,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Counterparty,
        Kind::Product,
        Kind::Service,
        Kind::Organization,
        Kind::CustomerOrder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Counterparty => "counterparty",
            Kind::Product => "product",
            Kind::Service => "service",
            Kind::Organization => "organization",
            Kind::CustomerOrder => "customerorder",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn at(self) -> usize {
        self as usize
    }
}

/// An entity's `meta`, its `href` relative to the fake's address.
fn meta(kind: &str, id: &str) -> Value {
    json!({
        "href": format!("{API}/entity/{kind}/{id}"),
        "metadataHref": format!("{API}/entity/{kind}/metadata"),
        "type": kind,
        "mediaType": "application/json",
        "uuidHref": format!("/app/#{kind}/edit?id={id}"),
    })
}

fn state_meta(id: &str) -> Value {
    json!({
        "href": format!("{API}/entity/customerorder/metadata/states/{id}"),
        "metadataHref": format!("{API}/entity/customerorder/metadata"),
        "type": "state",
        "mediaType": "application/json",
    })
}

fn position_meta(order: &str, id: &str) -> Value {
    json!({
        "href": format!("{API}/entity/customerorder/{order}/positions/{id}"),
        "type": "customerorderposition",
        "mediaType": "application/json",
    })
}

fn employee_meta() -> Value {
    json!({
        "href": format!("{API}/context/employee"),
        "metadataHref": format!("{API}/entity/employee/metadata"),
        "type": "employee",
        "mediaType": "application/json",
    })
}

/// The kind and id a reference (`{"meta": {"href", "type"}}`) names: the type, and the href's
/// last segment.
pub(super) fn reference(v: &Value) -> Option<(Kind, String)> {
    let meta = v.get("meta")?;
    let kind = Kind::parse(meta.get("type")?.as_str()?)?;
    let href = meta.get("href")?.as_str()?;
    let id = href
        .split(['?', '#'])
        .next()?
        .trim_end_matches('/')
        .rsplit('/')
        .next()?;
    (!id.is_empty()).then(|| (kind, id.to_string()))
}

/// Every `href` kept relative made absolute on `base` (the fake's address).
pub(super) fn absolute(mut v: Value, base: &str) -> Value {
    fn walk(v: &mut Value, base: &str) {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    match x {
                        Value::String(s) if k.ends_with("ref") && s.starts_with('/') => {
                            *s = format!("{base}{s}");
                        }
                        _ => walk(x, base),
                    }
                }
            }
            Value::Array(list) => list.iter_mut().for_each(|x| walk(x, base)),
            _ => {}
        }
    }
    walk(&mut v, base);
    v
}

/// MoySklad's "date/time" (`YYYY-MM-DD HH:MM:SS.mmm`), in Moscow time.
fn stamp() -> String {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Moscow)
        .format("%Y-%m-%d %H:%M:%S%.3f")
        .to_string()
}

/// A UUID as MoySklad's `syncId` takes it: 8-4-4-4-12 hex digits.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A refusal: its status and MoySklad's errors.
type Refused = (StatusCode, Option<Value>);

/// Everything the account holds.
pub(super) struct Store {
    entities: [Vec<Value>; 5],
    /// The customer orders' states, in the account's order (a new order gets the first).
    states: Vec<Value>,
    next_id: u64,
    next_number: u64,
}

impl Store {
    pub(super) fn new(organization: &str) -> Self {
        let mut store = Self {
            entities: Default::default(),
            states: vec![],
            next_id: 1,
            next_number: 1,
        };
        for name in [
            "Новый",
            "Подтвержден",
            "Собран",
            "Отгружен",
            "Доставлен",
            "Возврат",
            "Отменен",
        ] {
            store.add_state(name);
        }
        let org = json!({"name": organization, "companyType": "legal"});
        store
            .create(Kind::Organization, org)
            .expect("the account's legal entity");
        store
    }

    /// A fresh id in MoySklad's shape (a UUID), distinct across kinds.
    fn new_id(&mut self) -> String {
        let n = self.next_id;
        self.next_id += 1;
        format!("7944ef04-f831-11e5-7a69-{n:012x}")
    }

    fn add_state(&mut self, name: &str) -> Value {
        let id = self.new_id();
        let state = json!({"meta": state_meta(&id), "id": id, "name": name,
                           "color": 15_106_609, "stateType": "Regular", "entityType": "customerorder"});
        self.states.push(state.clone());
        state
    }

    pub(super) fn find(&self, kind: Kind, id: &str) -> Option<&Value> {
        self.entities[kind.at()].iter().find(|e| e["id"] == id)
    }

    fn index(&self, kind: Kind, id: &str) -> Option<usize> {
        self.entities[kind.at()].iter().position(|e| e["id"] == id)
    }

    /// Every entity of a kind as the API returns it (orders with their positions and state).
    pub(super) fn all(&self, kind: Kind, base: &str) -> Vec<Value> {
        self.entities[kind.at()]
            .iter()
            .map(|e| absolute(self.present(kind, e, &["positions", "state"]), base))
            .collect()
    }

    /// Stores a new entity; one whose `syncId` the kind already has answers that one instead
    /// (`Ok((entity, false))`).
    pub(super) fn create(&mut self, kind: Kind, fields: Value) -> Result<(Value, bool), Refused> {
        let Value::Object(mut m) = fields else {
            return Err(refusal(
                StatusCode::BAD_REQUEST,
                2016,
                "Ошибка формата: ожидается объект",
                None,
            ));
        };
        if let Some(sync) = m.get("syncId") {
            let Some(sync) = sync.as_str().filter(|s| is_uuid(s)) else {
                return Err(refused(
                    StatusCode::BAD_REQUEST,
                    vec![validation::wrong_type("syncId", "UUID")],
                ));
            };
            if let Some(made) = self.entities[kind.at()].iter().find(|e| e["syncId"] == sync) {
                return Ok((made.clone(), false));
            }
        }
        let problems = match kind {
            Kind::CustomerOrder => validation::order_problems(self, &m, true),
            _ => validation::entity_problems(&m, true),
        };
        if !problems.is_empty() {
            return Err(refused(StatusCode::PRECONDITION_FAILED, problems));
        }
        let id = self.new_id();
        let now = stamp();
        m.insert("meta".into(), meta(kind.as_str(), &id));
        m.insert("id".into(), json!(id));
        m.insert("accountId".into(), json!("1ae88524-2868-11e7-7a69-971100005ebf"));
        m.entry("externalCode")
            .or_insert_with(|| json!(format!("fake{id}")));
        m.insert("created".into(), json!(now));
        m.insert("updated".into(), json!(now));
        m.entry("archived").or_insert(json!(false));
        if kind == Kind::CustomerOrder {
            self.complete_order(&id, &mut m, &now);
        }
        let entity = Value::Object(m);
        self.entities[kind.at()].push(entity.clone());
        Ok((entity, true))
    }

    /// What MoySklad fills in on a new order: number, moment, state, positions' ids, sums.
    fn complete_order(&mut self, id: &str, m: &mut Map<String, Value>, now: &str) {
        let number = self.next_number;
        self.next_number += 1;
        m.entry("name").or_insert_with(|| json!(format!("{number:05}")));
        m.entry("moment").or_insert_with(|| json!(now));
        m.insert("applicable".into(), json!(true));
        m.entry("vatEnabled").or_insert(json!(false));
        if !m.get("state").is_some_and(Value::is_object) {
            m.insert("state".into(), json!({"meta": self.states[0]["meta"]}));
        }
        self.link_order(id, m);
    }

    /// Positions given ids and `meta`, references kept as bare `meta`, the sum worked out and the
    /// one-line address made from the detailed one.
    fn link_order(&mut self, id: &str, m: &mut Map<String, Value>) {
        for field in ["agent", "organization"] {
            if let Some((kind, ref_id)) = m.get(field).and_then(reference) {
                m.insert(field.into(), json!({"meta": meta(kind.as_str(), &ref_id)}));
            }
        }
        let positions: Vec<Value> = m
            .get("positions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let rows: Vec<Value> = positions
            .into_iter()
            .map(|p| {
                let pid = self.new_id();
                let (kind, ref_id) = reference(&p["assortment"]).expect("checked before");
                json!({
                    "meta": position_meta(id, &pid), "id": pid,
                    "quantity": p["quantity"], "price": p["price"],
                    "discount": p.get("discount").cloned().unwrap_or(json!(0)),
                    "vat": p.get("vat").cloned().unwrap_or(json!(0)),
                    "vatEnabled": false,
                    "assortment": {"meta": meta(kind.as_str(), &ref_id)},
                    "shipped": 0, "reserve": p.get("reserve").cloned().unwrap_or(json!(0)),
                })
            })
            .collect();
        let sum: f64 = rows
            .iter()
            .map(|r| {
                let discount = r["discount"].as_f64().unwrap_or(0.0);
                r["price"].as_f64().unwrap_or(0.0)
                    * r["quantity"].as_f64().unwrap_or(0.0)
                    * (1.0 - discount / 100.0)
            })
            .sum();
        m.insert("positions".into(), json!(rows));
        m.insert("sum".into(), json!(sum.round()));
        if let Some(full) = m.get("shipmentAddressFull") {
            let line: Vec<&str> = ["postalCode", "city", "street", "house", "apartment", "addInfo"]
                .iter()
                .filter_map(|k| full.get(*k).and_then(Value::as_str))
                .filter(|s| !s.is_empty())
                .collect();
            m.insert("shipmentAddress".into(), json!(line.join(", ")));
        }
    }

    /// A PUT: each field given replaces the stored one (given `positions` replace them all);
    /// ids, `syncId` and creation time stay.
    fn update(&mut self, kind: Kind, id: &str, fields: Value) -> Result<Value, Refused> {
        let Some(at) = self.index(kind, id) else {
            return Err(refused(StatusCode::NOT_FOUND, vec![not_found(kind.as_str(), id)]));
        };
        let Value::Object(changes) = fields else {
            return Err(refusal(
                StatusCode::BAD_REQUEST,
                2016,
                "Ошибка формата: ожидается объект",
                None,
            ));
        };
        let stored = &self.entities[kind.at()][at];
        if changes.get("syncId").is_some_and(|s| *s != stored["syncId"]) {
            return Err(refused(
                StatusCode::BAD_REQUEST,
                vec![validation::sync_id_changed()],
            ));
        }
        let problems = match kind {
            Kind::CustomerOrder => validation::order_problems(self, &changes, false),
            _ => validation::entity_problems(&changes, false),
        };
        if !problems.is_empty() {
            return Err(refused(StatusCode::PRECONDITION_FAILED, problems));
        }
        let Value::Object(mut m) = stored.clone() else {
            unreachable!("entities are stored as objects")
        };
        for (key, value) in changes {
            if !matches!(key.as_str(), "id" | "meta" | "syncId" | "created" | "accountId") {
                m.insert(key, value);
            }
        }
        m.insert("updated".into(), json!(stamp()));
        if kind == Kind::CustomerOrder {
            self.link_order(id, &mut m);
        }
        let entity = Value::Object(m);
        self.entities[kind.at()][at] = entity.clone();
        Ok(entity)
    }

    fn delete(&mut self, kind: Kind, id: &str) -> Result<(), Refused> {
        let at = self
            .index(kind, id)
            .ok_or_else(|| refused(StatusCode::NOT_FOUND, vec![not_found(kind.as_str(), id)]))?;
        self.entities[kind.at()].remove(at);
        Ok(())
    }

    pub(super) fn set_state(&mut self, order_id: &str, name: &str) -> bool {
        let Some(at) = self.index(Kind::CustomerOrder, order_id) else {
            return false;
        };
        let state = match self.states.iter().find(|s| s["name"] == name) {
            Some(s) => s.clone(),
            None => self.add_state(name),
        };
        let order = &mut self.entities[Kind::CustomerOrder.at()][at];
        order["state"] = json!({"meta": state["meta"]});
        order["updated"] = json!(stamp());
        true
    }

    /// An entity as the API returns it, with the references `expand` names in full.
    fn present(&self, kind: Kind, e: &Value, expand: &[&str]) -> Value {
        let mut out = e.clone();
        let full = |v: &Value| -> Option<Value> {
            let (k, id) = reference(v)?;
            self.find(k, &id).cloned()
        };
        for field in ["agent", "organization"] {
            if expand.contains(&field) {
                if let Some(x) = full(&e[field]) {
                    out[field] = x;
                }
            }
        }
        if expand.contains(&"state") {
            let href = e["state"]["meta"]["href"].as_str().unwrap_or_default();
            if let Some(s) = self.states.iter().find(|s| s["meta"]["href"] == href) {
                out["state"] = s.clone();
            }
        }
        if kind == Kind::CustomerOrder {
            let id = e["id"].as_str().unwrap_or_default();
            let rows = e["positions"].as_array().cloned().unwrap_or_default();
            let with_assortment = expand.contains(&"positions.assortment");
            out["positions"] = if expand.contains(&"positions") || with_assortment {
                let rows = rows
                    .into_iter()
                    .map(|mut r| {
                        if let Some(x) = full(&r["assortment"]).filter(|_| with_assortment) {
                            r["assortment"] = x;
                        }
                        r
                    })
                    .collect::<Vec<_>>();
                json!({"meta": positions_meta(id, rows.len()), "rows": rows})
            } else {
                json!({"meta": positions_meta(id, rows.len())})
            };
        }
        out
    }
}

fn positions_meta(order: &str, size: usize) -> Value {
    json!({
        "href": format!("{API}/entity/customerorder/{order}/positions"),
        "type": "customerorderposition", "mediaType": "application/json",
        "size": size, "limit": 1000, "offset": 0,
    })
}

/// `filter=field=value;…`: one field's values are alternatives, different fields must all
/// match; `\;` is a `;` inside a value. Only `=` is understood here.
fn parse_filter(text: &str) -> Result<Vec<(String, Vec<String>)>, Refused> {
    let mut conditions: Vec<(String, Vec<String>)> = vec![];
    let mut current = String::new();
    let mut parts = vec![];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&';') => {
                current.push(';');
                chars.next();
            }
            ';' => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    for part in parts.into_iter().filter(|p| !p.is_empty()) {
        let Some((field, value)) = part.split_once('=') else {
            return Err(refusal(
                StatusCode::PRECONDITION_FAILED,
                1002,
                &format!("Неверное условие фильтрации: '{part}'"),
                Some("filter"),
            ));
        };
        if field.ends_with(['!', '<', '>', '~']) || value.starts_with('~') {
            return Err(refusal(
                StatusCode::PRECONDITION_FAILED,
                1002,
                &format!("Фейк понимает в фильтре только '=': '{part}'"),
                Some("filter"),
            ));
        }
        match conditions.iter_mut().find(|(f, _)| f == field) {
            Some((_, values)) => values.push(value.to_string()),
            None => conditions.push((field.to_string(), vec![value.to_string()])),
        }
    }
    Ok(conditions)
}

fn matches(e: &Value, conditions: &[(String, Vec<String>)]) -> bool {
    conditions.iter().all(|(field, values)| {
        let have = match &e[field.as_str()] {
            Value::String(s) => s.clone(),
            Value::Null => return false,
            other => other.to_string(),
        };
        values.contains(&have)
    })
}

fn expand_of(request: &ApiRequest) -> Vec<&str> {
    request
        .param("expand")
        .map(|e| e.split(',').map(str::trim).collect())
        .unwrap_or_default()
}

fn kind_of(kind: &str) -> Result<Kind, Refused> {
    Kind::parse(kind).ok_or_else(|| {
        refusal(
            StatusCode::NOT_FOUND,
            1005,
            &format!("Неизвестный тип: {kind}"),
            None,
        )
    })
}

fn method_not_allowed(request: &ApiRequest) -> Refused {
    refusal(
        StatusCode::METHOD_NOT_ALLOWED,
        1003,
        &format!("Метод {} не поддерживается для этого ресурса", request.method),
        None,
    )
}

fn body_json(request: &ApiRequest) -> Result<Value, Refused> {
    serde_json::from_slice(&request.body).map_err(|e| {
        refusal(
            StatusCode::BAD_REQUEST,
            2000,
            &format!("Ошибка формата: неверный JSON: {e}"),
            None,
        )
    })
}

/// `GET` (a filtered list) or `POST` (one entity or an array) on `entity/{kind}`.
pub(super) fn collection(s: &mut SkladState, request: &ApiRequest, kind: &str) -> Result<Answer, Answer> {
    let kind = kind_of(kind)?;
    match request.method {
        Method::GET => {
            let conditions = parse_filter(request.param("filter").unwrap_or_default())?;
            let limit = request
                .param("limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(1000usize)
                .min(1000);
            let offset = request
                .param("offset")
                .and_then(|o| o.parse().ok())
                .unwrap_or(0usize);
            let expand = expand_of(request);
            s.stats.reads += 1;
            let matching: Vec<&Value> = s.store.entities[kind.at()]
                .iter()
                .filter(|e| matches(e, &conditions))
                .collect();
            let rows: Vec<Value> = matching
                .iter()
                .skip(offset)
                .take(limit)
                .map(|e| s.store.present(kind, e, &expand))
                .collect();
            Ok((
                StatusCode::OK,
                Some(json!({
                    "context": {"employee": {"meta": employee_meta()}},
                    "meta": {"href": format!("{API}/entity/{}", kind.as_str()), "type": kind.as_str(),
                             "mediaType": "application/json", "size": matching.len(),
                             "limit": limit, "offset": offset},
                    "rows": rows,
                })),
            ))
        }
        Method::POST if kind != Kind::Organization => {
            let body = body_json(request)?;
            let (list, many) = match body {
                Value::Array(list) => (list, true),
                one => (vec![one], false),
            };
            let mut made = vec![];
            for fields in list {
                let (entity, new) = s.store.create(kind, fields)?;
                if new {
                    match kind {
                        Kind::CustomerOrder => s.stats.orders_created += 1,
                        _ => s.stats.entities_created += 1,
                    }
                }
                made.push(s.store.present(kind, &entity, &[]));
            }
            let answer = if many { json!(made) } else { made.remove(0) };
            Ok((StatusCode::OK, Some(answer)))
        }
        _ => Err(method_not_allowed(request)),
    }
}

/// `GET`, `PUT` or `DELETE` on `entity/{kind}/{id}`.
pub(super) fn entity(
    s: &mut SkladState,
    request: &ApiRequest,
    kind: &str,
    id: &str,
) -> Result<Answer, Answer> {
    let kind = kind_of(kind)?;
    match request.method {
        Method::GET => {
            s.stats.reads += 1;
            let e = s
                .store
                .find(kind, id)
                .ok_or_else(|| refused(StatusCode::NOT_FOUND, vec![not_found(kind.as_str(), id)]))?;
            Ok((
                StatusCode::OK,
                Some(s.store.present(kind, e, &expand_of(request))),
            ))
        }
        Method::PUT => {
            let updated = s.store.update(kind, id, body_json(request)?)?;
            if kind == Kind::CustomerOrder {
                s.stats.orders_updated += 1;
            }
            Ok((
                StatusCode::OK,
                Some(s.store.present(kind, &updated, &expand_of(request))),
            ))
        }
        Method::DELETE => {
            s.store.delete(kind, id)?;
            if kind == Kind::CustomerOrder {
                s.stats.orders_deleted += 1;
            }
            Ok((StatusCode::OK, None))
        }
        _ => Err(method_not_allowed(request)),
    }
}

/// `GET entity/customerorder/{id}/positions` (`expand=assortment`).
pub(super) fn positions(
    s: &mut SkladState,
    request: &ApiRequest,
    kind: &str,
    id: &str,
) -> Result<Answer, Answer> {
    if kind_of(kind)? != Kind::CustomerOrder {
        return Err(refusal(
            StatusCode::NOT_FOUND,
            1002,
            &format!("Неопознанный путь: {}", request.path),
            None,
        ));
    }
    if request.method != Method::GET {
        return Err(method_not_allowed(request));
    }
    s.stats.reads += 1;
    let order = s
        .store
        .find(Kind::CustomerOrder, id)
        .ok_or_else(|| refused(StatusCode::NOT_FOUND, vec![not_found("customerorder", id)]))?;
    let expand = if expand_of(request).contains(&"assortment") {
        vec!["positions.assortment"]
    } else {
        vec!["positions"]
    };
    let listed = s.store.present(Kind::CustomerOrder, order, &expand);
    let mut answer = listed["positions"].clone();
    answer["context"] = json!({"employee": {"meta": employee_meta()}});
    Ok((StatusCode::OK, Some(answer)))
}

/// `GET context/employee`: who the token belongs to.
pub(super) fn employee(request: &ApiRequest) -> Result<Answer, Answer> {
    if request.method != Method::GET {
        return Err(method_not_allowed(request));
    }
    Ok((
        StatusCode::OK,
        Some(json!({
            "meta": employee_meta(),
            "id": "1b00d9ec-2868-11e7-7a69-97110015d9c7",
            "name": "Администратор",
            "uid": "admin@fake-moysklad",
            "email": "admin@example.com",
        })),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_as_moysklad_documents_them() {
        let c = parse_filter("code=A;code=B\\;C;email=x@y.ru").unwrap();
        assert_eq!(
            c,
            vec![
                ("code".to_string(), vec!["A".to_string(), "B;C".to_string()]),
                ("email".to_string(), vec!["x@y.ru".to_string()]),
            ]
        );
        let e = json!({"code": "B;C", "email": "x@y.ru"});
        assert!(matches(&e, &c));
        assert!(!matches(&json!({"code": "A"}), &c), "every field must match");
        assert!(parse_filter("sum>10").is_err());
        assert!(parse_filter("").unwrap().is_empty());
    }

    #[test]
    fn references_name_their_entity_by_type_and_href() {
        let r = json!({"meta": {"href": "https://x/api/remap/1.2/entity/product/abc-1?expand=x", "type": "product"}});
        assert_eq!(reference(&r), Some((Kind::Product, "abc-1".into())));
        assert_eq!(
            reference(&json!({"meta": {"href": "/x", "type": "nothing"}})),
            None
        );
        assert!(is_uuid("7944ef04-f831-11e5-7a69-971500188b19"));
        assert!(!is_uuid("ot-1-1042"));
    }

    #[test]
    fn a_sync_id_made_once_answers_the_same_entity() {
        let mut store = Store::new("Org");
        let sync = "0b7c9a52-1a1e-8c3d-9f00-000000000001";
        let (a, new_a) = store
            .create(Kind::Product, json!({"name": "Фильтр", "syncId": sync}))
            .unwrap();
        let (b, new_b) = store
            .create(Kind::Product, json!({"name": "Другое", "syncId": sync}))
            .unwrap();
        assert!(new_a && !new_b);
        assert_eq!(a, b);
        assert_eq!(store.entities[Kind::Product.at()].len(), 1);
        let Err((status, _)) = store.create(Kind::Product, json!({"name": "x", "syncId": "nope"})) else {
            panic!("a syncId must be a UUID");
        };
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}
