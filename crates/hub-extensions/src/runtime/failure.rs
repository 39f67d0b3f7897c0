//! Turning what boa reports into the host's coded errors: a thrown value keeps its text and the
//! position it was thrown at; runtime-limit errors name the limit; parse errors name the line and
//! column.

use boa_engine::error::{EngineError, RuntimeLimitError};
use boa_engine::{Context, JsError};

use crate::error::{ExtensionError, Limit, Position};
use crate::limits::SandboxLimits;

/// The error for a script failure `err` of extension `name`.
pub(crate) fn from_js(
    err: JsError,
    name: &str,
    limits: &SandboxLimits,
    context: &mut Context,
) -> ExtensionError {
    if let Some(EngineError::RuntimeLimit(kind)) = err.as_engine() {
        let limit = match kind {
            RuntimeLimitError::LoopIteration => Limit::LoopIterations,
            RuntimeLimitError::Recursion | RuntimeLimitError::StackSize => Limit::Recursion,
        };
        return limit_error(name, limit, limits);
    }
    let position = thrown_at(&err.to_string());
    let message = match err.as_opaque() {
        Some(value) => value
            .to_string(context)
            .map(|s| s.to_std_string_escaped())
            .unwrap_or_else(|_| value.display().to_string()),
        None => first_line(&err.to_string()),
    };
    ExtensionError::Script {
        name: name.to_owned(),
        message,
        position,
    }
}

/// The error for a script stopped by `limit`.
pub(crate) fn limit_error(name: &str, limit: Limit, limits: &SandboxLimits) -> ExtensionError {
    let detail = match limit {
        Limit::LoopIterations => format!("{} iterations", limits.loop_iterations),
        Limit::Recursion => format!("{} nested calls", limits.recursion_depth),
        Limit::WallClock => format!("{} ms", limits.wall_clock.as_millis()),
        Limit::Memory => format!("{} MiB", limits.memory_bytes / (1024 * 1024)),
    };
    ExtensionError::Limit {
        name: name.to_owned(),
        limit,
        detail,
    }
}

/// The error for a script that does not parse.
pub(crate) fn syntax_error(name: &str, err: &JsError) -> ExtensionError {
    let text = err.to_string();
    let message = first_line(&text);
    let position = parse_position(&text).unwrap_or(Position { line: 1, column: 1 });
    ExtensionError::Syntax {
        name: name.to_owned(),
        message,
        position,
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_owned()
}

/// The innermost script position in a displayed backtrace (`at f (name:3:9)`).
fn thrown_at(display: &str) -> Option<Position> {
    display.lines().skip(1).find_map(|line| {
        let line = line.trim();
        if !line.starts_with("at ") || line.contains("(native") {
            return None;
        }
        let inner = line.rsplit_once('(')?.1.strip_suffix(')')?;
        let mut parts = inner.rsplitn(3, ':');
        let column = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        Some(Position { line, column })
    })
}

/// `line N, col M` as boa's parser writes it.
fn parse_position(text: &str) -> Option<Position> {
    let at = text.rfind("line ")?;
    let rest = &text[at + 5..];
    let (line, rest) = rest.split_once(',')?;
    let column: String = rest
        .trim_start()
        .strip_prefix("col ")?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some(Position {
        line: line.trim().parse().ok()?,
        column: column.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_read_from_backtraces_and_parser_messages() {
        let shown = "boom\n    at transform (split.js:4:13)\n    at <main> (invoke:1:1)";
        assert_eq!(
            thrown_at(shown),
            Some(Position {
                line: 4,
                column: 13
            })
        );
        let parse =
            "SyntaxError: expected token ';', got 'x' in expression statement at line 3, col 9";
        assert_eq!(parse_position(parse), Some(Position { line: 3, column: 9 }));
    }
}
