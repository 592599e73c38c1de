//! Delivery addresses field by field (what delivery services and CRMs take), and the splitting of
//! one-line addresses where the split is unambiguous.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where an order goes: a street address, a pickup point, or both (the buyer's city with the point
/// in it). `text` is the address as one line: the parts joined when there are parts, else the line
/// as it was received (an old order, a marketplace that sends one line that could not be split).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Address {
    pub country: String,
    pub region: String,
    pub city: String,
    /// With its kind ("ул. Тверская"), as couriers and CRMs read it.
    pub street: String,
    /// Without the "д." ("7", "7к2", "12/3").
    pub house: String,
    /// Flat or office, without the "кв." ("12").
    pub flat: String,
    pub postal_code: String,
    pub pickup_point_id: String,
    pub pickup_point_address: String,
    pub text: String,
}

impl Address {
    /// A one-line address as received: split into parts where that is unambiguous, else kept whole.
    pub fn from_text(line: &str) -> Self {
        let line = line.trim();
        let mut a = split_one_line(line).unwrap_or_default();
        a.text = line.to_string();
        a.with_text()
    }

    /// Any of the fields a courier reads (the one-line text aside).
    pub fn has_parts(&self) -> bool {
        [
            &self.country,
            &self.region,
            &self.city,
            &self.street,
            &self.house,
            &self.flat,
            &self.postal_code,
            &self.pickup_point_id,
            &self.pickup_point_address,
        ]
        .iter()
        .any(|f| !f.trim().is_empty())
    }

    pub fn is_empty(&self) -> bool {
        !self.has_parts() && self.text.trim().is_empty()
    }

    pub fn has_pickup_point(&self) -> bool {
        !self.pickup_point_id.trim().is_empty()
    }

    /// Somewhere a parcel can be taken to: a pickup point, a city, or a kept one-line address.
    pub fn has_destination(&self) -> bool {
        self.has_pickup_point() || !self.city.trim().is_empty() || !self.text.trim().is_empty()
    }

    /// Trimmed fields, and `text` made from the parts when there are parts.
    pub fn with_text(mut self) -> Self {
        for f in [
            &mut self.country,
            &mut self.region,
            &mut self.city,
            &mut self.street,
            &mut self.house,
            &mut self.flat,
            &mut self.postal_code,
            &mut self.pickup_point_id,
            &mut self.pickup_point_address,
            &mut self.text,
        ] {
            *f = f.trim().to_string();
        }
        if self.has_parts() {
            self.text = self.joined();
        }
        self
    }

