//! `cargo xtask bench trackers`: the hub's synchronized updates per second Redmine→Trac and
//! Trac→Redmine beside the raw API rate of the same target tracker, measured in the same run at
//! the same concurrency, and the latency from an edit in one tracker to its appearance in the
//! other with change detection every second.
//!
//! The measuring is done by the ignored test `bins/hub-server/tests/trackers_bench.rs` in a
//! release build, against `redmine-a` and `trac-a` (started here when they are not running, and
//! then left running for the next run); this task adds the date, the machine and the commit and
//! rewrites the trackers section of `docs/benchmarks.md` between its markers.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::{Machine, cargo, grouped, num, unique, verdict};
use crate::error::{Error, Result};
use crate::{cmd, services};

const START: &str = "<!-- bench:trackers:start -->";
const END: &str = "<!-- bench:trackers:end -->";
/// The hub must reach this share of the target tracker's raw update rate.
const RATE_SHARE: f64 = 0.9;
/// Median seconds from an edit to its appearance on the other side.
const LATENCY_P50: f64 = 2.0;

/// Options of `cargo xtask bench trackers`.
#[derive(clap::Args)]
pub struct Args {
    /// Work items synchronized (and edited once in each direction).
    #[arg(long, default_value_t = 100)]
    items: usize,
    /// Requests in flight at once: the raw probes, the edits and the hub's activities.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Print the section instead of writing it to docs/benchmarks.md.
    #[arg(long)]
    no_doc: bool,
    /// Record the figures of a harness run made by hand (its JSON) instead of running it.
    #[arg(long)]
    figures: Option<std::path::PathBuf>,
}

/// Starts the trackers if needed, runs the harness and records its figures.
pub fn run(args: &Args) -> Result<()> {
    let machine = Machine::probe();
    let text = match &args.figures {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Error::Io(format!("{}: {e}", path.display())))?,
        None => harness(args)?,
    };
    let figures: Value = serde_json::from_str(&text).map_err(|e| Error::Other(e.to_string()))?;
    let section = render(&machine, &figures, args.figures.is_some());
    if args.no_doc {
        println!("{section}");
        return Ok(());
    }
    let path = crate::workspace_root().join("docs").join("benchmarks.md");
    write_section(&path, &section)?;
    eprintln!("wrote the trackers section of {}", path.display());
    Ok(())
}

/// Runs the harness against `redmine-a` and `trac-a`; its JSON.
fn harness(args: &Args) -> Result<String> {
    services::up(&["redmine-a".to_owned(), "trac-a".to_owned()])?;
    let out = std::env::temp_dir().join(format!("syncline-bench-trackers-{}.json", unique()));
    let mut command = cargo();
    command
        .args([
            "test",
            "--release",
            "-p",
            "hub-server",
            "--test",
            "trackers_bench",
            "--",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("SYNCLINE_BENCH_TRACKERS_JSON", &out)
        .env("SYNCLINE_BENCH_TRACKERS_N", args.items.to_string())
        .env("SYNCLINE_BENCH_TRACKERS_C", args.concurrency.to_string())
        .current_dir(crate::workspace_root());
    cmd::run(&mut command)?;
    let text =
        std::fs::read_to_string(&out).map_err(|e| Error::Io(format!("{}: {e}", out.display())))?;
    let _ = std::fs::remove_file(&out);
    Ok(text)
}

fn f(v: &Value, pointer: &str) -> f64 {
    num(v, pointer).unwrap_or(f64::NAN)
}

/// "hub 2.1, Redmine 0.4, Trac 5.9 CPU-s over 7.0 s" for one phase.
fn cpu(v: &Value, phase: &str) -> String {
    let part = |who: &str, name: &str| {
        num(v, &format!("{phase}/cpu/{who}")).map(|s| format!("{name} {s:.1}"))
    };
    let parts: Vec<String> = [("hub", "hub"), ("redmine", "Redmine"), ("trac", "Trac")]
        .iter()
        .filter_map(|(who, name)| part(who, name))
        .collect();
    format!(
        "{} CPU-s over {:.1} s",
        parts.join(", "),
        f(v, &format!("{phase}/cpu/wall_seconds"))
    )
}

/// " Redmine logged 540 requests (…), 9.0 per update, 51.2 s of server time (85 % of the
/// phase)." for one phase, empty when Redmine's log was not read.
fn redmine_requests(v: &Value, phase: &str) -> String {
    let requests = v.pointer(&format!("{phase}/cpu/redmine_requests"));
    let Some(requests) = requests.filter(|r| !r.is_null()) else {
        return String::new();
    };
    let total = f(requests, "/total");
    let methods: Vec<String> = requests["by_method"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(method, n)| format!("{} {method}", grouped(n.as_f64().unwrap_or(0.0))))
                .collect()
        })
        .unwrap_or_default();
    let server = f(requests, "/server_seconds");
    let wall = f(v, &format!("{phase}/cpu/wall_seconds"));
    let updates = f(v, &format!("{phase}/updates"));
    format!(
        " Redmine logged {} requests in that time ({}), taking {server:.1} s of server time, \
         {:.0} % of the phase; the hub's share, without the harness's {}: {} requests, {:.1} per \
         synchronized update.",
        grouped(total),
        methods.join(", "),
        100.0 * server / wall,
        harness_share(requests, phase, updates).1,
        grouped(hub_requests(requests, phase, updates)),
        hub_requests(requests, phase, updates) / updates,
    )
}

