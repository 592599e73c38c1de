//! The shop's own statuses an accepted line moves through, their groups, and when an order as a
//! whole counts as being in a status.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StatusGroup {
    New,
    InWork,
    Done,
    Refused,
    Removed,
}

impl StatusGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusGroup::New => "new",
            StatusGroup::InWork => "in_work",
            StatusGroup::Done => "done",
            StatusGroup::Refused => "refused",
            StatusGroup::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "new" => StatusGroup::New,
            "in_work" => StatusGroup::InWork,
            "done" => StatusGroup::Done,
            "refused" => StatusGroup::Refused,
            "removed" => StatusGroup::Removed,
            _ => return None,
        })
    }

    /// Lines in these groups do not keep the rest of the order from counting as in a status.
    pub fn is_out(self) -> bool {
        matches!(self, StatusGroup::Refused | StatusGroup::Removed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ShopStatus {
    pub id: i64,
    /// A built-in status's key ("accepted", "ordered", …) the UI words in the manager's language;
    /// empty for the shop's own.
    pub code: Option<String>,
    /// The shop's own name; when empty the UI shows the built-in name for `code`.
    pub name: String,
    pub group: StatusGroup,
    pub position: i64,
    /// Reaching it writes the order's items off (stock leaves): from then on quantity changes on
    /// the platform no longer apply. Default: the statuses of the done group.
    #[serde(default)]
    pub writes_off: bool,
}

/// What a status change did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatusChangeReport {
    pub changed: Vec<i64>,
    pub outbox_rows: Vec<i64>,
    /// Configured pushes that were not sent, and why (a template lacks a value, the marketplace
    /// cannot take it): the events the order's timeline got, for the UI to word.
    pub not_sent: Vec<crate::timeline::TimelineEvent>,
}

/// The statuses a new database starts with: (code, group), in workflow order.
pub const DEFAULT_STATUSES: &[(&str, StatusGroup)] = &[
    ("accepted", StatusGroup::New),
    ("preorder", StatusGroup::New),
    ("confirmed", StatusGroup::InWork),
    ("ordered", StatusGroup::InWork),
    ("in_stock", StatusGroup::InWork),
    ("shipped", StatusGroup::Done),
    ("delivered", StatusGroup::Done),
    ("refused", StatusGroup::Refused),
    ("removed", StatusGroup::Removed),
    ("deleted", StatusGroup::Removed),
    ("transferred", StatusGroup::InWork),
    ("problematic", StatusGroup::InWork),
];

/// The status the cabinet's Delete sets (restored by choosing any other).
pub const DELETED: &str = "deleted";
/// The status only a successful transfer to a CRM or delivery service sets.
pub const TRANSFERRED: &str = "transferred";
/// The status a pre-order waits in for its buyer's details (left for the first "new" one when it
/// is completed).
pub const PREORDER: &str = "preorder";
/// The status a failed transfer sets, with the target's message on the order.
pub const PROBLEMATIC: &str = "problematic";

/// A status as a buyer or the timeline reads it: the shop's own name, else the built-in one in
/// the manager's language (the same words as the UI's `statuses.builtIn`).
pub fn status_name(status: &ShopStatus, lang: crate::notify_text::Lang) -> String {
    status_words(&status.name, status.code.as_deref(), lang)
}

/// A status's name from its parts: the shop's own name, else the built-in one for `code`.
pub fn status_words(name: &str, code: Option<&str>, lang: crate::notify_text::Lang) -> String {
    use crate::notify_text::Lang;
    if !name.trim().is_empty() {
        return name.trim().to_string();
    }
    let code = code.unwrap_or_default();
    let words = match (code, lang) {
        ("accepted", Lang::En) => "Accepted",
        ("accepted", Lang::Ru) => "Принят",
        ("accepted", Lang::Pl) => "Przyjęte",
        ("ordered", Lang::En) => "Ordered from the supplier",
        ("ordered", Lang::Ru) => "Заказан у поставщика",
        ("ordered", Lang::Pl) => "Zamówione u dostawcy",
        ("in_stock", Lang::En) => "In stock",
        ("in_stock", Lang::Ru) => "На складе",
        ("in_stock", Lang::Pl) => "Na magazynie",
        ("shipped", Lang::En) => "Shipped",
        ("shipped", Lang::Ru) => "Отгружен",
        ("shipped", Lang::Pl) => "Wysłane",
        ("delivered", Lang::En) => "Delivered",
        ("delivered", Lang::Ru) => "Доставлен",
        ("delivered", Lang::Pl) => "Dostarczone",
        ("refused", Lang::En) => "Refused",
        ("refused", Lang::Ru) => "Отказ",
        ("refused", Lang::Pl) => "Odmowa",
        ("removed", Lang::En) => "Removed",
        ("removed", Lang::Ru) => "Снят",
        ("removed", Lang::Pl) => "Wycofane",
        ("deleted", Lang::En) => "Deleted",
        ("deleted", Lang::Ru) => "Удалён",
        ("deleted", Lang::Pl) => "Usunięte",
        ("transferred", Lang::En) => "Transferred",
        ("transferred", Lang::Ru) => "Передан",
        ("transferred", Lang::Pl) => "Przekazane",
        ("preorder", Lang::En) => "Pre-order",
        ("preorder", Lang::Ru) => "Предзаказ",
        ("preorder", Lang::Pl) => "Przedsprzedaż",
        ("confirmed", Lang::En) => "Confirmed",
        ("confirmed", Lang::Ru) => "Подтверждён",
        ("confirmed", Lang::Pl) => "Potwierdzone",
        ("problematic", Lang::En) => "Problematic",
        ("problematic", Lang::Ru) => "Проблемный",
        ("problematic", Lang::Pl) => "Problematyczne",
        (other, _) => other,
    };
    words.to_string()
}

/// Where a line goes when it is accepted: the first status of the "new" group ("Pre-order" is
/// only for pre-orders).
pub fn status_on_accept(statuses: &[ShopStatus]) -> Option<&ShopStatus> {
    statuses
        .iter()
        .filter(|s| s.group == StatusGroup::New && s.code.as_deref() != Some(PREORDER))
        .min_by_key(|s| (s.position, s.id))
}

/// The status the order as a whole is in, from its lines' (status id, group): S when every line
/// is in S, or some are in S and the rest are refused or removed. `None` while lines differ.
pub fn order_status(lines: &[(i64, StatusGroup)]) -> Option<i64> {
    let mut active = lines.iter().filter(|(_, g)| !g.is_out()).map(|(id, _)| *id);
    match active.next() {
        Some(first) => active.all(|id| id == first).then_some(first),
        // Every line is refused or removed: the order is refused if any line is, else removed.
        None => lines
            .iter()
            .find(|(_, g)| *g == StatusGroup::Refused)
            .or_else(|| lines.first())
            .map(|(id, _)| *id),
    }
}

/// What an order's status as a whole needs to know about one of its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineStatusFacts {
    pub state: crate::LineState,
    pub shop_status_id: Option<i64>,
    pub removed_by_marketplace: bool,
}

