//! Layers only look down, and no two files of a module import each other.
//!
//! The order of the layers is the table in `docs/architecture.md` (between the `layer-table`
//! markers), with the allowed same-level pairs under the `same-level` markers; this test reads
//! both, so the order is written down in one place only.
//!
//! Every `src/**/*.rs` is scanned (the binary's `src/main.rs` and `src/cli/` are the top layer,
//! `cli`). Comments and `#[cfg(test)]` items (test modules, test helpers) are left out; what
//! remains is searched for `crate::…`, `super::…` and `trustscale::…` paths, including `use`
//! groups over several lines and paths in strings such as `#[serde(serialize_with = "…")]`.
//! Each path is resolved to the top-level module it names (root re-exports such as
//! `crate::Error` resolve through `src/lib.rs`). The test relies on rustfmt's layout: a
//! `#[cfg(test)]` block ends at the first `}` line with the block's own indentation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const DOC: &str = "docs/architecture.md";

/// The layer table: module -> level, and the allowed same-level pairs (user, used).
struct Layers {
    level: BTreeMap<String, usize>,
    same_level: BTreeSet<(String, String)>,
}

/// The text between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
fn section<'a>(doc: &'a str, name: &str) -> &'a str {
    let start = format!("<!-- {name}:start -->");
    let end = format!("<!-- {name}:end -->");
    let a = doc
        .find(&start)
        .unwrap_or_else(|| panic!("{DOC}: no `{start}` marker"));
    let b = doc
        .find(&end)
        .unwrap_or_else(|| panic!("{DOC}: no `{end}` marker"));
    &doc[a + start.len()..b]
}

/// The names written in backticks in `s`.
fn backticked(s: &str) -> Vec<String> {
    s.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, t)| t.trim().to_string())
        .collect()
}

