//! Every OS popup's text, in the app's language: one place for the wording, tested here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Lang {
    #[default]
    En,
    Ru,
    Pl,
}

impl Lang {
    /// From a locale tag such as "ru-RU" or "pl_PL.UTF-8"; a language we do not have is English.
    pub fn from_locale(tag: &str) -> Self {
        let tag = tag.to_ascii_lowercase();
        if tag.starts_with("ru") {
            Lang::Ru
        } else if tag.starts_with("pl") {
            Lang::Pl
        } else {
            Lang::En
        }
    }
}

/// Where events came from: "Market «Shop A»", or the words alone when they name no one account
/// (see [`several_accounts`]).
fn source(marketplace: &str, account: &str) -> String {
    if account.is_empty() {
        marketplace.to_string()
    } else {
        format!("{marketplace} «{account}»")
    }
}

/// What a popup standing for events of more than one account names instead of an account.
pub fn several_accounts(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "several accounts",
        Lang::Ru => "несколько аккаунтов",
        Lang::Pl => "kilka kont",
    }
}

/// "3 new orders — Market «Shop A»: 0570-0029-1 …" (the ellipsis when more than one order).
pub fn new_orders(lang: Lang, marketplace: &str, account: &str, first_number: &str, count: usize) -> String {
    let more = if count > 1 { " …" } else { "" };
    let head = match lang {
        Lang::En if count == 1 => "1 new order".to_string(),
        Lang::En => format!("{count} new orders"),
        Lang::Ru => format!(
            "{count} {}",
            ru_plural(count, "новый заказ", "новых заказа", "новых заказов")
        ),
        Lang::Pl => format!(
            "{count} {}",
            pl_plural(count, "nowe zamówienie", "nowe zamówienia", "nowych zamówień")
        ),
    };
    format!("{head} — {}: {first_number}{more}", source(marketplace, account))
}

/// "Market «Shop A»: order 0570-0029-1 was cancelled on the marketplace (and 2 more)".
pub fn orders_cancelled(
    lang: Lang,
    marketplace: &str,
    account: &str,
    first_number: &str,
    count: usize,
) -> String {
    let text = match lang {
        Lang::En => "order {n} was cancelled on the marketplace",
        Lang::Ru => "заказ {n} отменён на маркетплейсе",
        Lang::Pl => "zamówienie {n} zostało anulowane na platformie",
    };
    format!(
        "{}: {}{}",
        source(marketplace, account),
        text.replace("{n}", first_number),
        and_more(lang, count)
    )
}

/// " (and 2 more)" after the first of `count` orders; nothing for one.
fn and_more(lang: Lang, count: usize) -> String {
    let others = count.saturating_sub(1);
    if others == 0 {
        return String::new();
    }
    let more = match lang {
        Lang::En => " (and {k} more)",
        Lang::Ru => " (и ещё {k})",
        Lang::Pl => " (i {k} więcej)",
    };
    more.replace("{k}", &others.to_string())
}

/// "Market «Shop A»: order 0570-0029-1 is now «delivering» on the marketplace (and 2 more)".
pub fn status_changed(
    lang: Lang,
    marketplace: &str,
    account: &str,
    first_number: &str,
    status: &str,
    count: usize,
) -> String {
    let text = match lang {
        Lang::En => "order {n} is now «{s}» on the marketplace",
        Lang::Ru => "заказ {n} теперь в статусе «{s}» на маркетплейсе",
        Lang::Pl => "zamówienie {n} ma teraz status «{s}» na platformie",
    };
    format!(
        "{}: {}{}",
        source(marketplace, account),
        text.replace("{n}", first_number).replace("{s}", status),
        and_more(lang, count)
    )
}

/// "Market «Shop A»: order 0570-0029-1 must ship soon and is still not accepted (and 2 more)".
pub fn ship_by_near(
    lang: Lang,
    marketplace: &str,
    account: &str,
    first_number: &str,
    count: usize,
) -> String {
    let text = match lang {
        Lang::En => "order {n} must ship soon and is still not accepted",
        Lang::Ru => "заказ {n} скоро нужно отгрузить, а он ещё не принят",
        Lang::Pl => "zamówienie {n} trzeba wkrótce wysłać, a nie jest jeszcze przyjęte",
    };
    format!(
        "{}: {}{}",
        source(marketplace, account),
        text.replace("{n}", first_number),
        and_more(lang, count)
    )
}

