//! Generative tests of every connector parser of outside input: Ozon postings (JSON), ZZAP's
//! answers (JSON inside XML) and rows, Gettzap pushes (JSON or forms, as the intake receives
//! them). Cases are structured: valid payloads from the fakes with fields replaced, removed or
//! nested deeper; huge numbers; odd unicode; truncations. None may panic; a refusal says why; what
//! is accepted keeps every line's quantity and price within the bounds all totals rely on.

use chrono::Utc;
use ordertray_connectors::gettzap::{body_to_json, parse_push};
use ordertray_connectors::ozon::parse_posting;
use ordertray_connectors::zzap::{parse_answer, parse_codes, parse_row};
use ordertray_core::{line_amounts_problem, ExternalOrder};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Cases per property: thousands, each property well under ten seconds in a debug build.
const CASES: u32 = 3_000;
/// Gettzap's cases each build a form as well: fewer of them keep the property under ten seconds.
const GETTZAP_CASES: u32 = 2_000;

fn odd_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("   ".to_string()),
        Just("\u{202e}evil\u{202c}".to_string()),
        Just("a\u{200b}b\u{feff}".to_string()),
        Just("<script>alert(1)</script>&amp;&#x41;&#99999999;&bogus;".to_string()),
        Just("＝１＋２".to_string()),
        Just("2026-11-23T10:00:00".to_string()),
        Just("23.11.2026 10:00:00".to_string()),
        Just("/Date(99999999999999999)/".to_string()),
        Just("1,5".to_string()),
        Just("1 234,50".to_string()),
        Just("-0".to_string()),
        Just("9223372036854775807".to_string()),
        Just("79228162514264337593543950335".to_string()),
        Just("792281625142643375935439503350".to_string()),
        Just("1e400".to_string()),
        Just("NaN".to_string()),
        "[0-9]{1,30}",
        "[0-9]{1,20}\\.[0-9]{1,30}",
        any::<String>(),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        Just(json!(i64::MAX)),
        Just(json!(u64::MAX)),
        Just(json!(1.0e308)),
        odd_string().prop_map(Value::String),
    ]
}

/// Any JSON, a few levels deep, with keys the parsers look for as well as random ones.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![prop::sample::select(KEYS).prop_map(str::to_string), "[a-z_]{1,8}",];
    leaf().prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Field names any of the three marketplaces use, so random documents reach deep into parsers.
const KEYS: &[&str] = &[
    "posting_number",
    "products",
    "sku",
    "offer_id",
    "name",
    "quantity",
    "price",
    "amount",
    "currency",
    "currency_code",
    "status",
    "in_process_at",
    "customer",
    "addressee",
    "analytics_data",
    "code_order",
    "create_date",
    "qty_order",
    "priceV2",
    "partnumber",
    "class_man",
    "class_cat",
    "code_track",
    "client_name",
    "table",
    "error",
    "order_id",
    "id",
    "number",
    "items",
    "positions",
    "position_id",
    "article",
    "qty",
    "orders",
    "order",
    "data",
    "brand",
];

