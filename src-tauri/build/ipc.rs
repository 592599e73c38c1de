//! Reads the shell's `#[tauri::command]` functions and writes what derives from them.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// Under OUT_DIR: the permission set granting every command (the capability names the set).
pub const PERMISSIONS_DIR: &str = "app-permissions";
/// The set's identifier, as `capabilities/main.json` grants it.
pub const PERMISSION_SET: &str = "app-commands";

pub struct Command {
    /// The Rust module (file) it lives in, for the handler path.
    pub module: String,
    pub name: String,
    pub docs: Vec<String>,
    /// What the UI passes: name (snake_case, as in Rust) and type, injected Tauri state left out.
    pub args: Vec<(String, syn::Type)>,
    /// None when the function returns nothing.
    pub output: Option<syn::Type>,
}

/// Every command in `src/*.rs`, file by file in name order, each file's in source order.
pub fn read_commands(src: &Path) -> Vec<Command> {
    println!("cargo:rerun-if-changed={}", src.display());
    let mut files: Vec<_> = fs::read_dir(src)
        .expect("src/ readable")
        .map(|e| e.expect("src/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut commands = Vec::new();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).expect("source readable");
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let module = path.file_stem().unwrap().to_string_lossy().into_owned();
        for item in file.items {
            let syn::Item::Fn(f) = item else { continue };
            if !f.attrs.iter().any(is_tauri_command) {
                continue;
            }
            assert!(
                module != "lib" && module != "main",
                "{}: commands live in a module of their own",
                f.sig.ident
            );
            assert!(
                matches!(f.vis, syn::Visibility::Public(_)),
                "command {} must be `pub` for the handler list",
                f.sig.ident
            );
            commands.push(Command {
                module: module.clone(),
                name: f.sig.ident.to_string(),
                docs: f.attrs.iter().filter_map(doc_line).collect(),
                args: f.sig.inputs.iter().filter_map(ui_argument).collect(),
                output: match f.sig.output {
                    syn::ReturnType::Default => None,
                    syn::ReturnType::Type(_, ty) => Some(*ty),
                },
            });
        }
    }
    let mut seen = BTreeSet::new();
    for c in &commands {
        assert!(seen.insert(&c.name), "two commands named {}", c.name);
    }
    commands
}

pub fn write_outputs(commands: &[Command], out_dir: &Path) {
    write_if_changed(&out_dir.join("handlers.rs"), &handler_list(commands));
    write_if_changed(
        &out_dir
            .join(PERMISSIONS_DIR)
            .join(format!("{PERMISSION_SET}.toml")),
        &permission_set(commands),
    );
    write_if_changed(&out_dir.join("ipc.generated.ts"), &typescript(commands));
}

fn is_tauri_command(attr: &syn::Attribute) -> bool {
    let segments: Vec<String> = attr.path().segments.iter().map(|s| s.ident.to_string()).collect();
    segments == ["tauri", "command"]
}

fn doc_line(attr: &syn::Attribute) -> Option<String> {
    let syn::Meta::NameValue(nv) = &attr.meta else {
        return None;
    };
    if !nv.path.is_ident("doc") {
        return None;
    }
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(s),
        ..
    }) = &nv.value
    else {
        return None;
    };
    Some(s.value().trim().to_string())
}

/// An argument the UI sends; Tauri injects the app handle, the window and managed state itself.
fn ui_argument(arg: &syn::FnArg) -> Option<(String, syn::Type)> {
    let syn::FnArg::Typed(arg) = arg else { return None };
    let syn::Pat::Ident(name) = &*arg.pat else {
        panic!("command arguments must be plain names")
    };
    let injected = ["State", "AppHandle", "Window", "WebviewWindow", "Webview"];
    if let syn::Type::Path(p) = &*arg.ty {
        if injected.contains(&last_ident(&p.path).as_str()) {
            return None;
        }
    }
    Some((name.ident.to_string(), (*arg.ty).clone()))
}

fn handler_list(commands: &[Command]) -> String {
    let paths: Vec<String> = commands
        .iter()
        .map(|c| format!("{}::{}", c.module, c.name))
        .collect();
    format!("tauri::generate_handler![\n    {},\n]\n", paths.join(",\n    "))
}

fn permission_set(commands: &[Command]) -> String {
    let allows: Vec<String> = commands
        .iter()
        .map(|c| format!("  \"allow-{}\",", c.name.replace('_', "-")))
        .collect();
    format!(
        "[[set]]\nidentifier = \"{PERMISSION_SET}\"\ndescription = \"Every command the shell declares (src/*.rs).\"\npermissions = [\n{}\n]\n",
        allows.join("\n")
    )
}

