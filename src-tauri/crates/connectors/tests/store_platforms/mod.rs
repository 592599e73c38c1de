//! What the store platforms' contract tests share: a connector for an account with the given
//! settings, and a whole sync run page by page.
#![allow(dead_code)]

use std::time::Duration;

use chrono::{DateTime, Utc};
use ordertray_connectors::{connect, http_client, HttpSettings, IntegrationClient, Page};
use ordertray_core::{Account, AccountSettings, Credentials};

/// A connector for account 1 with these settings, its API at `base_url` when given.
pub fn connector_for(
    settings: AccountSettings,
    base_url: Option<String>,
    credentials: Credentials,
) -> Box<dyn IntegrationClient> {
    let account = Account {
        id: 1,
        kind: settings.kind(),
        name: "Shop".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url,
        demo: false,
        settings,
        created_at: Utc::now(),
    };
    let http = http_client(&HttpSettings {
        timeout: Duration::from_secs(2),
    });
    connect(&account, credentials, http)
}

/// One whole run: every page until `done`, from `cursor`.
pub async fn run(c: &dyn IntegrationClient, cursor: &str, now: DateTime<Utc>) -> (Vec<Page>, String) {
    let source = c.order_source().unwrap();
    let mut cursor = cursor.to_string();
    let mut pages = vec![];
    for _ in 0..100 {
        let page = source.fetch_page(&cursor, now).await.unwrap();
        cursor = page.next_cursor.clone();
        let done = page.done;
        pages.push(page);
        if done {
            return (pages, cursor);
        }
    }
    panic!("the run never ended");
}

/// The orders' external ids, page after page.
pub fn ids(pages: &[Page]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.orders.iter().map(|o| o.external_id.clone()))
        .collect()
}
