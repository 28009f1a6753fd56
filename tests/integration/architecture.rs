//! The import graph of `src/` (docs/architecture.md): no cycles between the
//! top-level modules, and the leaves import nothing of the crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its files name as `crate::<module>`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pending = vec![src.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let first = relative.components().next().unwrap().as_os_str().to_string_lossy().to_string();
            let module = first.trim_end_matches(".rs").to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let used = graph.entry(module.clone()).or_default();
            for (at, _) in text.match_indices("crate::") {
                let name: String =
                    text[at + "crate::".len()..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if !name.is_empty() && name != module {
                    used.insert(name);
                }
            }
        }
    }
    graph
}

#[test]
fn the_top_level_modules_import_each_other_without_cycles() {
    let graph = imports();
    assert!(graph.len() > 15, "{graph:?}");
    assert_acyclic(&graph, "src");
}

/// Fail on any path in `graph` that leads back to where it started.
fn assert_acyclic(graph: &BTreeMap<String, BTreeSet<String>>, what: &str) {
    // Depth-first search for a path back to the start.
    for start in graph.keys() {
        let mut stack: Vec<Vec<&str>> = vec![vec![start.as_str()]];
        while let Some(path) = stack.pop() {
            let last = *path.last().unwrap();
            for next in graph.get(last).into_iter().flatten() {
                assert!(next != start, "import cycle in {what}: {} → {next}", path.join(" → "));
                if !path.contains(&next.as_str()) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push(longer);
                }
            }
        }
    }
}

#[test]
fn the_leaves_import_nothing_of_the_crate() {
    let graph = imports();
    for leaf in ["schema", "registry", "text", "period", "publish"] {
        assert_eq!(graph.get(leaf).map(|g| g.len()), Some(0), "{leaf} imports {:?}", graph[leaf]);
    }
    // Config reads only the leaves; the stages after it never reach back.
    let config: Vec<&str> = graph["config"].iter().map(String::as_str).collect();
    assert_eq!(config, ["registry", "schema", "text"]);
    for stage in ["model", "ingest", "indicators"] {
        assert!(!graph[stage].contains("report"), "{stage} imports report");
    }
    assert!(!graph["ingest"].contains("indicators") && !graph["ingest"].contains("init"));
}

/// Inside `ingest`: the readers (`read`, `xlsx`, `ods`, `worker`) and the parsers
/// share `cells` and never refer back to each other in a loop.
#[test]
fn the_ingest_modules_import_each_other_without_cycles() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ingest");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let files = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).chain([dir.join("xlsx/mod.rs")]);
    let modules: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    for path in files.filter(|p| p.extension().is_some_and(|e| e == "rs")) {
        let module = match path.file_stem().unwrap().to_string_lossy().as_ref() {
            "mod" if path.parent().unwrap().ends_with("xlsx") => "xlsx".to_string(),
            "mod" => continue,
            stem => stem.to_string(),
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let used = graph.entry(module.clone()).or_default();
        // Code only: a doc comment may name another module.
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for prefix in ["super::", "crate::ingest::"] {
                for (at, _) in line.match_indices(prefix) {
                    let name: String =
                        line[at + prefix.len()..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                    if modules.contains(&name) && name != module {
                        used.insert(name);
                    }
                }
            }
        }
    }
    assert!(graph["xlsx"].contains("cells") && graph["read"].contains("xlsx"), "{graph:?}");
    assert_acyclic(&graph, "ingest");
}
