//! CSV export of the shop's orders: the columns a manager can choose, their titles per language,
//! and the writer that turns rows into exactly the bytes the dialog and the CLI both produce.

use std::io::Write;

use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Timelike, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cabinet::{OrderType, PaymentMethod, Period};
use crate::notify_text::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportColumn {
    Number,
    CreatedAt,
    Status,
    OrderType,
    Marketplace,
    Account,
    RecipientName,
    RecipientPhone,
    RecipientEmail,
    Address,
    PostalCode,
    PaymentMethod,
    Paid,
    Cod,
    DeclaredValue,
    DeliveryMethod,
    DeliveryCost,
    WeightG,
    Total,
    Currency,
    ItemArticle,
    ItemBrand,
    ItemName,
    ItemQuantity,
    ItemPrice,
}

impl ExportColumn {
    pub const ALL: [ExportColumn; 25] = [
        ExportColumn::Number,
        ExportColumn::CreatedAt,
        ExportColumn::Status,
        ExportColumn::OrderType,
        ExportColumn::Marketplace,
        ExportColumn::Account,
        ExportColumn::RecipientName,
        ExportColumn::RecipientPhone,
        ExportColumn::RecipientEmail,
        ExportColumn::Address,
        ExportColumn::PostalCode,
        ExportColumn::PaymentMethod,
        ExportColumn::Paid,
        ExportColumn::Cod,
        ExportColumn::DeclaredValue,
        ExportColumn::DeliveryMethod,
        ExportColumn::DeliveryCost,
        ExportColumn::WeightG,
        ExportColumn::Total,
        ExportColumn::Currency,
        ExportColumn::ItemArticle,
        ExportColumn::ItemBrand,
        ExportColumn::ItemName,
        ExportColumn::ItemQuantity,
        ExportColumn::ItemPrice,
    ];

    /// The name the CLI's `--columns` takes.
    pub fn key(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == s.trim())
    }

    /// Item columns make one row per item instead of one per order.
    pub fn is_item(self) -> bool {
        matches!(
            self,
            ExportColumn::ItemArticle
                | ExportColumn::ItemBrand
                | ExportColumn::ItemName
                | ExportColumn::ItemQuantity
                | ExportColumn::ItemPrice
        )
    }

    pub fn title(self, lang: Lang) -> &'static str {
        use ExportColumn as C;
        match lang {
            Lang::En => match self {
                C::Number => "Order number",
                C::CreatedAt => "Created",
                C::Status => "Status",
                C::OrderType => "Order type",
                C::Marketplace => "Marketplace",
                C::Account => "Account",
                C::RecipientName => "Recipient",
                C::RecipientPhone => "Phone",
                C::RecipientEmail => "E-mail",
                C::Address => "Address",
                C::PostalCode => "Postal code",
                C::PaymentMethod => "Payment method",
                C::Paid => "Paid",
                C::Cod => "Cash on delivery",
                C::DeclaredValue => "Declared value",
                C::DeliveryMethod => "Delivery method",
                C::DeliveryCost => "Delivery cost",
                C::WeightG => "Weight, g",
                C::Total => "Total",
                C::Currency => "Currency",
                C::ItemArticle => "Article",
                C::ItemBrand => "Brand",
                C::ItemName => "Item",
                C::ItemQuantity => "Quantity",
                C::ItemPrice => "Price",
            },
            Lang::Ru => match self {
                C::Number => "Номер заказа",
                C::CreatedAt => "Создан",
                C::Status => "Статус",
                C::OrderType => "Тип заказа",
                C::Marketplace => "Маркетплейс",
                C::Account => "Аккаунт",
                C::RecipientName => "Получатель",
                C::RecipientPhone => "Телефон",
                C::RecipientEmail => "E-mail",
                C::Address => "Адрес",
                C::PostalCode => "Индекс",
                C::PaymentMethod => "Способ оплаты",
                C::Paid => "Оплачен",
                C::Cod => "Наложенный платёж",
                C::DeclaredValue => "Объявленная ценность",
                C::DeliveryMethod => "Способ доставки",
                C::DeliveryCost => "Стоимость доставки",
                C::WeightG => "Вес, г",
                C::Total => "Сумма",
                C::Currency => "Валюта",
                C::ItemArticle => "Артикул",
                C::ItemBrand => "Бренд",
                C::ItemName => "Товар",
                C::ItemQuantity => "Количество",
                C::ItemPrice => "Цена",
            },
            Lang::Pl => match self {
                C::Number => "Numer zamówienia",
                C::CreatedAt => "Utworzone",
                C::Status => "Status",
                C::OrderType => "Typ zamówienia",
                C::Marketplace => "Marketplace",
                C::Account => "Konto",
                C::RecipientName => "Odbiorca",
                C::RecipientPhone => "Telefon",
                C::RecipientEmail => "E-mail",
                C::Address => "Adres",
                C::PostalCode => "Kod pocztowy",
                C::PaymentMethod => "Metoda płatności",
                C::Paid => "Opłacone",
                C::Cod => "Za pobraniem",
                C::DeclaredValue => "Wartość deklarowana",
                C::DeliveryMethod => "Metoda dostawy",
                C::DeliveryCost => "Koszt dostawy",
                C::WeightG => "Waga, g",
                C::Total => "Suma",
                C::Currency => "Waluta",
                C::ItemArticle => "Artykuł",
                C::ItemBrand => "Marka",
                C::ItemName => "Towar",
                C::ItemQuantity => "Ilość",
                C::ItemPrice => "Cena",
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Delimiter {
    #[default]
    Comma,
    Semicolon,
    Tab,
}

impl Delimiter {
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }

    /// The CLI's spelling: `,`, `;` or `tab`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "," | "comma" => Delimiter::Comma,
            ";" | "semicolon" => Delimiter::Semicolon,
            "tab" | "\t" => Delimiter::Tab,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum CsvEncoding {
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "cp1251")]
    Cp1251,
}

