//! The shop's own price lists: how a row of a supplier's file becomes an offer, and how articles
//! are compared the way parts shops compare them.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Cyrillic letters that look like Latin ones: price lists typed on a Russian keyboard mix them.
const HOMOGLYPHS: &[(char, char)] = &[
    ('А', 'A'),
    ('В', 'B'),
    ('Е', 'E'),
    ('К', 'K'),
    ('М', 'M'),
    ('Н', 'H'),
    ('О', 'O'),
    ('Р', 'P'),
    ('С', 'C'),
    ('Т', 'T'),
    ('Х', 'X'),
    ('У', 'Y'),
];

/// The comparable form of an article: case, spaces, dashes, dots and other punctuation ignored,
/// Cyrillic look-alikes read as Latin ("oc-90.1" = "OC 901" = "ОС901").
pub fn article_key(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .map(|c| {
            HOMOGLYPHS
                .iter()
                .find(|(cyr, _)| *cyr == c)
                .map_or(c, |(_, lat)| *lat)
        })
        .collect()
}

/// Brands compare like articles ("Mann-Filter" = "MANN FILTER").
pub fn brand_key(raw: &str) -> String {
    article_key(raw)
}

/// Where each field sits in a row, as 0-based column positions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ColumnMapping {
    pub brand: Option<u32>,
    pub article: u32,
    pub name: Option<u32>,
    pub price: u32,
    pub stock: Option<u32>,
    pub delivery_days: Option<u32>,
    pub supplier: Option<u32>,
}

impl ColumnMapping {
    fn columns(&self) -> impl Iterator<Item = u32> + '_ {
        [
            self.brand,
            Some(self.article),
            self.name,
            Some(self.price),
            self.stock,
            self.delivery_days,
            self.supplier,
        ]
        .into_iter()
        .flatten()
    }

    /// The number of cells a row needs for every mapped column to exist.
    pub fn width(&self) -> usize {
        self.columns().max().map_or(0, |m| m as usize + 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum TextEncoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "cp1251")]
    Cp1251,
}

impl TextEncoding {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Self::Utf8),
            "cp1251" | "windows-1251" | "win1251" => Some(Self::Cp1251),
            _ => None,
        }
    }
}

/// How to read a file; what is left empty is detected from the file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportOptions {
    /// CSV only: one character; detected from the first line when empty.
    #[serde(default)]
    pub delimiter: Option<String>,
    /// CSV only: detected (UTF-8 when the bytes are valid UTF-8, else CP1251) when empty.
    #[serde(default)]
    pub encoding: Option<TextEncoding>,
    /// Whether the first row holds column titles; detected when empty.
    #[serde(default)]
    pub header: Option<bool>,
}

/// What a list remembers so the next import of the same supplier file needs no dialog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ListSettings {
    pub mapping: ColumnMapping,
    pub options: ImportOptions,
}

/// One offer as it is imported.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferRow {
    pub brand: String,
    pub article: String,
    pub name: String,
    pub price: Decimal,
    /// `None` when the list does not say (unknown stock never satisfies a stock condition).
    pub stock: Option<i64>,
    pub delivery_days: Option<i64>,
    pub supplier: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RejectCode {
    TooFewColumns,
    MissingArticle,
    BadPrice,
    NegativePrice,
    BadStock,
    BadDeliveryDays,
    /// Bytes that are not UTF-8 in a file read as UTF-8 (its start was: a CP1251 file whose first
    /// megabyte is plain ASCII looks so).
    NotUtf8,
}

impl RejectCode {
    pub fn describe(self) -> &'static str {
        match self {
            RejectCode::TooFewColumns => "the row has fewer columns than the mapping needs",
            RejectCode::MissingArticle => "no article",
            RejectCode::BadPrice => "the price is not a number",
            RejectCode::NegativePrice => "the price is negative",
            RejectCode::BadStock => "the stock is not a number",
            RejectCode::BadDeliveryDays => "the delivery days are not a number",
            RejectCode::NotUtf8 => "the row is not UTF-8 (is the file in CP1251?)",
        }
    }
}

/// A row left out of the list, with the 1-based row number of the file and the offending value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RowReject {
    pub row: u64,
    pub code: RejectCode,
    pub value: String,
}

