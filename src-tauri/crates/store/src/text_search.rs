//! Substring search over SQLite's FTS5 trigram indexes (`shop_orders_text`, `lines_text`,
//! `offers_text`, `customers_text`), and the same match checked row by row where reading the
//! index costs more.

/// The shortest fragment the trigram index can look up.
pub(crate) const TRIGRAM: usize = 3;

// SQLite: FTS5 phrase syntax.
/// The search as an FTS5 phrase, when it is long enough for the trigram index.
pub(crate) fn trigram_phrase(search: &str) -> Option<String> {
    let search = search.trim();
    (search.chars().count() >= TRIGRAM).then(|| format!("\"{}\"", search.replace('"', "\"\"")))
}

// SQLite: GLOB syntax (`*`, `?`, `[…]`).
/// A GLOB pattern that finds `search` anywhere in a text whatever the case of its letters, the
/// way the trigram index matches (SQLite's LIKE folds ASCII letters only, so a Cyrillic name
/// typed in lower case would not be found): each cased letter becomes the class of its cases.
pub(crate) fn contains_glob(search: &str) -> String {
    let mut glob = String::from("*");
    for c in search.trim().chars() {
        let lower: Vec<char> = c.to_lowercase().collect();
        let upper: Vec<char> = c.to_uppercase().collect();
        let mut cases = vec![c];
        // A letter whose other case is more than one character (ß → SS) is matched as typed.
        for other in [lower, upper] {
            if let [o] = other[..] {
                if !cases.contains(&o) {
                    cases.push(o);
                }
            }
        }
        match (cases.len(), c) {
            (1, '*' | '?' | '[') => glob.extend(['[', c, ']']),
            (1, _) => glob.push(c),
            _ => {
                glob.push('[');
                glob.extend(cases);
                glob.push(']');
            }
        }
    }
    glob.push('*');
    glob
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_needs_three_characters_and_quotes_its_quotes() {
        assert_eq!(trigram_phrase(" ab "), None);
        assert_eq!(trigram_phrase(" a\"b "), Some("\"a\"\"b\"".into()));
    }

    #[test]
    fn the_glob_takes_either_case_of_each_letter_and_the_glob_characters_literally() {
        assert_eq!(contains_glob("Смa1"), "*[Сс][мМ][aA]1*");
        assert_eq!(contains_glob("*?[]"), "*[*][?][[]]*");
        assert_eq!(contains_glob("ß"), "*ß*");
    }
}
