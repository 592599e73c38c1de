//! Matching keys for customers. Full E.164 parsing comes with the customers issue; this keeps the
//! keys stable enough that the same buyer typed two ways matches.

/// Digits of a phone number, with a Russian trunk prefix `8` or a bare 10-digit number read as `+7`.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.len() {
        10 => format!("7{digits}"),
        11 if digits.starts_with('8') => format!("7{}", &digits[1..]),
        n if n < 7 => return None,
        _ => digits,
    };
    Some(format!("+{digits}"))
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
            "9123456789",
            "+79123456789",
        ] {
            assert_eq!(normalize_phone(raw).as_deref(), Some("+79123456789"), "{raw}");
        }
        assert_eq!(normalize_phone(""), None);
        assert_eq!(normalize_phone("12"), None);
        assert_eq!(
            normalize_phone("+48 601 234 567").as_deref(),
            Some("+48601234567")
        );
    }

    #[test]
    fn emails_are_lower_cased() {
        assert_eq!(normalize_email(" Ivan@Mail.RU ").as_deref(), Some("ivan@mail.ru"));
        assert_eq!(normalize_email("nobody"), None);
    }
}