/// "Market «Shop A»: order 0570-0029-1 is past its ship-by time and still not accepted".
pub fn ship_by_overdue(
    lang: Lang,
    marketplace: &str,
    account: &str,
    first_number: &str,
    count: usize,
) -> String {
    let text = match lang {
        Lang::En => "order {n} is past its ship-by time and still not accepted",
        Lang::Ru => "срок отгрузки заказа {n} прошёл, а он ещё не принят",
        Lang::Pl => "termin wysyłki zamówienia {n} minął, a nie jest jeszcze przyjęte",
    };
    format!(
        "{}: {}{}",
        source(marketplace, account),
        text.replace("{n}", first_number),
        and_more(lang, count)
    )
}

/// Where an order completed by its buyer came from, as a new-order alert names its account.
pub fn preorder_link_source(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "pre-order link",
        Lang::Ru => "ссылка на предзаказ",
        Lang::Pl => "link do zamówienia wstępnego",
    }
}

/// "Market «Shop A»: could not send to the marketplace — Ship 0570-0029-1: the marketplace
/// answered 500"; without a source (an account deleted meanwhile) the sentence alone.
pub fn push_failed(lang: Lang, (marketplace, account): (&str, &str), what: &str, error: &str) -> String {
    let text = match lang {
        Lang::En => "could not send to the marketplace",
        Lang::Ru => "не удалось отправить на маркетплейс",
        Lang::Pl => "nie udało się wysłać na platformę",
    };
    let who = source(marketplace, account);
    if who.is_empty() {
        let mut letters = text.chars();
        let first: String = letters.next().into_iter().flat_map(char::to_uppercase).collect();
        format!("{first}{} — {what}: {error}", letters.as_str())
    } else {
        format!("{who}: {text} — {what}: {error}")
    }
}

/// What went wrong, for a popup in `lang`: the error's own English message in English; in Russian and
/// Polish its kind (the message is English, and the app's window words the error in full).
pub fn error_kind(lang: Lang, code: Option<ErrorCode>, english: &str) -> String {
    use ErrorCode::*;
    let (ru, pl) = match (lang, code) {
        (Lang::En, _) => return english.to_string(),
        (_, Some(Auth)) => ("маркетплейс не принял ключи", "platforma nie przyjęła kluczy"),
        (_, Some(SecretsRequired)) => ("нужно заново ввести ключи", "trzeba ponownie wpisać klucze"),
        (_, Some(RateLimited)) => (
            "маркетплейс просит подождать: слишком много запросов",
            "platforma prosi o odczekanie: za dużo zapytań",
        ),
        (_, Some(Network)) => ("нет связи с маркетплейсом", "brak połączenia z platformą"),
        (_, Some(Marketplace)) => ("маркетплейс ответил ошибкой", "platforma odpowiedziała błędem"),
        (_, Some(Keychain)) => ("связка ключей недоступна", "pęk kluczy jest niedostępny"),
        (_, Some(Storage)) => ("ошибка базы данных", "błąd bazy danych"),
        _ => ("подробности в окне приложения", "szczegóły w oknie aplikacji"),
    };
    match lang {
        Lang::Pl => pl.to_string(),
        _ => ru.to_string(),
    }
}

/// "Market «Shop A»: sync has been failing for a while — the marketplace answered 500".
pub fn sync_failing(lang: Lang, marketplace: &str, account: &str, error: &str) -> String {
    let text = match lang {
        Lang::En => "sync has been failing for a while",
        Lang::Ru => "синхронизация не удаётся уже давно",
        Lang::Pl => "synchronizacja od dłuższego czasu się nie udaje",
    };
    format!("{}: {text} — {error}", source(marketplace, account))
}

/// "Rule «No stock» rejected 2 lines — 0570-0029-1 …".
pub fn rule_rejected(lang: Lang, rule: &str, first_number: &str, count: usize) -> String {
    let more = if count > 1 { " …" } else { "" };
    let head = match lang {
        Lang::En if count == 1 => format!("Rule «{rule}» rejected a line"),
        Lang::En => format!("Rule «{rule}» rejected {count} lines"),
        Lang::Ru => format!(
            "Правило «{rule}» отклонило {count} {}",
            ru_plural(count, "строку", "строки", "строк")
        ),
        Lang::Pl => format!(
            "Reguła «{rule}» odrzuciła {count} {}",
            pl_plural(count, "pozycję", "pozycje", "pozycji")
        ),
    };
    format!("{head} — {first_number}{more}")
}

