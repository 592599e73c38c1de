//! The page a pre-order's buyer completes the order on (`GET`/`POST /preorder/{token}`): that
//! order's items and totals and a form, nothing else of the shop. Every value is escaped, the page
//! loads nothing from elsewhere and may not be framed, the token never leaves in a Referer, and
//! every request (valid link or not) counts against its sender's allowance.

use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use ordertray_core::cabinet::PaymentMethod;
use ordertray_core::notify_text::Lang;
use ordertray_core::preorder::{draft_field_to_page, BuyerForm, BUYER_FIELDS};
use rust_decimal::Decimal;

use super::guard::Refusal;
use super::server::Shared;
use super::Remote;
use crate::preorder::{PreorderPage, PreorderRefusal};

/// The largest form the page takes (its fields are 200 characters at most).
pub(crate) const FORM_LIMIT: usize = 16 * 1024;

pub(crate) async fn show(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(remote): Remote,
    Path(token): Path<String>,
) -> Response {
    if let Some(busy) = over_allowance(&shared, remote.ip()) {
        return busy;
    }
    let words = Words::of(shared.engine.lang());
    match shared.engine.preorder_page_at(&token, Utc::now()).await {
        Ok(page) => html(
            StatusCode::OK,
            &form_page(&words, &page, &BuyerForm::default(), &[]),
        ),
        Err(refusal) => refused(&shared, remote, &words, refusal),
    }
}

pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(remote): Remote,
    Path(token): Path<String>,
    form: Result<Form<BuyerForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    if let Some(busy) = over_allowance(&shared, remote.ip()) {
        return busy;
    }
    let words = Words::of(shared.engine.lang());
    let Ok(Form(form)) = form else {
        return html(StatusCode::BAD_REQUEST, &message_page(&words, words.unreadable));
    };
    let engine = &shared.engine;
    match engine.complete_preorder_at(&token, &form, Utc::now()).await {
        Ok(order) => html(
            StatusCode::OK,
            &message_page(&words, &words.thanks.replace("{n}", &order.draft.number)),
        ),
        Err(PreorderRefusal::Problems(problems)) => {
            let Ok(page) = engine.preorder_page_at(&token, Utc::now()).await else {
                return html(StatusCode::GONE, &message_page(&words, words.gone));
            };
            let shown: Vec<(Option<&'static str>, String)> = problems
                .iter()
                .map(|p| (draft_field_to_page(&p.field), words.problem(p)))
                .collect();
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(&words, &page, &form, &shown),
            )
        }
        Err(refusal) => refused(&shared, remote, &words, refusal),
    }
}

fn over_allowance(shared: &Shared, ip: std::net::IpAddr) -> Option<Response> {
    let now = shared.limits.clock.now();
    let wait = shared
        .page_limiter
        .lock()
        .expect("page limiter poisoned")
        .take(ip, now)
        .err()?;
    shared.note(Refusal::RateLimited, ip);
    let words = Words::of(shared.engine.lang());
    let mut r = html(
        StatusCode::TOO_MANY_REQUESTS,
        &message_page(&words, words.too_many),
    );
    if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    Some(r)
}

fn refused(
    shared: &Shared,
    remote: std::net::SocketAddr,
    words: &Words,
    refusal: PreorderRefusal,
) -> Response {
    match refusal {
        PreorderRefusal::Gone => {
            shared.note(Refusal::Unauthorised, remote.ip());
            html(StatusCode::GONE, &message_page(words, words.gone))
        }
        PreorderRefusal::Problems(_) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &message_page(words, words.unreadable),
        ),
        PreorderRefusal::Failed(e) => {
            tracing::warn!(error = %e, "a buyer page failed");
            html(
                StatusCode::SERVICE_UNAVAILABLE,
                &message_page(words, words.failed),
            )
        }
    }
}

