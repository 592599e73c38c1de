//! One `GetSellerOrdersV3` row → one order with one line (ZZAP has no cart id: each ordered part is
//! an order of its own with its `code_order`). Tolerant of unknown fields, numbers sent as text
//! and the other way round; a row that cannot be understood is quarantined with the reason.

use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use ordertray_core::templates::MarketplaceStatus;
use ordertray_core::{CustomerInfo, ExternalLine, ExternalOrder, QuarantinedOrder};
use rust_decimal::Decimal;
use serde_json::Value;

/// The status an order row gets when its code is one of the account's buyer-cancel codes.
pub const CANCELLED: &str = "cancelled";

/// A field as text, whether ZZAP sent it as a string or a number.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn moscow() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).expect("valid offset")
}

/// ZZAP's times: Moscow time unless an offset is given; ISO 8601, `dd.MM.yyyy HH:mm:ss`, or
/// .NET's `/Date(ms)/`.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Some(ms) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        let digits: String = ms
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        return DateTime::from_timestamp_millis(digits.parse().ok()?);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        ["%Y-%m-%d", "%d.%m.%Y"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    moscow()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// ZZAP's time for a request parameter: Moscow time, ISO 8601 without an offset.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&moscow()).format("%Y-%m-%dT%H:%M:%S").to_string()
}

