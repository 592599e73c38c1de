//! Customers' personal data, listed so that diagnostics can strip it from anything they export.

use crate::{Result, Store};

/// Where personal data lives: each table with its columns (or values within them) of names,
/// phones, e-mails, addresses. An address is also listed by its street (with its kind, "ул.
/// Тверская"): a text that writes the same address another way than the stored line ("д. 7" or
/// "7", another order of parts, a request's fields) still holds the street. The house and flat
/// alone are too short to be told from other numbers.
const PERSONAL_COLUMNS: &[(&str, &[&str])] = &[
    (
        "orders",
        &[
            "buyer_name",
            "buyer_phone",
            "buyer_email",
            "buyer_address",
            "json_extract(buyer_address_parts, '$.street')",
            "buyer_first_name",
            "buyer_last_name",
        ],
    ),
    (
        "customers",
        &[
            "name",
            "phone",
            "email",
            "address",
            "json_extract(address_parts, '$.street')",
            "first_name",
            "last_name",
        ],
    ),
    (
        "shop_orders",
        &[
            "recipient_name",
            "recipient_phone",
            "recipient_email",
            "address",
            "street",
        ],
    ),
];

/// Rows read per statement: the read never holds a million rows of a table at once.
const CHUNK: i64 = 20_000;

/// Between values in one read: a control character that names, phones and addresses do not hold
/// (were one to, its pieces would still be found, each as a value of its own).
const SEPARATOR: char = '\u{1f}';

impl Store {
    /// Hands every buyer name, phone, e-mail and address the database holds to `visit`, one value
    /// at a time, in no particular order and with repeats. Read as one joined text per chunk of
    /// rows: at a million orders, sorting the values apart in the database (`UNION`) took seconds,
    /// and so did decoding them row by row.
    pub async fn visit_personal_data(&self, mut visit: impl FnMut(&str)) -> Result<()> {
        for (table, columns) in PERSONAL_COLUMNS {
            let joined: Vec<String> = columns.iter().map(|c| format!("coalesce({c}, '')")).collect();
            let sql = format!(
                "SELECT max(id), group_concat(v, char(31)) FROM (
                    SELECT id, {} AS v FROM {table} WHERE id > ? ORDER BY id LIMIT ?
                 )",
                joined.join(" || char(31) || ")
            );
            let mut after = i64::MIN;
            loop {
                let (last, text): (Option<i64>, Option<String>) = sqlx::query_as(&sql)
                    .bind(after)
                    .bind(CHUNK)
                    .fetch_one(&self.pool)
                    .await?;
                let Some(last) = last else { break };
                after = last;
                text.as_deref()
                    .unwrap_or_default()
                    .split(SEPARATOR)
                    .filter(|value| !value.is_empty())
                    .for_each(&mut visit);
            }
        }
        Ok(())
    }
}
