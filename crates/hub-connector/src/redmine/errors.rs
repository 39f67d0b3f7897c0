//! Redmine's failures, classified.
//!
//! Redmine answers a refused value with 422 and `{"errors": [...]}`, a bad API key with 401, a
//! missing permission with 403 and a missing issue or project with 404; the engine needs the
//! class (retry, block the repository, fail the artifact) and the administrator needs Redmine's
//! own words, so both are kept.

use std::time::Duration;

use reqwest::StatusCode;

use crate::error::{ConnectorError, ErrorClass};

/// Redmine's answer when a concurrent write won (`lock_version` mismatch).
const STALE_MESSAGE: &str = "updated by another user";

/// The error for an unsuccessful HTTP answer.
pub fn from_status(
    status: StatusCode,
    what: &str,
    body: &str,
    retry_after: Option<Duration>,
) -> ConnectorError {
    let detail = error_messages(body).unwrap_or_else(|| short(body));
    let message = if detail.is_empty() {
        format!("{what}: HTTP {status}")
    } else {
        format!("{what}: HTTP {status}: {detail}")
    };
    let class = match status.as_u16() {
        401 | 403 => ErrorClass::Auth,
        404 => ErrorClass::NotFound,
        409 => ErrorClass::VersionConflict,
        423 => ErrorClass::Locked,
        422 if detail.contains(STALE_MESSAGE) => ErrorClass::VersionConflict,
        400 | 413 | 422 => ErrorClass::InvalidValue,
        429 => return ConnectorError::rate_limited(message, retry_after),
        // A proxy in front of Redmine, or Redmine restarting: worth retrying.
        500..=599 => ErrorClass::Network,
        _ => ErrorClass::Unsupported,
    };
    let message = match class {
        ErrorClass::Auth if status == StatusCode::UNAUTHORIZED => {
            format!("{message} (the API key was refused; is the REST API enabled?)")
        }
        _ => message,
    };
    ConnectorError::new(class, message)
}

/// The error for a request that got no HTTP answer.
pub fn from_transport(what: &str, err: &reqwest::Error) -> ConnectorError {
    let class = if err.is_builder() {
        ErrorClass::InvalidValue
    } else {
        ErrorClass::Network
    };
    ConnectorError::new(class, format!("{what}: {}", chain(err)))
}

/// The messages of a `{"errors": [...]}` body, joined.
pub fn error_messages(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let errors = value.get("errors")?.as_array()?;
    let messages: Vec<&str> = errors.iter().filter_map(|e| e.as_str()).collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// An unexpected answer shape.
pub fn unexpected(what: &str, detail: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::new(
        ErrorClass::Unsupported,
        format!("{what}: unexpected answer from Redmine: {detail}"),
    )
}

/// A value the hub cannot write to Redmine.
pub fn invalid(message: impl Into<String>) -> ConnectorError {
    ConnectorError::new(ErrorClass::InvalidValue, message)
}

fn short(body: &str) -> String {
    let body = body.trim();
    if body.starts_with('<') {
        // An HTML error page says nothing the status does not.
        return String::new();
    }
    body.chars().take(300).collect()
}

/// The error with its sources ("error sending request: connection refused").
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_keep_redmine_s_messages() {
        let body = r#"{"errors":["Subject cannot be blank","Priority cannot be blank"]}"#;
        let err = from_status(StatusCode::UNPROCESSABLE_ENTITY, "update #1", body, None);
        assert_eq!(err.class, ErrorClass::InvalidValue);
        assert!(
            err.message
                .contains("Subject cannot be blank; Priority cannot be blank"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_stale_write_is_a_version_conflict() {
        let body = r#"{"errors":["Data has been updated by another user."]}"#;
        let err = from_status(StatusCode::UNPROCESSABLE_ENTITY, "update #1", body, None);
        assert_eq!(err.class, ErrorClass::VersionConflict);
    }

    #[test]
    fn statuses_map_to_their_classes() {
        let class = |code: u16| {
            let status = StatusCode::from_u16(code).unwrap();
            from_status(status, "call", "", None).class
        };
        assert_eq!(class(401), ErrorClass::Auth);
        assert_eq!(class(403), ErrorClass::Auth);
        assert_eq!(class(404), ErrorClass::NotFound);
        assert_eq!(class(409), ErrorClass::VersionConflict);
        assert_eq!(class(423), ErrorClass::Locked);
        assert_eq!(class(429), ErrorClass::RateLimited);
        assert_eq!(class(503), ErrorClass::Network);
    }
}
