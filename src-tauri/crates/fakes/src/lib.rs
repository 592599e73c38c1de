//! Fake marketplace servers on loopback. Each speaks its marketplace's documented wire format
//! (paths, headers, bodies, pagination, error shapes, 429 + Retry-After), keeps a log of every call
//! it received, and can be told to misbehave. Used by contract tests, engine tests, benchmarks,
//! end-to-end tests (through an admin HTTP API) and demo mode.

// Handlers answer errors as ready-made HTTP responses; boxing them would only add noise to a test server.
#![allow(clippy::result_large_err)]

mod admin;
pub mod amazon;
pub mod amocrm;
pub mod binary;
pub mod bitrix24;
pub mod cartum;
pub mod faults;
pub mod gettzap;
pub mod insales;
mod limit;
pub mod moysklad;
pub mod ozon;
pub mod retailcrm;
mod server;
pub mod shiptor;
pub mod shopify;
mod webhooks;
pub mod woocommerce;
pub mod zzap;
