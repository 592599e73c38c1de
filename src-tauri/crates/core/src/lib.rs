//! Ordertray's domain: accounts, external orders and their lines, the triage state machine, the
//! marketplace effects a triage decision causes, and the views the UI and CLI read. Nothing here
//! does I/O, so every rule is unit-testable.

pub mod account;
pub mod address;
pub mod alerts;
pub mod cabinet;
pub mod catalog;
pub mod customer;
pub mod database;
pub mod delivery;
pub mod draft_file;
pub mod effect;
pub mod error;
pub mod error_words;
pub mod export;
pub mod intake;
pub mod net_policy;
pub mod notify_text;
pub mod order;
pub mod policy;
pub mod preorder;
pub mod pricelist;
pub mod pushes;
pub mod rules;
pub mod settings;
pub mod statuses;
pub mod templates;
pub mod timeline;
pub mod views;

pub use account::*;
pub use address::Address;
pub use catalog::{CategoryView, ProductFacts, ProductKey, ProductOrder, ProductQuery, ProductView};
pub use effect::*;
pub use error::*;
pub use error_words::{ErrorWords, Thing, ValueFormat};
pub use order::*;
pub use policy::*;
pub use settings::{AppSettings, RetentionSettings, SyncPause};
pub use views::*;
