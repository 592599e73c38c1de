//! The shell's commands are declared once: each is a `#[tauri::command]` function in `src/`.
//! From those functions this script derives everything else that must name them: the handler
//! list (`generate_handler!`, included by lib.rs), the app manifest's command list and the
//! permission set the main window is granted, and the typed TypeScript calls
//! (`ui/src/ipc.generated.ts`, written by the shell's tests like the ts-rs bindings).

#[path = "build/ipc.rs"]
mod ipc;

use std::path::Path;

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out_dir = Path::new(&out_dir);
    let commands = ipc::read_commands(Path::new("src"));
    ipc::write_outputs(&commands, out_dir);
    // The app's own commands go under the permission system too: without a manifest every command
    // would be callable by default. The capability grants the set written above, not a copy of it.
    let names: Vec<&'static str> = commands.iter().map(|c| leak(c.name.clone())).collect();
    let permissions = leak(out_dir.join(ipc::PERMISSIONS_DIR).join("*").display().to_string());
    let manifest = tauri_build::AppManifest::new()
        .commands(Box::leak(names.into_boxed_slice()))
        .permissions_path_pattern(permissions);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build step");
}

/// tauri-build wants `'static` names; the build script ends right after.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}