    /// "125009, Россия, Москва, ул. Тверская, д. 7, кв. 12", then the pickup point.
    fn joined(&self) -> String {
        let region = (!self.region.eq_ignore_ascii_case(&self.city)).then_some(self.region.as_str());
        let house = (!self.house.is_empty()).then(|| format!("д. {}", self.house));
        let flat = (!self.flat.is_empty()).then(|| format!("кв. {}", self.flat));
        let point = match (self.pickup_point_address.as_str(), self.pickup_point_id.as_str()) {
            ("", "") => None,
            (addr, "") => Some(addr.to_string()),
            ("", id) => Some(format!("[{id}]")),
            (addr, id) => Some(format!("{addr} [{id}]")),
        };
        [
            Some(self.postal_code.as_str()),
            Some(self.country.as_str()),
            region,
            Some(self.city.as_str()),
            Some(self.street.as_str()),
            house.as_deref(),
            flat.as_deref(),
            point.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Part {
    Postal,
    Country,
    Region,
    City,
    Street,
    House,
    Flat,
}

const COUNTRIES: &[&str] = &[
    "россия",
    "российская федерация",
    "рф",
    "russia",
    "russian federation",
];
/// Cities that are regions of their own and come without "г.".
const FEDERAL_CITIES: &[&str] = &["москва", "санкт-петербург", "севастополь"];
const REGION_WORDS: &[&str] = &[
    "обл",
    "обл.",
    "область",
    "край",
    "респ",
    "респ.",
    "республика",
    "ао",
    "автономный",
    "округ",
];
const CITY_PREFIXES: &[&str] = &[
    "г.",
    "г",
    "город",
    "пгт",
    "пгт.",
    "пос.",
    "посёлок",
    "поселок",
    "село",
    "деревня",
    "станица",
    "ст-ца",
];
const STREET_WORDS: &[&str] = &[
    "ул",
    "ул.",
    "улица",
    "пр",
    "пр.",
    "пр-т",
    "пр-кт",
    "просп.",
    "проспект",
    "пер",
    "пер.",
    "переулок",
    "ш",
    "ш.",
    "шоссе",
    "б-р",
    "бул.",
    "бульвар",
    "наб",
    "наб.",
    "набережная",
    "пл",
    "пл.",
    "площадь",
    "проезд",
    "пр-д",
    "мкр",
    "мкр.",
    "микрорайон",
    "тупик",
    "аллея",
    "линия",
];
const HOUSE_PREFIXES: &[&str] = &["д.", "д", "дом"];
const FLAT_PREFIXES: &[&str] = &["кв.", "кв", "квартира", "оф.", "оф", "офис"];

/// The parts of a one-line Russian address when each comma-separated piece says what it is (or
/// its place does: a number right after the street is the house, right after the house the flat,
/// a plain name before the street the city); `None` when any piece is unclear or a part repeats.
pub fn split_one_line(line: &str) -> Option<Address> {
    let pieces: Vec<&str> = line.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    if pieces.len() < 2 {
        return None;
    }
    let mut a = Address::default();
    let mut seen: Vec<Part> = vec![];
    for piece in pieces {
        let last = seen.last().copied();
        let (part, value) = classify(piece, last, seen.contains(&Part::City))?;
        if seen.contains(&part) {
            return None;
        }
        seen.push(part);
        let slot = match part {
            Part::Postal => &mut a.postal_code,
            Part::Country => &mut a.country,
            Part::Region => &mut a.region,
            Part::City => &mut a.city,
            Part::Street => &mut a.street,
            Part::House => &mut a.house,
            Part::Flat => &mut a.flat,
        };
        *slot = value;
    }
    // A street address needs its street; a postal code and a city alone are a valid split too.
    (a.house.is_empty() || !a.street.is_empty()).then_some(a)
}

fn classify(piece: &str, last: Option<Part>, have_city: bool) -> Option<(Part, String)> {
    let lower = piece.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let first = *words.first()?;
    let rest = || {
        piece[piece.find(char::is_whitespace).unwrap_or(piece.len())..]
            .trim()
            .to_string()
    };
    if piece.len() == 6 && piece.chars().all(|c| c.is_ascii_digit()) {
        return Some((Part::Postal, piece.into()));
    }
    if COUNTRIES.contains(&lower.as_str()) {
        return Some((Part::Country, piece.into()));
    }
    if words.iter().any(|w| REGION_WORDS.contains(w)) {
        return Some((Part::Region, piece.into()));
    }
    if words.len() > 1 && CITY_PREFIXES.contains(&first) {
        return Some((Part::City, rest()));
    }
    if let Some(city) = piece.strip_prefix("г.").filter(|c| !c.trim().is_empty()) {
        return Some((Part::City, city.trim().into()));
    }
    if FEDERAL_CITIES.contains(&lower.as_str()) {
        return Some((Part::City, piece.into()));
    }
    if words.iter().any(|w| STREET_WORDS.contains(w)) {
        return Some((Part::Street, piece.into()));
    }
    if words.len() > 1 && HOUSE_PREFIXES.contains(&first) && is_house_number(&rest()) {
        return Some((Part::House, rest()));
    }
    if let Some(n) = piece
        .strip_prefix("д.")
        .map(str::trim)
        .filter(|n| is_house_number(n))
    {
        return Some((Part::House, n.into()));
    }
    if words.len() > 1 && FLAT_PREFIXES.contains(&first) && is_flat_number(&rest()) {
        return Some((Part::Flat, rest()));
    }
    if let Some(n) = piece
        .strip_prefix("кв.")
        .map(str::trim)
        .filter(|n| is_flat_number(n))
    {
        return Some((Part::Flat, n.into()));
    }
    match last {
        Some(Part::Street) if is_house_number(piece) => Some((Part::House, piece.into())),
        Some(Part::House) if is_flat_number(piece) => Some((Part::Flat, piece.into())),
        _ if !have_city && is_plain_name(piece) && last != Some(Part::Street) => {
            Some((Part::City, piece.into()))
        }
        _ => None,
    }
}

/// "7", "7а", "12/3", "7к2", "7 к 2", "7 корп. 2", "7 стр 1".
fn is_house_number(s: &str) -> bool {
    let s = s.to_lowercase().replace(' ', "");
    let s = s
        .replace("корп.", "к")
        .replace("корп", "к")
        .replace("стр.", "с")
        .replace("стр", "с");
    let mut chars = s.chars().peekable();
    if !chars.peek().is_some_and(char::is_ascii_digit) {
        return false;
    }
    s.chars()
        .all(|c| c.is_ascii_digit() || c == '/' || c == '-' || c.is_alphabetic())
        && s.chars().filter(|c| c.is_alphabetic()).count() <= 3
}

fn is_flat_number(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 8
        && s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_digit() || c.is_alphabetic())
}

/// A settlement's name: letters, spaces and hyphens, capitalised ("Казань", "Ростов-на-Дону").
fn is_plain_name(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
        && s.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(a: &Address) -> [&str; 7] {
        [
            &a.postal_code,
            &a.country,
            &a.region,
            &a.city,
            &a.street,
            &a.house,
            &a.flat,
        ]
    }

    #[test]
    fn addresses_that_say_what_each_piece_is_are_split() {
        let cases: &[(&str, [&str; 7])] = &[
            (
                "125009, Россия, Москва, ул. Тверская, д. 7, кв. 12",
                ["125009", "Россия", "", "Москва", "ул. Тверская", "7", "12"],
            ),
            (
                "Москва, ул. Тверская, 7, 12",
                ["", "", "", "Москва", "ул. Тверская", "7", "12"],
            ),
            (
                "420111, Республика Татарстан, г. Казань, ул. Баумана, д. 5к2",
                [
                    "420111",
                    "",
                    "Республика Татарстан",
                    "Казань",
                    "ул. Баумана",
                    "5к2",
                    "",
                ],
            ),
            (
                "Московская обл., г Химки, Ленинградское шоссе, 12/3, кв 4",
                [
                    "",
                    "",
                    "Московская обл.",
                    "Химки",
                    "Ленинградское шоссе",
                    "12/3",
                    "4",
                ],
            ),
            (
                "Ростов-на-Дону, пр-т Ворошиловский, д 20",
                ["", "", "", "Ростов-на-Дону", "пр-т Ворошиловский", "20", ""],
            ),
            (
                "190000, Санкт-Петербург",
                ["190000", "", "", "Санкт-Петербург", "", "", ""],
            ),
        ];
        for (line, want) in cases {
            let a = split_one_line(line).unwrap_or_else(|| panic!("not split: {line}"));
            assert_eq!(parts(&a), *want, "{line}");
        }
    }

    #[test]
    fn unclear_addresses_stay_one_line() {
        for line in [
            "Москва",
            "Тверская 7 кв 12",
            "Москва, Тверская, 7",
            "Москва, Казань, ул. Ленина, 1",
            "ул. Ленина, ул. Мира, 1",
            "7, ул. Ленина",
            "Москва, ул. Ленина, 1, 2, 3",
            "Москва, ул. Ленина, дом у реки",
            "",
        ] {
            assert_eq!(split_one_line(line), None, "{line}");
            let kept = Address::from_text(line);
            assert!(!kept.has_parts(), "{line}");
            assert_eq!(kept.text, line.trim());
        }
    }

    #[test]
    fn the_one_line_text_follows_the_parts() {
        let a = Address::from_text("  125009, Россия, Москва, ул. Тверская, д. 7, кв. 12 ");
        assert_eq!(a.text, "125009, Россия, Москва, ул. Тверская, д. 7, кв. 12");
        let moved = Address {
            house: "9".into(),
            ..a
        }
        .with_text();
        assert_eq!(moved.text, "125009, Россия, Москва, ул. Тверская, д. 9, кв. 12");
        let point = Address {
            city: "Москва".into(),
            region: "Москва".into(),
            pickup_point_id: "PVZ-77".into(),
            pickup_point_address: "ул. Арбат, 1".into(),
            ..Address::default()
        }
        .with_text();
        assert_eq!(point.text, "Москва, ул. Арбат, 1 [PVZ-77]");
        assert!(point.has_destination());
        assert!(!Address::default().has_destination());
        assert!(Address::from_text("somewhere far").has_destination());
    }
}