impl CsvEncoding {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(CsvEncoding::Utf8),
            "cp1251" | "windows-1251" => Some(CsvEncoding::Cp1251),
            _ => None,
        }
    }
}

/// Which orders go into the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct ExportFilter {
    pub order_type: Option<OrderType>,
    pub status_id: Option<i64>,
    pub period: Period,
    pub payment: Option<ExportPayment>,
    pub paid: Option<bool>,
}

/// The export's payment choice: one method, or "card" (on delivery and online). The methods keep
/// the names a single method was saved under, so presets saved before "card" read the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportPayment {
    CashOnDelivery,
    CardOnDelivery,
    CardOnline,
    Prepaid,
    Card,
}

impl ExportPayment {
    pub fn methods(self) -> Vec<PaymentMethod> {
        match self {
            Self::CashOnDelivery => vec![PaymentMethod::CashOnDelivery],
            Self::CardOnDelivery => vec![PaymentMethod::CardOnDelivery],
            Self::CardOnline => vec![PaymentMethod::CardOnline],
            Self::Prepaid => vec![PaymentMethod::Prepaid],
            Self::Card => vec![PaymentMethod::CardOnDelivery, PaymentMethod::CardOnline],
        }
    }

    /// A method's name, or "card".
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "card" => Some(Self::Card),
            other => PaymentMethod::parse(other).map(|p| match p {
                PaymentMethod::CashOnDelivery => Self::CashOnDelivery,
                PaymentMethod::CardOnDelivery => Self::CardOnDelivery,
                PaymentMethod::CardOnline => Self::CardOnline,
                PaymentMethod::Prepaid => Self::Prepaid,
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct ExportOptions {
    pub filter: ExportFilter,
    pub delimiter: Delimiter,
    pub encoding: CsvEncoding,
    pub columns: Vec<ExportColumn>,
    /// The language of the titles, statuses and words in the file.
    pub lang: Lang,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            filter: ExportFilter::default(),
            delimiter: Delimiter::Comma,
            encoding: CsvEncoding::Utf8,
            columns: default_columns(),
            lang: Lang::En,
        }
    }
}

/// The columns of a new export: the order's own fields, no items.
pub fn default_columns() -> Vec<ExportColumn> {
    use ExportColumn as C;
    vec![
        C::Number,
        C::CreatedAt,
        C::Status,
        C::Marketplace,
        C::RecipientName,
        C::RecipientPhone,
        C::Address,
        C::PaymentMethod,
        C::Paid,
        C::Total,
        C::Currency,
    ]
}

/// A named set of export options the dialog offers again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportPreset {
    pub name: String,
    pub options: ExportOptions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportSummary {
    pub path: String,
    pub orders: u64,
    pub rows: u64,
    pub bytes: u64,
    /// Characters the chosen encoding cannot hold, written as "?".
    pub replaced_chars: u64,
}

/// One order's fields as the file shows them (already worded for the language).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportOrder {
    pub number: String,
    pub created_at: Option<DateTime<Utc>>,
    pub status: String,
    pub order_type: Option<OrderType>,
    pub marketplace: String,
    pub account: String,
    pub recipient_name: String,
    pub recipient_phone: String,
    pub recipient_email: String,
    pub address: String,
    pub postal_code: String,
    pub payment_method: Option<PaymentMethod>,
    pub paid: bool,
    pub cod: bool,
    pub declared_value: Decimal,
    pub delivery_method: String,
    pub delivery_cost: Decimal,
    pub weight_g: i64,
    pub total: Decimal,
    pub currency: String,
    pub items: Vec<ExportItem>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportItem {
    pub article: String,
    pub brand: String,
    pub name: String,
    pub quantity: i64,
    pub price: Decimal,
}

/// A spreadsheet runs a cell that starts with these as a formula: such cells get a leading
/// apostrophe, which spreadsheets show as text and do not run. The full-width forms count too:
/// spreadsheets with East Asian input normalise `＝＋－＠` to their ASCII twins.
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '＝' | '＋' | '－' | '＠') => {
            format!("'{cell}").into()
        }
        _ => cell.into(),
    }
}

