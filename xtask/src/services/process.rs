//! Server processes: start them detached in their own process group, tell
//! whether a recorded pid is still *our* server, and stop them.
//!
//! Liveness is read from `/proc` and tied to the instance directory appearing
//! on the command line, so a recycled pid is never mistaken for (or killed
//! as) one of our servers.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::cmd;
use crate::error::{Error, Result};

/// Spawns `command` with stdout and stderr appended to `log`, detached from
/// our terminal's process group (Ctrl-C on xtask leaves it running).
pub fn spawn(command: &mut Command, log: &Path) -> Result<u32> {
    let file = fs::OpenOptions::new().create(true).append(true).open(log)?;
    command
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .process_group(0);
    cmd::announce(command);
    let child = command.spawn().map_err(|err| Error::Spawn {
        program: command.get_program().to_string_lossy().into_owned(),
        reason: err.to_string(),
    })?;
    // Dropping `Child` neither waits nor kills; `running` treats the zombie
    // it may leave while we live as dead.
    Ok(child.id())
}

/// True when `pid` is alive (not a zombie) and its command line mentions `dir`.
pub fn running(pid: u32, dir: &Path) -> bool {
    let proc_dir = Path::new("/proc").join(pid.to_string());
    let Ok(stat) = fs::read_to_string(proc_dir.join("stat")) else {
        return false;
    };
    // Format: `pid (comm) S ...`; comm may contain spaces and parentheses.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    if matches!(state, Some('Z' | 'X') | None) {
        return false;
    }
    let Ok(cmdline) = fs::read(proc_dir.join("cmdline")) else {
        return false;
    };
    let cmdline = String::from_utf8_lossy(&cmdline);
    cmdline.contains(&*dir.to_string_lossy())
}

/// Stops our server: SIGTERM, wait up to `grace`, then SIGKILL its whole
/// process group (catching worker children too).
pub fn stop(pid: u32, dir: &Path, grace: Duration) -> Result<()> {
    if !running(pid, dir) {
        return Ok(());
    }
    cmd::run(Command::new("kill").args(["-TERM", &pid.to_string()]))?;
    if wait_until(grace, || !running(pid, dir)) {
        return Ok(());
    }
    eprintln!("pid {pid} ignored SIGTERM for {grace:?}; killing its process group");
    // The group may already be gone; only the outcome below matters.
    let _ = cmd::run(Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]));
    if wait_until(Duration::from_secs(5), || !running(pid, dir)) {
        Ok(())
    } else {
        Err(Error::Other(format!("pid {pid} survived SIGKILL")))
    }
}

/// Polls `done` every 200 ms until it holds (true) or `timeout` passes (false).
pub fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(200));
    }
}

/// The effective user id of this process (0 = root), from `/proc/self/status`.
pub fn euid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// The last `lines` lines of a log file, for error messages.
pub fn log_tail(log: &Path, lines: usize) -> String {
    match fs::read(log) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            let start = all.len().saturating_sub(lines);
            format!(
                "last lines of {}:\n{}",
                log.display(),
                all[start..].join("\n")
            )
        }
        Err(err) => format!("(no log at {}: {err})", log.display()),
    }
}