/// Requests of a phase that the harness itself sent to Redmine, and what they were: its count
/// queries, and in the Redmine→Trac phase its edits.
fn harness_share(requests: &Value, phase: &str, updates: f64) -> (f64, String) {
    let queries = f(requests, "/harness_count_queries");
    if phase.ends_with("redmine_to_trac") {
        let what = format!(
            "{} edits and {} count queries",
            grouped(updates),
            grouped(queries)
        );
        (updates + queries, what)
    } else {
        (queries, format!("{} count queries", grouped(queries)))
    }
}

/// Requests of a phase the hub sent to Redmine.
fn hub_requests(requests: &Value, phase: &str, updates: f64) -> f64 {
    f(requests, "/total") - harness_share(requests, phase, updates).0
}

/// The rate row of one direction.
fn rate_row(
    s: &mut String,
    v: &Value,
    phase: &str,
    from: &str,
    to: &str,
    raw: f64,
    raw_what: &str,
) {
    let n = f(v, "/items");
    let hub = num(v, &format!("{phase}/per_second"));
    let measured = match hub {
        Some(rate) => format!("{rate:.1}/s = {:.2} × raw", rate / raw),
        None => format!(
            "not measured: {} of {} arrived within the phase's limit",
            grouped(f(v, &format!("{phase}/arrived"))),
            grouped(n)
        ),
    };
    let _ = writeln!(
        s,
        "| Synchronized updates per second {from}→{to} ({} items) | ≥ {RATE_SHARE} × raw = {:.1}/s \
         | {measured} | {} |",
        grouped(n),
        RATE_SHARE * raw,
        verdict(hub.is_some_and(|rate| rate >= RATE_SHARE * raw))
    );
    let _ = writeln!(
        s,
        "| Raw rate of {to}, {raw_what}, same concurrency | — | {raw:.1}/s | |"
    );
}

