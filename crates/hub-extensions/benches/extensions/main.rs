//! Throughput of a simple data transformation through the extension host, and the cost of a
//! cold start (`cargo xtask bench extensions` runs this in release mode and records the
//! figures in docs/benchmarks.md).
//!
//! Calls go through the full public API (`ExtensionHost::transform_batch`: argument
//! conversion, the channel to the worker, the sandbox guard, result conversion and checks) on
//! a host with one worker thread. A single-call round trip (one channel message per call) is
//! measured too, since that is what an engine calling one artifact at a time would see.
//! Rates are given per second of wall-clock time and per second of CPU time of the process:
//! the machine is shared, and only the latter is untouched by other processes on the core.
//! Prints one JSON object; `--json FILE` also writes it to FILE.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hub_extensions::kv::{KvCache, Sealer, StaticKey};
use hub_extensions::{
    CallContext, CallTags, Extension, ExtensionHost, ExtensionKind, FieldRef, HostConfig,
    MemoryLog, TransformCall,
};
use serde_json::{Value, json};

const SOURCE: &str = "var inputTypes = 'String';\nvar outputTypes = 'String';\n\
                      function transform(context, input) {\n  return input ? input.trim().toUpperCase() : undefined;\n}\n";

fn host() -> ExtensionHost {
    let sealer = Arc::new(Sealer::new(Box::new(StaticKey::new([1; 32]))));
    let config = HostConfig {
        workers: 1,
        ..HostConfig::default()
    };
    ExtensionHost::new(
        config,
        Arc::new(MemoryLog::new(16)),
        Arc::new(KvCache::new(sealer)),
    )
    .expect("host")
}

fn load(host: &ExtensionHost, name: &str) {
    host.load(&Extension {
        name: name.to_owned(),
        kind: ExtensionKind::DataTransformation,
        source: SOURCE.to_owned(),
    })
    .expect("load");
}

fn call(i: usize) -> TransformCall {
    TransformCall {
        context: CallContext {
            source_fields: vec![FieldRef {
                id: "summary".into(),
                label: "Summary".into(),
                options: vec![],
            }],
            target_fields: vec![FieldRef {
                id: "title".into(),
                label: "Title".into(),
                options: vec![],
            }],
            ..CallContext::default()
        },
        input: json!(format!(" item {i} ")),
        tags: CallTags::default(),
    }
}

/// Whether the caller building its inputs (a clone of the batch) counts in a measurement.
#[derive(Clone, Copy, PartialEq)]
enum Inputs {
    Counted,
    NotCounted,
}

/// CPU time used so far by all threads of this process (caller and worker), from
/// `/proc/self/task/*/schedstat` (Linux): unlike wall-clock time, other processes on the same
/// core do not inflate it.
fn cpu_time() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let nanos: u64 = tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

/// Figures of one measurement.
struct Rate {
    per_second: f64,
    per_cpu_second: f64,
    calls: usize,
}

/// Calls per second with batches of `batch` calls, for about `duration` of measured time: the
/// time inside `transform_batch`, plus building the inputs when they count. Every result is
/// checked.
fn batched(host: &ExtensionHost, batch: usize, duration: Duration, inputs: Inputs) -> Rate {
    let calls: Vec<TransformCall> = (0..batch).map(call).collect();
    let expected: Vec<Value> = (0..batch).map(|i| json!(format!("ITEM {i}"))).collect();
    let mut measured = Duration::ZERO;
    let mut cpu = Duration::ZERO;
    let mut done = 0;
    while measured < duration {
        let (built, cpu_built) = (Instant::now(), cpu_time());
        let batch = calls.clone();
        let (started, cpu_started) = if inputs == Inputs::Counted {
            (built, cpu_built)
        } else {
            (Instant::now(), cpu_time())
        };
        let results = host.transform_batch("simple", batch, None).expect("batch");
        measured += started.elapsed();
        cpu += cpu_time().saturating_sub(cpu_started);
        for (result, expected) in results.iter().zip(&expected) {
            assert_eq!(result.as_ref().expect("call").as_ref(), Some(expected));
        }
        done += results.len();
    }
    Rate {
        per_second: done as f64 / measured.as_secs_f64(),
        per_cpu_second: done as f64 / cpu.as_secs_f64(),
        calls: done,
    }
}

/// Calls per second, one channel round trip each (building each call counts).
fn single(host: &ExtensionHost, duration: Duration) -> Rate {
    let (started, cpu_started) = (Instant::now(), cpu_time());
    let mut done = 0;
    while started.elapsed() < duration {
        let result = host.transform("simple", call(done), None).expect("call");
        assert_eq!(result, Some(json!(format!("ITEM {done}"))));
        done += 1;
    }
    Rate {
        per_second: done as f64 / started.elapsed().as_secs_f64(),
        per_cpu_second: done as f64 / cpu_time().saturating_sub(cpu_started).as_secs_f64(),
        calls: done,
    }
}

/// Mean time of the first call of a freshly loaded extension (a new context on the worker).
fn cold_start(host: &ExtensionHost, runs: usize) -> f64 {
    let mut total = Duration::ZERO;
    for i in 0..runs {
        let name = format!("cold-{i}");
        load(host, &name);
        let started = Instant::now();
        host.transform(&name, call(i), None).expect("cold call");
        total += started.elapsed();
        host.unload(&name);
    }
    total.as_secs_f64() * 1000.0 / runs as f64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json_file = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1).cloned());
    let host = host();
    load(&host, "simple");
    batched(&host, 1000, Duration::from_millis(500), Inputs::NotCounted);
    let inside = batched(&host, 10_000, Duration::from_secs(5), Inputs::NotCounted);
    let with_inputs = batched(&host, 10_000, Duration::from_secs(2), Inputs::Counted);
    let single = single(&host, Duration::from_secs(3));
    let validate_ms = {
        let started = Instant::now();
        load(&host, "validated");
        started.elapsed().as_secs_f64() * 1000.0
    };
    let cold_ms = cold_start(&host, 50);
    let figures: Value = json!({
        "batched_calls_per_second": inside.per_second,
        "batched_calls_per_cpu_second": inside.per_cpu_second,
        "batched_calls": inside.calls,
        "batch_size": 10_000,
        "batched_with_inputs_calls_per_second": with_inputs.per_second,
        "batched_with_inputs_calls_per_cpu_second": with_inputs.per_cpu_second,
        "single_calls_per_second": single.per_second,
        "single_calls_per_cpu_second": single.per_cpu_second,
        "single_calls": single.calls,
        "cold_start_ms": cold_ms,
        "validate_ms": validate_ms,
    });
    println!("{figures}");
    if let Some(file) = json_file {
        std::fs::write(&file, figures.to_string()).expect("write figures");
    }
}