/// Reads one data row. Empty rows are skipped by the caller, not rejected.
pub fn parse_offer_row<S: AsRef<str>>(
    cells: &[S],
    mapping: &ColumnMapping,
) -> Result<OfferRow, (RejectCode, String)> {
    if cells.len() < mapping.width() {
        return Err((RejectCode::TooFewColumns, cells.len().to_string()));
    }
    let cell = |i: u32| cells[i as usize].as_ref().trim();
    let opt = |i: Option<u32>| i.map(cell).filter(|s| !s.is_empty());

    let article = cell(mapping.article);
    if article_key(article).is_empty() {
        return Err((RejectCode::MissingArticle, article.to_string()));
    }
    let price_text = cell(mapping.price);
    let price = parse_price(price_text).ok_or_else(|| (RejectCode::BadPrice, price_text.to_string()))?;
    if price.is_sign_negative() && !price.is_zero() {
        return Err((RejectCode::NegativePrice, price_text.to_string()));
    }
    let stock = match opt(mapping.stock) {
        None => None,
        Some(s) => Some(parse_stock(s).ok_or_else(|| (RejectCode::BadStock, s.to_string()))?),
    };
    let delivery_days = match opt(mapping.delivery_days) {
        None => None,
        Some(s) => Some(parse_days(s).ok_or_else(|| (RejectCode::BadDeliveryDays, s.to_string()))?),
    };
    Ok(OfferRow {
        brand: opt(mapping.brand).unwrap_or_default().to_string(),
        article: article.to_string(),
        name: opt(mapping.name).unwrap_or_default().to_string(),
        price,
        stock,
        delivery_days,
        supplier: opt(mapping.supplier).map(str::to_string),
    })
}

/// "1 234,50", "1234.5", "1,234.50 ₽", "1 234" (with a no-break space) are all prices.
pub fn parse_price(raw: &str) -> Option<Decimal> {
    let kept: String = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-'))
        .collect();
    if !kept.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    // The last separator is the decimal one when two kinds appear ("1,234.50" / "1.234,50");
    // a lone comma is decimal ("12,5").
    let last_sep = kept.rfind([',', '.']);
    let normalised = match last_sep {
        Some(pos) if kept.contains(',') && kept.contains('.') => {
            let (int, frac) = kept.split_at(pos);
            format!("{}.{}", int.replace([',', '.'], ""), &frac[1..])
        }
        _ => kept.replace(',', "."),
    };
    normalised.parse::<Decimal>().ok().map(|d| d.normalize())
}

/// Stock as lists write it: "12", "> 10" (at least 10), "+" / "есть" (some), "нет" (none).
fn parse_stock(raw: &str) -> Option<i64> {
    let lower = raw.to_lowercase();
    if matches!(lower.as_str(), "нет" | "no" | "-" | "0") {
        return Some(0);
    }
    if matches!(lower.as_str(), "+" | "есть" | "yes" | "в наличии") {
        return Some(1);
    }
    let digits: String = raw
        .trim_start_matches(['>', '<', '≥', '=', ' '])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    digits
        .split(['.', ','])
        .next()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|n| *n >= 0)
}

