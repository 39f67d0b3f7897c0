//! `cargo xtask bench trackers`: the hub's synchronized updates per second Redmine→Trac and
//! Trac→Redmine beside their physical limit (the requests one synchronized update needs, sent
//! by hand to the same trackers) and the raw write rate of the target tracker, all measured in
//! the same run at the same concurrency, and the latency from an edit in one tracker to its
//! appearance in the other with change detection every second.
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
/// The hub must reach this share of its physical limit.
const RATE_SHARE: f64 = 0.9;
/// Median seconds from an edit to its appearance on the other side.
const LATENCY_P50: f64 = 2.0;

/// Options of `cargo xtask bench trackers`.
#[derive(clap::Args)]
pub struct Args {
    /// Work items synchronized (and edited once in each direction): enough that the start of
    /// a phase (reloading the integration, its first poll) weighs little in its rate.
    #[arg(long, default_value_t = 300)]
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
         {:.0} % of the phase; the hub's share, without the harness's {} count queries: {} \
         requests, {:.1} per synchronized update.",
        grouped(total),
        methods.join(", "),
        100.0 * server / wall,
        grouped(f(requests, "/harness_count_queries")),
        grouped(hub_requests(requests)),
        hub_requests(requests) / updates,
    )
}

/// Requests of a phase the hub sent to Redmine: all but the harness's count queries (its
/// edits are made before the phase begins).
fn hub_requests(requests: &Value) -> f64 {
    f(requests, "/total") - f(requests, "/harness_count_queries")
}

/// The rows of one direction: the hub's rate against the physical limit (the raw pipeline),
/// the limit, and the target's single-write rate for scale.
fn rate_rows(s: &mut String, v: &Value, direction: &Direction) {
    let n = f(v, "/items");
    let limit = f(v, direction.pipeline);
    let raw = f(v, direction.raw);
    let hub = num(v, &format!("{}/per_second", direction.phase));
    let (from, to) = (direction.from, direction.to);
    let measured = match hub {
        Some(rate) => format!("{rate:.1}/s = {:.2} × limit", rate / limit),
        None => format!(
            "not measured: {} of {} arrived within the phase's limit",
            grouped(f(v, &format!("{}/arrived", direction.phase))),
            grouped(n)
        ),
    };
    let _ = writeln!(
        s,
        "| Synchronized updates per second {from}→{to} ({} items) | ≥ {RATE_SHARE} × limit = \
         {:.1}/s | {measured} | {} |",
        grouped(n),
        RATE_SHARE * limit,
        verdict(hub.is_some_and(|rate| rate >= RATE_SHARE * limit))
    );
    let _ = writeln!(
        s,
        "| Physical limit {from}→{to}: one update's requests by hand ({}), same concurrency | — \
         | {limit:.1}/s | |",
        direction.pipeline_what
    );
    let share = hub.map_or(String::new(), |rate| format!(" (hub {:.2} ×)", rate / raw));
    let _ = writeln!(
        s,
        "| Raw rate of {to}'s write alone, {}, same concurrency | — | {raw:.1}/s{share} | |",
        direction.raw_what
    );
}

/// Where the figures of one direction are.
struct Direction {
    phase: &'static str,
    from: &'static str,
    to: &'static str,
    pipeline: &'static str,
    pipeline_what: &'static str,
    raw: &'static str,
    raw_what: &'static str,
}

const DIRECTIONS: [Direction; 2] = [
    Direction {
        phase: "/hub/redmine_to_trac",
        from: "Redmine",
        to: "Trac",
        pipeline: "/raw/pipeline/redmine_to_trac",
        pipeline_what: "Redmine's change query (issue list by `updated_on`, 100 a page), \
                        then per item Redmine GET with journals and attachments, Trac \
                        `ticket.get` and `ticket.changeLog`, `ticket.update`",
        raw: "/raw/trac/updates_per_second",
        raw_what: "`ticket.update`",
    },
    Direction {
        phase: "/hub/trac_to_redmine",
        from: "Trac",
        to: "Redmine",
        pipeline: "/raw/pipeline/trac_to_redmine",
        pipeline_what: "Trac's change query (`ticket.query` by `changetime`), then per item \
                        Trac `ticket.get` and `ticket.changeLog`, Redmine GET with journals and \
                        attachments, PUT, GET again",
        raw: "/raw/redmine/put_per_second",
        raw_what: "`PUT /issues/:id.json`",
    },
];

