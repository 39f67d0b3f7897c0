//! `store.retrieveValue` and `store.retrievePairs`: read-only access to key-value stores.
//!
//! Values of confidential stores are decrypted only when a script asks for one key, and every
//! value handed out is remembered in the call's scope so `console.log` masks it.

use serde_json::Value;

use super::{ApiError, ApiResult, arg_str};
use crate::error::ExtensionError;
use crate::runtime::scope::Scope;

pub(crate) fn call(name: &str, args: &Value, scope: &mut Scope) -> ApiResult {
    match name {
        "value" => {
            let store = arg_str(args, 0)?;
            let key = arg_str(args, 1)?;
            let value = scope.shared.kv.value(store, key).map_err(not_found)?;
            if value.confidential {
                scope.revealed.push(value.text.clone());
            }
            Ok(Value::String(value.text))
        }
        "pairs" => {
            let store = arg_str(args, 0)?;
            let pairs = scope.shared.kv.pairs(store).map_err(not_found)?;
            Ok(Value::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            ))
        }
        _ => Err(ApiError::argument(format!("unknown call store.{name}"))),
    }
}

fn not_found(err: ExtensionError) -> ApiError {
    match err {
        ExtensionError::StoreNotFound { .. } | ExtensionError::KeyNotFound { .. } => {
            ApiError::new("NotFoundException", err.to_string())
        }
        other => ApiError::new("IllegalStateException", other.to_string()),
    }
}