/// A valid document with one field (at any depth) replaced by something else, or removed.
fn mutated(valid: Value) -> impl Strategy<Value = Value> {
    (
        any::<prop::sample::Index>(),
        prop::option::of(any_json()),
        0usize..3,
    )
        .prop_map(move |(at, replacement, times)| {
            let mut doc = valid.clone();
            for _ in 0..=times {
                let mut paths = vec![];
                collect_paths(&doc, &mut vec![], &mut paths);
                if paths.is_empty() {
                    break;
                }
                let path = at.get(&paths).clone();
                set_at(&mut doc, &path, replacement.clone());
            }
            doc
        })
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn collect_paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                here.push(Step::Key(k.clone()));
                out.push(here.clone());
                collect_paths(child, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                here.push(Step::Index(i));
                out.push(here.clone());
                collect_paths(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

/// Replaces the value at `path` (None: removes it).
fn set_at(doc: &mut Value, path: &[Step], value: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = doc;
    for step in parents {
        cur = match (step, cur) {
            (Step::Key(k), Value::Object(m)) => m.get_mut(k).expect("path exists"),
            (Step::Index(i), Value::Array(a)) => &mut a[*i],
            _ => return,
        };
    }
    match (last, cur, value) {
        (Step::Key(k), Value::Object(m), Some(v)) => {
            m.insert(k.clone(), v);
        }
        (Step::Key(k), Value::Object(m), None) => {
            m.remove(k);
        }
        (Step::Index(i), Value::Array(a), Some(v)) => a[*i] = v,
        (Step::Index(i), Value::Array(a), None) => {
            a.remove(*i);
        }
        _ => {}
    }
}

/// What every accepted order must hold, whatever came in.
fn assert_sane(o: &ExternalOrder) -> Result<(), TestCaseError> {
    prop_assert!(!o.external_id.trim().is_empty());
    for l in &o.lines {
        prop_assert_eq!(line_amounts_problem(l.quantity, l.price), None, "{:?}", l);
    }
    Ok(())
}

fn ozon_posting() -> Value {
    let mut p = ordertray_fakes::ozon::sample_posting(7, 3, Utc::now());
    p["customer"] =
        json!({"name": "Иван", "phone": "+7 900", "address": {"city": "Москва", "address_tail": "ул. 1"}});
    p
}

fn zzap_row() -> Value {
    ordertray_fakes::zzap::sample_row(42, Utc::now())
}

fn gettzap_order() -> Value {
    ordertray_fakes::gettzap::sample_order("G-1", 3)
}

/// ZZAP's envelope: JSON as the text of an XML `<string>` element.
fn zzap_envelope(inner: &str) -> String {
    let escaped = inner
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<string xmlns=\"http://api.zzap.pro/\">{escaped}</string>")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn ozon_postings_parse_or_are_quarantined_with_a_reason(doc in prop_oneof![mutated(ozon_posting()), any_json()]) {
        match parse_posting(doc.clone()) {
            Ok(order) => assert_sane(&order)?,
            Err(q) => {
                prop_assert!(!q.reason.trim().is_empty());
                prop_assert_eq!(&q.raw, &doc);
            }
        }
    }

    #[test]
    fn zzap_rows_parse_or_are_quarantined_with_a_reason(doc in prop_oneof![mutated(zzap_row()), any_json()]) {
        match parse_row(&doc, &["6".to_string()]) {
            Ok(order) => assert_sane(&order)?,
            Err(q) => prop_assert!(!q.reason.trim().is_empty()),
        }
        if let Err(e) = parse_codes(&json!({"error": "", "table": [doc]})) {
            prop_assert!(!e.is_empty());
        }
    }

    /// The XML envelope around the JSON: escaped, cut off anywhere, or with bytes flipped.
    #[test]
    fn zzap_answers_read_or_fail_with_a_reason(
        inner in prop_oneof![
            mutated(json!({"error": "", "table": [zzap_row(), zzap_row()]})),
            any_json(),
        ],
        cut in any::<prop::sample::Index>(),
        cut_it in any::<bool>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let mut bytes = zzap_envelope(&inner.to_string()).into_bytes();
        if cut_it {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        for (at, b) in flips {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
        }
        if let Err(e) = parse_answer(&bytes) {
            prop_assert!(!e.trim().is_empty());
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(GETTZAP_CASES))]

    /// A push as the intake receives it: JSON, or the same order as a form (`a[b][c]=v`, nested
    /// deeper than any order), or bytes that are neither.
    #[test]
    fn gettzap_pushes_parse_or_fail_with_a_reason(
        doc in prop_oneof![mutated(gettzap_order()), any_json()],
        form_keys in prop::collection::vec(
            (prop::collection::vec("[a-z0-9_]{0,4}", 0..20), odd_string()), 0..6),
        as_form in 0u8..3,
        content_type in prop::sample::select(&[
            "application/json", "application/x-www-form-urlencoded", "", "text/plain",
            "multipart/form-data; boundary=x", "application/json; charset=utf-8",
        ][..]),
    ) {
        let body: Vec<u8> = match as_form {
            0 => doc.to_string().into_bytes(),
            1 => form_of(&doc).into_bytes(),
            _ => form_keys
                .iter()
                .map(|(path, value)| {
                    let (head, rest) = path.split_first().map_or(("x", &[][..]), |(h, r)| (h.as_str(), r));
                    let key: String = std::iter::once(head.to_string()).chain(rest.iter().map(|p| format!("[{p}]"))).collect();
                    format!("{}={}", enc(&key), enc(value))
                })
                .collect::<Vec<_>>()
                .join("&")
                .into_bytes(),
        };
        match body_to_json(content_type, &body) {
            Ok(json) => match parse_push(&json, &|s: &str| s == "cancelled", Utc::now()) {
                Ok(pushed) => {
                    for o in &pushed.orders {
                        assert_sane(o)?;
                    }
                    for q in &pushed.quarantined {
                        prop_assert!(!q.reason.trim().is_empty());
                    }
                }
                Err(e) => prop_assert!(!e.trim().is_empty()),
            },
            Err(e) => prop_assert!(!e.trim().is_empty()),
        }
    }
}

/// A JSON document as the form a PHP-style client sends (`positions[0][article]=…`).
fn form_of(doc: &Value) -> String {
    fn walk(v: &Value, key: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, c)| {
                walk(
                    c,
                    if key.is_empty() {
                        k.clone()
                    } else {
                        format!("{key}[{k}]")
                    },
                    out,
                )
            }),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, c)| walk(c, format!("{key}[{i}]"), out)),
            Value::String(s) => out.push(format!("{}={}", enc(&key), enc(s))),
            other => out.push(format!("{}={}", enc(&key), enc(&other.to_string()))),
        }
    }
    let mut out = vec![];
    walk(doc, String::new(), &mut out);
    out.join("&")
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Forms nested far deeper than any order are refused with the reason, not by a crash.
#[test]
fn deep_forms_are_refused() {
    for depth in [17usize, 1_000, 200_000] {
        let form = format!("a{}=1", "[a]".repeat(depth));
        let e = body_to_json("application/x-www-form-urlencoded", form.as_bytes()).unwrap_err();
        assert!(e.contains("nests deeper"), "{depth}: {e}");
    }
}