/// The order's status as a whole ([`order_status`]); lines not accepted count as refused
/// (rejected) or removed (deleted, gone from the marketplace), and a line still in the inbox keeps
/// it undecided.
pub fn order_state(lines: &[LineStatusFacts], all: &[ShopStatus]) -> Option<i64> {
    use crate::LineState;
    let refused = all
        .iter()
        .find(|s| s.group == StatusGroup::Refused)
        .map_or(-2, |s| s.id);
    let removed = all
        .iter()
        .find(|s| s.group == StatusGroup::Removed)
        .map_or(-3, |s| s.id);
    let mut entries = vec![];
    for l in lines {
        let entry = if l.removed_by_marketplace || l.state == LineState::Deleted {
            (removed, StatusGroup::Removed)
        } else if l.state == LineState::Rejected {
            (refused, StatusGroup::Refused)
        } else if l.state == LineState::New {
            return None;
        } else {
            let group = l
                .shop_status_id
                .and_then(|id| all.iter().find(|s| s.id == id))
                .map_or(StatusGroup::New, |s| s.group);
            (l.shop_status_id.unwrap_or(-1), group)
        };
        entries.push(entry);
    }
    order_status(&entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use StatusGroup::*;

    #[test]
    fn the_order_is_in_a_status_when_its_live_lines_all_are() {
        let (ordered, shipped, refused, removed) = (2, 4, 6, 7);
        type Case<'a> = (&'a [(i64, StatusGroup)], Option<i64>);
        let cases: [Case; 8] = [
            (&[(ordered, InWork), (ordered, InWork)], Some(ordered)),
            (&[(ordered, InWork), (shipped, Done)], None),
            (&[(shipped, Done), (refused, Refused)], Some(shipped)),
            (
                &[(shipped, Done), (removed, Removed), (refused, Refused)],
                Some(shipped),
            ),
            (&[(refused, Refused), (removed, Removed)], Some(refused)),
            (&[(removed, Removed), (removed, Removed)], Some(removed)),
            (&[(shipped, Done)], Some(shipped)),
            (&[], None),
        ];
        for (lines, want) in cases {
            assert_eq!(order_status(lines), want, "{lines:?}");
        }
    }

    #[test]
    fn an_inbox_line_keeps_the_order_undecided_and_rejected_or_gone_lines_count_as_out() {
        use crate::LineState::{Accepted, Deleted, New, Rejected};
        let all = [
            ShopStatus {
                id: 1,
                code: None,
                name: "New".into(),
                group: StatusGroup::New,
                position: 0,
                writes_off: false,
            },
            ShopStatus {
                id: 4,
                code: None,
                name: "Shipped".into(),
                group: StatusGroup::Done,
                position: 1,
                writes_off: false,
            },
            ShopStatus {
                id: 6,
                code: None,
                name: "Refused".into(),
                group: StatusGroup::Refused,
                position: 2,
                writes_off: false,
            },
        ];
        let l = |state, shop_status_id, removed_by_marketplace| LineStatusFacts {
            state,
            shop_status_id,
            removed_by_marketplace,
        };
        type Case = (Vec<LineStatusFacts>, Option<i64>);
        let cases: [Case; 6] = [
            (
                vec![l(Accepted, Some(4), false), l(Rejected, None, false)],
                Some(4),
            ),
            (vec![l(Accepted, Some(4), false), l(New, None, false)], None),
            (vec![l(Rejected, None, false), l(Deleted, None, false)], Some(6)),
            // No "removed" status: gone lines still count as out, under a placeholder id.
            (
                vec![l(Deleted, None, false), l(Accepted, Some(4), true)],
                Some(-3),
            ),
            (vec![l(Accepted, None, false)], Some(-1)),
            (
                vec![l(Accepted, Some(4), false), l(Accepted, Some(1), false)],
                None,
            ),
        ];
        for (lines, want) in cases {
            assert_eq!(order_state(&lines, &all), want, "{lines:?}");
        }
    }

    #[test]
    fn built_in_statuses_are_named_in_the_managers_language_unless_renamed() {
        use crate::notify_text::Lang;
        let mut s = ShopStatus {
            id: 2,
            code: Some("ordered".into()),
            name: String::new(),
            group: InWork,
            position: 1,
            writes_off: false,
        };
        assert_eq!(status_name(&s, Lang::Ru), "Заказан у поставщика");
        assert_eq!(status_name(&s, Lang::En), "Ordered from the supplier");
        for (code, _) in DEFAULT_STATUSES {
            s.code = Some(code.to_string());
            for lang in [Lang::En, Lang::Ru, Lang::Pl] {
                assert_ne!(status_name(&s, lang), *code, "{code} has a name in {lang:?}");
            }
        }
        s.name = " Ждём оплату ".into();
        assert_eq!(status_name(&s, Lang::Pl), "Ждём оплату");
    }

    #[test]
    fn accepted_lines_start_in_the_first_new_group_status() {
        let statuses: Vec<ShopStatus> = DEFAULT_STATUSES
            .iter()
            .enumerate()
            .map(|(i, (code, group))| ShopStatus {
                id: i as i64 + 1,
                code: Some(code.to_string()),
                name: String::new(),
                group: *group,
                position: i as i64,
                writes_off: false,
            })
            .collect();
        assert_eq!(
            status_on_accept(&statuses).unwrap().code.as_deref(),
            Some("accepted")
        );
        assert!(status_on_accept(&statuses[1..]).is_none());
        for g in [New, InWork, Done, Refused, Removed] {
            assert_eq!(StatusGroup::parse(g.as_str()), Some(g));
        }
    }
}
