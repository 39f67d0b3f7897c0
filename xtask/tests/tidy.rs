//! Tidy checks on the source tree itself: crate layering, crate docs,
//! leftover debugging macros, and the architecture document.
//!
//! These rules are cheap to keep and expensive to restore once broken, so
//! they run with every `cargo test`. Each check lists all offenders at once.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// Workspace crates from the lowest layer up. A crate may depend only on
/// crates strictly below it; a new crate must be placed here.
const LAYERS: &[&str] = &[
    "hub-domain",
    "hub-migrations",
    "hub-store",
    "hub-connector",
    "hub-extensions",
    "hub-engine",
    "hub-notify",
    "hub-api",
    "hub-server",
    "xtask",
];

/// Directories whose `.rs` files are scanned for leftover macros.
const SOURCE_DIRS: &[&str] = &["crates", "bins", "migrations", "xtask"];

/// Target kinds that are not a crate's own root (and need no crate docs).
const SKIPPED_TARGET_KINDS: &[&str] = &["test", "bench", "example", "custom-build"];

/// A workspace package as far as these checks care.
struct Package {
    name: String,
    /// Names of all dependencies, of every kind.
    dependencies: Vec<String>,
    /// Root source files of its library and binary targets.
    roots: Vec<PathBuf>,
}

fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The workspace packages, from `cargo metadata` (once per test process).
fn packages() -> &'static [Package] {
    static PACKAGES: OnceLock<Vec<Package>> = OnceLock::new();
    PACKAGES.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .current_dir(workspace_root())
            .output()
            .expect("could not run `cargo metadata`");
        assert!(
            output.status.success(),
            "`cargo metadata` failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let metadata: Value =
            serde_json::from_slice(&output.stdout).expect("`cargo metadata` printed invalid JSON");
        metadata["packages"]
            .as_array()
            .expect("metadata without packages")
            .iter()
            .map(package)
            .collect()
    })
}

fn package(json: &Value) -> Package {
    let items = |value: &Value| value.as_array().cloned().unwrap_or_default();
    let roots = items(&json["targets"])
        .iter()
        .filter(|target| {
            !items(&target["kind"])
                .iter()
                .filter_map(Value::as_str)
                .any(|kind| SKIPPED_TARGET_KINDS.contains(&kind))
        })
        .filter_map(|target| target["src_path"].as_str().map(PathBuf::from))
        .collect();
    let dependencies = items(&json["dependencies"])
        .iter()
        .filter_map(|dependency| dependency["name"].as_str().map(str::to_owned))
        .collect();
    Package {
        name: json["name"]
            .as_str()
            .expect("package without name")
            .to_owned(),
        dependencies,
        roots,
    }
}

/// Fails listing every offender, with what the rule is and how to fix it.
fn report(rule: &str, offenders: &[String]) {
    assert!(
        offenders.is_empty(),
        "{rule}\n{} offender(s):\n  {}\n",
        offenders.len(),
        offenders.join("\n  ")
    );
}

/// A path relative to the workspace root, for readable messages.
fn relative(path: &Path) -> String {
    let root = workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn crates_depend_only_on_lower_layers() {
    let layer = |name: &str| LAYERS.iter().position(|layer| *layer == name);
    let workspace: Vec<&str> = packages().iter().map(|p| p.name.as_str()).collect();
    let mut offenders = Vec::new();
    for package in packages() {
        let Some(own) = layer(&package.name) else {
            offenders.push(format!("{} is not in LAYERS", package.name));
            continue;
        };
        let mut seen = Vec::new();
        for dependency in &package.dependencies {
            if !workspace.contains(&dependency.as_str()) || seen.contains(&dependency) {
                continue;
            }
            seen.push(dependency);
            match layer(dependency) {
                Some(theirs) if theirs < own => {}
                Some(_) => offenders.push(format!(
                    "{} depends on {dependency}, which is not in a lower layer",
                    package.name
                )),
                None => {} // Reported as unplaced on its own.
            }
        }
    }
    report(
        &format!(
            "Workspace crates must depend only on crates in strictly lower layers, and every \
             crate must be placed in LAYERS (xtask/tests/tidy.rs). Layers, lowest first: {}.",
            LAYERS.join(", ")
        ),
        &offenders,
    );
}

#[test]
fn crate_roots_start_with_crate_docs() {
    let mut offenders = Vec::new();
    for package in packages() {
        for root in &package.roots {
            let first = match std::fs::read_to_string(root) {
                Ok(text) => text.lines().next().unwrap_or_default().to_owned(),
                Err(err) => {
                    offenders.push(format!("{}: unreadable: {err}", relative(root)));
                    continue;
                }
            };
            if !first.starts_with("//!") {
                offenders.push(format!("{}: first line is `{first}`", relative(root)));
            }
        }
    }
    report(
        "Every crate root (lib.rs, main.rs) must begin on its first line with `//!` docs \
         saying why the crate exists (no blank lines, comments or attributes before them).",
        &offenders,
    );
}

#[test]
fn no_leftover_debugging_macros() {
    // Built from pieces so this file does not match itself.
    let patterns = [
        concat!("todo", "!("),
        concat!("unimplemented", "!("),
        concat!("dbg", "!("),
    ];
    let mut files = Vec::new();
    for dir in SOURCE_DIRS {
        collect_rust_files(&workspace_root().join(dir), &mut files);
    }
    let mut offenders = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            offenders.push(format!("{}: unreadable", relative(&file)));
            continue;
        };
        for (number, line) in text.lines().enumerate() {
            if patterns.iter().any(|pattern| line.contains(pattern)) {
                offenders.push(format!(
                    "{}:{}: {}",
                    relative(&file),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    report(
        &format!(
            "No `{}` may be left in the sources (finish the code or return an error).",
            patterns.join("`, `")
        ),
        &offenders,
    );
}

/// All `.rs` files under `dir`, skipping hidden and `target` directories.
fn collect_rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                collect_rust_files(&path, files);
            }
        } else if name.ends_with(".rs") {
            files.push(path);
        }
    }
}

#[test]
fn architecture_doc_mentions_every_crate() {
    let path = workspace_root().join("ARCHITECTURE.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!("ARCHITECTURE.md must exist at the workspace root and describe every crate ({err})")
    });
    let offenders: Vec<String> = packages()
        .iter()
        .filter(|package| !text.contains(&package.name))
        .map(|package| package.name.clone())
        .collect();
    report(
        "ARCHITECTURE.md must mention every workspace crate by its package name.",
        &offenders,
    );
}
