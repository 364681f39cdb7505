//! The server's modules import one another in one direction only: a regression test for the import cycles this
//! crate once had (`db::connections` <-> `db::profiles`, `http` <-> `ws`). It reads the sources as text: every
//! `crate::...` and `super::...` path names a file, and the graph of files must have no cycle.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A source file's module path (`["db", "connections"]`), from its path below `src/`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and string literals, which may mention paths that are not imports.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

fn ident_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// Every path that starts at `text` (just after `crate::` or `super::`): `a::b`, or each path of a `{...}` group.
fn paths_at(text: &str) -> Vec<Vec<String>> {
    let mut segments = Vec::new();
    let mut rest = text;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            // Split the group at its top-level commas and expand each member.
            let mut depth = 0;
            let mut start = 0;
            let mut out = Vec::new();
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.push(&group[start..i]);
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(&group[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            return out
                .into_iter()
                .flat_map(|m| paths_at(m.trim_start()))
                .map(|tail| segments.iter().cloned().chain(tail).collect())
                .collect();
        }
        let n = ident_len(rest);
        if n == 0 {
            break;
        }
        segments.push(rest[..n].to_owned());
        rest = &rest[n..];
        match rest.strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    vec![segments]
}

#[test]
fn server_modules_import_each_other_in_one_direction() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: BTreeMap<Vec<String>, PathBuf> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("main.rs") {
                files.insert(module_of(path.strip_prefix(&src).unwrap()), path);
            }
        }
    }
    assert!(files.len() > 20, "the sources were not found");
    // The file a path names: its longest prefix that is a module of this crate.
    let file_of = |path: &[String]| -> Vec<String> {
        (0..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|m| files.contains_key(m))
            .unwrap_or_default()
    };
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, path) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        // Unit tests (an inline `mod tests` at the end) are not part of the layering, and their `super` is the file.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let code = code_of(text);
        let is_dir_module = path.ends_with("mod.rs") || path.ends_with("lib.rs");
        let mut named = Vec::new();
        for (at, _) in code.match_indices("crate::") {
            let before = code[..at].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            named.extend(paths_at(&code[at + "crate::".len()..]));
        }
        for (at, _) in code.match_indices("super::") {
            if code[..at].ends_with("::") {
                continue;
            }
            // `super` of `live::session` (live/session.rs) and of `live` (live/mod.rs) alike: one level up.
            let up = module[..module.len().saturating_sub(1)].to_vec();
            for tail in paths_at(&code[at + "super::".len()..]) {
                named.push(up.iter().cloned().chain(tail).collect());
            }
        }
        // A folder's mod.rs (and lib.rs) reaches its children by their bare names.
        if is_dir_module {
            for line in code.lines() {
                let line = line.trim_start();
                let Some(rest) = line
                    .strip_prefix("pub use ")
                    .or_else(|| line.strip_prefix("pub(crate) use "))
                    .or_else(|| line.strip_prefix("use "))
                else {
                    continue;
                };
                for tail in paths_at(rest) {
                    let full: Vec<String> = module.iter().cloned().chain(tail).collect();
                    if full.len() > module.len() && files.contains_key(&full[..module.len() + 1]) {
                        named.push(full);
                    }
                }
            }
        }
        for path in named {
            let target = file_of(&path);
            if &target != module {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    // Depth-first search for a cycle, reported as the chain of files.
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        done: &mut BTreeSet<Vec<String>>,
        path: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.clone());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, edges, done, path) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    for node in files.keys() {
        let cycle = visit(node, &edges, &mut done, &mut Vec::new());
        let shown = cycle.map(|c| {
            c.iter()
                .map(|m| {
                    if m.is_empty() {
                        "lib".to_owned()
                    } else {
                        m.join("::")
                    }
                })
                .collect::<Vec<_>>()
                .join(" -> ")
        });
        assert_eq!(shown, None, "an import cycle between server modules");
    }
    // The two cycles this test was written for stay broken.
    let uses = |a: &[&str], b: &[&str]| {
        let a: Vec<String> = a.iter().map(|s| (*s).to_owned()).collect();
        let b: Vec<String> = b.iter().map(|s| (*s).to_owned()).collect();
        edges.get(&a).is_some_and(|e| e.contains(&b))
    };
    assert!(uses(&["db", "connections"], &["db", "profiles"]));
    assert!(!uses(&["db", "profiles"], &["db", "connections"]));
    assert!(uses(&["http"], &["live"]) || uses(&["http", "ui"], &["live"]));
    assert!(
        files
            .keys()
            .filter(|m| m.first().map(String::as_str) == Some("live"))
            .all(|m| edges.get(m).is_none_or(|e| e
                .iter()
                .all(|t| t.first().map(String::as_str) != Some("http")))),
        "the live socket does not reach into the HTTP resources"
    );
}
