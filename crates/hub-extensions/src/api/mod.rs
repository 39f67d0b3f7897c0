//! The host side of the extension API: each `__sxHost` operation, given its JSON arguments and
//! the running call's scope.
//!
//! Failures come back as [`ApiError`]s with the exception name scripts see (`NotFoundException`,
//! `PersonNotFoundException`, …), so a script can catch and handle them as the guide shows.

pub(crate) mod artifacts;
pub(crate) mod http;
pub(crate) mod ldap;
pub(crate) mod persons;
pub(crate) mod store;

use serde_json::Value;

use crate::runtime::scope::Scope;

/// A failed host call, thrown into the script as an exception named `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// The exception's name.
    pub name: &'static str,
    /// Its message.
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(name: &'static str, message: impl Into<String>) -> Self {
        Self {
            name,
            message: message.into(),
        }
    }

    /// A call with arguments of the wrong shape.
    pub(crate) fn argument(message: impl Into<String>) -> Self {
        Self::new("IllegalArgumentException", message)
    }
}

/// Result of a host call.
pub(crate) type ApiResult = Result<Value, ApiError>;

/// Runs host operation `op`.
pub(crate) fn dispatch(op: &str, args: Value, scope: &mut Scope) -> ApiResult {
    let (area, name) = op.split_once('.').unwrap_or((op, ""));
    match area {
        "store" => store::call(name, &args, scope),
        "artifacts" => artifacts::call(name, &args, scope),
        "persons" => persons::call(name, &args, scope),
        "ldap" => ldap::call(name, &args, scope),
        "http" => http::call(name, &args, scope),
        _ => Err(ApiError::argument(format!("unknown host call {op}"))),
    }
}

/// Argument `index` as a string.
pub(crate) fn arg_str(args: &Value, index: usize) -> Result<&str, ApiError> {
    args.get(index)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::argument(format!("argument {} must be a string", index + 1)))
}

/// Argument `index` as given (null when absent).
pub(crate) fn arg(args: &Value, index: usize) -> &Value {
    args.get(index).unwrap_or(&Value::Null)
}
