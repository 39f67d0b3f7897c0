//! Batches of calls: every call keeps its own result, error and limits, whatever happens to
//! its neighbours, and calls sharing a context cannot see each other's writes to it.

mod support;

use std::time::Duration;

use hub_extensions::{CallTags, ExtensionError, ExtensionKind, Limit, SandboxLimits};
use serde_json::{Value, json};
use support::{TestHost, context, transform_call};

const DATA: ExtensionKind = ExtensionKind::DataTransformation;

fn script(body: &str) -> String {
    format!(
        "var inputTypes = 'String';\nvar outputTypes = 'String';\nfunction transform(context, input) {{\n{body}\n}}\n"
    )
}

fn batch(t: &TestHost, name: &str, inputs: &[&str]) -> Vec<Result<Option<Value>, ExtensionError>> {
    let calls = inputs
        .iter()
        .map(|input| transform_call(context(json!({"team": "A"}), "title"), json!(input)))
        .collect();
    t.host.transform_batch(name, calls, None).unwrap()
}

#[test]
fn a_throw_fails_only_its_own_call() {
    let t = TestHost::new();
    let body = "if (input === 'bad') {\n  throw 'no ' + input;\n}\nreturn input.toUpperCase();";
    t.load_source("picky", DATA, &script(body));
    let results = batch(&t, "picky", &["a", "bad", "c", "bad", "e"]);
    assert_eq!(results.len(), 5);
    for (i, expected) in [(0, "A"), (2, "C"), (4, "E")] {
        assert_eq!(
            results[i].as_ref().unwrap(),
            &Some(json!(expected)),
            "call {i}"
        );
    }
    for i in [1, 3] {
        let err = results[i].as_ref().unwrap_err();
        let ExtensionError::Script {
            message, position, ..
        } = err
        else {
            panic!("call {i}: expected a script error, got {err}");
        };
        assert_eq!(message, "no bad");
        assert_eq!(position.map(|p| p.line), Some(5), "{err}");
    }
}

#[test]
fn a_call_stopped_by_a_limit_leaves_the_rest_of_the_batch_answered() {
    let t = TestHost::with_limits(SandboxLimits {
        loop_iterations: 1000,
        ..SandboxLimits::default()
    });
    let body = "if (input === 'spin') { while (true) {} }\nreturn input + '!';";
    t.load_source("spinner", DATA, &script(body));
    let results = batch(&t, "spinner", &["a", "spin", "b", "c"]);
    assert_eq!(results[0].as_ref().unwrap(), &Some(json!("a!")));
    match results[1].as_ref().unwrap_err() {
        ExtensionError::Limit { limit, .. } => assert_eq!(*limit, Limit::LoopIterations),
        other => panic!("expected the loop limit, got {other}"),
    }
    assert_eq!(results[2].as_ref().unwrap(), &Some(json!("b!")));
    assert_eq!(results[3].as_ref().unwrap(), &Some(json!("c!")));
}

#[test]
fn loop_limits_count_each_call_not_the_batch() {
    for loop_iterations in [1, 5, 100] {
        let t = TestHost::with_limits(SandboxLimits {
            loop_iterations,
            ..SandboxLimits::default()
        });
        t.load_source("plain", DATA, &script("return input;"));
        let inputs: Vec<String> = (0..300).map(|i| i.to_string()).collect();
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let results = batch(&t, "plain", &inputs);
        assert_eq!(results.len(), 300);
        for (i, result) in results.iter().enumerate() {
            assert_eq!(
                result.as_ref().unwrap(),
                &Some(json!(i.to_string())),
                "call {i} with a limit of {loop_iterations}"
            );
        }
    }
}

#[test]
fn the_wall_clock_limit_holds_per_call_even_when_the_batch_takes_longer() {
    let t = TestHost::with_limits(SandboxLimits {
        wall_clock: Duration::from_millis(200),
        ..SandboxLimits::default()
    });
    let body = "var end = Date.now() + 45;\nwhile (Date.now() < end) {}\nreturn input;";
    t.load_source("steady", DATA, &script(body));
    // 60 calls of 45 ms: longer than the limit plus the host's grace period together.
    let inputs: Vec<String> = (0..60).map(|i| i.to_string()).collect();
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let results = batch(&t, "steady", &inputs);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let body = "if (input === 'slow') { for (;;) {} }\nreturn input;";
    t.load_source("stuck", DATA, &script(body));
    let results = batch(&t, "stuck", &["a", "slow", "b"]);
    match results[1].as_ref().unwrap_err() {
        ExtensionError::Limit { limit, .. } => assert_eq!(*limit, Limit::WallClock),
        other => panic!("expected the wall-clock limit, got {other}"),
    }
    assert_eq!(results[2].as_ref().unwrap(), &Some(json!("b")));
}

#[test]
fn calls_sharing_a_context_cannot_see_each_others_writes() {
    let t = TestHost::new();
    let body = "context.sourceArtifact.team = input;\ncontext.extra = input;\n\
                return context.sourceArtifact.team + '/' + context.extra;";
    t.load_source("writer", DATA, &script(body));
    let results = batch(&t, "writer", &["x", "y"]);
    for result in &results {
        assert_eq!(result.as_ref().unwrap(), &Some(json!("A/undefined")));
    }
    // A single call owns its context.
    let single = t
        .host
        .transform(
            "writer",
            transform_call(context(json!({"team": "A"}), "title"), json!("z")),
            None,
        )
        .unwrap();
    assert_eq!(single, Some(json!("z/z")));
}

#[test]
fn each_call_of_a_batch_logs_under_its_own_artifact() {
    let t = TestHost::new();
    t.load_source(
        "logger",
        DATA,
        &script("console.log('saw ' + input);\nreturn input;"),
    );
    let calls = ["P-1", "P-2", "P-2"]
        .iter()
        .map(|artifact| {
            let mut call = transform_call(context(json!({}), "title"), json!(artifact));
            call.tags = CallTags {
                integration: Some("Defects".into()),
                artifact: Some((*artifact).into()),
            };
            call
        })
        .collect();
    t.host.transform_batch("logger", calls, None).unwrap();
    let entries = t.log.query(&Default::default());
    let tagged: Vec<(String, Option<String>)> = entries
        .into_iter()
        .map(|e| (e.message, e.tags.artifact))
        .collect();
    assert_eq!(
        tagged,
        vec![
            ("saw P-1".to_owned(), Some("P-1".to_owned())),
            ("saw P-2".to_owned(), Some("P-2".to_owned())),
            ("saw P-2".to_owned(), Some("P-2".to_owned())),
        ]
    );
}
