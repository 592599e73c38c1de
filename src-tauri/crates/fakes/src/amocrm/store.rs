//! The account's deals, contacts, catalog elements and their links, and the API v4 routes over
//! them. Bodies are amoCRM's HAL shapes: lists as `{"_page", "_links", "_embedded": {kind: […]}}`.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use super::validation;
use super::{
    problem_answer, AmoCrmStats, Answer, ApiRequest, FIRST_STATUS_ID, LOST_STATUS_ID, PIPELINE_ID,
    PRODUCTS_CATALOG_ID, WON_STATUS_ID,
};

/// Most deals one complex create takes (amoCRM's limit).
const COMPLEX_MOST: usize = 50;
/// The fields' ids of this account (amoCRM gives every account its own).
const PHONE_FIELD: i64 = 66192;
const EMAIL_FIELD: i64 = 66186;
const SKU_FIELD: i64 = 1_286_600;
const PRICE_FIELD: i64 = 1_286_602;

/// A deal's link to a catalog element.
#[derive(Debug, Clone, PartialEq)]
struct Link {
    lead: i64,
    element: i64,
    quantity: Value,
}

#[derive(Debug)]
pub(super) struct Store {
    leads: Vec<Value>,
    contacts: Vec<Value>,
    elements: Vec<Value>,
    links: Vec<Link>,
    statuses: Vec<(i64, &'static str)>,
    next_id: i64,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            leads: vec![],
            contacts: vec![],
            elements: vec![],
            links: vec![],
            statuses: vec![
                (FIRST_STATUS_ID, "Первичный контакт"),
                (33_929_755, "Переговоры"),
                (33_929_758, "Принимают решение"),
                (WON_STATUS_ID, "Успешно реализовано"),
                (LOST_STATUS_ID, "Закрыто и не реализовано"),
            ],
            next_id: 1_000_001,
        }
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A multi-value field (`PHONE`, `EMAIL`, `SKU`, `PRICE`) as amoCRM returns it.
fn field(id: i64, code: &str, name: &str, value: Value) -> Value {
    json!({"field_id": id, "field_name": name, "field_code": code, "field_type": "multitext",
           "values": [{"value": value, "enum_code": "WORK"}]})
}

/// The first value of the field with this code.
#[cfg(test)]
fn field_value<'a>(entity: &'a Value, code: &str) -> Option<&'a Value> {
    entity["custom_fields_values"]
        .as_array()?
        .iter()
        .find(|f| f["field_code"] == code)?
        .get("values")?
        .get(0)?
        .get("value")
}

/// Whether any filled field of the entity contains the query (amoCRM's `query`: no
/// normalisation, case-insensitive).
fn found_by(entity: &Value, query: &str) -> bool {
    fn texts(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.to_lowercase()),
            Value::Number(n) => out.push(n.to_string()),
            Value::Array(list) => list.iter().for_each(|x| texts(x, out)),
            Value::Object(m) => m
                .iter()
                .filter(|(k, _)| !k.starts_with('_'))
                .for_each(|(_, x)| texts(x, out)),
            _ => {}
        }
    }
    let query = query.trim().to_lowercase();
    let mut all = vec![];
    texts(&entity["name"], &mut all);
    texts(&entity["custom_fields_values"], &mut all);
    !query.is_empty() && all.iter().any(|t| t.contains(&query))
}

/// A whole list in one answer (a deal's links, the catalogs: small, read in one request).
fn list(kind: &str, request: &ApiRequest, items: Vec<Value>) -> Answer {
    if items.is_empty() {
        // amoCRM's "nothing found" (error code 2002): 204 with no body.
        return Answer(StatusCode::NO_CONTENT, None);
    }
    let path = &request.path;
    Answer(
        StatusCode::OK,
        Some(json!({"_page": 1, "_links": {"self": {"href": path}}, "_embedded": {kind: items}})),
    )
}

