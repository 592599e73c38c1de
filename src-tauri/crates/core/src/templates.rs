//! What a shop status sends to a marketplace: the marketplace status and a comment written from
//! a template with variables. A template that cannot be filled is an error the manager sees in the
//! preview, never a half-written comment sent to a buyer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The variables a comment may use.
pub const VARIABLES: &[&str] = &[
    "order", "line", "brand", "article", "name", "qty", "price", "status", "tracking", "reason",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateError {
    /// `{x}` that is not one of [`VARIABLES`].
    pub unknown: Vec<String>,
    /// Variables the template uses that have no value for this order (e.g. no tracking number yet).
    pub missing: Vec<String>,
    /// A `{` without its `}` (or the reverse), as a character position.
    pub unbalanced_at: Option<usize>,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = vec![];
        if !self.unknown.is_empty() {
            parts.push(format!("unknown variable(s): {}", braces(&self.unknown)));
        }
        if !self.missing.is_empty() {
            parts.push(format!("no value yet for: {}", braces(&self.missing)));
        }
        if let Some(at) = self.unbalanced_at {
            parts.push(format!("unbalanced brace at character {}", at + 1));
        }
        write!(f, "{}", parts.join("; "))
    }
}

fn braces(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{{{n}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

/// Splits "Order {order}: {{literal}}" into text and variables; `{{` and `}}` are literal braces.
fn pieces(template: &str) -> Result<Vec<Piece<'_>>, usize> {
    let mut out = vec![];
    let mut rest = template;
    let mut offset = 0;
    while !rest.is_empty() {
        let next = rest.find(['{', '}']);
        let Some(i) = next else {
            out.push(Piece::Text(rest));
            break;
        };
        if i > 0 {
            out.push(Piece::Text(&rest[..i]));
        }
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push(Piece::Text(&tail[..1]));
            rest = &tail[2..];
            offset += i + 2;
            continue;
        }
        if tail.starts_with('}') {
            return Err(offset + i);
        }
        let close = tail.find('}').ok_or(offset + i)?;
        let name = &tail[1..close];
        if name.contains('{') {
            return Err(offset + i);
        }
        out.push(Piece::Var(name.trim()));
        rest = &tail[close + 1..];
        offset += i + close + 1;
    }
    Ok(out)
}

/// Checks a template when it is saved: known variables, balanced braces.
pub fn check(template: &str) -> Result<(), TemplateError> {
    let pieces = pieces(template).map_err(|at| TemplateError {
        unknown: vec![],
        missing: vec![],
        unbalanced_at: Some(at),
    })?;
    let unknown: Vec<String> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Var(v) if !VARIABLES.contains(v) => Some(v.to_string()),
            _ => None,
        })
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(TemplateError {
            unknown,
            missing: vec![],
            unbalanced_at: None,
        })
    }
}

/// Fills a template; every variable it uses must have a non-empty value.
pub fn render(template: &str, values: &BTreeMap<String, String>) -> Result<String, TemplateError> {
    check(template)?;
    let pieces = pieces(template).expect("checked above");
    let mut missing = vec![];
    let mut out = String::with_capacity(template.len() + 32);
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(v) => match values.get(v).filter(|s| !s.trim().is_empty()) {
                Some(value) => out.push_str(value),
                None => {
                    if !missing.iter().any(|m| m == v) {
                        missing.push(v.to_string());
                    }
                }
            },
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(TemplateError {
            unknown: vec![],
            missing,
            unbalanced_at: None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PushLevel {
    Line,
    Order,
}

/// What one shop status sends: line-level as each line reaches it, order-level once the order
/// as a whole counts as in it (see `statuses::order_status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatusPush {
    pub status_id: i64,
    pub level: PushLevel,
    /// The marketplace status to set; empty sends none.
    pub marketplace_status: String,
    /// The comment template; empty sends none.
    pub comment: String,
}

/// An account's status-push settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct PushTemplates {
    /// Sent when a line is accepted.
    pub accepted_status: String,
    pub accepted_notice: String,
    /// Sent when a line is rejected outright.
    pub refusal_status: String,
    pub refusal_text: String,
    /// The shop status a line takes when the buyer cancels on the marketplace.
    pub buyer_cancel_status_id: Option<i64>,
    pub pushes: Vec<StatusPush>,
    /// Marketplace statuses that move accepted lines to a shop status when the marketplace
    /// sets them (nothing is sent back: the marketplace made the change).
    pub incoming: Vec<IncomingStatus>,
}

/// "When the marketplace sets `marketplace_status`, accepted lines go to shop status `status_id`."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IncomingStatus {
    pub marketplace_status: String,
    pub status_id: i64,
}

