//! Text of the "new orders" popup, in the app's language.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    /// From a locale tag such as "ru-RU" or "ru_RU.UTF-8"; anything not Russian is English.
    pub fn from_locale(tag: &str) -> Self {
        if tag.to_ascii_lowercase().starts_with("ru") {
            Lang::Ru
        } else {
            Lang::En
        }
    }
}

/// "3 new orders — Ozon «Shop A»: 0570-0029-1 …" (the ellipsis when more than one order).
pub fn new_orders(lang: Lang, marketplace: &str, account: &str, first_number: &str, count: usize) -> String {
    let more = if count > 1 { " …" } else { "" };
    let head = match lang {
        Lang::En if count == 1 => "1 new order".to_string(),
        Lang::En => format!("{count} new orders"),
        Lang::Ru => format!(
            "{count} {}",
            ru_plural(count, "новый заказ", "новых заказа", "новых заказов")
        ),
    };
    format!("{head} — {marketplace} «{account}»: {first_number}{more}")
}

fn ru_plural<'a>(n: usize, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    match (n % 10, n % 100) {
        (1, r) if r != 11 => one,
        (2..=4, r) if !(12..=14).contains(&r) => few,
        _ => many,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_russian_texts() {
        assert_eq!(
            new_orders(Lang::En, "Ozon", "Shop A", "0570-0029-1", 3),
            "3 new orders — Ozon «Shop A»: 0570-0029-1 …"
        );
        assert_eq!(
            new_orders(Lang::En, "Ozon", "Shop A", "1-1", 1),
            "1 new order — Ozon «Shop A»: 1-1"
        );
        assert_eq!(
            new_orders(Lang::Ru, "Ozon", "A", "1-1", 1),
            "1 новый заказ — Ozon «A»: 1-1"
        );
        assert_eq!(
            new_orders(Lang::Ru, "Ozon", "A", "1-1", 3),
            "3 новых заказа — Ozon «A»: 1-1 …"
        );
        assert_eq!(
            new_orders(Lang::Ru, "Ozon", "A", "1-1", 11),
            "11 новых заказов — Ozon «A»: 1-1 …"
        );
        assert_eq!(
            new_orders(Lang::Ru, "Ozon", "A", "1-1", 21),
            "21 новый заказ — Ozon «A»: 1-1 …"
        );
    }

    #[test]
    fn locale_tags() {
        assert_eq!(Lang::from_locale("ru_RU.UTF-8"), Lang::Ru);
        assert_eq!(Lang::from_locale("en-US"), Lang::En);
        assert_eq!(Lang::from_locale("pl-PL"), Lang::En);
    }
}