fn html(status: StatusCode, body: &str) -> Response {
    let mut r = (status, body.to_string()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Text for HTML: the five characters that could open markup or leave an attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str =
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}\
table{border-collapse:collapse;width:100%}td,th{padding:.3rem;border-bottom:1px solid #ddd;text-align:left}\
.num{text-align:right}label{display:block;margin:.6rem 0}label span{display:block;font-size:.9rem}\
input,select{width:100%;padding:.4rem;box-sizing:border-box}.problem{color:#b00020;font-size:.9rem}\
button{margin-top:1rem;padding:.6rem 1.2rem}";

fn document(words: &Words, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        words.lang,
        escape(words.title)
    )
}

fn message_page(words: &Words, text: &str) -> String {
    document(
        words,
        &format!(
            "<h1>{}</h1><p id=\"message\">{}</p>",
            escape(words.title),
            escape(text)
        ),
    )
}

fn money(amount: Decimal, currency: &str) -> String {
    format!("{} {}", amount.round_dp(2), escape(currency))
}

fn form_page(
    words: &Words,
    page: &PreorderPage,
    form: &BuyerForm,
    problems: &[(Option<&'static str>, String)],
) -> String {
    let mut body = format!("<h1>{}</h1>", escape(&words.order.replace("{n}", &page.number)));
    body.push_str(&format!(
        "<table id=\"items\"><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr>",
        escape(words.item),
        escape(words.quantity),
        escape(words.sum)
    ));
    for item in &page.items {
        let name = if item.name.trim().is_empty() {
            &item.article
        } else {
            &item.name
        };
        body.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(name),
            item.quantity,
            money(
                ordertray_core::order::line_total(item.price, item.quantity),
                &page.currency
            )
        ));
    }
    body.push_str("</table>");
    let delivery = page.delivery_method.as_deref().map(escape).unwrap_or_default();
    body.push_str(&format!(
        "<p>{}: {}</p><p>{} {}: {}</p><p id=\"total\"><strong>{}: {}</strong></p>",
        escape(words.items_total),
        money(page.items_total, &page.currency),
        escape(words.delivery),
        delivery,
        money(page.delivery_cost, &page.currency),
        escape(words.total),
        money(page.total, &page.currency)
    ));
    let general: Vec<&String> = problems
        .iter()
        .filter(|(f, _)| f.is_none())
        .map(|(_, m)| m)
        .collect();
    for m in general {
        body.push_str(&format!("<p class=\"problem\">{}</p>", escape(m)));
    }
    body.push_str("<form method=\"post\">");
    let problem_of = |field: &str| {
        problems
            .iter()
            .filter(|(f, _)| *f == Some(field))
            .map(|(_, m)| {
                format!(
                    "<span class=\"problem\" id=\"problem-{field}\">{}</span>",
                    escape(m)
                )
            })
            .collect::<String>()
    };
    for field in BUYER_FIELDS {
        body.push_str(&format!(
            "<label><span>{}</span><input name=\"{field}\" id=\"{field}\" maxlength=\"200\" value=\"{}\">{}</label>",
            escape(words.field(field)),
            escape(form.value(field)),
            problem_of(field)
        ));
    }
    body.push_str(&format!(
        "<label><span>{}</span><select name=\"payment_method\" id=\"payment_method\"><option value=\"\"></option>",
        escape(words.payment)
    ));
    for p in PaymentMethod::ALL {
        if p == PaymentMethod::CardOnDelivery && !page.card_on_delivery {
            continue;
        }
        let selected = if form.payment_method == p.as_str() {
            " selected"
        } else {
            ""
        };
        body.push_str(&format!(
            "<option value=\"{}\"{selected}>{}</option>",
            p.as_str(),
            escape(words.payment_method(p))
        ));
    }
    body.push_str(&format!(
        "</select>{}</label><button type=\"submit\" id=\"submit\">{}</button></form>",
        problem_of("payment_method"),
        escape(words.submit)
    ));
    document(words, &body)
}

/// The page's words in the shop's language.
struct Words {
    lang: &'static str,
    title: &'static str,
    order: &'static str,
    item: &'static str,
    quantity: &'static str,
    sum: &'static str,
    items_total: &'static str,
    delivery: &'static str,
    total: &'static str,
    payment: &'static str,
    submit: &'static str,
    thanks: &'static str,
    gone: &'static str,
    unreadable: &'static str,
    too_many: &'static str,
    failed: &'static str,
    fields: [&'static str; 11],
    payments: [&'static str; 4],
    /// Problems by their code: required, required (the destination), e-mail, postal code, no
    /// card on delivery, too long.
    problems: [&'static str; 6],
}

impl Words {
    fn of(lang: Lang) -> Self {
        match lang {
            Lang::Ru => Words {
                lang: "ru",
                title: "Оформление заказа",
                order: "Заказ {n}",
                item: "Товар",
                quantity: "Кол-во",
                sum: "Сумма",
                items_total: "Товары",
                delivery: "Доставка",
                total: "Итого",
                payment: "Способ оплаты",
                submit: "Оформить заказ",
                thanks: "Спасибо! Заказ {n} оформлен, магазин скоро с вами свяжется.",
                gone: "Эта ссылка больше не действует. Попросите магазин прислать новую.",
                unreadable: "Форма не прочиталась. Откройте ссылку ещё раз.",
                too_many: "Слишком много запросов. Попробуйте чуть позже.",
                failed: "Сейчас не получилось сохранить заказ. Попробуйте чуть позже.",
                fields: [
                    "Имя и фамилия",
                    "Телефон",
                    "Эл. почта",
                    "Индекс",
                    "Страна",
                    "Регион",
                    "Город или населённый пункт",
                    "Улица",
                    "Дом",
                    "Квартира или офис",
                    "Код пункта выдачи (если доставка в пункт)",
                ],
                payments: [
                    "Наличными при получении",
                    "Картой при получении",
                    "Картой онлайн",
                    "Предоплата",
                ],
                problems: [
                    "Заполните это поле",
                    "Укажите город или код пункта выдачи",
                    "Это не адрес эл. почты",
                    "Для этой доставки нужен индекс",
                    "Эта доставка не принимает оплату картой при получении",
                    "Не длиннее 200 символов",
                ],
            },
            Lang::Pl => Words {
                lang: "pl",
                title: "Składanie zamówienia",
                order: "Zamówienie {n}",
                item: "Produkt",
                quantity: "Ilość",
                sum: "Kwota",
                items_total: "Produkty",
                delivery: "Dostawa",
                total: "Razem",
                payment: "Sposób płatności",
                submit: "Złóż zamówienie",
                thanks: "Dziękujemy! Zamówienie {n} zostało złożone, sklep wkrótce się odezwie.",
                gone: "Ten link już nie działa. Poproś sklep o nowy.",
                unreadable: "Nie udało się odczytać formularza. Otwórz link ponownie.",
                too_many: "Zbyt wiele żądań. Spróbuj za chwilę.",
                failed: "Nie udało się teraz zapisać zamówienia. Spróbuj za chwilę.",
                fields: [
                    "Imię i nazwisko",
                    "Telefon",
                    "Adres e-mail",
                    "Kod pocztowy",
                    "Kraj",
                    "Region",
                    "Miejscowość",
                    "Ulica",
                    "Numer domu",
                    "Mieszkanie lub biuro",
                    "Kod punktu odbioru (przy dostawie do punktu)",
                ],
                payments: [
                    "Gotówką przy odbiorze",
                    "Kartą przy odbiorze",
                    "Kartą online",
                    "Przedpłata",
                ],
                problems: [
                    "Wypełnij to pole",
                    "Podaj miejscowość lub kod punktu odbioru",
                    "To nie jest adres e-mail",
                    "Ta dostawa wymaga kodu pocztowego",
                    "Ta dostawa nie przyjmuje płatności kartą przy odbiorze",
                    "Najwyżej 200 znaków",
                ],
            },
            Lang::En => Words {
                lang: "en",
                title: "Your order",
                order: "Order {n}",
                item: "Item",
                quantity: "Quantity",
                sum: "Sum",
                items_total: "Items",
                delivery: "Delivery",
                total: "Total",
                payment: "Payment",
                submit: "Place the order",
                thanks: "Thank you! Order {n} is placed; the shop will be in touch soon.",
                gone: "This link no longer works. Ask the shop for a new one.",
                unreadable: "The form could not be read. Open the link again.",
                too_many: "Too many requests. Try again in a moment.",
                failed: "The order could not be saved just now. Try again in a moment.",
                fields: [
                    "Full name",
                    "Phone",
                    "E-mail",
                    "Postal code",
                    "Country",
                    "Region",
                    "City or settlement",
                    "Street",
                    "House",
                    "Flat or office",
                    "Pickup point code (for delivery to a pickup point)",
                ],
                payments: ["Cash on delivery", "Card on delivery", "Card online", "Prepaid"],
                problems: [
                    "Fill in this field",
                    "Enter a city or a pickup point code",
                    "This is not an e-mail address",
                    "This delivery needs the postal code",
                    "This delivery takes no card payment on delivery",
                    "At most 200 characters",
                ],
            },
        }
    }

    fn field(&self, field: &str) -> &'static str {
        BUYER_FIELDS
            .iter()
            .position(|f| *f == field)
            .map_or("", |i| self.fields[i])
    }

    fn problem(&self, p: &ordertray_core::cabinet::DraftProblem) -> String {
        let i = match (p.code.as_str(), p.field.as_str()) {
            ("required", "address.city") => 1,
            ("required", _) => 0,
            ("email", _) => 2,
            ("postal_code_required", _) => 3,
            ("no_card_on_delivery", _) => 4,
            ("too_long", _) => 5,
            _ => return p.message.clone(),
        };
        self.problems[i].to_string()
    }

    fn payment_method(&self, p: PaymentMethod) -> &'static str {
        let i = PaymentMethod::ALL.iter().position(|q| *q == p).unwrap_or(0);
        self.payments[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_values_is_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }
}