impl PushTemplates {
    /// The shop status a marketplace status moves accepted lines to: the incoming mapping, else
    /// for a cancellation the buyer-cancel status.
    pub fn incoming_target(&self, marketplace_status: &str, cancelled: bool) -> Option<i64> {
        self.incoming
            .iter()
            .find(|m| m.marketplace_status == marketplace_status)
            .map(|m| m.status_id)
            .or(if cancelled {
                self.buyer_cancel_status_id
            } else {
                None
            })
    }

    /// The shop status that stands for "delivered" on the marketplace: the one the
    /// marketplace's `delivered` moves lines to, else one whose push tells the marketplace "delivered".
    pub fn delivered_status(&self) -> Option<i64> {
        self.incoming_target("delivered", false).or_else(|| {
            self.pushes
                .iter()
                .find(|p| p.marketplace_status == "delivered")
                .map(|p| p.status_id)
        })
    }
}

/// One status of a marketplace that lists its own (loaded from its API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MarketplaceStatus {
    pub code: String,
    pub name: String,
}

/// What a marketplace can take from us.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PushCapabilities {
    /// Marketplace statuses it can be told to set for some lines of an order.
    pub line_statuses: Vec<String>,
    /// Marketplace statuses it can be told to set for a whole order.
    pub order_statuses: Vec<String>,
    pub comments: bool,
    /// Names to show for status codes (the marketplace's dictionary); a code without a name shows as itself.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl PushCapabilities {
    /// These capabilities with every status of the marketplace's own dictionary: for whole
    /// orders, and per line too when `per_line` (a marketplace told per line sets a whole order
    /// by setting each of its lines).
    pub fn with_dictionary(self, dictionary: &[MarketplaceStatus], per_line: bool) -> Self {
        let codes: Vec<String> = dictionary.iter().map(|s| s.code.clone()).collect();
        Self {
            line_statuses: if per_line { codes.clone() } else { vec![] },
            order_statuses: codes,
            labels: dictionary
                .iter()
                .map(|s| (s.code.clone(), s.name.clone()))
                .collect(),
            ..self
        }
    }
}

impl PushCapabilities {
    fn can(&self, level: Option<PushLevel>, status: &str) -> bool {
        let line = self.line_statuses.iter().any(|s| s == status);
        let order = self.order_statuses.iter().any(|s| s == status);
        match level {
            Some(PushLevel::Line) => line,
            Some(PushLevel::Order) => order,
            None => line || order,
        }
    }
}

/// A setting the marketplace cannot honour: shown beside it in settings, never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum PushProblem {
    UnsupportedStatus {
        status_id: Option<i64>,
        marketplace_status: String,
    },
    NoComments {
        status_id: Option<i64>,
    },
    NoLevel {
        status_id: i64,
        level: PushLevel,
    },
    BadTemplate {
        status_id: Option<i64>,
        error: TemplateError,
    },
}

/// An account's status settings with what its marketplace cannot honour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PushSettings {
    pub account_id: i64,
    pub templates: PushTemplates,
    pub capabilities: PushCapabilities,
    pub problems: Vec<PushProblem>,
    /// The marketplace's statuses are the account's own list, loaded from its API, so the
    /// settings offer to load it again.
    pub loads_statuses: bool,
}

