//! Private Trac 1.6 instances (`trac-a`, `trac-b`) with the JSON-RPC plugin, for the Trac
//! connector's live tests.
//!
//! Trac is not packaged for Debian's Python 3, so it comes from PyPI into one shared
//! virtualenv under `~/.cache/syncline/trac/` (never the system Python), built once and
//! reused: `trac` itself, and `tracxmlrpc` 1.1.9, whose Python 2 era sources are converted
//! with lib2to3 plus a few exact fixes (`fixtures/trac/convert_tracrpc.py`). Each instance is
//! a fresh environment in its slot (`fixtures/trac/setup_env.py`: the `external_id` custom
//! field, users with names and e-mails, permissions, components, milestones, and two one-file
//! RPC plugins: `known_users.py` for persons, `ticket_workflow.py` for the workflow graph)
//! served by `tracd --basic-auth` on 127.0.0.1 through `fixtures/trac/serve.py`, which tunes
//! tracd for a throw-away server: no Nagle delay on its split writes (40 ms per kept-alive
//! request) and no full garbage collection after every request (50-100 ms each). The SQLite
//! database skips fsync and uses WAL, so reads run beside writes.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{Instance, Launched, Service, Slot};
use crate::cmd;
use crate::error::{Error, Result};

/// The interpreter the Debian packages below provide `venv` and `lib2to3` for.
const SYSTEM_PYTHON: &str = "/usr/bin/python3";
/// What goes into the shared virtualenv from PyPI.
const PYPI_PACKAGES: [&str; 2] = ["trac==1.6", "Genshi==0.7.12"];
/// The RPC plugin's source release, converted to Python 3 before installing.
const TRACRPC: &str = "tracxmlrpc==1.1.9";
/// The virtualenv's directory name; a new one is built when the versions above change.
const VENV_NAME: &str = "venv-trac1.6-tracrpc1.1.9-1";

/// The administrator the tests connect as.
pub const ADMIN_USER: &str = "admin";
/// Its password (a throw-away instance on 127.0.0.1 only).
pub const ADMIN_PASSWORD: &str = "syncline-admin";

/// Scripts run with the virtualenv's Python, embedded so xtask needs no checkout layout.
const CONVERT_SCRIPT: &str = include_str!("../../../fixtures/trac/convert_tracrpc.py");
const SETUP_SCRIPT: &str = include_str!("../../../fixtures/trac/setup_env.py");
const SERVE_SCRIPT: &str = include_str!("../../../fixtures/trac/serve.py");
const USERS_PLUGIN: &str = include_str!("../../../fixtures/trac/known_users.py");
const WORKFLOW_PLUGIN: &str = include_str!("../../../fixtures/trac/ticket_workflow.py");

/// One Trac instance; `trac-a` and `trac-b` run side by side.
pub struct Trac {
    /// `trac-a` or `trac-b`.
    pub name: &'static str,
}

impl Service for Trac {
    fn name(&self) -> &'static str {
        self.name
    }

    fn kind(&self) -> &'static str {
        "trac"
    }

    fn packages(&self) -> &'static [&'static str] {
        &["python3", "python3-venv", "python3-lib2to3"]
    }

    fn installed(&self) -> bool {
        cmd::succeeds(Command::new(SYSTEM_PYTHON).args([
            "-W",
            "ignore",
            "-c",
            "import venv, ensurepip, lib2to3.main",
        ]))
    }

    fn start(&self, slot: &Slot) -> Result<Launched> {
        let python = ensure_venv()?;
        let env_dir = slot.dir.join("env");
        let htpasswd = slot.dir.join("htpasswd");
        let setup = write_script(&slot.dir, "setup_env.py", SETUP_SCRIPT)?;
        let plugins = [
            write_script(&slot.dir, "known_users.py", USERS_PLUGIN)?,
            write_script(&slot.dir, "ticket_workflow.py", WORKFLOW_PLUGIN)?,
        ];
        let serve = write_script(&slot.dir, "serve.py", SERVE_SCRIPT)?;
        let settings = setup_settings(self.name, &htpasswd, &plugins);
        cmd::output(
            python_command(&python, &slot.dir)
                .arg(&setup)
                .arg(&env_dir)
                .arg(settings.to_string()),
        )?;
        let pid = slot.spawn(
            python_command(&python, &slot.dir)
                .arg(&serve)
                .arg(format!("--basic-auth=*,{},Syncline", htpasswd.display()))
                .args(["-s", "--hostname", "127.0.0.1", "--port"])
                .arg(slot.port.to_string())
                .arg(&env_dir),
        )?;
        Ok(Launched {
            pid,
            data_dir: env_dir,
        })
    }

    fn ready(&self, instance: &Instance) -> bool {
        rpc_answers(instance.port)
    }

    fn admin_url(&self, port: u16) -> String {
        format!("http://127.0.0.1:{port}")
    }

    fn test_env(&self, instance: &Instance) -> Vec<(String, String)> {
        let prefix = format!(
            "SYNCLINE_TEST_{}",
            self.name.to_uppercase().replace('-', "_")
        );
        vec![
            (format!("{prefix}_URL"), instance.admin_url.clone()),
            (format!("{prefix}_USER"), ADMIN_USER.to_owned()),
            (format!("{prefix}_PASSWORD"), ADMIN_PASSWORD.to_owned()),
        ]
    }
}

