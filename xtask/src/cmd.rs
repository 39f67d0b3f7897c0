//! Running external commands. Every command is printed before it runs, so a
//! failure can be reproduced by copying the line into a shell.

use std::ffi::OsStr;
use std::process::{Command, Output, Stdio};

use crate::error::{Error, Result};

/// The cargo that invoked us (so the same toolchain is used), else `cargo`.
pub fn cargo() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    command.current_dir(crate::workspace_root());
    command
}

/// Renders a command as a shell-like line: `VAR=value program args…`.
pub fn display(command: &Command) -> String {
    let mut parts = Vec::new();
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => parts.push(format!("{}={}", quote(key), quote(value))),
            None => parts.push(format!("-u {}", quote(key))),
        }
    }
    if !parts.is_empty() {
        parts.insert(0, "env".to_owned());
    }
    parts.push(quote(command.get_program()));
    parts.extend(command.get_args().map(quote));
    parts.join(" ")
}

fn quote(text: &OsStr) -> String {
    let text = text.to_string_lossy();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c));
    if plain {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Prints the command line before running it.
pub fn announce(command: &Command) {
    eprintln!("$ {}", display(command));
}

fn spawn_error(command: &Command, err: &std::io::Error) -> Error {
    Error::Spawn {
        program: command.get_program().to_string_lossy().into_owned(),
        reason: err.to_string(),
    }
}

/// Prints and runs a command with inherited stdio; fails unless it succeeds.
pub fn run(command: &mut Command) -> Result<()> {
    announce(command);
    let status = command.status().map_err(|err| spawn_error(command, &err))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Command {
            command: display(command),
            code: status.code(),
        })
    }
}

/// Prints and runs a command, capturing its output; fails unless it succeeds.
/// On failure the captured output is echoed so the reason is visible.
pub fn output(command: &mut Command) -> Result<Output> {
    announce(command);
    let output = capture(command)?;
    if output.status.success() {
        Ok(output)
    } else {
        eprint!("{}", String::from_utf8_lossy(&output.stdout));
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        Err(Error::Command {
            command: display(command),
            code: output.status.code(),
        })
    }
}

/// Runs a command silently and captures its output (for polling and probes).
pub fn capture(command: &mut Command) -> Result<Output> {
    command
        .stdin(Stdio::null())
        .output()
        .map_err(|err| spawn_error(command, &err))
}

/// Runs a command silently; true when it exits successfully.
pub fn succeeds(command: &mut Command) -> bool {
    capture(command).is_ok_and(|output| output.status.success())
}
