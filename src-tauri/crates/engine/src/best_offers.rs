//! The inbox's inline offer: each line waiting for a decision carries the offer `a` accepts it
//! with, the first of those the offer dialog lists (cheapest first). Looked up for all the lines
//! of an inbox read in one batch (`Store::offer_matches`); a price-list import or deletion tells
//! the UI to read the inbox again, so the offers follow the lists.

use ordertray_core::InboxLine;
use ordertray_store::LineLookup;

use crate::{Engine, Result};

impl Engine {
    pub(crate) async fn with_best_offers(&self, lines: &mut [InboxLine]) -> Result<()> {
        let lookups: Vec<LineLookup> = lines.iter().map(LineLookup::from).collect();
        let mut matches = self.0.store.offer_matches(&lookups).await?;
        for line in lines {
            line.best_offer = matches.remove(&line.line.id).and_then(|m| m.into_iter().next());
        }
        Ok(())
    }
}
