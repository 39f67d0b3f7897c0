//! Classifying Trac's failures.
//!
//! Trac answers most failures with HTTP 200 and an `error` object whose `code` is 403, 404 or
//! a JSON-RPC code, and whose `message` is the only hint for everything else (the generic
//! -32603 carries validation errors, edit collisions and database locks alike). Each is
//! turned into the same [`ErrorClass`] an HTTP status of another tracker would give.

use reqwest::StatusCode;
use serde_json::Value;

use crate::error::{ConnectorError, ErrorClass};

/// Messages of Trac's edit-collision checks (with and without a workflow action).
const COLLISIONS: [&str; 2] = [
    "has been modified since you started editing",
    "has been updated since last get()",
];
/// Messages of a write that met a concurrent one and stored nothing: a busy SQLite database,
/// and two first attachments of a ticket racing to create its directory (Trac checks, then
/// creates it; the loser's transaction is rolled back), which succeed when tried again.
const LOCKS: [&str; 3] = [
    "database is locked",
    "database table is locked",
    "[Errno 17] File exists",
];

/// The class of an `error` object from a JSON-RPC answer.
pub fn rpc_error(method: &str, error: &Value) -> ConnectorError {
    let code = error.get("code").and_then(Value::as_i64).unwrap_or(-32603);
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("no message");
    let class = match code {
        403 => ErrorClass::Auth,
        404 => ErrorClass::NotFound,
        -32601 => ErrorClass::Unsupported,
        _ if COLLISIONS.iter().any(|m| message.contains(m)) => ErrorClass::VersionConflict,
        _ if LOCKS.iter().any(|m| message.contains(m)) => ErrorClass::Locked,
        _ if message.contains("does not exist") => ErrorClass::NotFound,
        _ => ErrorClass::InvalidValue,
    };
    ConnectorError::new(class, format!("Trac {method}: {}", strip_tags(message)))
}

/// The class of a non-200 HTTP answer.
pub fn http_status(method: &str, status: StatusCode) -> ConnectorError {
    let class = match status.as_u16() {
        401 | 403 => ErrorClass::Auth,
        404 => ErrorClass::NotFound,
        429 => ErrorClass::RateLimited,
        _ => ErrorClass::Network,
    };
    let hint = match class {
        ErrorClass::Auth => "; check the user name, the password and its XML_RPC permission",
        ErrorClass::NotFound => "; check the URL (the Trac environment, without /login/jsonrpc)",
        _ => "",
    };
    ConnectorError::new(class, format!("Trac {method}: HTTP {status}{hint}"))
}

/// The class of a failed request (refused connection, timeout, broken body).
pub fn transport(method: &str, err: &reqwest::Error) -> ConnectorError {
    let mut message = format!("Trac {method}: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    ConnectorError::new(ErrorClass::Network, message)
}

/// An answer that is not the JSON-RPC envelope (a proxy's page, a truncated body).
pub fn malformed(method: &str, what: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::new(
        ErrorClass::Network,
        format!("Trac {method}: unexpected answer: {what}"),
    )
}

/// Trac puts HTML emphasis into some messages; administrators read them as text.
fn strip_tags(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_tag = false;
    for c in message.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn class(code: i64, message: &str) -> ErrorClass {
        rpc_error("ticket.update", &json!({"code": code, "message": message})).class
    }

    #[test]
    fn errors_in_http_200_bodies_are_classified() {
        assert_eq!(
            class(404, "Ticket 99 does not exist."),
            ErrorClass::NotFound
        );
        assert_eq!(
            class(403, "XML_RPC privileges are required"),
            ErrorClass::Auth
        );
        assert_eq!(
            class(-32601, "RPC method not found"),
            ErrorClass::Unsupported
        );
        let collision = "Your changes have not been saved because this ticket has been modified since you started editing.";
        assert_eq!(class(-32603, collision), ErrorClass::VersionConflict);
        assert_eq!(
            class(-32603, "Ticket has been updated since last get()."),
            ErrorClass::VersionConflict
        );
        assert_eq!(class(-32603, "database is locked"), ErrorClass::Locked);
        let race = "[Errno 17] File exists: '/srv/trac/files/attachments/ticket/acf/acf1ff'";
        assert_eq!(class(-32603, race), ErrorClass::Locked);
        let invalid =
            "The ticket field <strong>priority</strong> is invalid: \"x\" is not a valid value";
        assert_eq!(class(-32603, invalid), ErrorClass::InvalidValue);
    }

    #[test]
    fn messages_lose_their_html() {
        let err = rpc_error(
            "m",
            &json!({"code": -32603, "message": "field <strong>a</strong> bad"}),
        );
        assert_eq!(err.message, "Trac m: field a bad");
    }

    #[test]
    fn http_statuses_map_to_classes() {
        assert_eq!(
            http_status("m", StatusCode::UNAUTHORIZED).class,
            ErrorClass::Auth
        );
        assert_eq!(
            http_status("m", StatusCode::NOT_FOUND).class,
            ErrorClass::NotFound
        );
        assert_eq!(
            http_status("m", StatusCode::BAD_GATEWAY).class,
            ErrorClass::Network
        );
    }
}