/// Tauri takes a command's arguments in camelCase (its default renaming).
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for ch in snake.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

fn typescript(commands: &[Command]) -> String {
    let mut imports = BTreeSet::new();
    let mut body = String::new();
    for c in commands {
        match c.docs.as_slice() {
            [] => {}
            [one] => writeln!(body, "  /** {one} */").unwrap(),
            lines => {
                body.push_str("  /**\n");
                for line in lines {
                    writeln!(body, "   * {line}").unwrap();
                }
                body.push_str("   */\n");
            }
        }
        let params: Vec<String> = c
            .args
            .iter()
            .map(|(name, ty)| format!("{}: {}", camel(name), ts_type(ty, &mut imports)))
            .collect();
        let result = match &c.output {
            None => "null".to_string(),
            Some(ty) => ts_type(unwrap_result(ty), &mut imports),
        };
        let args = if c.args.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = c.args.iter().map(|(n, _)| camel(n)).collect();
            format!(", {{ {} }}", names.join(", "))
        };
        writeln!(
            body,
            "  {}: ({}) => call<{result}>(\"{}\"{args}),",
            camel(&c.name),
            params.join(", "),
            c.name
        )
        .unwrap();
    }
    let mut out = String::from(
        "// Generated by src-tauri/build.rs from the shell's #[tauri::command] functions (src-tauri/src);\n\
         // `cargo test -p ordertray` rewrites it. Do not edit: change the Rust function instead.\n\
         import { call } from \"./ipcCall\";\n",
    );
    for name in &imports {
        writeln!(out, "import type {{ {name} }} from \"./bindings/{name}\";").unwrap();
    }
    out.push_str("\n/** Every command of the shell, by its camelCase name. */\nexport const ipc = {\n");
    out.push_str(&body);
    out.push_str("};\n");
    out
}

/// A command's `Result<T, AppError>` (or `Res<T>`) reaches the UI as T or a rejected ApiError.
fn unwrap_result(ty: &syn::Type) -> &syn::Type {
    if let syn::Type::Path(p) = ty {
        let last = p.path.segments.last().unwrap();
        if matches!(last.ident.to_string().as_str(), "Res" | "Result") {
            return first_generic(last).expect("Result<T, E> names its T");
        }
    }
    ty
}

fn first_generic(segment: &syn::PathSegment) -> Option<&syn::Type> {
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

fn last_ident(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// The JSON shape of a Rust type as TypeScript: serde's mapping of std types, and the ts-rs
/// binding (ui/src/bindings/<Name>.ts) of every named type.
fn ts_type(ty: &syn::Type, imports: &mut BTreeSet<String>) -> String {
    match ty {
        syn::Type::Tuple(t) if t.elems.is_empty() => "null".into(),
        syn::Type::Reference(r) => ts_type(&r.elem, imports),
        syn::Type::Path(p) => {
            let segment = p.path.segments.last().unwrap();
            let name = segment.ident.to_string();
            let inner = || first_generic(segment).unwrap_or_else(|| panic!("{name}<T> names its T"));
            match name.as_str() {
                "Vec" => match ts_type(inner(), imports) {
                    t if t.contains(' ') => format!("({t})[]"),
                    t => format!("{t}[]"),
                },
                "Option" => format!("{} | null", ts_type(inner(), imports)),
                "i8" | "i16" | "i32" | "i64" | "isize" | "u8" | "u16" | "u32" | "u64" | "usize" | "f32"
                | "f64" => "number".into(),
                "String" | "str" | "PathBuf" | "Path" => "string".into(),
                "bool" => "boolean".into(),
                // The engine's secret fields by name (a map; it has no binding of its own).
                "SecretInput" => "Record<string, string>".into(),
                _ => {
                    imports.insert(name.clone());
                    name
                }
            }
        }
        other => panic!("no TypeScript for {}", quote_type(other)),
    }
}

fn quote_type(ty: &syn::Type) -> String {
    use quote::ToTokens;
    ty.to_token_stream().to_string()
}

/// An unchanged file keeps its timestamp, so nothing downstream rebuilds for nothing.
fn write_if_changed(path: &Path, text: &str) {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    fs::create_dir_all(path.parent().unwrap()).expect("output dir");
    fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