/// Writes the header and order rows in the chosen delimiter and encoding, one order at a time, so
/// memory stays flat whatever the size. One CSV writer and two scratch buffers serve every row:
/// cells are written from the order's own strings, never copied into a row of their own.
pub struct CsvExporter<W: Write, Z: TimeZone = FixedOffset> {
    out: W,
    options: ExportOptions,
    /// The zone dates are written in: the manager's, with its own offset on each date (a zone
    /// with daylight saving writes a winter order in winter time whenever it is exported).
    zone: Z,
    /// Quotes and delimits each row into its buffer (taken and cleared row by row).
    csv: csv::Writer<RowBuf>,
    /// A cell formatted here (a date, an amount, a number) before it is written.
    cell: String,
    /// A row in CP1251.
    encoded: Vec<u8>,
    /// Whether the columns ask for a row per item.
    per_item: bool,
    /// Data rows written (the header not counted).
    pub rows: u64,
    pub orders: u64,
    pub bytes: u64,
    pub replaced_chars: u64,
}

impl<W: Write, Z: TimeZone> CsvExporter<W, Z> {
    /// `zone`: the time zone the dates are written in (the manager's).
    pub fn new(out: W, options: ExportOptions, zone: Z) -> Self {
        let per_item = options.columns.iter().any(|c| c.is_item());
        let csv = csv::WriterBuilder::new()
            .delimiter(options.delimiter.byte())
            .terminator(csv::Terminator::CRLF)
            .from_writer(RowBuf::default());
        Self {
            out,
            options,
            zone,
            csv,
            cell: String::with_capacity(32),
            encoded: Vec::with_capacity(512),
            per_item,
            rows: 0,
            orders: 0,
            bytes: 0,
            replaced_chars: 0,
        }
    }

    /// The byte-order mark for UTF-8 (spreadsheets otherwise read it as the local code page), then
    /// the titles.
    pub fn write_header(&mut self) -> std::io::Result<()> {
        if self.options.encoding == CsvEncoding::Utf8 {
            self.out.write_all(b"\xEF\xBB\xBF")?;
            self.bytes += 3;
        }
        let lang = self.options.lang;
        for c in &self.options.columns {
            self.csv.write_field(neutralize(c.title(lang)).as_bytes())?;
        }
        self.end_row()
    }

