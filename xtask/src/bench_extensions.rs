//! `cargo xtask bench extensions`: calls per second of a simple data transformation through
//! the extension host, and the cost of a cold start.
//!
//! The measuring is done by the harness `crates/hub-extensions/benches/extensions` in a release
//! build, pinned to one core with `taskset` when it is available; this task adds the date, the
//! machine and the commit and rewrites the extensions section of `docs/benchmarks.md` between
//! its markers, leaving the rest of the file alone.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{Machine, cargo, unique};
use crate::cmd;
use crate::error::{Error, Result};

const START: &str = "<!-- bench:extensions:start -->";
const END: &str = "<!-- bench:extensions:end -->";
/// Calls per second the host must reach on one core.
const TARGET: f64 = 500_000.0;

/// Options of `cargo xtask bench extensions`.
#[derive(clap::Args)]
pub struct Args {
    /// Print the section instead of writing it to docs/benchmarks.md.
    #[arg(long)]
    no_doc: bool,
}

/// Builds and runs the harness, then records its figures.
pub fn run(args: &Args) -> Result<()> {
    let machine = Machine::probe();
    cmd::run(cargo().args([
        "bench",
        "-p",
        "hub-extensions",
        "--bench",
        "extensions",
        "--no-run",
    ]))?;
    let out = std::env::temp_dir().join(format!("syncline-bench-extensions-{}.json", unique()));
    let base = cargo();
    let pin = Command::new("taskset")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let mut command = if pin {
        let mut taskset = Command::new("taskset");
        taskset.args(["-c", "0"]).arg(base.get_program());
        for (key, value) in base.get_envs() {
            match value {
                Some(value) => taskset.env(key, value),
                None => taskset.env_remove(key),
            };
        }
        taskset
    } else {
        base
    };
    command
        .args([
            "bench",
            "-p",
            "hub-extensions",
            "--bench",
            "extensions",
            "--",
            "--json",
        ])
        .arg(&out)
        .current_dir(crate::workspace_root());
    cmd::run(&mut command)?;
    let text =
        std::fs::read_to_string(&out).map_err(|e| Error::Io(format!("{}: {e}", out.display())))?;
    let _ = std::fs::remove_file(&out);
    let figures: Value = serde_json::from_str(&text).map_err(|e| Error::Other(e.to_string()))?;
    let section = render(&machine, &figures);
    if args.no_doc {
        println!("{section}");
        return Ok(());
    }
    let path = crate::workspace_root().join("docs").join("benchmarks.md");
    write_section(&path, &section)?;
    eprintln!("wrote the extensions section of {}", path.display());
    Ok(())
}

fn num(figures: &Value, key: &str) -> f64 {
    figures.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn render(m: &Machine, f: &Value) -> String {
    let batched = num(f, "batched_calls_per_second");
    let mut s = String::new();
    let _ = writeln!(s, "{START}");
    let _ = writeln!(s, "## Extensions, data transformation\n");
    let _ = writeln!(
        s,
        "Measured {} by `cargo xtask bench extensions` on commit {}.  ",
        m.date, m.commit
    );
    let _ = writeln!(
        s,
        "Machine: {} cores ({}), {} memory, Linux {}; load average {} when the run began (the \
         machine is shared). Release build, the harness pinned to one core; the host has one \
         worker thread.\n",
        m.cores, m.cpu, m.memory, m.kernel, m.load
    );
    let _ = writeln!(
        s,
        "| Figure | Target | Measured | Per CPU-second of the process | |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|");
    let _ = writeln!(
        s,
        "| Calls per second, batches of {} through `transform_batch` (time inside the call) | ≥ {:.0}/s | {:.0}/s | {:.0}/s | {} |",
        num(f, "batch_size"),
        TARGET,
        batched,
        num(f, "batched_calls_per_cpu_second"),
        if batched >= TARGET {
            "met"
        } else {
            "**missed**"
        }
    );
    let _ = writeln!(
        s,
        "| The same, counting the caller building each batch (a clone of its {} calls) | — | {:.0}/s | {:.0}/s | |",
        num(f, "batch_size"),
        num(f, "batched_with_inputs_calls_per_second"),
        num(f, "batched_with_inputs_calls_per_cpu_second")
    );
    let _ = writeln!(
        s,
        "| Calls per second, one call per round trip (`transform`) | — | {:.0}/s | {:.0}/s | |",
        num(f, "single_calls_per_second"),
        num(f, "single_calls_per_cpu_second")
    );
    let _ = writeln!(
        s,
        "| Cold start: first call of a newly loaded extension | — | {:.2} ms | | |",
        num(f, "cold_start_ms")
    );
    let _ = writeln!(
        s,
        "| Validation at save (parse, evaluate, check functions) | — | {:.2} ms | | |",
        num(f, "validate_ms")
    );
    let _ = writeln!(
        s,
        "\nThe transformation is `input.trim().toUpperCase()` with a context of one source and \
         one target field, the same for every call of a batch; every result is checked. A batch \
         travels to the worker as one message; there, chunks of up to 512 calls run in one \
         budgeted evaluation under the sandbox guard, each call with its own limits. The \
         batch's context is converted to JavaScript once per chunk and frozen; each input is \
         converted and each result converted back and checked per call. A single call converts \
         its own context. The CPU-second column divides the calls by the CPU time of all the \
         harness's threads (caller and worker, from `/proc/self/task/*/schedstat`) over the same \
         spans, which other processes on the shared core do not inflate. The cold start creates \
         a boa context, installs the extension API and evaluates the script, once per extension \
         and worker thread."
    );
    let _ = writeln!(s, "{END}");
    s
}

fn write_section(path: &Path, section: &str) -> Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let text = match (existing.find(START), existing.find(END)) {
        (Some(start), Some(end)) if start < end => format!(
            "{}{}{}",
            &existing[..start],
            section.trim_end(),
            &existing[end + END.len()..]
        ),
        _ => format!("{}\n\n{}", existing.trim_end(), section),
    };
    std::fs::write(path, text).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}
