//! Matching keys for customers: the same buyer typed two ways must land on one customer.

use phonenumber::country::Id;
use phonenumber::Mode;

/// The one customer for orders whose platform hides who bought (a shop plan without access to
/// customer data): such orders share it rather than each making a nameless customer.
pub const UNSPECIFIED_CUSTOMER: &str = "Unspecified";

/// A phone number in E.164 ("+79123456789"), read with Russia as the home region, so that
/// "8 (912) 345-67-89" and "+7 912 345 67 89" are one number; `None` when it is not a valid number.
/// An extension stays ("+14803860930 ext. 73824"): a marketplace that masks buyers' phones gives
/// them one shared number and an extension each, and without it they would all be one customer.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.chars().filter(char::is_ascii_digit).count() < 7 {
        return None;
    }
    let parsed = phonenumber::parse(Some(Id::RU), raw).ok()?;
    if !phonenumber::is_valid(&parsed) {
        return None;
    }
    let number = parsed.format().mode(Mode::E164).to_string();
    Some(match parsed.extension() {
        Some(ext) if !ext.is_empty() => format!("{number} ext. {}", &**ext),
        _ => number,
    })
}

pub fn normalize_email(raw: &str) -> Option<String> {
    let e = raw.trim().to_lowercase();
    (e.contains('@') && !e.starts_with('@') && !e.ends_with('@')).then_some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_in_common_russian_formats_match() {
        for raw in [
            "+7 (912) 345-67-89",
            "8 912 345 67 89",
            "8(912)3456789",
            "9123456789",
            "+79123456789",
            " +7 912 345-67-89 ",
        ] {
            assert_eq!(normalize_phone(raw).as_deref(), Some("+79123456789"), "{raw}");
        }
        assert_eq!(normalize_phone(""), None);
        assert_eq!(normalize_phone("12"), None);
        assert_eq!(normalize_phone("not a phone"), None);
        assert_eq!(
            normalize_phone("+7 000 000 00 00"),
            None,
            "invalid numbers match nothing"
        );
        assert_eq!(
            normalize_phone("+48 601 234 567").as_deref(),
            Some("+48601234567")
        );
    }

    #[test]
    fn a_shared_masked_number_keeps_each_buyers_extension() {
        let x = normalize_phone("+1 480-386-0930 ext. 73824");
        let y = normalize_phone("+1 480-386-0930 ext. 111");
        assert_eq!(x.as_deref(), Some("+14803860930 ext. 73824"));
        assert_ne!(x, y);
        assert_eq!(
            normalize_phone("+1 480 386 0930").as_deref(),
            Some("+14803860930")
        );
    }

    #[test]
    fn emails_are_lower_cased() {
        assert_eq!(normalize_email(" Ivan@Mail.RU ").as_deref(), Some("ivan@mail.ru"));
        assert_eq!(normalize_email("nobody"), None);
    }
}