/// The tray icon's tooltip: how many lines wait for a decision.
/// A notification body as text for desktops that read the body as markup (freedesktop servers
/// with `body-markup`): order data such as `<b>` or `&amp;` in a buyer's name is shown as typed,
/// never rendered or turned into a link.
pub fn markup_escaped(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

pub fn tray_tooltip(lang: Lang, unread: i64) -> String {
    let n = unread.max(0) as usize;
    if n == 0 {
        return match lang {
            Lang::En => "Ordertray — nothing new",
            Lang::Ru => "Ordertray — нового нет",
            Lang::Pl => "Ordertray — nic nowego",
        }
        .to_string();
    }
    let lines = match lang {
        Lang::En if n == 1 => "line to triage",
        Lang::En => "lines to triage",
        Lang::Ru => ru_plural(
            n,
            "строка ждёт решения",
            "строки ждут решения",
            "строк ждут решения",
        ),
        Lang::Pl => pl_plural(n, "pozycja czeka", "pozycje czekają", "pozycji czeka"),
    };
    format!("Ordertray — {n} {lines}")
}

/// Shown once, the first time closing the window leaves the app running.
pub fn tray_hint(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Ordertray keeps running in the tray and will announce new orders. Quit it from the tray menu.",
        Lang::Ru => "Ordertray продолжает работать в трее и сообщит о новых заказах. Выйти можно из меню в трее.",
        Lang::Pl => "Ordertray działa dalej w zasobniku i powiadomi o nowych zamówieniach. Zakończ go z menu zasobnika.",
    }
}

/// The tray menu's texts.
pub struct TrayMenuText {
    pub open: &'static str,
    pub sync: &'static str,
    pub pause_hour: &'static str,
    pub pause_until_resumed: &'static str,
    pub resume: &'static str,
    pub quit: &'static str,
}

pub fn tray_menu(lang: Lang) -> TrayMenuText {
    match lang {
        Lang::En => TrayMenuText {
            open: "Open Ordertray",
            sync: "Sync all accounts now",
            pause_hour: "Pause sync for 1 hour",
            pause_until_resumed: "Pause sync until I resume",
            resume: "Resume sync",
            quit: "Quit",
        },
        Lang::Ru => TrayMenuText {
            open: "Открыть Ordertray",
            sync: "Синхронизировать все аккаунты",
            pause_hour: "Приостановить синхронизацию на 1 час",
            pause_until_resumed: "Приостановить синхронизацию до возобновления",
            resume: "Возобновить синхронизацию",
            quit: "Выйти",
        },
        Lang::Pl => TrayMenuText {
            open: "Otwórz Ordertray",
            sync: "Synchronizuj wszystkie konta",
            pause_hour: "Wstrzymaj synchronizację na 1 godzinę",
            pause_until_resumed: "Wstrzymaj synchronizację do wznowienia",
            resume: "Wznów synchronizację",
            quit: "Zakończ",
        },
    }
}