fn read_layers(root: &Path) -> Layers {
    let doc = std::fs::read_to_string(root.join(DOC)).unwrap_or_else(|e| panic!("{DOC}: {e}"));
    let mut level = BTreeMap::new();
    for row in section(&doc, "layer-table").lines() {
        let cells: Vec<&str> = row.trim().trim_matches('|').split('|').collect();
        let Some(Ok(n)) = cells.first().map(|c| c.trim().parse::<usize>()) else {
            continue; // header and separator rows
        };
        let modules = backticked(cells.get(1).copied().unwrap_or(""));
        assert!(!modules.is_empty(), "{DOC}: level {n} names no module");
        for m in modules {
            if let Some(old) = level.insert(m.clone(), n) {
                panic!("{DOC}: module `{m}` is on level {old} and on level {n}");
            }
        }
    }
    assert!(!level.is_empty(), "{DOC}: the layer table is empty");
    let mut same_level = BTreeSet::new();
    for line in section(&doc, "same-level").lines() {
        if line.contains("->") {
            let names = backticked(line);
            assert!(
                names.len() == 2,
                "{DOC}: a sub-order is written `a` -> `b`, found: {line}"
            );
            assert_eq!(
                level.get(&names[0]),
                level.get(&names[1]),
                "{DOC}: sub-order {line} joins modules on different levels"
            );
            same_level.insert((names[0].clone(), names[1].clone()));
        }
    }
    Layers { level, same_level }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// One source file: where it sits and its code without comments and test-only items.
struct Source {
    /// Path relative to the crate root, e.g. `src/factor/minres.rs`.
    rel: String,
    /// Module path inside its crate: `src/factor/minres.rs` is `[factor, minres]`,
    /// `src/factor/mod.rs` is `[factor]`; `src/main.rs` is `[cli]`.
    module: Vec<String>,
    /// In the binary (`src/main.rs`, `src/cli/`)?
    bin: bool,
    /// The original lines (for messages).
    lines: Vec<String>,
    /// The code to scan, same length as the original, comments and test items blanked.
    code: Vec<char>,
}

impl Source {
    fn top(&self) -> &str {
        if self.bin {
            "cli"
        } else {
            &self.module[0]
        }
    }
}

fn module_path(rel: &Path) -> Vec<String> {
    let parts: Vec<String> = rel
        .iter()
        .skip(1) // "src"
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    let mut m: Vec<String> = parts.clone();
    if let Some(last) = m.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" {
            m.push(stem.to_string());
        }
    }
    if m == ["main"] {
        return vec!["cli".into()];
    }
    m
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Blanks comments (keeping line breaks); string and char literals stay as they are.
fn strip_comments(text: &str) -> Vec<char> {
    let s: Vec<char> = text.chars().collect();
    let mut out = s.clone();
    let blank = |out: &mut Vec<char>, a: usize, b: usize| {
        for c in out.iter_mut().take(b).skip(a) {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let next = s.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            let mut j = i;
            while j < s.len() && s[j] != '\n' {
                j += 1;
            }
            blank(&mut out, i, j);
            i = j;
        } else if c == '/' && next == Some('*') {
            let (mut depth, mut j) = (1, i + 2);
            while j < s.len() && depth > 0 {
                if s[j] == '/' && s.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if s[j] == '*' && s.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if c == 'r'
            && (i == 0 || !is_ident(s[i - 1]) || s[i - 1] == 'b')
            && matches!(next, Some('"') | Some('#'))
        {
            // raw string r"…", r#"…"#
            let mut j = i + 1;
            let mut hashes = 0;
            while s.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if s.get(j) != Some(&'"') {
                i += 1;
                continue;
            }
            j += 1;
            while j < s.len() {
                if s[j] == '"' && (0..hashes).all(|h| s.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < s.len() && s[j] != '"' {
                j += if s[j] == '\\' { 2 } else { 1 };
            }
            i = j + 1;
        } else if c == '\'' {
            // a char literal ('x', '\n', '\u{..}') or a lifetime ('a)
            if next == Some('\\') {
                let mut j = i + 2;
                while j < s.len() && s[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if s.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Blanks every item under `#[cfg(test)]`: a block up to the `}` line with its indentation, or
/// a one-line item.
fn strip_test_items(code: &mut [char]) {
    let text: String = code.iter().collect();
    let lines: Vec<&str> = text.split('\n').collect();
    let mut starts = Vec::with_capacity(lines.len());
    let mut pos = 0;
    for l in &lines {
        starts.push(pos);
        pos += l.chars().count() + 1;
    }
    let mut blank_lines = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "#[cfg(test)]" {
            i += 1;
            continue;
        }
        // the item: skip further attributes and blanked doc comments
        let mut j = i + 1;
        while j < lines.len() && (lines[j].trim().is_empty() || lines[j].trim().starts_with("#[")) {
            j += 1;
        }
        let end = if j < lines.len() && lines[j].trim_end().ends_with('{') {
            let indent: String = lines[j].chars().take_while(|c| c.is_whitespace()).collect();
            let close = format!("{indent}}}");
            (j + 1..lines.len())
                .find(|&k| lines[k].trim_end() == close)
                .unwrap_or(lines.len() - 1)
        } else {
            j.min(lines.len() - 1)
        };
        for b in blank_lines.iter_mut().take(end + 1).skip(i) {
            *b = true;
        }
        i = end + 1;
    }
    for (k, l) in lines.iter().enumerate() {
        if blank_lines[k] {
            for c in code.iter_mut().skip(starts[k]).take(l.chars().count()) {
                *c = ' ';
            }
        }
    }
}

/// Skips spaces and line breaks.
fn skip_ws(s: &[char], mut i: usize) -> usize {
    while i < s.len() && s[i].is_whitespace() {
        i += 1;
    }
    i
}

/// Parses a path tail after `prefix::` at `i`: segments, and `{…}` groups expanded into one
/// path per item. Returns the paths (segments after the prefix) and the end position.
fn parse_tail(s: &[char], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut segs: Vec<String> = Vec::new();
    loop {
        i = skip_ws(s, i);
        if s.get(i) == Some(&'{') {
            let mut out = Vec::new();
            i += 1;
            loop {
                i = skip_ws(s, i);
                match s.get(i) {
                    Some('}') => {
                        i += 1;
                        break;
                    }
                    Some(',') => i += 1,
                    None => break,
                    _ => {
                        let before = i;
                        let (items, e) = parse_tail(s, i);
                        for it in items {
                            let mut p = segs.clone();
                            p.extend(it.into_iter().filter(|x| x != "self"));
                            out.push(p);
                        }
                        // skip `as alias` and anything else up to the next `,` or `}`
                        i = e;
                        while i < s.len() && s[i] != ',' && s[i] != '}' {
                            i += 1;
                        }
                        if i == before {
                            i += 1;
                        }
                    }
                }
            }
            return (out, i);
        }
        if s.get(i) == Some(&'*') {
            return (vec![segs], i + 1);
        }
        let start = i;
        while i < s.len() && is_ident(s[i]) {
            i += 1;
        }
        if i == start {
            return (vec![segs], i);
        }
        segs.push(s[start..i].iter().collect());
        if s.get(i) == Some(&':') && s.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            return (vec![segs], i);
        }
    }
}

/// One path found in a file.
struct Use {
    /// 1-based line of the path's first character.
    line: usize,
    /// The path resolved from its crate's root: `crate::a::b` and `super::b` from `a::x` are both
    /// `[a, b]`. In the binary, paths into the binary itself resolve to `[cli]`.
    target: Vec<String>,
    /// The path as written (first line only), e.g. `crate::factor::eigen_desc`.
    written: String,
}

fn find_uses(src: &Source) -> Vec<Use> {
    let s = &src.code;
    let mut uses = Vec::new();
    let mut line_of = Vec::with_capacity(s.len());
    let mut line = 1;
    for &c in s {
        line_of.push(line);
        if c == '\n' {
            line += 1;
        }
    }
    for i in 0..s.len() {
        if i > 0 && (is_ident(s[i - 1]) || s[i - 1] == ':') {
            continue;
        }
        let rest: String = s[i..(i + 12).min(s.len())].iter().collect();
        let (kind, mut j) = if rest.starts_with("crate::") {
            ("crate", i + 7)
        } else if rest.starts_with("super::") {
            ("super", i + 7)
        } else if rest.starts_with("trustscale::") {
            ("trustscale", i + 12)
        } else {
            continue;
        };
        let mut ups = usize::from(kind == "super");
        while s[j..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
            ups += 1;
            j += 7;
        }
        let (paths, end) = parse_tail(s, j);
        let written: String = s[i..end]
            .iter()
            .collect::<String>()
            .lines()
            .next()
            .unwrap_or("")
            .trim_end()
            .to_string();
        for tail in paths {
            let target = match kind {
                "super" => {
                    if ups > src.module.len() {
                        continue; // not a module path (cannot happen in compiled code)
                    }
                    let mut t = src.module[..src.module.len() - ups].to_vec();
                    t.extend(tail);
                    if src.bin && t.first().is_none_or(|m| m != "cli") {
                        vec!["cli".to_string()]
                    } else {
                        t
                    }
                }
                "crate" if src.bin => {
                    let mut t = tail;
                    if t.first().is_none_or(|m| m != "cli") {
                        t = vec!["cli".to_string()];
                    }
                    t
                }
                _ => tail,
            };
            if !target.is_empty() {
                uses.push(Use {
                    line: line_of[i],
                    target,
                    written: written.clone(),
                });
            }
        }
    }
    uses
}

/// Names re-exported at the crate root by `src/lib.rs` (`pub use error::{Error, …}`) and the
/// module they come from.
fn root_reexports(root: &Path) -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let code = strip_comments(&lib);
    let text: String = code.iter().collect();
    let mut out = BTreeMap::new();
    for stmt in text.split(';') {
        let stmt = stmt.trim();
        let Some(path) = stmt.strip_prefix("pub use ") else {
            continue;
        };
        let chars: Vec<char> = path.chars().collect();
        let (paths, _) = parse_tail(&chars, 0);
        for p in paths {
            if let (Some(module), Some(name)) = (p.first(), p.last()) {
                out.insert(name.clone(), module.clone());
            }
        }
    }
    out
}

fn load_sources(root: &Path) -> Vec<Source> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            let rel_s = rel.to_string_lossy().replace('\\', "/");
            if rel_s == "src/lib.rs" {
                return None; // module declarations and root re-exports only (see the doc)
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let mut code = strip_comments(&text);
            strip_test_items(&mut code);
            let bin = rel_s == "src/main.rs" || rel_s.starts_with("src/cli/");
            Some(Source {
                module: module_path(&rel),
                rel: rel_s,
                bin,
                lines: text.lines().map(str::to_string).collect(),
                code,
            })
        })
        .collect()
}

/// An import between two sibling files: (parent module, from, to).
type Edge = (Vec<String>, String, String);
/// Where an edge was first seen: (file, line, path as written).
type Seen = (String, usize, String);

/// Checks every file; returns one message per forbidden import and per two-file cycle.
fn violations(root: &Path, layers: &Layers) -> Vec<String> {
    let sources = load_sources(root);
    let reexports = root_reexports(root);
    let mut problems = Vec::new();

    // every top-level module is in the table, and every module in the table exists
    let tops: BTreeSet<String> = sources.iter().map(|s| s.top().to_string()).collect();
    for t in &tops {
        if !layers.level.contains_key(t) {
            problems.push(format!(
                "module `{t}` is not in the layer table of {DOC}: give it a level"
            ));
        }
    }
    for m in layers.level.keys() {
        if !tops.contains(m) {
            problems.push(format!(
                "{DOC} lists module `{m}`, but there is no src/{m}.rs or src/{m}/"
            ));
        }
    }

    // every module (file or folder) by its path, for the cycle check
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    // edges between sibling files: (parent, from, to) -> (file, line, written)
    let mut edges: BTreeMap<Edge, Seen> = BTreeMap::new();

    // one message per file, line and imported module (a `use` group names it once)
    let mut reported: BTreeSet<(String, usize, String)> = BTreeSet::new();
    for src in &sources {
        let from = src.top().to_string();
        let Some(&from_level) = layers.level.get(&from) else {
            continue;
        };
        let me = &src.module;
        for u in find_uses(src) {
            let first = &u.target[0];
            let to = if layers.level.contains_key(first) {
                first.clone()
            } else if let Some(m) = reexports.get(first) {
                m.clone()
            } else {
                if !reported.insert((src.rel.clone(), u.line, first.clone())) {
                    continue;
                }
                problems.push(format!(
                    "{}:{}: `{}` names `{first}`, which is neither a module in {DOC} nor a \
                     re-export of src/lib.rs",
                    src.rel, u.line, u.written
                ));
                continue;
            };
            if to != from {
                let to_level = layers.level[&to];
                let allowed = to_level < from_level
                    || (to_level == from_level
                        && layers.same_level.contains(&(from.clone(), to.clone())));
                if !allowed && reported.insert((src.rel.clone(), u.line, to.clone())) {
                    let why = if to_level == from_level {
                        format!(
                            "both are on level {to_level}, and {DOC} names no sub-order `{from}` -> `{to}`"
                        )
                    } else {
                        format!(
                            "`{to}` is on level {to_level}, above `{from}` (level {from_level})"
                        )
                    };
                    problems.push(format!(
                        "{}:{}: `{from}` must not import `{to}`: {why}\n    {}",
                        src.rel,
                        u.line,
                        src.lines.get(u.line - 1).map_or("", |l| l.trim())
                    ));
                }
                continue;
            }
            // inside one module: a sibling file (or folder module) of this file?
            if me.len() < 2 || u.target.len() < me.len() {
                continue;
            }
            let parent = &me[..me.len() - 1];
            let target = &u.target;
            if target[..parent.len()] != *parent {
                continue;
            }
            let sibling = &target[parent.len()];
            let mut sib_path = parent.to_vec();
            sib_path.push(sibling.clone());
            if *sibling != me[me.len() - 1] && modules.contains(&sib_path) {
                edges
                    .entry((parent.to_vec(), me[me.len() - 1].clone(), sibling.clone()))
                    .or_insert((src.rel.clone(), u.line, u.written.clone()));
            }
        }
    }
    for ((parent, a, b), (file_a, line_a, written_a)) in &edges {
        if a < b {
            if let Some((file_b, line_b, written_b)) =
                edges.get(&(parent.clone(), b.clone(), a.clone()))
            {
                problems.push(format!(
                    "two-file import cycle in `{}`: {file_a}:{line_a} uses `{b}` (`{written_a}`) \
                     and {file_b}:{line_b} uses `{a}` (`{written_b}`); move the shared piece \
                     into a file both use, or into the module root",
                    parent.join("::")
                ));
            }
        }
    }
    problems
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn layers_only_look_down_and_no_two_files_import_each_other() {
    let root = root();
    let layers = read_layers(&root);
    let problems = violations(&root, &layers);
    assert!(
        problems.is_empty(),
        "{} layering problem(s) (the order is in {DOC}):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn layer_table_starts_at_error_and_ends_at_the_binary() {
    let layers = read_layers(&root());
    let max = layers.level.values().max().copied();
    assert_eq!(
        layers.level.get("error"),
        Some(&0),
        "{DOC}: `error` is level 0"
    );
    assert_eq!(
        layers.level.get("cli"),
        max.as_ref(),
        "{DOC}: `cli` is the top level"
    );
    assert_eq!(
        layers.level.values().filter(|&&l| Some(l) == max).count(),
        1,
        "{DOC}: nothing shares the top level with `cli`"
    );
}

// The checker itself, on small inputs: it must be able to fail.

fn source(rel: &str, text: &str) -> Source {
    let mut code = strip_comments(text);
    strip_test_items(&mut code);
    Source {
        module: module_path(Path::new(rel)),
        rel: rel.to_string(),
        bin: rel == "src/main.rs" || rel.starts_with("src/cli/"),
        lines: text.lines().map(str::to_string).collect(),
        code,
    }
}

fn targets(rel: &str, text: &str) -> Vec<String> {
    find_uses(&source(rel, text))
        .into_iter()
        .map(|u| u.target.join("::"))
        .collect()
}

#[test]
fn checker_resolves_crate_super_and_groups() {
    let t = targets(
        "src/agreement/rwg.rs",
        "use crate::numeric::quantile::{median, quantile_sorted};\nuse super::icc::Icc;\n\
         use crate::{\n    dist::f_sf,\n    error::{Error, Result},\n};\nfn f() { let _ = crate::plot::apa(1.0, 2, true); }\n",
    );
    assert_eq!(
        t,
        [
            "numeric::quantile::median",
            "numeric::quantile::quantile_sorted",
            "agreement::icc::Icc",
            "dist::f_sf",
            "error::Error",
            "error::Result",
            "plot::apa"
        ]
    );
    // super from a top-level file reaches other top-level modules
    assert_eq!(
        targets("src/optim.rs", "use super::factor::x;"),
        ["factor::x"]
    );
    assert_eq!(
        targets("src/cfa/mi.rs", "use super::super::dist::chi2_sf;"),
        ["dist::chi2_sf"]
    );
    // paths in strings count (serde attributes)
    assert_eq!(
        targets(
            "src/factor/efa.rs",
            "#[serde(serialize_with = \"crate::numeric::serde_matrix::ser_matrix\")]"
        ),
        ["numeric::serde_matrix::ser_matrix"]
    );
}

#[test]
fn checker_ignores_comments_and_test_items() {
    let text = "//! see [`crate::report`]\n/// [`crate::plot`]\nfn f() {} // crate::study\n\
                /* crate::cli */\nconst S: &str = \"/*\"; use crate::dist::x;\n\
                #[cfg(test)]\n#[allow(clippy::panic)]\nmod tests {\n    use crate::report::y;\n    fn g() {\n    }\n}\n\
                #[cfg(test)]\nuse crate::plot::z;\nuse crate::error::Error;\n";
    assert_eq!(
        targets("src/agreement/kappa.rs", text),
        ["dist::x", "error::Error"]
    );
}

#[test]
fn checker_fails_on_an_upward_import_and_on_a_cycle() {
    let layers = Layers {
        level: [("error", 0), ("low", 1), ("high", 2)]
            .iter()
            .map(|(m, l)| (m.to_string(), *l))
            .collect(),
        same_level: BTreeSet::new(),
    };
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "src/lib.rs",
        "pub mod error;\npub mod high;\npub mod low;\npub use error::Error;\n",
    );
    w("src/error.rs", "pub struct Error;\n");
    w("src/high.rs", "use crate::low::f;\nuse crate::Error;\n");
    w("src/low/mod.rs", "pub mod a;\npub mod b;\n");
    w("src/low/a.rs", "use super::b::g;\nuse crate::high::h;\n");
    w("src/low/b.rs", "use crate::low::a::f;\n");
    let p = violations(dir.path(), &layers);
    assert_eq!(p.len(), 2, "{p:#?}");
    assert!(
        p[0].starts_with("src/low/a.rs:2: `low` must not import `high`: `high` is on level 2"),
        "{}",
        p[0]
    );
    assert!(
        p[1].starts_with("two-file import cycle in `low`: src/low/a.rs:1 uses `b`"),
        "{}",
        p[1]
    );
}
