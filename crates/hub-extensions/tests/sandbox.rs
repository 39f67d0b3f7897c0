//! The sandbox: runaway scripts end with a coded error within their limit while other
//! extensions keep running; syntax errors are refused at save; a throw becomes 17011.

mod support;

use std::time::{Duration, Instant};

use hub_extensions::{Extension, ExtensionError, ExtensionKind, Limit, Position, SandboxLimits};
use serde_json::json;
use support::{TestHost, context, transform_call};

const DATA: ExtensionKind = ExtensionKind::DataTransformation;

fn limits() -> SandboxLimits {
    SandboxLimits {
        loop_iterations: 100_000,
        recursion_depth: 200,
        wall_clock: Duration::from_millis(1500),
        memory_bytes: 64 * 1024 * 1024,
    }
}

fn script(body: &str) -> String {
    format!(
        "var inputTypes = 'String';\nvar outputTypes = 'String';\nfunction transform(context, input) {{\n{body}\n}}\n"
    )
}

fn run(t: &TestHost, name: &str, input: &str) -> Result<Option<serde_json::Value>, ExtensionError> {
    t.host.transform(
        name,
        transform_call(context(json!({}), "summary"), json!(input)),
        None,
    )
}

/// Runs `name` (expected to be stopped by `limit`) while a healthy extension keeps answering.
fn stopped_while_another_runs(t: &TestHost, name: &'static str, limit: Limit, within: Duration) {
    t.load_source("healthy", DATA, &script("return input.toUpperCase();"));
    let host = t.host.clone();
    let started = Instant::now();
    let runaway = std::thread::spawn(move || {
        host.transform(
            name,
            transform_call(context(json!({}), "summary"), json!("x")),
            None,
        )
    });
    let mut healthy_calls = 0;
    while !runaway.is_finished() {
        assert_eq!(run(t, "healthy", "ok").unwrap(), Some(json!("OK")));
        healthy_calls += 1;
        std::thread::sleep(Duration::from_millis(5));
    }
    let elapsed = started.elapsed();
    let err = runaway.join().unwrap().unwrap_err();
    match &err {
        ExtensionError::Limit { limit: l, .. } => assert_eq!(*l, limit, "{err}"),
        other => panic!("expected the {limit} to stop {name}, got {other}"),
    }
    assert_eq!(err.code().to_string(), "SYN-17011E");
    assert!(elapsed < within, "{name} took {elapsed:?}");
    assert!(
        healthy_calls > 0,
        "the healthy extension never ran while {name} did"
    );
    // The host still serves the stopped extension's neighbours and the extension itself.
    assert_eq!(run(t, "healthy", "again").unwrap(), Some(json!("AGAIN")));
}

#[test]
fn an_infinite_loop_is_stopped_by_the_loop_limit() {
    let t = TestHost::with_limits(limits());
    t.load_source(
        "spin",
        DATA,
        &script("while (true) { input = input + ''; }"),
    );
    stopped_while_another_runs(&t, "spin", Limit::LoopIterations, Duration::from_secs(5));
}

#[test]
fn a_slow_loop_is_stopped_by_the_wall_clock() {
    let t = TestHost::with_limits(SandboxLimits {
        loop_iterations: u64::MAX,
        ..limits()
    });
    t.load_source("slow", DATA, &script("for (;;) { Math.sqrt(2); }"));
    stopped_while_another_runs(&t, "slow", Limit::WallClock, Duration::from_secs(4));
}

#[test]
fn deep_recursion_is_stopped_by_the_recursion_limit() {
    let t = TestHost::with_limits(limits());
    let source = "var inputTypes = 'String';\nvar outputTypes = 'String';\n\
                  function down(n) { return down(n + 1) + 1; }\n\
                  function transform(context, input) { return down(0); }\n";
    t.load_source("deep", DATA, source);
    stopped_while_another_runs(&t, "deep", Limit::Recursion, Duration::from_secs(5));
}

#[test]
fn a_huge_allocation_is_stopped_by_the_memory_limit() {
    let t = TestHost::with_limits(SandboxLimits {
        loop_iterations: u64::MAX,
        wall_clock: Duration::from_secs(20),
        ..limits()
    });
    let grow = "var chunk = 'x';\nfor (var i = 0; i < 18; i++) { chunk = chunk + chunk; }\n\
                var all = [];\nwhile (true) { all.push(chunk + all.length); }";
    t.load_source("hog", DATA, &script(grow));
    stopped_while_another_runs(&t, "hog", Limit::Memory, Duration::from_secs(20));
}