/// Polish: one (1), few (2–4, 22–24…, not 12–14), many (0, 5–21, 25…).
fn pl_plural<'a>(n: usize, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    match (n % 10, n % 100) {
        _ if n == 1 => one,
        (2..=4, r) if !(12..=14).contains(&r) => few,
        _ => many,
    }
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
    fn markup_in_order_data_is_escaped_for_the_notification_body() {
        assert_eq!(
            markup_escaped("<img src=x onerror=alert(1)> Tom & <b>Jerry</b>"),
            "&lt;img src=x onerror=alert(1)&gt; Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;"
        );
        assert_eq!(markup_escaped("Заказ 1-1"), "Заказ 1-1");
    }

    #[test]
    fn rule_and_sync_texts_in_every_language() {
        assert_eq!(
            rule_rejected(Lang::En, "No stock", "1-1", 1),
            "Rule «No stock» rejected a line — 1-1"
        );
        assert_eq!(
            rule_rejected(Lang::Ru, "Нет", "1-1", 2),
            "Правило «Нет» отклонило 2 строки — 1-1 …"
        );
        assert_eq!(
            rule_rejected(Lang::Pl, "Brak", "1-1", 5),
            "Reguła «Brak» odrzuciła 5 pozycji — 1-1 …"
        );
        assert!(sync_failing(Lang::Ru, "Market", "A", "HTTP 500").contains("синхронизация"));
    }

    #[test]
    fn a_popups_error_is_its_english_message_in_english_and_its_kind_in_russian_and_polish() {
        let english = "the marketplace answered HTTP 500: internal error";
        let code = Some(ErrorCode::Marketplace);
        assert_eq!(error_kind(Lang::En, code, english), english);
        assert_eq!(error_kind(Lang::Ru, code, english), "маркетплейс ответил ошибкой");
        assert_eq!(
            error_kind(Lang::Pl, code, english),
            "platforma odpowiedziała błędem"
        );
        assert_eq!(
            error_kind(Lang::Ru, Some(ErrorCode::Network), english),
            "нет связи с маркетплейсом"
        );
        assert_eq!(
            error_kind(Lang::Ru, None, english),
            "подробности в окне приложения"
        );
    }

    #[test]
    fn english_and_russian_texts() {
        assert_eq!(
            new_orders(Lang::En, "Market", "Shop A", "0570-0029-1", 3),
            "3 new orders — Market «Shop A»: 0570-0029-1 …"
        );
        assert_eq!(
            new_orders(Lang::En, "Market", "Shop A", "1-1", 1),
            "1 new order — Market «Shop A»: 1-1"
        );
        assert_eq!(
            new_orders(Lang::Ru, "Market", "A", "1-1", 1),
            "1 новый заказ — Market «A»: 1-1"
        );
        assert_eq!(
            new_orders(Lang::Ru, "Market", "A", "1-1", 3),
            "3 новых заказа — Market «A»: 1-1 …"
        );
        assert_eq!(
            new_orders(Lang::Ru, "Market", "A", "1-1", 11),
            "11 новых заказов — Market «A»: 1-1 …"
        );
        assert_eq!(
            new_orders(Lang::Ru, "Market", "A", "1-1", 21),
            "21 новый заказ — Market «A»: 1-1 …"
        );
    }

    #[test]
    fn polish_plurals() {
        let text = |n| new_orders(Lang::Pl, "Market", "A", "1-1", n);
        assert_eq!(text(1), "1 nowe zamówienie — Market «A»: 1-1");
        assert_eq!(text(3), "3 nowe zamówienia — Market «A»: 1-1 …");
        assert_eq!(text(5), "5 nowych zamówień — Market «A»: 1-1 …");
        assert_eq!(text(12), "12 nowych zamówień — Market «A»: 1-1 …");
        assert_eq!(text(22), "22 nowe zamówienia — Market «A»: 1-1 …");
        assert_eq!(text(21), "21 nowych zamówień — Market «A»: 1-1 …");
    }

    #[test]
    fn cancellations_and_push_failures() {
        assert_eq!(
            orders_cancelled(Lang::En, "Market", "A", "1-1", 3),
            "Market «A»: order 1-1 was cancelled on the marketplace (and 2 more)"
        );
        assert_eq!(
            orders_cancelled(Lang::Ru, "Market", "A", "1-1", 1),
            "Market «A»: заказ 1-1 отменён на маркетплейсе"
        );
        assert_eq!(
            push_failed(Lang::Pl, ("Market", "A"), "Ship 1-1", "HTTP 500"),
            "Market «A»: nie udało się wysłać na platformę — Ship 1-1: HTTP 500"
        );
        // An account deleted before its call failed: not "several accounts", no one at all.
        assert_eq!(
            push_failed(Lang::Ru, ("", ""), "1-1", "HTTP 500"),
            "Не удалось отправить на маркетплейс — 1-1: HTTP 500"
        );
    }

    #[test]
    fn status_changes_in_every_language() {
        assert_eq!(
            status_changed(Lang::En, "Market", "A", "1-1", "delivering", 1),
            "Market «A»: order 1-1 is now «delivering» on the marketplace"
        );
        assert_eq!(
            status_changed(Lang::Ru, "Market", "A", "1-1", "delivered", 3),
            "Market «A»: заказ 1-1 теперь в статусе «delivered» на маркетплейсе (и ещё 2)"
        );
        assert!(status_changed(Lang::Pl, "Market", "A", "1-1", "x", 2).ends_with("(i 1 więcej)"));
    }

    #[test]
    fn tray_tooltips() {
        assert_eq!(tray_tooltip(Lang::En, 0), "Ordertray — nothing new");
        assert_eq!(tray_tooltip(Lang::En, 1), "Ordertray — 1 line to triage");
        assert_eq!(tray_tooltip(Lang::Ru, 3), "Ordertray — 3 строки ждут решения");
        assert_eq!(tray_tooltip(Lang::Ru, 5), "Ordertray — 5 строк ждут решения");
        assert_eq!(tray_tooltip(Lang::Pl, 2), "Ordertray — 2 pozycje czekają");
        assert_eq!(tray_tooltip(Lang::En, -1), "Ordertray — nothing new");
    }

    #[test]
    fn locale_tags() {
        assert_eq!(Lang::from_locale("ru_RU.UTF-8"), Lang::Ru);
        assert_eq!(Lang::from_locale("en-US"), Lang::En);
        assert_eq!(Lang::from_locale("pl-PL"), Lang::Pl);
        assert_eq!(Lang::from_locale("de_DE.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }
}