/// One page of a search, as amoCRM gives it: `limit` items (50 unless asked, at most 250) of page
/// `page` (from 1), with `_links.next` while more follow; a page past the end is "nothing found".
fn page(kind: &str, request: &ApiRequest, items: Vec<Value>) -> Answer {
    let number = |name: &str, default: usize| {
        request
            .param(name)
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    };
    let (page, limit) = (number("page", 1), number("limit", 50).min(250));
    let more = items.len() > page * limit;
    let items: Vec<Value> = items.into_iter().skip((page - 1) * limit).take(limit).collect();
    if items.is_empty() {
        // amoCRM's "nothing found" (error code 2002): 204 with no body.
        return Answer(StatusCode::NO_CONTENT, None);
    }
    let path = &request.path;
    let mut links = json!({"self": {"href": format!("{path}?page={page}&limit={limit}")}});
    if more {
        links["next"] = json!({"href": format!("{path}?page={}&limit={limit}", page + 1)});
    }
    Answer(
        StatusCode::OK,
        Some(json!({"_page": page, "_links": links, "_embedded": {kind: items}})),
    )
}

fn not_found(what: &str) -> Answer {
    problem_answer(StatusCode::NOT_FOUND, &format!("{what} not found"), None)
}

fn method_not_allowed() -> Answer {
    problem_answer(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed", None)
}

fn body_json(request: &ApiRequest) -> Result<Value, Answer> {
    serde_json::from_slice(&request.body)
        .map_err(|_| problem_answer(StatusCode::BAD_REQUEST, "Request body is not a valid JSON", None))
}

/// A request's list body (amoCRM's creates and batch edits take arrays).
fn body_list(request: &ApiRequest) -> Result<Vec<Value>, Answer> {
    match body_json(request)? {
        Value::Array(list) if !list.is_empty() => Ok(list),
        _ => Err(validation::refused(vec![validation::entry(
            0,
            vec![validation::error(
                "InvalidType",
                "",
                "This value should be of type array.",
            )],
        )])),
    }
}

impl Store {
    fn new_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub(super) fn leads(&self) -> impl Iterator<Item = &Value> {
        self.leads.iter()
    }

    pub(super) fn contacts(&self) -> &[Value] {
        &self.contacts
    }

    /// A deal made in amoCRM by hand (no contact, no products); answers its id.
    pub(super) fn add_lead(&mut self, name: &str) -> i64 {
        let id = self.new_id();
        self.leads.push(json!({
            "id": id, "name": name, "price": 0, "responsible_user_id": 2_004_184, "group_id": 0,
            "status_id": FIRST_STATUS_ID, "pipeline_id": PIPELINE_ID, "loss_reason_id": null,
            "created_at": now(), "updated_at": now(), "closed_at": null, "is_deleted": false,
            "custom_fields_values": null, "account_id": 29_085_955,
            "_links": {"self": {"href": format!("/api/v4/leads/{id}")}},
            "_embedded": {"tags": [], "contacts": []},
        }));
        id
    }

    pub(super) fn elements(&self) -> &[Value] {
        &self.elements
    }

    pub(super) fn add_contact(&mut self, name: &str, email: &str, phone: &str) -> i64 {
        let mut fields = vec![];
        if !phone.is_empty() {
            fields.push(json!({"field_code": "PHONE", "values": [{"value": phone}]}));
        }
        if !email.is_empty() {
            fields.push(json!({"field_code": "EMAIL", "values": [{"value": email}]}));
        }
        self.store_contact(&json!({"name": name, "custom_fields_values": fields}))
    }

    pub(super) fn add_element(&mut self, name: &str, sku: &str, price: i64) -> i64 {
        let fields = json!([{"field_code": "SKU", "values": [{"value": sku}]},
                            {"field_code": "PRICE", "values": [{"value": price}]}]);
        self.store_element(&json!({"name": name, "custom_fields_values": fields}))["id"]
            .as_i64()
            .expect("an id")
    }

    pub(super) fn set_status(&mut self, lead_id: i64, status_id: i64) -> bool {
        if !self.statuses.iter().any(|(id, _)| *id == status_id) {
            return false;
        }
        let Some(lead) = self.leads.iter_mut().find(|l| l["id"] == lead_id) else {
            return false;
        };
        lead["status_id"] = json!(status_id);
        lead["updated_at"] = json!(now());
        true
    }

    /// Custom field values as stored: each given by `field_code` gets this account's field.
    fn stored_fields(given: &Value) -> Value {
        let fields: Vec<Value> = given
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| {
                let (id, name) = match f["field_code"].as_str()? {
                    "PHONE" => (PHONE_FIELD, "Телефон"),
                    "EMAIL" => (EMAIL_FIELD, "Email"),
                    "SKU" => (SKU_FIELD, "Артикул"),
                    "PRICE" => (PRICE_FIELD, "Цена"),
                    _ => return None,
                };
                let value = f["values"][0]["value"].clone();
                Some(field(id, f["field_code"].as_str()?, name, value))
            })
            .collect();
        if fields.is_empty() {
            Value::Null
        } else {
            json!(fields)
        }
    }

    fn store_contact(&mut self, given: &Value) -> i64 {
        let id = self.new_id();
        let name = given["name"].as_str().map(str::to_string).unwrap_or_else(|| {
            let first = given["first_name"].as_str().unwrap_or_default();
            let last = given["last_name"].as_str().unwrap_or_default();
            format!("{first} {last}").trim().to_string()
        });
        self.contacts.push(json!({
            "id": id, "name": name,
            "first_name": given["first_name"].as_str().unwrap_or_default(),
            "last_name": given["last_name"].as_str().unwrap_or_default(),
            "created_at": now(), "updated_at": now(),
            "custom_fields_values": Self::stored_fields(&given["custom_fields_values"]),
            "_links": {"self": {"href": format!("/api/v4/contacts/{id}")}},
        }));
        id
    }

    fn store_element(&mut self, given: &Value) -> Value {
        let id = self.new_id();
        let element = json!({
            "id": id, "name": given["name"], "catalog_id": PRODUCTS_CATALOG_ID,
            "created_at": now(), "updated_at": now(), "is_deleted": false,
            "custom_fields_values": Self::stored_fields(&given["custom_fields_values"]),
            "_links": {"self": {"href": format!("/api/v4/catalogs/{PRODUCTS_CATALOG_ID}/elements/{id}")}},
        });
        self.elements.push(element.clone());
        element
    }

    fn lead_index(&self, id: i64) -> Option<usize> {
        self.leads.iter().position(|l| l["id"] == id)
    }

    /// A deal as the API returns it, with its catalog elements (and main contact) when asked.
    pub(super) fn present_lead(&self, lead: &Value, embed: bool) -> Value {
        let mut out = lead.clone();
        let id = lead["id"].as_i64().unwrap_or_default();
        if embed {
            out["_embedded"]["catalog_elements"] = json!(self
                .links
                .iter()
                .filter(|l| l.lead == id)
                .map(|l| json!({"id": l.element,
                    "metadata": {"quantity": l.quantity, "catalog_id": PRODUCTS_CATALOG_ID}}))
                .collect::<Vec<_>>());
        }
        out
    }

    /// `POST /api/v4/leads/complex`: each deal made with its contact (new or by id).
    fn complex(&mut self, request: &ApiRequest, stats: &mut AmoCrmStats) -> Result<Answer, Answer> {
        let leads = body_list(request)?;
        if leads.len() > COMPLEX_MOST {
            return Err(problem_answer(
                StatusCode::BAD_REQUEST,
                "Too many entities in the request (50 at most)",
                None,
            ));
        }
        let problems: Vec<Value> = leads
            .iter()
            .enumerate()
            .filter_map(|(at, l)| {
                let errors = validation::complex_lead(l, |id| self.contacts.iter().any(|c| c["id"] == id));
                (!errors.is_empty()).then(|| validation::entry(at, errors))
            })
            .collect();
        if !problems.is_empty() {
            return Err(validation::refused(problems));
        }
        let mut made = vec![];
        for (at, given) in leads.iter().enumerate() {
            let contact = &given["_embedded"]["contacts"][0];
            let contact_id = match contact["id"].as_i64() {
                Some(id) => Some(id),
                None if contact.is_object() => {
                    stats.contacts_created += 1;
                    Some(self.store_contact(contact))
                }
                None => None,
            };
            let id = self.new_id();
            let tags: Vec<Value> = given["_embedded"]["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| json!({"id": 0, "name": t["name"]}))
                .collect();
            let contacts: Vec<Value> = contact_id
                .map(|c| json!({"id": c, "is_main": true}))
                .into_iter()
                .collect();
            self.leads.push(json!({
                "id": id, "name": given["name"].as_str().unwrap_or_default(),
                "price": given["price"].as_i64().unwrap_or(0),
                "responsible_user_id": 2_004_184, "group_id": 0,
                "status_id": given["status_id"].as_i64().unwrap_or(FIRST_STATUS_ID),
                "pipeline_id": PIPELINE_ID, "loss_reason_id": null,
                "created_at": now(), "updated_at": now(), "closed_at": null,
                "is_deleted": false, "custom_fields_values": null, "account_id": 29_085_955,
                "_links": {"self": {"href": format!("/api/v4/leads/{id}")}},
                "_embedded": {"tags": tags, "contacts": contacts},
            }));
            stats.leads_created += 1;
            let request_id = given["request_id"]
                .as_str()
                .map_or_else(|| at.to_string(), str::to_string);
            made.push(json!({"id": id, "contact_id": contact_id, "company_id": null,
                             "request_id": [request_id], "merged": false}));
        }
        Ok(Answer(StatusCode::OK, Some(json!(made))))
    }

    /// One deal's edit (`name`, `price`, `status_id`); None: no such deal.
    fn edit_lead(&mut self, id: i64, changes: &Value) -> Option<Value> {
        let at = self.lead_index(id)?;
        let lead = &mut self.leads[at];
        for key in ["name", "price", "status_id"] {
            if let Some(v) = changes.get(key) {
                lead[key] = v.clone();
            }
        }
        lead["updated_at"] = json!(now());
        Some(json!({"id": id, "updated_at": lead["updated_at"],
                    "_links": {"self": {"href": format!("/api/v4/leads/{id}")}}}))
    }

    fn patch_leads(
        &mut self,
        request: &ApiRequest,
        one: Option<i64>,
        stats: &mut AmoCrmStats,
    ) -> Result<Answer, Answer> {
        let changes = match one {
            Some(id) => {
                let mut c = body_json(request)?;
                c["id"] = json!(id);
                vec![c]
            }
            None => body_list(request)?,
        };
        let problems: Vec<Value> = changes
            .iter()
            .enumerate()
            .filter_map(|(at, c)| {
                let errors = validation::lead_edit(c);
                (!errors.is_empty()).then(|| validation::entry(at, errors))
            })
            .collect();
        if !problems.is_empty() {
            return Err(validation::refused(problems));
        }
        let mut done = vec![];
        for c in &changes {
            let id = c["id"].as_i64().unwrap_or_default();
            match self.edit_lead(id, c) {
                Some(answer) => done.push(answer),
                None => return Err(not_found("Lead")),
            }
            stats.leads_updated += 1;
        }
        Ok(match one {
            Some(_) => Answer(StatusCode::OK, Some(done.remove(0))),
            None => Answer(StatusCode::OK, Some(json!({"_embedded": {"leads": done}}))),
        })
    }

    fn links_of(&self, lead: i64) -> Vec<Value> {
        self.links
            .iter()
            .filter(|l| l.lead == lead)
            .map(|l| {
                json!({"to_entity_id": l.element, "to_entity_type": "catalog_elements",
                            "metadata": {"quantity": l.quantity, "catalog_id": PRODUCTS_CATALOG_ID}})
            })
            .collect()
    }

    /// `POST …/link` and `…/unlink` of catalog elements (the only links the fake keeps).
    fn relink(&mut self, request: &ApiRequest, lead: i64, link: bool) -> Result<Answer, Answer> {
        if self.lead_index(lead).is_none() {
            return Err(not_found("Lead"));
        }
        let given = body_list(request)?;
        let problems: Vec<Value> = given
            .iter()
            .enumerate()
            .filter_map(|(at, g)| {
                let errors = validation::link(g, link, |id| self.elements.iter().any(|e| e["id"] == id));
                (!errors.is_empty()).then(|| validation::entry(at, errors))
            })
            .collect();
        if !problems.is_empty() {
            return Err(validation::refused(problems));
        }
        let mut answer = vec![];
        for g in given {
            let element = g["to_entity_id"].as_i64().unwrap_or_default();
            self.links.retain(|l| !(l.lead == lead && l.element == element));
            if link {
                let quantity = g["metadata"]["quantity"].clone();
                self.links.push(Link {
                    lead,
                    element,
                    quantity: quantity.clone(),
                });
                answer.push(
                    json!({"entity_id": lead, "entity_type": "leads", "to_entity_id": element,
                    "to_entity_type": "catalog_elements",
                    "metadata": {"quantity": quantity, "catalog_id": PRODUCTS_CATALOG_ID}}),
                );
            }
        }
        Ok(if link {
            Answer(
                StatusCode::OK,
                Some(json!({"_total_items": answer.len(), "_embedded": {"links": answer}})),
            )
        } else {
            Answer(StatusCode::NO_CONTENT, None)
        })
    }
}

/// The API's routes, past the token check.
pub(super) fn route(
    store: &mut Store,
    stats: &mut AmoCrmStats,
    subdomain: &str,
    request: &ApiRequest,
) -> Answer {
    let parts: Vec<&str> = request.path.trim_start_matches("/api/v4/").split('/').collect();
    let m = &request.method;
    let outcome = match parts.as_slice() {
        ["account"] if m == Method::GET => Ok(Answer(
            StatusCode::OK,
            Some(
                json!({"id": 29_085_955, "name": "Магазин", "subdomain": subdomain,
                        "currency": "RUB", "currency_symbol": "₽", "country": "RU"}),
            ),
        )),
        ["leads"] if m == Method::GET => {
            stats.searches += 1;
            let query = request.param("query").unwrap_or_default();
            let embed = request
                .param("with")
                .is_some_and(|w| w.contains("catalog_elements"));
            let found = store
                .leads
                .iter()
                .filter(|l| query.is_empty() || found_by(l, query))
                .map(|l| store.present_lead(l, embed))
                .collect();
            Ok(page("leads", request, found))
        }
        ["leads"] if m == Method::PATCH => store.patch_leads(request, None, stats),
        ["leads", "complex"] if m == Method::POST => store.complex(request, stats),
        ["leads", "pipelines", pipeline, "statuses", status] if m == Method::GET => {
            let status: i64 = status.parse().unwrap_or_default();
            match store.statuses.iter().find(|(id, _)| *id == status) {
                Some((id, name)) if *pipeline == PIPELINE_ID.to_string() => Ok(Answer(
                    StatusCode::OK,
                    Some(
                        json!({"id": id, "name": name, "pipeline_id": PIPELINE_ID, "sort": 10,
                                "is_editable": *id != WON_STATUS_ID && *id != LOST_STATUS_ID,
                                "color": "#99ccff", "type": 0, "account_id": 29_085_955}),
                    ),
                )),
                _ => Ok(Answer(StatusCode::NO_CONTENT, None)),
            }
        }
        ["leads", id] => {
            let id: i64 = id.parse().unwrap_or_default();
            match *m {
                Method::GET => Ok(match store.lead_index(id) {
                    // amoCRM: "204: a deal with this id does not exist".
                    None => Answer(StatusCode::NO_CONTENT, None),
                    Some(at) => {
                        let embed = request
                            .param("with")
                            .is_some_and(|w| w.contains("catalog_elements"));
                        Answer(StatusCode::OK, Some(store.present_lead(&store.leads[at], embed)))
                    }
                }),
                Method::PATCH => store.patch_leads(request, Some(id), stats),
                _ => Err(method_not_allowed()),
            }
        }
        ["leads", id, "links"] if m == Method::GET => {
            let id: i64 = id.parse().unwrap_or_default();
            Ok(list("links", request, store.links_of(id)))
        }
        ["leads", id, action @ ("link" | "unlink")] if m == Method::POST => {
            let id: i64 = id.parse().unwrap_or_default();
            store.relink(request, id, *action == "link")
        }
        ["contacts"] if m == Method::GET => {
            stats.searches += 1;
            let query = request.param("query").unwrap_or_default();
            let found = store
                .contacts
                .iter()
                .filter(|c| query.is_empty() || found_by(c, query))
                .cloned()
                .collect();
            Ok(page("contacts", request, found))
        }
        ["contacts"] if m == Method::POST => body_list(request).and_then(|given| {
            let problems: Vec<Value> = given
                .iter()
                .enumerate()
                .filter_map(|(at, c)| {
                    let errors = validation::contact(c, "");
                    (!errors.is_empty()).then(|| validation::entry(at, errors))
                })
                .collect();
            if !problems.is_empty() {
                return Err(validation::refused(problems));
            }
            let made: Vec<Value> = given
                .iter()
                .enumerate()
                .map(|(at, c)| {
                    stats.contacts_created += 1;
                    let id = store.store_contact(c);
                    json!({"id": id, "request_id": at.to_string()})
                })
                .collect();
            Ok(Answer(
                StatusCode::OK,
                Some(json!({"_embedded": {"contacts": made}})),
            ))
        }),
        ["catalogs"] if m == Method::GET => Ok(list(
            "catalogs",
            request,
            vec![
                json!({"id": 4519, "name": "Партнёры", "type": "regular", "can_add_elements": true}),
                json!({"id": PRODUCTS_CATALOG_ID, "name": "Товары", "type": "products",
                       "can_add_elements": true, "can_link_multiple": true}),
            ],
        )),
        ["catalogs", catalog, "elements"] => {
            if *catalog != PRODUCTS_CATALOG_ID.to_string() {
                return problem_answer(StatusCode::NOT_FOUND, "Catalog not found", None);
            }
            match *m {
                Method::GET => {
                    stats.searches += 1;
                    let query = request.param("query").unwrap_or_default();
                    let found = store
                        .elements
                        .iter()
                        .filter(|e| query.is_empty() || found_by(e, query))
                        .cloned()
                        .collect();
                    Ok(page("elements", request, found))
                }
                Method::POST => body_list(request).and_then(|given| {
                    let problems: Vec<Value> = given
                        .iter()
                        .enumerate()
                        .filter_map(|(at, e)| {
                            let errors = validation::element(e);
                            (!errors.is_empty()).then(|| validation::entry(at, errors))
                        })
                        .collect();
                    if !problems.is_empty() {
                        return Err(validation::refused(problems));
                    }
                    let made: Vec<Value> = given
                        .iter()
                        .map(|e| {
                            stats.elements_created += 1;
                            store.store_element(e)
                        })
                        .collect();
                    Ok(Answer(
                        StatusCode::OK,
                        Some(json!({"_embedded": {"elements": made}})),
                    ))
                }),
                _ => Err(method_not_allowed()),
            }
        }
        _ => Err(not_found("Route")),
    };
    match outcome {
        Ok(answer) | Err(answer) => answer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_is_a_plain_substring_search_over_filled_fields() {
        let mut store = Store::default();
        let id = store.add_contact("Анна", "Anna@Example.com", "+79160001122");
        let anna = store.contacts.iter().find(|c| c["id"] == id).unwrap();
        assert!(found_by(anna, "anna@example.com"), "case-insensitive");
        assert!(found_by(anna, "9160001122"), "the last ten digits");
        assert!(!found_by(anna, "89160001122"), "no normalisation of 8… and +7…");
        assert!(!found_by(anna, " "));
        assert_eq!(field_value(anna, "EMAIL"), Some(&json!("Anna@Example.com")));
        assert_eq!(anna["custom_fields_values"][0]["field_id"], PHONE_FIELD);
    }
}
