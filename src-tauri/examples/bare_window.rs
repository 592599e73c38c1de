//! The reference beside the app bench's start (scripts/bench-app.sh, tests/e2e/app.bench.mjs): a
//! Tauri window with the app's own configuration and page, and nothing else of the app's (no
//! plugins, engine, tray or logging), drawing as the app chooses to draw on this machine. From its
//! process's start to its page's load is what Tauri and the webview take before the app's own code
//! can matter; the bench prints it beside the app's same part.
fn main() {
    ordertray_shell::rendering::choose_compositing();
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the bare window failed to start");
}