    pub fn write_order(&mut self, order: &ExportOrder) -> std::io::Result<()> {
        self.orders += 1;
        if self.per_item && !order.items.is_empty() {
            for item in &order.items {
                self.write_row(order, Some(item))?;
            }
        } else {
            self.write_row(order, None)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }

    fn write_row(&mut self, o: &ExportOrder, item: Option<&ExportItem>) -> std::io::Result<()> {
        use std::fmt::Write as _;
        use ExportColumn as C;
        let Self {
            options,
            zone,
            csv,
            cell,
            ..
        } = self;
        let lang = options.lang;
        let comma = options.delimiter == Delimiter::Semicolon;
        for column in &options.columns {
            cell.clear();
            let text: &str = match column {
                C::Number => &o.number,
                C::CreatedAt => {
                    if let Some(t) = o.created_at {
                        let t = t.with_timezone(zone);
                        let _ = write!(
                            cell,
                            "{:04}-{:02}-{:02} {:02}:{:02}",
                            t.year(),
                            t.month(),
                            t.day(),
                            t.hour(),
                            t.minute()
                        );
                    }
                    cell
                }
                C::Status => &o.status,
                C::OrderType => o.order_type.map_or("", |t| order_type_word(t, lang)),
                C::Marketplace => &o.marketplace,
                C::Account => &o.account,
                C::RecipientName => &o.recipient_name,
                C::RecipientPhone => &o.recipient_phone,
                C::RecipientEmail => &o.recipient_email,
                C::Address => &o.address,
                C::PostalCode => &o.postal_code,
                C::PaymentMethod => o.payment_method.map_or("", |p| payment_word(p, lang)),
                C::Paid => yes_no(o.paid, lang),
                C::Cod => yes_no(o.cod, lang),
                C::DeclaredValue => money(cell, o.declared_value, comma),
                C::DeliveryMethod => &o.delivery_method,
                C::DeliveryCost => money(cell, o.delivery_cost, comma),
                C::WeightG => {
                    let _ = write!(cell, "{}", o.weight_g);
                    cell
                }
                C::Total => money(cell, o.total, comma),
                C::Currency => &o.currency,
                C::ItemArticle => item.map_or("", |i| &i.article),
                C::ItemBrand => item.map_or("", |i| &i.brand),
                C::ItemName => item.map_or("", |i| &i.name),
                C::ItemQuantity => match item {
                    Some(i) => {
                        let _ = write!(cell, "{}", i.quantity);
                        cell
                    }
                    None => "",
                },
                C::ItemPrice => match item {
                    Some(i) => money(cell, i.price, comma),
                    None => "",
                },
            };
            csv.write_field(neutralize(text).as_bytes())?;
        }
        self.rows += 1;
        self.end_row()
    }

    /// Ends the row and writes it out in the file's encoding.
    fn end_row(&mut self) -> std::io::Result<()> {
        self.csv.write_record(None::<&[u8]>)?;
        self.csv.flush()?;
        let mut row = self.csv.get_ref().0.take();
        let written = match self.options.encoding {
            CsvEncoding::Utf8 => self.out.write_all(&row).map(|()| row.len()),
            CsvEncoding::Cp1251 => match std::str::from_utf8(&row) {
                Ok(text) => {
                    self.replaced_chars += to_cp1251(text, &mut self.encoded);
                    self.out.write_all(&self.encoded).map(|()| self.encoded.len())
                }
                Err(e) => Err(std::io::Error::other(e)),
            },
        };
        row.clear();
        self.csv.get_ref().0.set(row);
        self.bytes += written? as u64;
        Ok(())
    }
}

/// The CSV writer's output. The writer lends it only as `&`, so each row is taken out of the cell
/// and its (cleared) buffer put back for the next.
#[derive(Default)]
struct RowBuf(std::cell::Cell<Vec<u8>>);

impl Write for RowBuf {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.get_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Two decimals into `cell`; a decimal comma where the file is semicolon-separated (the European
/// spreadsheet convention, where a dot would read as a date or text).
fn money(cell: &mut String, d: Decimal, comma: bool) -> &str {
    use std::fmt::Write as _;
    let _ = write!(cell, "{:.2}", d.round_dp(2));
    if let (true, Some(dot)) = (comma, cell.find('.')) {
        cell.replace_range(dot..=dot, ",");
    }
    cell
}

/// Windows-1251 bytes of `text` into `out` (replacing what it held), each character it cannot hold
/// written as "?" (not the HTML entity the WHATWG encoder would write, which a spreadsheet would show
/// literally); returns how many were replaced.
fn to_cp1251(text: &str, out: &mut Vec<u8>) -> u64 {
    let mut encoder = encoding_rs::WINDOWS_1251.new_encoder();
    // One byte per character at most: the UTF-8 text is never shorter.
    out.clear();
    out.resize(text.len(), 0);
    let (mut replaced, mut written, mut rest) = (0, 0, text);
    loop {
        let (result, read, wrote) =
            encoder.encode_from_utf8_without_replacement(rest, &mut out[written..], true);
        written += wrote;
        rest = &rest[read..];
        match result {
            encoding_rs::EncoderResult::InputEmpty => break,
            // Cannot happen (the buffer holds every character), but would loop without room.
            encoding_rs::EncoderResult::OutputFull => out.resize(out.len() + rest.len() + 1, 0),
            encoding_rs::EncoderResult::Unmappable(_) => {
                out[written] = b'?';
                written += 1;
                replaced += 1;
            }
        }
    }
    out.truncate(written);
    replaced
}

pub fn yes_no(v: bool, lang: Lang) -> &'static str {
    match (v, lang) {
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
        (true, Lang::Ru) => "да",
        (false, Lang::Ru) => "нет",
        (true, Lang::Pl) => "tak",
        (false, Lang::Pl) => "nie",
    }
}

pub fn payment_word(p: PaymentMethod, lang: Lang) -> &'static str {
    use PaymentMethod as P;
    match (p, lang) {
        (P::CashOnDelivery, Lang::En) => "Cash on delivery",
        (P::CashOnDelivery, Lang::Ru) => "Наличными при получении",
        (P::CashOnDelivery, Lang::Pl) => "Gotówką przy odbiorze",
        (P::CardOnDelivery, Lang::En) => "Card on delivery",
        (P::CardOnDelivery, Lang::Ru) => "Картой при получении",
        (P::CardOnDelivery, Lang::Pl) => "Kartą przy odbiorze",
        (P::CardOnline, Lang::En) => "Card online",
        (P::CardOnline, Lang::Ru) => "Картой онлайн",
        (P::CardOnline, Lang::Pl) => "Kartą online",
        (P::Prepaid, Lang::En) => "Prepaid",
        (P::Prepaid, Lang::Ru) => "Предоплата",
        (P::Prepaid, Lang::Pl) => "Przedpłata",
    }
}

pub fn order_type_word(t: OrderType, lang: Lang) -> &'static str {
    use OrderType as T;
    match (t, lang) {
        (T::Standard, Lang::En) => "Standard",
        (T::Standard, Lang::Ru) => "Обычный",
        (T::Standard, Lang::Pl) => "Standardowe",
        (T::Through, Lang::En) => "Direct delivery",
        (T::Through, Lang::Ru) => "Сквозная доставка",
        (T::Through, Lang::Pl) => "Dostawa bezpośrednia",
        (T::Export, Lang::En) => "Export",
        (T::Export, Lang::Ru) => "Экспорт",
        (T::Export, Lang::Pl) => "Eksport",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> ExportOrder {
        ExportOrder {
            number: "=1+2".into(),
            created_at: Some("2026-11-23T07:05:00Z".parse().unwrap()),
            status: "Принят".into(),
            order_type: Some(OrderType::Standard),
            marketplace: "market".into(),
            recipient_name: "Иванов, Пётр".into(),
            recipient_phone: "+79001234567".into(),
            payment_method: Some(PaymentMethod::Prepaid),
            paid: true,
            total: Decimal::new(123450, 2),
            currency: "RUB".into(),
            items: vec![
                ExportItem {
                    article: "-A1".into(),
                    name: "Фильтр ☃".into(),
                    quantity: 2,
                    price: Decimal::from(500),
                    ..Default::default()
                },
                ExportItem {
                    article: "B2".into(),
                    name: "Свеча".into(),
                    quantity: 1,
                    price: Decimal::new(23450, 2),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
    }

    fn export(options: ExportOptions) -> (Vec<u8>, u64, u64) {
        let msk = FixedOffset::east_opt(3 * 3600).unwrap();
        let mut w = CsvExporter::new(Vec::new(), options, msk);
        w.write_header().unwrap();
        w.write_order(&order()).unwrap();
        let (rows, replaced) = (w.rows, w.replaced_chars);
        (w.finish().unwrap(), rows, replaced)
    }

    /// Each date is written with its own offset in the manager's zone: exported in summer, a
    /// winter order keeps its winter time (it was written an hour off, at the export's offset).
    #[test]
    fn dates_take_their_own_offset_across_daylight_saving() {
        let options = ExportOptions {
            columns: vec![ExportColumn::CreatedAt],
            ..Default::default()
        };
        let mut w = CsvExporter::new(Vec::new(), options, chrono_tz::Europe::Warsaw);
        for at in ["2026-01-15T10:00:00Z", "2026-07-15T10:00:00Z"] {
            let mut o = order();
            o.created_at = Some(at.parse().unwrap());
            w.write_order(&o).unwrap();
        }
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(text, "2026-01-15 11:00\r\n2026-07-15 12:00\r\n");
    }

    #[test]
    fn utf8_with_commas_quotes_and_neutralises() {
        let (bytes, rows, _) = export(ExportOptions {
            columns: vec![
                ExportColumn::Number,
                ExportColumn::CreatedAt,
                ExportColumn::RecipientName,
                ExportColumn::Total,
            ],
            lang: Lang::Ru,
            ..Default::default()
        });
        assert_eq!(rows, 1, "data rows, not the header");
        let expected = "\u{feff}Номер заказа,Создан,Получатель,Сумма\r\n'=1+2,2026-11-23 10:05,\"Иванов, Пётр\",1234.50\r\n";
        assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    }

    #[test]
    fn cp1251_with_semicolons_has_exact_bytes_and_decimal_commas() {
        let (bytes, _, replaced) = export(ExportOptions {
            columns: vec![
                ExportColumn::Status,
                ExportColumn::ItemName,
                ExportColumn::ItemPrice,
            ],
            delimiter: Delimiter::Semicolon,
            encoding: CsvEncoding::Cp1251,
            lang: Lang::Ru,
            ..Default::default()
        });
        let (expected, _, _) = encoding_rs::WINDOWS_1251
            .encode("Статус;Товар;Цена\r\nПринят;Фильтр ?;500,00\r\nПринят;Свеча;234,50\r\n");
        assert_eq!(bytes, expected.into_owned(), "one row per item, no BOM");
        assert_eq!(replaced, 1, "the snowman is not in CP1251");
        assert_eq!(
            &bytes[..6],
            &[0xD1, 0xF2, 0xE0, 0xF2, 0xF3, 0xF1],
            "«Статус» in CP1251"
        );
    }

    #[test]
    fn full_width_formula_starters_are_neutralised_too() {
        for cell in ["＝1+2", "＋7", "－A1", "＠SUM(A1)", "=1", "+1", "-1", "@x"] {
            assert_eq!(neutralize(cell), format!("'{cell}"), "{cell}");
        }
        assert_eq!(neutralize("1＝1"), "1＝1");
    }

    #[test]
    fn tab_delimited_items_and_formula_cells() {
        let (bytes, rows, _) = export(ExportOptions {
            columns: vec![
                ExportColumn::Number,
                ExportColumn::ItemArticle,
                ExportColumn::ItemQuantity,
            ],
            delimiter: Delimiter::Tab,
            ..Default::default()
        });
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(rows, 2);
        assert_eq!(
            text,
            "\u{feff}Order number\tArticle\tQuantity\r\n'=1+2\t'-A1\t2\r\n'=1+2\tB2\t1\r\n"
        );
    }

    #[test]
    fn every_dangerous_start_is_neutralised() {
        for s in ["=SUM(A1)", "+7900", "-5", "@cmd", "\tx", "\rx", "\n=1+1"] {
            assert!(neutralize(s).starts_with('\''), "{s:?}");
        }
        for s in ["Иван", "12", "", "a=b"] {
            assert_eq!(neutralize(s), s);
        }
    }

    #[test]
    fn columns_parse_by_their_keys() {
        for c in ExportColumn::ALL {
            assert_eq!(ExportColumn::parse(&c.key()), Some(c));
        }
        assert_eq!(ExportColumn::parse("item_price"), Some(ExportColumn::ItemPrice));
        assert_eq!(Delimiter::parse("tab"), Some(Delimiter::Tab));
        assert_eq!(CsvEncoding::parse("CP1251"), Some(CsvEncoding::Cp1251));
    }

    #[test]
    fn presets_saved_with_one_payment_method_read_the_same_and_card_means_both_cards() {
        let old: ExportFilter = serde_json::from_str(r#"{"payment": "card_online", "paid": false}"#).unwrap();
        assert_eq!(old.payment, Some(ExportPayment::CardOnline));
        assert_eq!(old.payment.unwrap().methods(), [PaymentMethod::CardOnline]);
        let card: ExportFilter = serde_json::from_str(r#"{"payment": "card"}"#).unwrap();
        assert_eq!(
            card.payment.unwrap().methods(),
            [PaymentMethod::CardOnDelivery, PaymentMethod::CardOnline]
        );
        for p in PaymentMethod::ALL {
            let choice = ExportPayment::parse(p.as_str()).unwrap();
            assert_eq!(choice.methods(), [p]);
            assert_eq!(
                serde_json::to_value(choice).unwrap(),
                serde_json::to_value(p).unwrap()
            );
        }
        assert_eq!(ExportPayment::parse("card"), Some(ExportPayment::Card));
        assert_eq!(ExportPayment::parse("barter"), None);
    }
}