/// The section; `recorded` when the figures come from a harness run made earlier by hand,
/// whose date is not known here (the date given is then when they were written).
fn render(m: &Machine, v: &Value, recorded: bool) -> String {
    let c = f(v, "/concurrency");
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
    for direction in &DIRECTIONS {
        rate_rows(&mut s, v, direction);
    }
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
         Redmine (`hub_connector::redmine::probe`, {:.0} s per kind on one issue, {c} clients, \
         in a project outside the integration): {:.1} GET/s, {:.1} PUT/s, {:.1} POST/s. These \
         close each connection to Redmine after its answer, as the connector does (Puma would \
         otherwise hold its one thread up to 200 ms on every kept-alive connection; see \
         `redmine::client`).\n",
        grouped(f(v, "/raw/trac/requests")),
        f(v, "/raw/trac/creates_per_second"),
        f(v, "/raw/trac/reads_per_second"),
        f(v, "/raw/trac/updates_per_second"),
        f(v, "/raw/redmine/seconds_per_kind"),
        f(v, "/raw/redmine/get_per_second"),
        f(v, "/raw/redmine/put_per_second"),
        f(v, "/raw/redmine/post_per_second"),
    );
    let _ = writeln!(
        s,
        "**Physical limit**, with the hub stopped: on {} Redmine issues and Trac tickets \
         outside the integration, the requests one synchronized update cannot do without, sent \
         by hand with plain HTTP, {c} items at a time: {:.1} updates/s Redmine→Trac, {:.1} \
         updates/s Trac→Redmine. Each direction first edits the summary of every source item \
         (untimed), as the hub phase does, so the reads meet the same history as the hub's \
         (an edited Redmine issue carries the journal of its edit). Then the clock runs while \
         a lister finds the edits the way any hub must that polls: the source's change query \
         from the start of the edits (Redmine has no other way to tell what changed; alone it \
         took {:.2} s on Redmine, {:.2} s on Trac), each found item handed at once to one of \
         {c} workers; last, one pass of the target's change query over the span, which a \
         two-way synchronization polls as well and where its own writes come back. A worker \
         reads the changed item with its comments (to copy what \
         changed), reads the other item with its comments (to keep what changed there and to \
         copy no comment twice) and writes it; a write to Redmine is followed by a read, \
         because Redmine answers 204 without the new state and cannot refuse a write based on \
         a stale read, so only a read after it shows whether someone else's edit landed in \
         between. A write alone is the physical limit of a one-way copy that overwrites \
         blindly, not of a synchronization.\n",
        grouped(f(v, "/raw/pipeline/items")),
        f(v, "/raw/pipeline/redmine_to_trac"),
        f(v, "/raw/pipeline/trac_to_redmine"),
        f(v, "/raw/pipeline/change_query_seconds/redmine"),
        f(v, "/raw/pipeline/change_query_seconds/trac"),
    );
    for d in &DIRECTIONS {
        let (phase, from, to) = (d.phase, d.from, d.to);
        let _ = writeln!(
            s,
            "**Hub {from}→{to}.** With the integration stopped (`POST \
             /api/integrations/:id/stop`) the summary of every {from} item was edited, {c} edits \
             at a time ({:.1} s, {:.1} edits/s on {from}). Then the integration was started: \
             until the hub was idle again and {to} held all {} new summaries (the hub asked \
             every 100 ms, {to} queried {} times), {:.1} s; and until the hub had also read \
             what its writes changed on {to} (the next poll of {to} returns them as changes) \
             and stayed idle 2.5 s after: {:.1} s, the time the rate counts. CPU in that \
             time: {}.{}\n",
            f(v, &format!("{phase}/edit_seconds")),
            f(v, &format!("{phase}/source_edits_per_second")),
            grouped(f(v, &format!("{phase}/updates"))),
            grouped(f(v, &format!("{phase}/target_queries"))),
            f(v, &format!("{phase}/arrived_seconds")),
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
    bounds(&mut s, v, cores);
    let _ = writeln!(s, "{END}");
    s
}

/// What bounds each missed target, read from the figures.
fn bounds(s: &mut String, v: &Value, cores: f64) {
    let mut notes = Vec::new();
    for d in &DIRECTIONS {
        let (phase, from, to) = (d.phase, d.from, d.to);
        let Some(rate) = num(v, &format!("{phase}/per_second")) else {
            continue;
        };
        let limit = f(v, d.pipeline);
        if rate >= RATE_SHARE * limit {
            continue;
        }
        let wall = f(v, &format!("{phase}/cpu/wall_seconds"));
        let busy = |who: &str| num(v, &format!("{phase}/cpu/{who}")).map(|c| c / wall);
        let mut why = format!(
            "{from}→{to} reached {:.0} % of its physical limit.",
            100.0 * rate / limit
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
            let _ = write!(
                why,
                " Redmine's one server thread spent {:.0} % of the phase answering requests, \
                 {:.1} per synchronized update from the hub (the physical limit needs {}).",
                100.0 * share,
                hub_requests(requests) / updates,
                if to == "Redmine" { 3 } else { 1 }
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
