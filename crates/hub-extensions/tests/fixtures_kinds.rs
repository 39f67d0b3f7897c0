//! The guide's state transition, payload transformation and data transformation examples
//! (`fixtures/extensions/`), run through the host with realistic inputs.

mod support;

use std::collections::BTreeMap;

use hub_extensions::{CallTags, ExtensionKind, FieldRef, TransitionOption};
use serde_json::{Map, Value, json};
use support::{TestHost, context, transform_call};

const DATA: ExtensionKind = ExtensionKind::DataTransformation;
const PAYLOAD: ExtensionKind = ExtensionKind::PayloadTransformation;

fn jira_transitions() -> Vec<TransitionOption> {
    ["To Do", "In Progress", "Resolve", "Done"]
        .iter()
        .enumerate()
        .map(|(i, label)| TransitionOption {
            id: format!("{}1", i + 1),
            label: (*label).to_owned(),
            attributes: json!({ "project": "Test Project C", "issuetype": "Bug" })
                .as_object()
                .unwrap()
                .clone(),
        })
        .collect()
}

fn transform(t: &TestHost, name: &str, source: Value, input: Value) -> Option<Value> {
    t.host
        .transform(
            name,
            transform_call(context(source, "summary"), input),
            None,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn state_transition_resolves_with_attributes_and_stops_when_done() {
    let t = TestHost::new();
    t.load(
        "state_transition_resolve.js",
        ExtensionKind::StateTransition,
    );
    let source =
        json!({ "summary": "a summary value", "priority": "Critical", "status": "Resolved" });
    let target = json!({ "formattedid": "TPC-144", "status": "To Do", "resolution": null });
    let chosen = t
        .host
        .transition_artifact(
            "state_transition_resolve.js",
            &source,
            &target,
            &jira_transitions(),
            CallTags::default(),
        )
        .unwrap();
    assert_eq!(chosen.len(), 1);
    assert_eq!(chosen[0].id, "31");
    assert_eq!(chosen[0].attributes["resolution"], json!("Fixed"));
    assert_eq!(chosen[0].attributes["project"], json!("Test Project C"));
    let done = json!({ "status": "Resolved" });
    let none = t
        .host
        .transition_artifact(
            "state_transition_resolve.js",
            &source,
            &done,
            &jira_transitions(),
            CallTags::default(),
        )
        .unwrap();
    assert!(none.is_empty(), "undefined means no more transitions");
}

#[test]
fn troubleshooting_logs_tagged_lines_then_fails_with_17011() {
    let t = TestHost::new();
    let name = "state_transition_troubleshooting.js";
    t.load(name, ExtensionKind::StateTransition);
    let tags = CallTags {
        integration: Some("Defects".into()),
        artifact: Some("TPC-7".into()),
    };
    let source = json!({ "priority": "Blocker" });
    let err = t
        .host
        .transition_artifact(name, &source, &json!({}), &jira_transitions(), tags)
        .unwrap_err();
    assert_eq!(err.code().to_string(), "SYN-17011E");
    assert!(err.to_string().contains("must be triaged by hand"), "{err}");
    let entries = t.log.query(&Default::default());
    assert_eq!(entries.len(), 3);
    assert_eq!(
        entries[0].message,
        "source artifact: {\"priority\":\"Blocker\"}"
    );
    assert!(entries[2].message.starts_with("transitions: [{"));
    assert_eq!(entries[0].extension, name);
    assert_eq!(entries[0].tags.artifact.as_deref(), Some("TPC-7"));
    assert_eq!(entries[0].tags.integration.as_deref(), Some("Defects"));
}

fn jenkins_payload() -> Value {
    json!({
        "name": "Robot Lawnmower",
        "url": "job/Robot%20Lawnmower/",
        "build": {
            "full_url": "http://build.example.com:8081/job/Robot%20Lawnmower/4/",
            "number": 4.0,
            "phase": "COMPLETED",
            "status": "FAILURE",
            "url": "job/Robot%20Lawnmower/4/",
            "causes": ["Started by user admin"],
            "duration_string": "9 ms",
            "completion_time": 1.476313762942E12
        },
        "status": "FAILURE"
    })
}

fn payload(
    t: &TestHost,
    name: &str,
    payload: &Value,
    params: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Vec<Map<String, Value>> {
    let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), vec![(*v).to_owned()]))
            .collect()
    };
    t.host
        .transform_payload(
            name,
            payload,
            &map(params),
            &map(headers),
            CallTags::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn jenkins_payload_becomes_one_build_artifact() {
    let t = TestHost::new();
    t.load("payload_jenkins.js", PAYLOAD);
    let out = payload(&t, "payload_jenkins.js", &jenkins_payload(), &[], &[]);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0]["created"], json!("2016-10-12"));
    assert_eq!(
        out[0]["summary"],
        json!("Robot Lawnmower: http://build.example.com:8081/job/Robot%20Lawnmower/4/")
    );
    assert_eq!(out[0]["status"], json!("FAILURE"));
}

#[test]
fn payloads_with_nothing_to_do_give_no_artifact() {
    let t = TestHost::new();
    t.load("payload_ignore.js", PAYLOAD);
    let mut started = jenkins_payload();
    started["build"]["phase"] = json!("STARTED");
    assert!(payload(&t, "payload_ignore.js", &started, &[], &[]).is_empty());
    assert_eq!(
        payload(&t, "payload_ignore.js", &jenkins_payload(), &[], &[]).len(),
        1
    );
}

