//! Generative tests of the core's readers of outside text: comment templates (typed by the
//! manager, filled with marketplace data) and price-list cells (suppliers' files). Thousands of
//! structured cases each: mutations of valid inputs, odd unicode, huge numbers. None may panic;
//! a refusal must say why.

use std::collections::BTreeMap;

use ordertray_core::pricelist::{
    guess_mapping, looks_like_header, parse_offer_row, parse_price, resolve_column, sniff_delimiter,
    ColumnMapping,
};
use ordertray_core::templates::{check, render, VARIABLES};
use proptest::prelude::*;

/// Cases per property: thousands, and a debug run of each stays within a few seconds.
const CASES: u32 = 2_500;

/// Text a hostile or careless source sends: markup, right-to-left overrides, zero-width and
/// combining characters, full-width signs, emoji, controls, huge and odd numbers.
fn odd_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("{{".to_string()),
        Just("}}".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{200b}".to_string()),
        Just("\u{feff}".to_string()),
        Just("e\u{301}".to_string()),
        Just("＝＋－＠".to_string()),
        Just("👩‍👩‍👧".to_string()),
        Just("\0\r\n\t".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("79228162514264337593543950335".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("1e400".to_string()),
        Just("1 234,50 ₽".to_string()),
        Just(",.-".to_string()),
        prop::sample::select(VARIABLES).prop_map(|v| format!("{{{v}}}")),
        "[a-zA-Zа-яА-Я0-9 .,;]{0,12}",
        any::<String>(),
    ];
    prop::collection::vec(pieces, 0..12).prop_map(|p| p.concat())
}

fn mapping() -> impl Strategy<Value = ColumnMapping> {
    let col = 0u32..8;
    (
        prop::option::of(col.clone()),
        col.clone(),
        prop::option::of(col.clone()),
        col.clone(),
        prop::option::of(col.clone()),
        prop::option::of(col.clone()),
        prop::option::of(col),
    )
        .prop_map(
            |(brand, article, name, price, stock, delivery_days, supplier)| ColumnMapping {
                brand,
                article,
                name,
                price,
                stock,
                delivery_days,
                supplier,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// A template is accepted or refused with the reason (unknown names or where a brace is
    /// unbalanced); rendering an accepted one fills every variable or names the missing ones.
    #[test]
    fn templates_never_panic_and_say_why(template in odd_text(), value in odd_text(), blank in any::<bool>()) {
        let values: BTreeMap<String, String> = VARIABLES
            .iter()
            .map(|v| (v.to_string(), if blank { String::new() } else { value.clone() }))
            .collect();
        match check(&template) {
            Ok(()) => match render(&template, &values) {
                Ok(_) => {}
                Err(e) => prop_assert!(!e.missing.is_empty(), "{e:?}"),
            },
            Err(e) => {
                prop_assert!(!e.unknown.is_empty() || e.unbalanced_at.is_some(), "{e:?}");
                if let Some(at) = e.unbalanced_at {
                    prop_assert!(at < template.len(), "{at} beyond {}", template.len());
                }
                prop_assert!(render(&template, &values).is_err());
            }
        }
    }

    /// A price-list row becomes an offer with a price ≥ 0, or a reject code with the cell.
    #[test]
    fn price_list_rows_never_panic(cells in prop::collection::vec(odd_text(), 0..9), mapping in mapping()) {
        let _ = looks_like_header(&cells, &mapping);
        match parse_offer_row(&cells, &mapping) {
            Ok(offer) => {
                prop_assert!(!offer.price.is_sign_negative() || offer.price.is_zero());
                prop_assert!(!offer.article.trim().is_empty());
            }
            Err((_code, value)) => prop_assert!(value.len() <= cells.iter().map(String::len).max().unwrap_or(0).max(20)),
        }
        let _ = guess_mapping(&cells);
        for c in &cells {
            let _ = parse_price(c);
            let _ = sniff_delimiter(c);
            if let Err(e) = resolve_column(c, Some(&cells)) {
                prop_assert!(!e.is_empty());
            }
        }
    }
}
