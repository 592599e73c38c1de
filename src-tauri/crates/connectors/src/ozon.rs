//! Ozon Seller API, FBS and realFBS postings. (Being written: see the Ozon connector task.)

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ordertray_core::{Account, ConnectionReport, Credentials, Effect};

use crate::{Connector, ConnectorError, Page};

pub const DEFAULT_BASE_URL: &str = "https://api-seller.ozon.ru";

pub struct OzonConnector {
    _base_url: String,
}

impl OzonConnector {
    pub fn new(account: &Account, _credentials: Credentials, _http: reqwest::Client) -> Self {
        Self { _base_url: account.base_url.clone().unwrap_or_else(|| DEFAULT_BASE_URL.to_string()) }
    }
}

#[async_trait]
impl Connector for OzonConnector {
    async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        Err(ConnectorError::Network("not implemented yet".into()))
    }
    async fn fetch_page(&self, _cursor: &str, _now: DateTime<Utc>) -> Result<Page, ConnectorError> {
        Err(ConnectorError::Network("not implemented yet".into()))
    }
    async fn push(&self, _effect: &Effect) -> Result<(), ConnectorError> {
        Err(ConnectorError::Network("not implemented yet".into()))
    }
    async fn already_applied(&self, _effect: &Effect) -> Result<bool, ConnectorError> {
        Ok(false)
    }
}
