//! What every benchmark starts from: an engine on a fresh database file, no keychain, no popups.

use std::path::Path;
use std::sync::Arc;

use ordertray_core::notify_text::Lang;
use ordertray_engine::{Engine, EngineOptions, MemorySecretStore, RecordingNotifier};

pub async fn bench_engine(dir: &Path) -> Engine {
    Engine::open(EngineOptions {
        db_path: dir.join("bench.db"),
        secrets: Arc::new(MemorySecretStore::default()),
        notifier: Arc::new(RecordingNotifier::default()),
        lang: Lang::En,
        actor: "bench".into(),
        http: Default::default(),
        notifications_ok: true,
        probe_secrets: false,
        keychain_wait: ordertray_engine::KEYCHAIN_WAIT,
    })
    .await
    .unwrap()
}