/// The section; `recorded` when the figures come from a harness run made earlier by hand,
/// whose date is not known here (the date given is then when they were written).
fn render(m: &Machine, v: &Value, recorded: bool) -> String {
    let c = f(v, "/concurrency");
    let raw_trac = f(v, "/raw/trac/updates_per_second");
    let raw_redmine = f(v, "/raw/redmine/put_per_second");
    let mut s = String::new();
    let _ = writeln!(s, "{START}");
    let _ = writeln!(s, "## Trackers, Redmine ↔ Trac\n");
    let how = if recorded {
        "Figures of a harness run made by hand, written"
    } else {
        "Measured"
    };
    let _ = writeln!(
        s,
        "{how} {} by `cargo xtask bench trackers` on commit {}.  ",
        m.date, m.commit
    );
    let _ = writeln!(
        s,
        "Machine: {} cores ({}), {} memory, Linux {}; load average {} when the harness began, \
         {} when it ended (the machine is shared). Release build of `hub-server` between the \
         private Redmine (`redmine-a`: Debian package, puma, SQLite) and Trac 1.6 (`trac-a`: \
         tracd with the XML-RPC plugin) of `cargo xtask services`, all on this machine. \
         Configuration `fixtures/trackers/redmine-trac.toml`: change detection every 1 s, {} \
         activities at once. Concurrency {} for the raw probes, the edits and the hub. The run \
         took {:.0} s.\n",
        m.cores,
        m.cpu,
        m.memory,
        m.kernel,
        v["load_at_start"].as_str().unwrap_or("unknown"),
        v["load_at_end"].as_str().unwrap_or("unknown"),
        f(v, "/hub_concurrency"),
        c,
        f(v, "/seconds"),
    );
    let _ = writeln!(s, "| Figure | Target | Measured | |");
    let _ = writeln!(s, "|---|---|---|---|");
    rate_row(
        &mut s,
        v,
        "/hub/redmine_to_trac",
        "Redmine",
        "Trac",
        raw_trac,
        "`ticket.update` (summary, `leave`)",
    );
    rate_row(
        &mut s,
        v,
        "/hub/trac_to_redmine",
        "Trac",
        "Redmine",
        raw_redmine,
        "`PUT /issues/:id.json` (subject)",
    );
    let p50 = num(v, "/latency/all/p50");
    let count = f(v, "/latency/all/count");
    let edits = f(v, "/latency/edits");
    let _ = writeln!(
        s,
        "| Latency edit → other tracker, p50 ({} of {} edits arrived) | ≤ {LATENCY_P50} s | {} | {} |",
        grouped(count),
        grouped(edits),
        p50.map_or("not measured".to_owned(), |p| format!("{p:.2} s")),
        verdict(count >= edits && p50.is_some_and(|p| p <= LATENCY_P50))
    );
    let _ = writeln!(
        s,
        "| Latency, p95 | — | {:.2} s (max {:.2} s) | |",
        f(v, "/latency/all/p95"),
        f(v, "/latency/all/max")
    );
    for (side, name) in [
        ("from_redmine", "Redmine→Trac"),
        ("from_trac", "Trac→Redmine"),
    ] {
        let _ = writeln!(
            s,
            "| Latency {name}, p50 / p95 | — | {:.2} s / {:.2} s | |",
            f(v, &format!("/latency/{side}/p50")),
            f(v, &format!("/latency/{side}/p95"))
        );
    }
    let _ = writeln!(s, "\n### How each figure was measured\n");
    let _ = writeln!(
        s,
        "**Setup.** A Redmine project and a Trac ticket type of the run's own. {} issues were \
         created on Redmine ({c} at a time, {:.1} s) and the hub made their Trac twins; it was \
         quiet {:.1} s after the first creation ({}).\n",
        grouped(f(v, "/items")),
        f(v, "/creation/edit_seconds"),
        f(v, "/creation/seconds_until_quiet"),
        cpu(v, "/creation"),
    );
    let _ = writeln!(
        s,
        "**Raw rates**, with the hub stopped. Trac (`hub_connector::trac::probe::measure`, {} \
         requests of each kind, {c} at a time): {:.1} creates/s, {:.1} reads/s, {:.1} updates/s. \
         Redmine (`hub_connector::redmine::probe`, {:.0} s per kind, {c} clients, in a project \
         outside the integration): {:.1} GET/s, {:.1} PUT/s, {:.1} POST/s. The updates per \
         second are the raw rate each hub rate is set against: a synchronized update ends in \
         one such write on the target. The probes use the connectors' own HTTP clients, which \
         close each connection to Redmine after its answer (Puma would otherwise hold its one \
         thread up to 200 ms on every kept-alive connection; see `redmine::client`).\n",
        grouped(f(v, "/raw/trac/requests")),
        f(v, "/raw/trac/creates_per_second"),
        f(v, "/raw/trac/reads_per_second"),
        raw_trac,
        f(v, "/raw/redmine/seconds_per_kind"),
        f(v, "/raw/redmine/get_per_second"),
        raw_redmine,
        f(v, "/raw/redmine/post_per_second"),
    );
    for (phase, from, to, raw) in [
        ("/hub/redmine_to_trac", "Redmine", "Trac", raw_trac),
        ("/hub/trac_to_redmine", "Trac", "Redmine", raw_redmine),
    ] {
        let _ = writeln!(
            s,
            "**Hub {from}→{to}.** The summary of every {from} item was edited, {c} edits at a \
             time ({:.1} s, {:.1} edits/s on {from}); from the first edit until {to} held all \
             {} new summaries (one filtered query on {to} every 200 ms): {:.1} s. CPU in that \
             time: {}. Raw {to} rate {raw:.1}/s.{}\n",
            f(v, &format!("{phase}/edit_seconds")),
            f(v, &format!("{phase}/source_edits_per_second")),
            grouped(f(v, &format!("{phase}/updates"))),
            f(v, &format!("{phase}/seconds")),
            cpu(v, phase),
            redmine_requests(v, phase),
        );
    }
    let samples: Vec<String> = v["latency"]["samples"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|x| {
                    let arrow = if x["from"] == "redmine" {
                        "R→T"
                    } else {
                        "T→R"
                    };
                    x["seconds"]
                        .as_f64()
                        .map_or(format!("{arrow} lost"), |s| format!("{arrow} {s:.2}"))
                })
                .collect()
        })
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "**Latency.** {} single edits of a summary, alternating sides, each on an idle hub (the \
         next edit only once the hub had nothing left to do); the time from sending the edit \
         until a read of the other tracker every 100 ms showed it, in seconds: {}.\n",
        grouped(edits),
        samples.join(", ")
    );
    let cores = m.cores.parse().unwrap_or(f64::NAN);
    bounds(&mut s, v, cores, raw_trac, raw_redmine);
    let _ = writeln!(s, "{END}");
    s
}

