//! The store's modules form layers: a module never reaches, directly or through others, back into
//! one that uses it. This reads `src/*.rs` and fails with the cycle when one appears. An edge is a
//! `crate::<module>` or `super::<module>` path (also inside `use crate::{...}` groups) and a
//! `self.<method>(` call of a `Store` method defined in another module's `impl Store` block.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The source without `//` comments (doc links are not dependencies).
fn strip_comments(src: &str) -> String {
    src.lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn ident_at(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// Modules named after `crate::` or `super::` (any depth), including `crate::{a::x, b::{y}}` groups.
fn path_refs(src: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for prefix in ["crate::", "super::"] {
        for (i, _) in src.match_indices(prefix) {
            // `super::super::x` is handled from its first `super::`.
            if prefix == "super::" && src[..i].ends_with("super::") {
                continue;
            }
            let mut rest = &src[i + prefix.len()..];
            while let Some(r) = rest.strip_prefix("super::") {
                rest = r;
            }
            if let Some(group) = rest.strip_prefix('{') {
                // The group's top-level names.
                let mut depth = 0usize;
                let mut word_start = true;
                for (j, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 && word_start && is_ident(c) {
                        let name = ident_at(&group[j..]);
                        if modules.contains(name) {
                            out.insert(name.to_string());
                        }
                    }
                    word_start = depth == 0 && (c == ',' || c == '{' || c.is_whitespace());
                }
            } else {
                let name = ident_at(rest);
                if modules.contains(name) {
                    out.insert(name.to_string());
                }
            }
        }
    }
    out
}

/// The methods a file defines in its `impl Store` / `impl crate::Store` blocks.
fn store_methods(src: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for head in ["impl Store {", "impl crate::Store {"] {
        for (i, _) in src.match_indices(head) {
            let body = &src[i + head.len()..];
            let mut depth = 0usize;
            for (j, c) in body.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 && body[j..].starts_with("fn ") {
                    let before = body[..j].chars().last();
                    if before.is_none_or(|b| !is_ident(b)) {
                        out.insert(ident_at(&body[j + 3..]).to_string());
                    }
                }
            }
        }
    }
    out
}

fn module_graph(src_dir: &Path) -> Graph {
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(src_dir).expect("store/src") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if name == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        sources.insert(name, strip_comments(&text));
    }
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    let methods: BTreeMap<String, BTreeSet<String>> = sources
        .iter()
        .map(|(m, s)| (m.clone(), store_methods(s)))
        .collect();
    let mut graph = Graph::new();
    for (module, src) in &sources {
        let mut uses = path_refs(src, &modules);
        for (other, defined) in &methods {
            if other != module
                && defined.iter().any(|f| {
                    src.match_indices(&format!("self.{f}(")).next().is_some()
                        || src.match_indices(&format!("self.{f}::<")).next().is_some()
                })
            {
                uses.insert(other.clone());
            }
        }
        uses.remove(module);
        graph.insert(module.clone(), uses);
    }
    graph
}

/// One cycle, as the modules along it (the first repeated at the end), if there is any.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        n: &str,
        g: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(n) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = path.iter().position(|p| p == n).unwrap();
                let mut cycle = path[start..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(n.to_string(), Mark::Open);
        path.push(n.to_string());
        for next in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, g, marks, path) {
                return Some(c);
            }
        }
        path.pop();
        marks.insert(n.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for n in graph.keys() {
        if let Some(c) = visit(n, graph, &mut marks, &mut vec![]) {
            return Some(c);
        }
    }
    None
}

#[test]
fn the_store_modules_have_no_import_cycle() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.len() > 10, "the store's modules were not found: {graph:?}");
    let listing: String = graph
        .iter()
        .filter(|(_, uses)| !uses.is_empty())
        .map(|(m, uses)| {
            format!(
                "  {m} -> {}\n",
                uses.iter().cloned().collect::<Vec<_>>().join(" ")
            )
        })
        .collect();
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "import cycle between store modules: {}\nmodule graph:\n{listing}",
            cycle.join(" -> ")
        );
    }
    println!("module graph:\n{listing}");
}

#[test]
fn the_checker_sees_paths_groups_methods_and_cycles() {
    let modules: BTreeSet<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let refs = path_refs(
        "use crate::{a::x, b::{y, z}}; fn f() { super::c::g(); } // crate::d",
        &modules,
    );
    assert_eq!(refs, modules);
    let methods =
        store_methods("impl Store {\n pub async fn foo(&self) { if x { } }\n fn bar() {}\n}\nfn baz() {}");
    assert_eq!(methods, ["bar", "foo"].iter().map(|s| s.to_string()).collect());
    let mut g = Graph::new();
    g.insert("a".into(), ["b".to_string()].into());
    g.insert("b".into(), ["c".to_string()].into());
    g.insert("c".into(), BTreeSet::new());
    assert_eq!(find_cycle(&g), None);
    g.insert("c".into(), ["a".to_string()].into());
    assert_eq!(find_cycle(&g).unwrap(), ["a", "b", "c", "a"]);
}
