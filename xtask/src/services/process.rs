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
    if !alive(pid) {
        return false;
    }
    let Ok(cmdline) = fs::read(proc_dir(pid).join("cmdline")) else {
        return false;
    };
    let cmdline = String::from_utf8_lossy(&cmdline);
    cmdline.contains(&*dir.to_string_lossy())
}

/// True while `pid` exists and has not exited (a zombie has). This is the test for a child we
/// just spawned: for a moment after `spawn` returns the kernel is still setting up the new
/// program and `/proc/PID/cmdline` reads empty, so [`running`] would call it gone.
pub fn alive(pid: u32) -> bool {
    !matches!(stat(pid).as_ref().map(|s| s.state), Some('Z' | 'X') | None)
}

/// How an exited child of ours ended ("exit status 1", "killed by signal 9"), read from its
/// zombie's `/proc/PID/stat` while nobody has reaped it.
pub fn exit_description(pid: u32) -> Option<String> {
    let stat = stat(pid).filter(|stat| stat.state == 'Z')?;
    let status: i32 = stat.fields.get(48)?.parse().ok()?;
    Some(match (status & 0x7f, (status >> 8) & 0xff) {
        (0, code) => format!("exit status {code}"),
        (signal, _) => format!("killed by signal {signal}"),
    })
}

/// The state letter and the fields after it of `/proc/PID/stat`.
struct Stat {
    state: char,
    /// Fields 4 onwards of proc(5), so field `n` is at index `n - 4` (`exit_code`, 52, at 48).
    fields: Vec<String>,
}

fn stat(pid: u32) -> Option<Stat> {
    let text = fs::read_to_string(proc_dir(pid).join("stat")).ok()?;
    // Format: `pid (comm) S ...`; comm may contain spaces and parentheses.
    let (_, rest) = text.rsplit_once(')')?;
    let mut words = rest.split_whitespace();
    let state = words.next()?.chars().next()?;
    Some(Stat {
        state,
        fields: words.map(str::to_owned).collect(),
    })
}

fn proc_dir(pid: u32) -> std::path::PathBuf {
    Path::new("/proc").join(pid.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A child left unreaped until the test has looked at it, as `spawn` leaves servers.
    fn spawned(script: &str) -> std::process::Child {
        Command::new("sh")
            .args(["-c", script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("sh runs")
    }

    #[test]
    fn an_exited_child_is_not_alive_and_says_how_it_ended() {
        for (script, ended) in [
            ("exit 3", "exit status 3"),
            ("kill -9 $$", "killed by signal 9"),
        ] {
            let mut child = spawned(script);
            let pid = child.id();
            assert!(wait_until(Duration::from_secs(10), || !alive(pid)));
            assert_eq!(exit_description(pid).as_deref(), Some(ended));
            child.wait().expect("reaped");
        }
    }

    #[test]
    fn a_live_child_is_alive_and_running_only_for_its_own_directory() {
        let dir = tempfile::tempdir().expect("temp dir");
        let marker = dir.path().join("marker");
        let mut child = spawned(&format!("sleep 30; : {}", marker.display()));
        let pid = child.id();
        assert!(alive(pid));
        assert!(wait_until(Duration::from_secs(10), || running(
            pid,
            dir.path()
        )));
        assert!(!running(pid, Path::new("/nonexistent/elsewhere")));
        assert_eq!(exit_description(pid), None, "a live process has not ended");
        cmd::run(Command::new("kill").args(["-KILL", "--", &format!("-{pid}")])).expect("kill");
        assert!(wait_until(Duration::from_secs(10), || !alive(pid)));
        child.wait().expect("reaped");
    }
}
