//! No module cycle inside any crate of the workspace (ARCHITECTURE.md, "the one-way rule").
//!
//! Each crate root (`lib.rs`, `main.rs`, `src/bin/*.rs`) is parsed with `syn`, its modules found by
//! following `mod` declarations. A module depends on another when it names it in a path: a `use`
//! (re-exports included) or any path in its code (`crate::…`, `super::…`, `self::…`, or a child
//! module's name). A path through a re-export counts as a dependency on the module that defines the
//! item, so a facade `mod.rs` that re-exports its children stays a facade. Declaring a child (`mod x;`)
//! is containment, not a dependency. Inline modules (`mod tests { … }`) belong to their file.
//! Paths inside macro invocations are not seen (token streams), nor are method calls.
//!
//! The graph must be acyclic: each strongly connected group of more than one file is reported with
//! the lines that close it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module path inside one crate, from the root (`[]` is the root).
type ModPath = Vec<String>;

#[derive(Default, Debug)]
struct Module {
    /// The file holding the module (inline modules share their parent's).
    file: PathBuf,
    /// Children declared with `mod`.
    children: BTreeSet<String>,
    /// Names brought in with `use` (the path as written), for following re-exports.
    imports: BTreeMap<String, Vec<String>>,
    /// Paths named in the module, as written, with the line they are on.
    paths: Vec<(Vec<String>, usize)>,
}

struct Crate {
    modules: BTreeMap<ModPath, Module>,
}

impl Crate {
    fn load(root: &Path) -> Crate {
        let mut krate = Crate {
            modules: BTreeMap::new(),
        };
        krate.load_file(Vec::new(), root, root.parent().unwrap().to_path_buf());
        krate
    }

    /// Parses the file of module `path`, whose children's files live in `dir`.
    fn load_file(&mut self, path: ModPath, file: &Path, dir: PathBuf) {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        self.load_items(path, file, &dir, &parsed.items);
    }

    fn load_items(&mut self, path: ModPath, file: &Path, dir: &Path, items: &[syn::Item]) {
        self.modules.entry(path.clone()).or_default().file = file.to_path_buf();
        for item in items {
            match item {
                syn::Item::Mod(module) => {
                    let name = module.ident.to_string();
                    self.modules
                        .get_mut(&path)
                        .unwrap()
                        .children
                        .insert(name.clone());
                    let mut child = path.clone();
                    child.push(name.clone());
                    match &module.content {
                        Some((_, inner)) => self.load_items(child, file, &dir.join(&name), inner),
                        None => {
                            let (child_file, child_dir) = child_file(dir, &name);
                            self.load_file(child, &child_file, child_dir);
                        }
                    }
                }
                syn::Item::Use(item_use) => {
                    let line = item_use.use_token.span.start().line;
                    let mut flat = Vec::new();
                    flatten_use(&item_use.tree, Vec::new(), &mut flat);
                    let module = self.modules.get_mut(&path).unwrap();
                    for (segments, name) in flat {
                        module.paths.push((segments.clone(), line));
                        if let Some(name) = name {
                            module.imports.insert(name, segments);
                        }
                    }
                }
                other => {
                    let mut collector = PathCollector::default();
                    collector.visit_item(other);
                    let module = self.modules.get_mut(&path).unwrap();
                    module.paths.extend(collector.paths);
                }
            }
        }
    }

    /// Makes a path written in module `from` absolute, if it names something inside the crate.
    fn absolute(&self, from: &ModPath, segments: &[String]) -> Option<ModPath> {
        let (first, rest) = segments.split_first()?;
        match first.as_str() {
            "crate" => Some(rest.to_vec()),
            "self" => Some([from.as_slice(), rest].concat()),
            "super" => {
                let mut base = from.clone();
                let mut rest = segments;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
                Some([base.as_slice(), rest].concat())
            }
            name if self.modules[from].children.contains(name) => {
                Some([from.as_slice(), segments].concat())
            }
            _ => None,
        }
    }

    /// The module that defines what the absolute `path` names, following re-exports.
    fn defining_module(&self, path: &[String], depth: usize) -> Option<ModPath> {
        if depth > 16 {
            return None;
        }
        let module_len = (0..=path.len())
            .rev()
            .find(|len| self.modules.contains_key(&path[..*len]))?;
        let module = path[..module_len].to_vec();
        if let Some(name) = path.get(module_len)
            && let Some(import) = self.modules[&module].imports.get(name)
        {
            // Something of another crate (or std) brought in under this name: not followed.
            let target = self.absolute(&module, import)?;
            let full = [target.as_slice(), &path[module_len + 1..]].concat();
            return self.defining_module(&full, depth + 1);
        }
        Some(module)
    }

    /// The file-level dependency graph: file → (file it depends on → a line that says so).
    fn file_edges(&self) -> BTreeMap<PathBuf, BTreeMap<PathBuf, usize>> {
        let mut edges: BTreeMap<PathBuf, BTreeMap<PathBuf, usize>> = BTreeMap::new();
        for (path, module) in &self.modules {
            for (segments, line) in &module.paths {
                let Some(absolute) = self.absolute(path, segments) else {
                    continue;
                };
                let Some(target) = self.defining_module(&absolute, 0) else {
                    continue;
                };
                let target_file = &self.modules[&target].file;
                if *target_file != module.file {
                    edges
                        .entry(module.file.clone())
                        .or_default()
                        .entry(target_file.clone())
                        .or_insert(*line);
                }
            }
        }
        edges
    }
}

/// Where the file of child module `name` of a module whose children live in `dir` is.
fn child_file(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let flat = dir.join(format!("{name}.rs"));
    if flat.exists() {
        return (flat, dir.join(name));
    }
    let nested = dir.join(name).join("mod.rs");
    assert!(nested.exists(), "no file for module {name} in {dir:?}");
    (nested, dir.join(name))
}