pub fn parse_row(raw: &Value, buyer_cancel_codes: &[String]) -> Result<ExternalOrder, QuarantinedOrder> {
    let code = text(raw.get("code_order"));
    let quarantine = |reason: String| QuarantinedOrder {
        external_id: code.clone(),
        reason,
        raw: raw.clone(),
    };
    let Some(code) = code.clone() else {
        return Err(quarantine("code_order is missing".into()));
    };
    let created_text = text(raw.get("create_date")).unwrap_or_default();
    let created_at = parse_time(&created_text)
        .ok_or_else(|| quarantine(format!("create_date '{created_text}' is not a date")))?;
    let quantity_text = text(raw.get("qty_order")).unwrap_or_default();
    let quantity = Decimal::from_str(&quantity_text)
        .ok()
        .filter(|q| q.fract().is_zero() && *q >= Decimal::ONE)
        .and_then(|q| i64::try_from(q).ok())
        .ok_or_else(|| {
            quarantine(format!(
                "qty_order '{quantity_text}' is not a whole number of parts"
            ))
        })?;
    let price = match text(raw.get("priceV2").or_else(|| raw.get("price"))) {
        None => Decimal::ZERO,
        Some(p) => Decimal::from_str(&p.replace(',', "."))
            .map_err(|_| quarantine(format!("priceV2 '{p}' is not an amount")))?,
    };
    if let Some(problem) = ordertray_core::line_amounts_problem(quantity, price) {
        return Err(quarantine(problem));
    }
    let article = text(raw.get("partnumber")).ok_or_else(|| quarantine("partnumber is missing".into()))?;
    let brand = text(raw.get("class_man")).unwrap_or_default();
    let part_name = text(raw.get("class_cat")).unwrap_or_default();
    let name = [part_name.as_str(), brand.as_str(), article.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let code_track = text(raw.get("code_track")).unwrap_or_default();
    let status = if buyer_cancel_codes.contains(&code_track) {
        CANCELLED.to_string()
    } else {
        code_track
    };
    let customer = CustomerInfo {
        first_name: None,
        last_name: None,
        name: text(raw.get("client_name")),
        phone: text(raw.get("client_phone")),
        email: text(raw.get("client_email")),
        address: None,
        address_parts: None,
    };
    Ok(ExternalOrder {
        external_id: code.clone(),
        number: code.clone(),
        status,
        created_at,
        customer: (!customer.is_empty()).then_some(customer),
        region: None,
        lines: vec![ExternalLine {
            external_id: code,
            sku: article.clone(),
            offer_id: article,
            name,
            quantity,
            price,
            currency: "RUB".into(),
            product: None,
        }],
        available_actions: vec![],
        raw: raw.clone(),
        read_only: false,
        partial: false,
        // GetSellerOrdersV3 rows carry no ship-by deadline (see api-notes/zzap.md).
        ship_by: None,
        delivery_note: None,
    })
}

/// `GetCodesTrack`'s table. Its field names are not public: the code is `code_track` (as in the
/// order rows) or `code`; the name is the first text field among the usual ones.
pub fn parse_codes(document: &Value) -> Result<Vec<MarketplaceStatus>, String> {
    let rows = document
        .get("table")
        .and_then(Value::as_array)
        .ok_or("the status list has no table")?;
    let mut out = vec![];
    for row in rows {
        let Some(code) = text(row.get("code_track")).or_else(|| text(row.get("code"))) else {
            return Err(format!("a status without a code: {row}"));
        };
        let name = ["descr_track", "name_track", "track", "descr", "name"]
            .iter()
            .find_map(|k| text(row.get(*k)))
            .unwrap_or_else(|| code.clone());
        out.push(MarketplaceStatus { code, name });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row() -> Value {
        json!({
            "code_order": 7000123, "create_date": "2026-11-23T10:15:00", "class_man": "MANN-FILTER",
            "partnumber": "W 712/75", "class_cat": "Фильтр масляный", "qty_order": "2", "qty": "В наличии",
            "priceV2": 612.5, "client_name": "Иван Петров", "client_phone": "+7 916 123-45-67",
            "client_email": "", "code_track": 1, "something_new": {"x": 1}
        })
    }

    #[test]
    fn a_row_is_an_order_with_one_line_keyed_by_code_order() {
        let o = parse_row(&row(), &[]).unwrap();
        assert_eq!(
            (o.external_id.as_str(), o.number.as_str(), o.status.as_str()),
            ("7000123", "7000123", "1")
        );
        assert_eq!(
            o.created_at,
            Utc.with_ymd_and_hms(2026, 11, 23, 7, 15, 0).unwrap(),
            "Moscow time"
        );
        let l = &o.lines[0];
        assert_eq!(
            (l.external_id.as_str(), l.sku.as_str(), l.quantity),
            ("7000123", "W 712/75", 2)
        );
        assert_eq!(l.price, Decimal::from_str("612.5").unwrap());
        assert_eq!(l.name, "Фильтр масляный MANN-FILTER W 712/75");
        let c = o.customer.unwrap();
        assert_eq!((c.name.as_deref(), c.email), (Some("Иван Петров"), None));
        assert_eq!(
            o.raw["something_new"]["x"], 1,
            "unknown fields stay in the raw payload"
        );
        assert_eq!(parse_row(&row(), &["1".into()]).unwrap().status, CANCELLED);
    }

    #[test]
    fn bad_rows_are_quarantined_with_the_reason() {
        let cases = [
            ("code_order", json!(null), "code_order is missing"),
            ("create_date", json!("soon"), "create_date 'soon'"),
            ("qty_order", json!("1.5"), "qty_order '1.5'"),
            ("qty_order", json!("0"), "qty_order '0'"),
            ("priceV2", json!("дорого"), "priceV2"),
            ("partnumber", json!(""), "partnumber is missing"),
            (
                "qty_order",
                json!("9223372036854775807"),
                "quantity 9223372036854775807 is outside",
            ),
            (
                "priceV2",
                json!("79228162514264337593543950335"),
                "price 79228162514264337593543950335",
            ),
            ("priceV2", json!("-5"), "price -5 is outside"),
        ];
        for (field, value, reason) in cases {
            let mut r = row();
            r[field] = value;
            let q = parse_row(&r, &[]).unwrap_err();
            assert!(q.reason.contains(reason), "{field}: {}", q.reason);
        }
    }

    #[test]
    fn times_in_each_form() {
        let want = Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap();
        for s in [
            "2026-11-23T10:00:00",
            "23.11.2026 10:00:00",
            "2026-11-23T07:00:00Z",
            "/Date(1795417200000)/",
        ] {
            assert_eq!(parse_time(s), Some(want), "{s}");
        }
        assert_eq!(format_time(want), "2026-11-23T10:00:00");
    }

    #[test]
    fn the_dictionary_takes_either_field_name() {
        let d = json!({"error": "", "table": [{"code_track": 1, "descr_track": "Новый"}, {"code": "2", "name": "Принят"}, {"code_track": 3}]});
        let codes = parse_codes(&d).unwrap();
        assert_eq!(
            codes
                .iter()
                .map(|s| (s.code.as_str(), s.name.as_str()))
                .collect::<Vec<_>>(),
            [("1", "Новый"), ("2", "Принят"), ("3", "3")]
        );
        assert!(parse_codes(&json!({"table": [{"descr_track": "x"}]})).is_err());
    }
}
