//! End-to-end: `hub-server apply` as an operator runs it — a dry run, the real run, a second run
//! that changes nothing, and broken files that exit non-zero with their code and line and leave
//! the store as it was.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_hub-server");

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/config")
        .join(name)
}

/// Runs `hub-server apply FILE extra…` on the data directory: (exit code, stdout, stderr).
fn apply(file: &Path, extra: &[&str], data: &Path) -> (i32, String, String) {
    let out = Command::new(BIN)
        .arg("apply")
        .arg(file)
        .args(extra)
        .arg("--data-dir")
        .arg(data)
        .args(["--log-level", "warn"])
        .env_remove("SYNCLINE_CONFIG")
        .env_remove("SYNCLINE_DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CREATED: [&str; 6] = [
    "+ repository 'Left memory'",
    "+ repository 'Right memory'",
    "+ model 'Work item'",
    "+ collection 'Left bugs'",
    "+ collection 'Right bugs'",
    "+ integration 'Left <-> Right'",
];

#[test]
fn dry_run_then_apply_then_nothing_to_change_and_broken_files_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let example = fixture("hub.toml");

    // A dry run shows every creation, twice: it wrote nothing the first time.
    for _ in 0..2 {
        let (code, out, err) = apply(&example, &["--dry-run"], data);
        assert_eq!(code, 0, "{err}");
        let diff: Vec<&str> = out.lines().take(6).collect();
        assert_eq!(diff, CREATED, "{out}");
        assert!(
            out.contains("6 to create, 0 to update, 0 unchanged, 0 to delete"),
            "{out}"
        );
        assert!(out.contains("dry run: nothing was written"), "{out}");
    }

    let (code, out, err) = apply(&example, &[], data);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().take(6).collect::<Vec<_>>(), CREATED, "{out}");
    assert!(out.contains("applied"), "{out}");

    let unchanged = |data: &Path| {
        let (code, out, err) = apply(&example, &[], data);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("0 to create, 0 to update, 6 unchanged, 0 to delete"),
            "{out}"
        );
        assert!(out.contains("= integration 'Left <-> Right'"), "{out}");
    };
    unchanged(data);

    // A file with rule violations: every problem with code, line and field; exit code 1.
    let (code, out, err) = apply(&fixture("broken/invalid.toml"), &[], data);
    assert_eq!(code, 1, "{out}{err}");
    let cron = format!(
        "error SYN-90040E: {}:27: integration 'L<->R': change_detection.cron: needs 6 or 7 \
         fields (seconds first), found 5",
        fixture("broken/invalid.toml").display()
    );
    assert!(err.contains(&cron), "{err}");
    assert!(
        err.contains("invalid.toml:11: repository 'Fourth memory'"),
        "{err}"
    );
    assert!(err.contains("nothing was applied"), "{err}");
    assert!(out.is_empty(), "no diff for a refused file: {out}");

    // A missing reference, TOML syntax, and a deletion only the database refuses.
    let (code, _, err) = apply(&fixture("broken/missing_reference.toml"), &[], data);
    assert_eq!(code, 1);
    assert!(
        err.contains("SYN-90041E") && err.contains(":14: integration 'Left <-> Nowhere': right:"),
        "{err}"
    );
    let (code, _, err) = apply(&fixture("broken/syntax.toml"), &[], data);
    assert_eq!(code, 1);
    assert!(
        err.contains("SYN-90003E") && err.contains("syntax.toml:6:"),
        "{err}"
    );
    let (code, _, err) = apply(&fixture("broken/prune_refused.toml"), &["--prune"], data);
    assert_eq!(code, 1);
    assert!(
        err.contains("SYN-90040E") && err.contains("model 'Work item': cannot be deleted"),
        "{err}"
    );

    // None of them changed anything, and the store is free again for the next run.
    unchanged(data);
}