/// Delivery days: "3", or a range "2-4" read as its upper bound (a promise must hold).
fn parse_days(raw: &str) -> Option<i64> {
    raw.split(['-', '–', '…'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<i64>().ok().filter(|n| *n >= 0))
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .max()
}

/// Guesses the delimiter of a CSV file from its first line: the most frequent of `; , tab |`.
pub fn sniff_delimiter(first_line: &str) -> u8 {
    [b';', b',', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .filter(|d| first_line.as_bytes().contains(d))
        .unwrap_or(b';')
}

/// The first row is a header when its price cell is not a price.
pub fn looks_like_header<S: AsRef<str>>(cells: &[S], mapping: &ColumnMapping) -> bool {
    cells
        .get(mapping.price as usize)
        .is_none_or(|c| parse_price(c.as_ref()).is_none())
}

/// Resolves a column given by 1-based position ("4") or by header title ("Цена", case-insensitive).
pub fn resolve_column(spec: &str, header: Option<&[String]>) -> Result<u32, String> {
    let spec = spec.trim();
    if let Ok(n) = spec.parse::<u32>() {
        return if n == 0 {
            Err("column positions start at 1".into())
        } else {
            Ok(n - 1)
        };
    }
    let header =
        header.ok_or_else(|| format!("column '{spec}' is a name, but the file has no header row"))?;
    header
        .iter()
        .position(|h| h.trim().to_lowercase() == spec.to_lowercase())
        .map(|i| i as u32)
        .ok_or_else(|| format!("no column named '{spec}' (columns: {})", header.join(", ")))
}

/// Header titles suppliers use, for a first guess at the mapping (the manager confirms it).
const TITLES: &[(&str, &[&str])] = &[
    (
        "brand",
        &[
            "brand",
            "бренд",
            "производитель",
            "марка",
            "manufacturer",
            "producent",
        ],
    ),
    (
        "article",
        &[
            "article",
            "артикул",
            "номер",
            "код",
            "part number",
            "sku",
            "indeks",
        ],
    ),
    (
        "name",
        &[
            "name",
            "наименование",
            "название",
            "описание",
            "description",
            "nazwa",
        ],
    ),
    ("price", &["price", "цена", "cena", "стоимость"]),
    (
        "stock",
        &[
            "stock",
            "наличие",
            "остаток",
            "количество",
            "кол-во",
            "qty",
            "ilość",
        ],
    ),
    (
        "delivery_days",
        &["delivery days", "days", "срок", "срок поставки", "дней", "dni"],
    ),
    ("supplier", &["supplier", "поставщик", "склад", "dostawca"]),
];

/// Guesses the mapping from a header row; `None` when the article or price column is not found.
pub fn guess_mapping(header: &[String]) -> Option<ColumnMapping> {
    let find = |field: &str| {
        let titles = TITLES
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, t)| *t)
            .unwrap_or(&[]);
        header
            .iter()
            .position(|h| {
                let h = h.trim().to_lowercase();
                titles
                    .iter()
                    .any(|t| h == *t || h.starts_with(&format!("{t} ")) || h.starts_with(&format!("{t},")))
            })
            .map(|i| i as u32)
    };
    Some(ColumnMapping {
        brand: find("brand"),
        article: find("article")?,
        name: find("name"),
        price: find("price")?,
        stock: find("stock"),
        delivery_days: find("delivery_days"),
        supplier: find("supplier"),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PriceListView {
    pub id: i64,
    pub name: String,
    pub settings: ListSettings,
    /// The file last imported into it.
    pub source: Option<String>,
    pub rows_read: i64,
    pub rows_rejected: i64,
    pub offers: i64,
    pub imported_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RejectCount {
    pub code: RejectCode,
    pub count: u64,
}

/// What an import did; the list is replaced only when the whole file was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportSummary {
    pub list_id: i64,
    pub list: String,
    pub rows_read: u64,
    pub offers: u64,
    pub rejected: u64,
    pub reject_counts: Vec<RejectCount>,
    /// The first rejected rows, for the manager to fix in the file.
    pub rejects: Vec<RowReject>,
}

/// The first rows of a file as it would be read, to confirm the mapping before importing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportPreview {
    pub header: Option<Vec<String>>,
    pub rows: Vec<Vec<String>>,
    /// What was detected, or what the options said.
    pub options: ImportOptions,
    pub mapping: Option<ColumnMapping>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OfferView {
    pub id: i64,
    pub list_id: i64,
    pub list: String,
    pub brand: String,
    pub article: String,
    pub name: String,
    #[ts(type = "string")]
    pub price: Decimal,
    pub stock: Option<i64>,
    pub delivery_days: Option<i64>,
    pub supplier: Option<String>,
}

/// An offer for a line, with the margin of the marketplace price over the offer price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OfferMatch {
    pub offer: OfferView,
    #[ts(type = "string | null")]
    pub margin_percent: Option<Decimal>,
    /// How it was found: "offer_id", "sku" or "mapping".
    pub matched_by: String,
}

/// The offer a line was accepted with, as it was then (lists are replaced; this copy stays).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BoundOffer {
    pub offer_id: i64,
    pub list_id: i64,
    pub list: String,
    pub brand: String,
    pub article: String,
    pub name: String,
    /// The offer price agreed for this line (the list's, unless the manager changed it).
    #[ts(type = "string")]
    pub price: Decimal,
    pub quantity: i64,
    pub delivery_days: Option<i64>,
    pub supplier: Option<String>,
}

/// Accept one line with an offer, optionally with another quantity or price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OfferBinding {
    pub offer_id: i64,
    #[serde(default)]
    pub quantity: Option<i64>,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub price: Option<Decimal>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn mapping() -> ColumnMapping {
        ColumnMapping {
            brand: Some(0),
            article: 1,
            name: Some(2),
            price: 3,
            stock: Some(4),
            delivery_days: Some(5),
            supplier: None,
        }
    }

    #[test]
    fn articles_compare_like_parts_shops_compare_them() {
        for same in ["OC 90.1", "oc-901", "OC901", "ОС901", "o.c/90 1"] {
            assert_eq!(article_key(same), "OC901", "{same}");
        }
        assert_ne!(article_key("OC901"), article_key("OC9011"));
        assert_eq!(brand_key("Mann-Filter"), brand_key("MANN FILTER"));
        assert_eq!(article_key(" - . "), "");
    }

    #[test]
    fn prices_in_the_formats_lists_use() {
        let cases = [
            ("1234.50", "1234.5"),
            ("1 234,50", "1234.5"),
            ("1\u{a0}234,50 ₽", "1234.5"),
            ("1,234.50", "1234.5"),
            ("1.234,50", "1234.5"),
            ("12,5", "12.5"),
            ("100", "100"),
            ("0", "0"),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_price(raw), Some(Decimal::from_str(want).unwrap()), "{raw}");
        }
        for bad in ["", "abc", "цена", "-"] {
            assert_eq!(parse_price(bad), None, "{bad}");
        }
    }

    #[test]
    fn rows_are_read_or_rejected_with_a_reason() {
        let m = mapping();
        let ok = parse_offer_row(&["Mann", "W 712/75", "Oil filter", "450,00", ">10", "2-4"], &m).unwrap();
        assert_eq!(ok.brand, "Mann");
        assert_eq!(ok.article, "W 712/75");
        assert_eq!(ok.price, Decimal::from(450));
        assert_eq!(ok.stock, Some(10));
        assert_eq!(ok.delivery_days, Some(4));

        let unknown = parse_offer_row(&["", "X1", "", "10", "", ""], &m).unwrap();
        assert_eq!((unknown.stock, unknown.delivery_days), (None, None));
        assert_eq!(
            parse_offer_row(&["B", "A", "N", "1", "нет", "0"], &m)
                .unwrap()
                .stock,
            Some(0)
        );

        let cases: [(&[&str], RejectCode); 6] = [
            (&["B", "A", "N", "1"], RejectCode::TooFewColumns),
            (&["B", " ", "N", "1", "", ""], RejectCode::MissingArticle),
            (&["B", "A", "N", "call us", "", ""], RejectCode::BadPrice),
            (&["B", "A", "N", "-5", "", ""], RejectCode::NegativePrice),
            (&["B", "A", "N", "5", "many", ""], RejectCode::BadStock),
            (&["B", "A", "N", "5", "1", "soon"], RejectCode::BadDeliveryDays),
        ];
        for (row, code) in cases {
            assert_eq!(parse_offer_row(row, &m).unwrap_err().0, code, "{row:?}");
        }
    }

    #[test]
    fn delimiter_and_header_are_detected() {
        assert_eq!(sniff_delimiter("Бренд;Артикул;Цена"), b';');
        assert_eq!(sniff_delimiter("brand,article,price"), b',');
        assert_eq!(sniff_delimiter("brand\tarticle\tprice"), b'\t');
        assert_eq!(sniff_delimiter("single"), b';');
        let m = mapping();
        assert!(looks_like_header(&["Бренд", "Артикул", "Имя", "Цена"], &m));
        assert!(!looks_like_header(&["Mann", "W712", "Filter", "450"], &m));
    }

    #[test]
    fn mapping_is_guessed_from_common_titles() {
        let header: Vec<String> = [
            "Производитель",
            "Артикул",
            "Наименование",
            "Цена, руб",
            "Наличие",
            "Срок поставки",
            "Поставщик",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            guess_mapping(&header),
            Some(ColumnMapping {
                brand: Some(0),
                article: 1,
                name: Some(2),
                price: 3,
                stock: Some(4),
                delivery_days: Some(5),
                supplier: Some(6),
            })
        );
        let no_price: Vec<String> = ["brand", "article"].iter().map(|s| s.to_string()).collect();
        assert_eq!(guess_mapping(&no_price), None);
    }

    #[test]
    fn columns_by_position_or_by_name() {
        let header: Vec<String> = ["Бренд", "Артикул", "Цена"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(resolve_column("2", None), Ok(1));
        assert_eq!(resolve_column("цена", Some(&header)), Ok(2));
        assert!(resolve_column("0", None).is_err());
        assert!(resolve_column("price", None).unwrap_err().contains("no header"));
        assert!(resolve_column("price", Some(&header))
            .unwrap_err()
            .contains("Артикул"));
    }
}