/// What bounds each missed target, read from the figures.
fn bounds(s: &mut String, v: &Value, cores: f64, raw_trac: f64, raw_redmine: f64) {
    let mut notes = Vec::new();
    for (phase, from, to, raw) in [
        ("/hub/redmine_to_trac", "Redmine", "Trac", raw_trac),
        ("/hub/trac_to_redmine", "Trac", "Redmine", raw_redmine),
    ] {
        let Some(rate) = num(v, &format!("{phase}/per_second")) else {
            continue;
        };
        if rate >= RATE_SHARE * raw {
            continue;
        }
        let wall = f(v, &format!("{phase}/cpu/wall_seconds"));
        let busy = |who: &str| num(v, &format!("{phase}/cpu/{who}")).map(|c| c / wall);
        let echo = if to == "Redmine" {
            "then, Redmine having no optimistic locking, finds its own write on Redmine as a \
             change and processes that echo too"
        } else {
            "skips the echo of its own write (Trac's version check tells it apart)"
        };
        let mut why = format!(
            "{from}→{to} reached {:.1} % of {to}'s raw update rate. A synchronized update costs \
             more than the one write the raw rate counts: the hub finds the change on {from}, \
             reads the item on both sides with its comments and attachments, writes its twin on \
             {to}, and {echo}.",
            100.0 * rate / raw
        );
        if let (Some(hub), Some(redmine), Some(trac)) = (busy("hub"), busy("redmine"), busy("trac"))
        {
            let total = hub + redmine + trac;
            let _ = write!(
                why,
                " Cores busy over the phase: hub {hub:.2}, Redmine {redmine:.2}, Trac {trac:.2}, \
                 together {total:.2} of {cores:.0}"
            );
            why += if total >= 0.8 * cores {
                ": the machine's CPU, shared by the hub and both trackers, was the limit."
            } else if trac >= 0.8 || redmine >= 0.8 {
                ": a tracker's single server process was near one core, its limit."
            } else {
                ": none of these processes was CPU-bound."
            };
        }
        let requests = v.pointer(&format!("{phase}/cpu/redmine_requests"));
        if let Some(requests) = requests.filter(|r| !r.is_null()) {
            let share = f(requests, "/server_seconds") / wall;
            let updates = f(v, &format!("{phase}/updates"));
            let per_update = hub_requests(requests, phase, updates) / updates;
            let _ = write!(
                why,
                " Redmine's one server thread spent {:.0} % of the phase answering requests, the \
                 hub's {per_update:.1} per synchronized update among them",
                100.0 * share
            );
            why += if share >= 0.7 {
                "; it is the bound: the hub's rate is Redmine's request rate divided by the \
                 requests an update needs there (reading the Redmine issue with its comments \
                 and attachments; on a write also the version check, the PUT and the read-back, \
                 and, Redmine having no optimistic locking, the echo of the hub's own write, \
                 read again), and the change polls."
            } else {
                "; it was not saturated, so the rate was bound by waiting elsewhere."
            };
        }
        let edits = f(v, &format!("{phase}/edit_seconds"));
        let seconds = f(v, &format!("{phase}/seconds"));
        if edits >= 0.6 * seconds {
            let _ = write!(
                why,
                " Making the edits on {from} took {edits:.1} s of the phase's {seconds:.1} s, and \
                 the phase cannot end before the last edit: the hub arrived {:.1} s after it, so \
                 this rate is bound by how fast {from} takes the edits as much as by the hub.",
                seconds - edits
            );
        }
        let source_raw = if from == "Redmine" {
            num(v, "/raw/redmine/put_per_second")
        } else {
            num(v, "/raw/trac/updates_per_second")
        };
        let source_rate = f(v, &format!("{phase}/source_edits_per_second"));
        if let Some(source_raw) = source_raw.filter(|raw| source_rate < 0.5 * raw) {
            let _ = write!(
                why,
                " The edits on {from} themselves ran at {:.1}/s during the phase, against \
                 {source_raw:.1}/s in its raw probe: {from} answered slower while the hub \
                 read from it.",
                source_rate
            );
        }
        notes.push(why);
    }
    if num(v, "/latency/all/p50").is_some_and(|p| p > LATENCY_P50) {
        notes.push(
            "Latency: with change detection every second an edit waits on average half a \
             poll before it is seen, plus the source's one-second `updated_on` resolution and \
             the detection overlap, plus the reads and write of the activity."
                .to_owned(),
        );
    }
    if !notes.is_empty() {
        let _ = writeln!(
            s,
            "**What bounds the missed targets.** {}\n",
            notes.join(" ")
        );
    }
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
        _ => format!("{}\n\n{}\n", existing.trim_end(), section.trim_end()),
    };
    std::fs::write(path, text).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}