#[test]
fn a_push_event_becomes_one_artifact_per_commit() {
    let t = TestHost::new();
    t.load("payload_github_push.js", PAYLOAD);
    let push = json!({
        "ref": "refs/heads/main",
        "commits": [
            { "message": "Fix the mower blade\n\nLonger text", "url": "https://github.example/c/1", "author": { "email": "a@example.com" } },
            { "message": "Add docs", "url": "https://github.example/c/2", "author": { "email": "b@example.com" } }
        ]
    });
    let out = payload(&t, "payload_github_push.js", &push, &[], &[]);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["summary"], json!("Fix the mower blade"));
    assert_eq!(out[1]["author"], json!("b@example.com"));
}

#[test]
fn query_parameters_and_headers_reach_the_payload_transformation() {
    let t = TestHost::new();
    t.load("payload_parameters_headers.js", PAYLOAD);
    let out = payload(
        &t,
        "payload_parameters_headers.js",
        &json!({ "title": "Build broke" }),
        &[("project", "MOWER")],
        &[("X-Event", "build")],
    );
    assert_eq!(out[0]["project"], json!("MOWER"));
    assert_eq!(out[0]["event"], json!("build"));
}

#[test]
fn split_and_trim_returns_two_strings_or_fails_with_the_value() {
    let t = TestHost::new();
    t.load("transform_split_trim.js", DATA);
    let compiled = t.host.extension("transform_split_trim.js").unwrap();
    assert_eq!(compiled.input_types, ["String"]);
    assert_eq!(compiled.output_types, ["String", "String"]);
    let out = transform(
        &t,
        "transform_split_trim.js",
        json!({}),
        json!(" Mower / Blade "),
    );
    assert_eq!(out, Some(json!(["Mower", "Blade"])));
    assert_eq!(
        transform(&t, "transform_split_trim.js", json!({}), Value::Null),
        None
    );
    let err = t
        .host
        .transform(
            "transform_split_trim.js",
            transform_call(context(json!({}), "s"), json!("a/b/c")),
            None,
        )
        .unwrap_err();
    assert!(err.to_string().contains("Unexpected value a/b/c"), "{err}");
}

#[test]
fn string_to_rich_text_escapes_html() {
    let t = TestHost::new();
    t.load("transform_rich_text_pre.js", DATA);
    let out = transform(
        &t,
        "transform_rich_text_pre.js",
        json!({}),
        json!("if (a < b && c > \"d\")"),
    );
    assert_eq!(
        out,
        Some(json!(
            "<pre>if (a &lt; b &amp;&amp; c &gt; &quot;d&quot;)</pre>"
        ))
    );
}

#[test]
fn urls_become_web_links_with_an_optional_label() {
    let t = TestHost::new();
    t.load("transform_web_links.js", DATA);
    let out = transform(
        &t,
        "transform_web_links.js",
        json!({}),
        json!("http://spec.example/a\nhttp://alt.example/b\n"),
    );
    assert_eq!(
        out,
        Some(json!([
            { "label": "Specification", "location": "http://spec.example/a" },
            { "location": "http://alt.example/b" }
        ]))
    );
}

#[test]
fn single_select_labels_map_onto_target_options() {
    let t = TestHost::new();
    t.load("transform_single_select_options.js", DATA);
    let mut ctx = context(json!({}), "priority");
    ctx.target_fields = vec![FieldRef {
        id: "priority".into(),
        label: "Priority".into(),
        options: vec![
            "low".into(),
            "normal".into(),
            "high".into(),
            "urgent".into(),
        ],
    }];
    let run = |input: &str| {
        t.host
            .transform(
                "transform_single_select_options.js",
                transform_call(ctx.clone(), json!(input)),
                None,
            )
            .unwrap()
    };
    assert_eq!(run("Critical"), Some(json!("urgent")));
    assert_eq!(run("Trivial"), None, "undefined is the empty option");
}

#[test]
fn comments_get_a_default_user_and_a_header() {
    let t = TestHost::new();
    t.load("transform_comments_default_user.js", DATA);
    t.load("transform_comments_header.js", DATA);
    let comments = json!([
        { "id": "1", "is-private": true, "creator": "user12", "work_notes": "asked user12 and User7" },
        { "id": "2", "is-private": false, "creator": "user3", "work_notes": "done" }
    ]);
    let out = transform(
        &t,
        "transform_comments_default_user.js",
        json!({}),
        comments,
    )
    .unwrap();
    assert_eq!(out[0]["creator"], json!("default"));
    assert_eq!(out[0]["content"], json!("asked default and default"));
    let model = json!([{ "id": "9", "content": "<p>This is a comment</p>" }]);
    let out = transform(&t, "transform_comments_header.js", json!({}), model).unwrap();
    assert_eq!(
        out[0]["content"],
        json!("<p>[Comment from Integration Bot]</p><p>This is a comment</p>")
    );
}

#[test]
fn two_inputs_are_concatenated() {
    let t = TestHost::new();
    t.load("transform_concatenate.js", DATA);
    let out = transform(
        &t,
        "transform_concatenate.js",
        json!({}),
        json!(["US1234", "Mow the lawn"]),
    );
    assert_eq!(out, Some(json!("ID: US1234 :: Mow the lawn")));
}

#[test]
fn a_batch_runs_many_calls_in_one_round_trip() {
    let t = TestHost::new();
    t.load("transform_concatenate.js", DATA);
    let calls = (0..500)
        .map(|i| {
            transform_call(
                context(json!({}), "summary"),
                json!([format!("US{i}"), "x"]),
            )
        })
        .collect();
    let out = t
        .host
        .transform_batch("transform_concatenate.js", calls, None)
        .unwrap();
    assert_eq!(out.len(), 500);
    assert_eq!(out[499].as_ref().unwrap(), &Some(json!("ID: US499 :: x")));
}
