fn main() {
    // The app's own commands go under the permission system too: without a manifest every command
    // would be callable by default.
    let manifest = tauri_build::AppManifest::new().commands(ordertray_commands::ALL);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build step");
}

#[path = "src/command_names.rs"]
mod ordertray_commands;