/// Each leaf of a use tree: its full path, and the name it binds (none for globs).
fn flatten_use(
    tree: &syn::UseTree,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) {
    let with = |name: String| {
        let mut path = prefix.clone();
        path.push(name);
        path
    };
    match tree {
        syn::UseTree::Path(path) => flatten_use(&path.tree, with(path.ident.to_string()), out),
        syn::UseTree::Name(name) if name.ident == "self" => {
            let bound = prefix.last().cloned();
            out.push((prefix.clone(), bound));
        }
        syn::UseTree::Name(name) => {
            out.push((with(name.ident.to_string()), Some(name.ident.to_string())))
        }
        syn::UseTree::Rename(rename) => {
            let target = if rename.ident == "self" {
                prefix.clone()
            } else {
                with(rename.ident.to_string())
            };
            out.push((target, Some(rename.rename.to_string())));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), None)),
        syn::UseTree::Group(group) => {
            for item in &group.items {
                flatten_use(item, prefix.clone(), out);
            }
        }
    }
}

/// Every path named in an item's code, with its line.
#[derive(Default)]
struct PathCollector {
    paths: Vec<(Vec<String>, usize)>,
}

impl<'ast> Visit<'ast> for PathCollector {
    /// `pub(super)` says who may see an item, not what it needs.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.segments.len() > 1 || path.leading_colon.is_none() {
            let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
            let line = path.segments[0].ident.span().start().line;
            self.paths.push((segments, line));
        }
        syn::visit::visit_path(self, path);
    }
}

/// Strongly connected groups of more than one node (Tarjan).
fn cycles(edges: &BTreeMap<PathBuf, BTreeMap<PathBuf, usize>>) -> Vec<Vec<PathBuf>> {
    struct State<'a> {
        edges: &'a BTreeMap<PathBuf, BTreeMap<PathBuf, usize>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        groups: Vec<Vec<PathBuf>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a PathBuf) {
        let next = state.index.len();
        state.index.insert(node, next);
        state.low.insert(node, next);
        state.stack.push(node);
        state.on_stack.insert(node);
        for target in state.edges.get(node).into_iter().flat_map(|e| e.keys()) {
            if !state.index.contains_key(target) {
                visit(state, target);
                let low = state.low[node].min(state.low[target]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(target) {
                let low = state.low[node].min(state.index[target]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut group = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                group.push(member.clone());
                if member == node {
                    break;
                }
            }
            if group.len() > 1 {
                state.groups.push(group);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        groups: Vec::new(),
    };
    for node in edges.keys() {
        if !state.index.contains_key(node) {
            visit(&mut state, node);
        }
    }
    state.groups
}

/// Every crate root of the workspace.
fn crate_roots() -> Vec<PathBuf> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut roots = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap() {
        let src = entry.unwrap().path().join("src");
        for root in ["lib.rs", "main.rs"] {
            if src.join(root).exists() {
                roots.push(src.join(root));
            }
        }
        if let Ok(bins) = std::fs::read_dir(src.join("bin")) {
            roots.extend(
                bins.map(|bin| bin.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == "rs")),
            );
        }
    }
    roots.sort();
    roots
}

/// The cycles of one crate, described with the lines that make them.
fn describe_cycles(root: &Path) -> Vec<String> {
    let krate = Crate::load(root);
    let edges = krate.file_edges();
    let base = root.parent().unwrap();
    let short = |file: &Path| {
        file.strip_prefix(base)
            .unwrap_or(file)
            .display()
            .to_string()
    };
    cycles(&edges)
        .into_iter()
        .map(|group| {
            let members: BTreeSet<&PathBuf> = group.iter().collect();
            let mut lines = vec![format!(
                "a cycle in {} among {} files:",
                root.display(),
                group.len()
            )];
            for from in &members {
                for (to, line) in &edges[*from] {
                    if members.contains(to) {
                        lines.push(format!("  {}:{line} uses {}", short(from), short(to)));
                    }
                }
            }
            lines.join("\n")
        })
        .collect()
}

#[test]
fn no_crate_has_a_module_cycle() {
    let roots = crate_roots();
    assert!(roots.len() >= 14, "found only {roots:?}");
    let found: Vec<String> = roots
        .iter()
        .flat_map(|root| describe_cycles(root))
        .collect();
    assert!(found.is_empty(), "\n{}", found.join("\n"));
}

/// The checker itself finds a cycle made through a re-export and ignores a facade.
#[test]
fn the_checker_sees_cycles_through_re_exports_and_not_through_facades() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    // A facade: `room` re-exports its children, which use each other one way.
    write("lib.rs", "mod room;\npub use room::Service;\n");
    write(
        "room/mod.rs",
        "mod core;\nmod service;\npub use service::Service;\npub use core::Core;\n",
    );
    write("room/core.rs", "pub struct Core;\n");
    write(
        "room/service.rs",
        "use super::core::Core;\npub struct Service(Core);\n",
    );
    assert_eq!(
        describe_cycles(&dir.path().join("lib.rs")),
        Vec::<String>::new()
    );

    // The core now reaches the service through the facade's re-export: a cycle.
    write(
        "room/core.rs",
        "pub struct Core;\nfn make() -> super::Service { todo!() }\n",
    );
    let found = describe_cycles(&dir.path().join("lib.rs"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("room/core.rs:2 uses room/service.rs"),
        "{}",
        found[0]
    );
    assert!(
        found[0].contains("room/service.rs:1 uses room/core.rs"),
        "{}",
        found[0]
    );
}