/// Every part of `t` the marketplace cannot honour, and every template that cannot be used.
pub fn problems(t: &PushTemplates, caps: &PushCapabilities) -> Vec<PushProblem> {
    let mut out = vec![];
    let mut status = |status_id: Option<i64>, level: Option<PushLevel>, marketplace_status: &str| {
        if !marketplace_status.is_empty() && !caps.can(level, marketplace_status) {
            out.push(PushProblem::UnsupportedStatus {
                status_id,
                marketplace_status: marketplace_status.to_string(),
            });
        }
    };
    status(None, None, &t.accepted_status);
    status(None, None, &t.refusal_status);
    for p in &t.pushes {
        status(Some(p.status_id), Some(p.level), &p.marketplace_status);
    }
    let texts = [(None, &t.accepted_notice), (None, &t.refusal_text)]
        .into_iter()
        .chain(t.pushes.iter().map(|p| (Some(p.status_id), &p.comment)));
    for (status_id, text) in texts {
        if text.trim().is_empty() {
            continue;
        }
        if let Err(error) = check(text) {
            out.push(PushProblem::BadTemplate { status_id, error });
        } else if !caps.comments {
            out.push(PushProblem::NoComments { status_id });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn templates_render_with_every_variable_filled() {
        let v = values(&[
            ("order", "57000001-0037-1"),
            ("brand", "MANN"),
            ("article", "W 712/75"),
            ("qty", "2"),
        ]);
        assert_eq!(
            render("Заказ {order}: {brand} {article} × {qty} {{в работе}}", &v).unwrap(),
            "Заказ 57000001-0037-1: MANN W 712/75 × 2 {в работе}"
        );
        assert_eq!(render("no variables", &v).unwrap(), "no variables");
        assert_eq!(render("", &v).unwrap(), "");
    }

    #[test]
    fn a_missing_value_is_a_clear_error_not_a_broken_text() {
        let v = values(&[("order", "1"), ("tracking", " ")]);
        let e = render("Order {order} sent, track {tracking}, {reason} {tracking}", &v).unwrap_err();
        assert_eq!(e.missing, ["tracking", "reason"]);
        assert_eq!(e.to_string(), "no value yet for: {tracking}, {reason}");
    }

    #[test]
    fn unknown_variables_and_stray_braces_are_refused_when_saved() {
        let e = check("Hello {buyer} {order}").unwrap_err();
        assert_eq!(e.unknown, ["buyer"]);
        assert_eq!(check("Hello {order").unwrap_err().unbalanced_at, Some(6));
        assert_eq!(check("Hello order}").unwrap_err().unbalanced_at, Some(11));
        assert!(check("{ order }").is_ok(), "spaces inside braces are fine");
        for v in VARIABLES {
            assert!(check(&format!("{{{v}}}")).is_ok());
        }
    }

    #[test]
    fn incoming_statuses_and_the_delivered_status() {
        let mut t = PushTemplates {
            buyer_cancel_status_id: Some(6),
            incoming: vec![
                IncomingStatus {
                    marketplace_status: "delivering".into(),
                    status_id: 4,
                },
                IncomingStatus {
                    marketplace_status: "cancelled".into(),
                    status_id: 7,
                },
            ],
            pushes: vec![StatusPush {
                status_id: 5,
                level: PushLevel::Order,
                marketplace_status: "delivered".into(),
                comment: String::new(),
            }],
            ..Default::default()
        };
        assert_eq!(t.incoming_target("delivering", false), Some(4));
        assert_eq!(t.incoming_target("cancelled", true), Some(7), "the mapping wins");
        assert_eq!(
            t.incoming_target("awaiting_deliver", false),
            None,
            "unmapped: nothing moves"
        );
        assert_eq!(
            t.delivered_status(),
            Some(5),
            "from the push when no incoming mapping"
        );
        t.incoming.remove(1);
        assert_eq!(t.incoming_target("cancelled", true), Some(6));
        assert_eq!(t.incoming_target("not_accepted", false), None);
        t.incoming.push(IncomingStatus {
            marketplace_status: "delivered".into(),
            status_id: 9,
        });
        assert_eq!(t.delivered_status(), Some(9));
        assert_eq!(PushTemplates::default().delivered_status(), None);
        let old: PushTemplates = serde_json::from_str(r#"{"buyer_cancel_status_id": 3}"#).unwrap();
        assert!(
            old.incoming.is_empty(),
            "settings saved before incoming mappings still read"
        );
    }

    #[test]
    fn what_the_marketplace_cannot_honour_is_flagged() {
        let caps = PushCapabilities {
            line_statuses: vec!["cancel".into()],
            order_statuses: vec!["ship".into(), "cancel".into()],
            comments: false,
            ..Default::default()
        };
        let t = PushTemplates {
            accepted_status: "ship".into(),
            accepted_notice: "Принят {order}".into(),
            refusal_status: "cancel".into(),
            pushes: vec![
                StatusPush {
                    status_id: 4,
                    level: PushLevel::Order,
                    marketplace_status: "delivered".into(),
                    comment: String::new(),
                },
                StatusPush {
                    status_id: 5,
                    level: PushLevel::Line,
                    marketplace_status: String::new(),
                    comment: "{oops}".into(),
                },
                StatusPush {
                    status_id: 6,
                    level: PushLevel::Line,
                    marketplace_status: "ship".into(),
                    comment: String::new(),
                },
            ],
            ..Default::default()
        };
        let found = problems(&t, &caps);
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(
            found.contains(&PushProblem::UnsupportedStatus {
                status_id: Some(6),
                marketplace_status: "ship".into()
            }),
            "a marketplace that ships whole orders cannot ship lines"
        );
        assert!(found.contains(&PushProblem::NoComments { status_id: None }));
        assert!(found.contains(&PushProblem::UnsupportedStatus {
            status_id: Some(4),
            marketplace_status: "delivered".into()
        }));
        assert!(found
            .iter()
            .any(|p| matches!(p, PushProblem::BadTemplate { status_id: Some(5), error } if error.unknown == ["oops"])));
        assert!(problems(&PushTemplates::default(), &PushCapabilities::default()).is_empty());
    }
}