/// The instance's users: the administrator and two people for person reconciliation.
fn setup_settings(name: &str, htpasswd: &Path, plugins: &[PathBuf]) -> serde_json::Value {
    let person = |username: &str, display: &str, permissions: &[&str]| {
        serde_json::json!({
            "username": username,
            "password": if username == ADMIN_USER { ADMIN_PASSWORD } else { "syncline-user" },
            "name": display,
            "email": format!("{username}@example.com"),
            "permissions": permissions,
        })
    };
    let people = ["TICKET_CREATE", "TICKET_MODIFY", "XML_RPC"];
    serde_json::json!({
        "name": format!("Syncline {name}"),
        "htpasswd": htpasswd,
        "plugins": plugins,
        "users": [
            person(ADMIN_USER, "Trac Administrator", &["TRAC_ADMIN", "XML_RPC"]),
            person("alice", "Alice Liddell", &people),
            person("bob", "Bob Builder", &people),
        ],
        "components": ["backend", "frontend"],
        "milestones": ["sprint-1", "sprint-2"],
    })
}

/// `~/.cache/syncline/trac`, where the shared virtualenv lives.
fn cache_dir() -> Result<PathBuf> {
    let services = super::state::state_dir()?;
    let syncline = services.parent().unwrap_or(&services);
    Ok(syncline.join("trac"))
}

/// The virtualenv's Python, building the virtualenv first when it is missing. It is built
/// beside its final place and renamed into it, so an interrupted build is never reused.
fn ensure_venv() -> Result<PathBuf> {
    let dir = cache_dir()?;
    let venv = dir.join(VENV_NAME);
    let python = venv.join("bin").join("python");
    if venv.join(".complete").exists() {
        return Ok(python);
    }
    fs::create_dir_all(&dir)?;
    let build = dir.join(format!("{VENV_NAME}.build-{}", std::process::id()));
    let scratch = dir.join(format!("{VENV_NAME}.scratch-{}", std::process::id()));
    for stale in [&build, &scratch] {
        let _ = fs::remove_dir_all(stale);
    }
    eprintln!("trac: building the virtualenv in {}", venv.display());
    let built = build_venv(&build, &scratch);
    let _ = fs::remove_dir_all(&scratch);
    if let Err(err) = built {
        let _ = fs::remove_dir_all(&build);
        return Err(err);
    }
    match fs::rename(&build, &venv) {
        Ok(()) => Ok(python),
        // Another build finished first; keep its result.
        Err(_) if venv.join(".complete").exists() => {
            let _ = fs::remove_dir_all(&build);
            Ok(python)
        }
        Err(err) => Err(Error::Io(format!("{}: {err}", venv.display()))),
    }
}

/// Builds the virtualenv at `venv`, downloading and converting sources in `scratch`.
fn build_venv(venv: &Path, scratch: &Path) -> Result<()> {
    cmd::output(Command::new(SYSTEM_PYTHON).args(["-m", "venv"]).arg(venv))?;
    let python = venv.join("bin").join("python");
    let pip = || {
        let mut command = Command::new(&python);
        command.args(["-m", "pip", "--disable-pip-version-check", "-q"]);
        command
    };
    cmd::output(pip().arg("install").args(PYPI_PACKAGES))?;
    let download = scratch.join("download");
    cmd::output(
        pip()
            .args(["download", "--no-deps", "--no-binary", ":all:", "-d"])
            .arg(&download)
            .arg(TRACRPC),
    )?;
    let source = unpack_tracrpc(&download, scratch)?;
    let convert = write_script(scratch, "convert_tracrpc.py", CONVERT_SCRIPT)?;
    cmd::output(
        Command::new(SYSTEM_PYTHON)
            .args(["-W", "ignore"])
            .arg(&convert)
            .arg(&source),
    )?;
    cmd::output(pip().arg("install").arg(&source))?;
    fs::write(venv.join(".complete"), "")?;
    Ok(())
}

/// Unpacks the downloaded source archive and returns its top directory.
fn unpack_tracrpc(download: &Path, scratch: &Path) -> Result<PathBuf> {
    let archive = fs::read_dir(download)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.to_string_lossy().ends_with(".tar.gz"))
        .ok_or_else(|| Error::service("trac", "pip downloaded no tracxmlrpc source archive"))?;
    let unpacked = scratch.join("src");
    fs::create_dir_all(&unpacked)?;
    cmd::output(
        Command::new("tar")
            .arg("-xzf")
            .arg(&archive)
            .arg("-C")
            .arg(&unpacked),
    )?;
    fs::read_dir(&unpacked)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.join("setup.py").exists())
        .ok_or_else(|| Error::service("trac", "the tracxmlrpc archive has no setup.py"))
}

fn write_script(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    fs::write(&path, text)?;
    Ok(path)
}

/// The virtualenv's Python with warnings off and eggs extracted inside the slot.
fn python_command(python: &Path, slot_dir: &Path) -> Command {
    let mut command = Command::new(python);
    command
        .args(["-W", "ignore"])
        .env("PYTHON_EGG_CACHE", slot_dir.join("egg-cache"))
        .current_dir(slot_dir);
    command
}

/// Whether the JSON-RPC endpoint answers an authenticated call with a result.
fn rpc_answers(port: u16) -> bool {
    let body = r#"{"method":"system.getAPIVersion","params":[],"id":1}"#;
    let credentials = base64(format!("{ADMIN_USER}:{ADMIN_PASSWORD}").as_bytes());
    let request = format!(
        "POST /login/jsonrpc HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\
         Authorization: Basic {credentials}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let answer = || -> std::io::Result<String> {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.write_all(request.as_bytes())?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        Ok(response)
    };
    answer().is_ok_and(|response| {
        response.starts_with("HTTP/1.")
            && response.contains(" 200 ")
            && response.contains("\"error\": null")
    })
}

/// Standard base64 with padding (for one Basic authorization header).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_pads_like_the_standard() {
        assert_eq!(base64(b"admin:pw"), "YWRtaW46cHc=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
