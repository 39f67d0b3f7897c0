//! End-to-end: extensions as an operator saves and runs them. `hub-server apply` refuses a file
//! whose script does not parse (code, line and column; nothing applied), applies one whose
//! script is good, and `hub-server serve` loads the saved extension and runs it during sync:
//! the twins' summaries arrive transformed, and what the script logged is in the extension log
//! file and in `GET /api/extensions/log`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use hub_connector::memory;
use hub_domain::model::FieldValue;

use support::{api, free_port};

const BIN: &str = env!("CARGO_BIN_EXE_hub-server");
const ITEMS: usize = 3;

const SHOUT: &str = "var inputTypes = 'String';\nvar outputTypes = 'String';\n\
    function transform(context, input) {\n\
      console.log('shouting ' + input);\n\
      return input ? input.toUpperCase() : input;\n}\n";

fn config(dir: &Path) -> String {
    let mut text = String::from(
        "[[extension]]\nname = \"Shout\"\nkind = \"data_transformation\"\nfile = \"shout.js\"\n\n\
         [[model]]\nname = \"item\"\n[[model.field]]\nname = \"summary\"\ntype = \"string\"\n\n",
    );
    for side in ["left", "right"] {
        let state = dir.join(format!("{side}.json"));
        let transform = if side == "right" {
            "from_model = { kind = \"extension\", name = \"Shout\" }\n"
        } else {
            ""
        };
        text += &format!(
            "[[repository]]\nname = \"{side}\"\nconnector = \"memory\"\n\
             settings = {{ instance = \"ext-{side}\", state_file = {:?} }}\n\n\
             [[collection]]\nname = \"{side} items\"\nrepository = \"{side}\"\nprojects = [\"P\"]\n\
             artifact_types = [\"bug\", \"task\"]\nmodel = \"item\"\n\
             [[collection.field]]\nfield = \"summary\"\nmodel_field = \"summary\"\n{transform}\n",
            state.display().to_string()
        );
    }
    text + "[[integration]]\nname = \"shouting\"\nstyle = \"work_item_sync\"\nleft = \"left items\"\n\
            right = \"right items\"\nrunning = true\n[integration.field_flow]\nsummary = \"left_to_right\"\n\
            [integration.change_detection]\ninterval_seconds = 1\n"
}

fn apply(dir: &Path, file: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .arg("apply")
        .arg(file)
        .arg("--data-dir")
        .arg(dir)
        .args(["--log-level", "warn"])
        .env_remove("SYNCLINE_CONFIG")
        .env_remove("SYNCLINE_DATABASE_URL")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// The hub under test; killed if the test ends early, so a failed run leaves no hub behind.
struct Hub(Child);

impl Drop for Hub {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn serve(dir: &Path, port: u16) -> Hub {
    let log = std::fs::File::create(dir.join("hub.log")).unwrap();
    Command::new(BIN)
        .args(["serve", "--data-dir"])
        .arg(dir)
        .args([
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--log-level",
            "warn",
        ])
        .env_remove("SYNCLINE_CONFIG")
        .env_remove("SYNCLINE_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map(Hub)
        .unwrap()
}

/// Waits until every left artifact is paired and nothing is left to do.
fn wait_synced(hub: &mut Hub, dir: &Path, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut last = None;
    loop {
        let log = || std::fs::read_to_string(dir.join("hub.log")).unwrap_or_default();
        assert!(
            hub.0.try_wait().unwrap().is_none(),
            "the hub exited:\n{}",
            log()
        );
        if let Some(list) = api(port, "/api/integrations") {
            last = Some(list.clone());
            let i = &list[0];
            let busy: u64 = ["pending", "processing", "failed"]
                .iter()
                .map(|s| i["activities"][s].as_u64().unwrap_or(0))
                .sum();
            if busy == 0 && i["pairs"].as_u64() == Some(ITEMS as u64) {
                return;
            }
        }
        if Instant::now() >= deadline {
            let failed = api(port, "/api/activities?state=failed");
            panic!(
                "not synchronized within 120 s: {last:?}\nfailed: {failed:?}\n{}",
                log()
            );
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn summaries(dir: &Path, side: &str) -> Vec<String> {
    let name = format!("check-{side}");
    let tracker = memory::open_instance(&name, Some(&dir.join(format!("{side}.json")))).unwrap();
    let mut out: Vec<String> = tracker
        .snapshot()
        .into_iter()
        .filter_map(|s| match s.artifact.fields.get("summary") {
            Some(FieldValue::Text(text)) => Some(text.clone()),
            _ => None,
        })
        .collect();
    memory::remove_instance(&name);
    out.sort();
    out
}

#[test]
fn a_broken_script_is_refused_and_a_saved_extension_runs_during_sync() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let file = data.join("sync.toml");
    std::fs::write(&file, config(data)).unwrap();

    // A syntax error: refused with its code, line and column, and nothing applied.
    std::fs::write(
        data.join("shout.js"),
        SHOUT.replace("toUpperCase()", "toUpperCase("),
    )
    .unwrap();
    let (ok, text) = apply(data, &file);
    assert!(!ok, "{text}");
    assert!(
        text.contains("SYN-17011E") && text.contains("line 5"),
        "{text}"
    );
    assert!(text.contains("nothing was applied"), "{text}");

    std::fs::write(data.join("shout.js"), SHOUT).unwrap();
    for (side, items) in [("left", ITEMS), ("right", 0)] {
        let name = format!("seed-{side}");
        let seeded =
            memory::open_instance(&name, Some(&data.join(format!("{side}.json")))).unwrap();
        seeded.seed("P", items, 7).unwrap();
        memory::remove_instance(&name);
    }
    let (ok, text) = apply(data, &file);
    assert!(ok, "{text}");
    assert!(text.contains("+ extension 'Shout'"), "{text}");

    let port = free_port();
    let mut hub = serve(data, port);
    wait_synced(&mut hub, data, port);
    let log = api(port, "/api/extensions/log?extension=Shout").expect("the log answers");
    let saved = api(port, "/api/extensions").expect("the list answers");
    Command::new("kill")
        .args(["-TERM", &hub.0.id().to_string()])
        .status()
        .unwrap();
    hub.0.wait().unwrap();

    assert_eq!(saved[0]["name"], "Shout");
    let left = summaries(data, "left");
    let shouted: Vec<String> = left.iter().map(|s| s.to_uppercase()).collect();
    assert_eq!(left.len(), ITEMS);
    assert_eq!(summaries(data, "right"), shouted);
    let messages: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    for summary in &left {
        let line = format!("shouting {summary}");
        assert!(
            messages.contains(&line.as_str()),
            "{line} not in {messages:?}"
        );
    }
    let file_log = std::fs::read_to_string(data.join("logs/extensions.log")).unwrap();
    assert!(
        file_log.contains("extension=Shout") && file_log.contains("shouting "),
        "{file_log}"
    );
}