#[test]
fn a_single_oversized_string_is_refused() {
    let t = TestHost::with_limits(limits());
    t.load_source("repeat", DATA, &script("return 'x'.repeat(1e10);"));
    let err = run(&t, "repeat", "x").unwrap_err();
    assert_eq!(err.code().to_string(), "SYN-17011E");
    assert!(err.to_string().contains("memory limit"), "{err}");
}

#[test]
fn a_syntax_error_is_refused_at_save_with_line_and_column() {
    let t = TestHost::new();
    let source = "var inputTypes = 'String';\nvar outputTypes = 'String';\n\
                  function transform(context, input) {\n  return input +;\n}\n";
    let err = t
        .host
        .validate(&Extension {
            name: "broken".into(),
            kind: DATA,
            source: source.into(),
        })
        .unwrap_err();
    let ExtensionError::Syntax { position, .. } = &err else {
        panic!("expected a syntax error, got {err}");
    };
    assert_eq!(position.line, 4, "{err}");
    assert!(position.column > 1, "{err}");
    assert_eq!(err.code().to_string(), "SYN-17011E");
    assert!(t.host.extension("broken").is_err());
}

#[test]
fn missing_functions_and_declarations_are_refused_at_save() {
    let t = TestHost::new();
    let check = |kind, source: &str| {
        t.host
            .validate(&Extension {
                name: "partial".into(),
                kind,
                source: source.into(),
            })
            .unwrap_err()
    };
    let err = check(
        DATA,
        "var inputTypes = 'String'; var outputTypes = 'String';",
    );
    assert!(
        matches!(
            err,
            ExtensionError::MissingFunction {
                function: "transform",
                ..
            }
        ),
        "{err}"
    );
    let err = check(DATA, "function transform(c, i) { return i; }");
    assert!(
        matches!(
            err,
            ExtensionError::MissingDeclaration {
                variable: "inputTypes",
                ..
            }
        ),
        "{err}"
    );
    let err = check(
        ExtensionKind::StateTransition,
        "function transition(c, t) {}",
    );
    assert!(err.to_string().contains("transitionArtifact"), "{err}");
    let err = check(ExtensionKind::PersonReconciliation, "function other() {}");
    assert!(
        matches!(err, ExtensionError::MissingFunction { .. }),
        "{err}"
    );
}

#[test]
fn a_thrown_string_or_error_becomes_17011_with_message_and_position() {
    let t = TestHost::new();
    t.load("throw_descriptive.js", DATA);
    let err = run(&t, "throw_descriptive.js", "unexpected").unwrap_err();
    assert_eq!(err.code().to_string(), "SYN-17011E");
    let ExtensionError::Script {
        message, position, ..
    } = &err
    else {
        panic!("expected a script error, got {err}");
    };
    assert_eq!(message, "some descriptive message");
    assert_eq!(position.map(|p| p.line), Some(6), "{err}");
    let err = run(&t, "throw_descriptive.js", "error object").unwrap_err();
    assert!(
        err.to_string().contains("an Error object was thrown"),
        "{err}"
    );
    assert_eq!(err.position().map(|p| p.line), Some(8), "{err}");
    assert_eq!(
        run(&t, "throw_descriptive.js", "fine").unwrap(),
        Some(json!("fine"))
    );
}

#[test]
fn line_numbers_survive_the_for_each_translation() {
    let t = TestHost::new();
    let source = "var inputTypes = 'String';\nvar outputTypes = 'String';\n\
                  function transform(context, input) {\n  for each (var c in input.split('')) {\n    \
                  if (c === '!') throw 'bang at ' + c;\n  }\n  return input;\n}\n";
    t.load_source("each", DATA, source);
    let err = run(&t, "each", "hi!").unwrap_err();
    assert_eq!(err.position().map(|p| p.line), Some(5), "{err}");
    let _ = Position { line: 1, column: 1 };
}

#[test]
fn extensions_do_not_see_each_others_globals() {
    let t = TestHost::new();
    t.load_source(
        "writer",
        DATA,
        &script("sharedSecret = 'from writer'; return typeof sharedSecret;"),
    );
    t.load_source("reader", DATA, &script("return typeof sharedSecret;"));
    assert_eq!(run(&t, "writer", "x").unwrap(), Some(json!("string")));
    assert_eq!(run(&t, "reader", "x").unwrap(), Some(json!("undefined")));
}
