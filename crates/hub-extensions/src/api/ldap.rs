//! `ldap.connect`, `ldap.search` and `ldap.escape` on ldap3.
//!
//! The connection opened by `connect` lives in the call's scope and is dropped (unbound) when
//! the batch of calls ends, so scripts never close it themselves. Every operation has a timeout
//! so a silent directory cannot hold a worker thread.

use std::time::Duration;

use ldap3::{LdapConn, LdapConnSettings, Scope as SearchScope, SearchEntry};
use serde_json::{Map, Value, json};

use super::{ApiError, ApiResult, arg, arg_str};
use crate::runtime::scope::Scope;

/// Time allowed to connect and for each directory operation.
const TIMEOUT: Duration = Duration::from_secs(5);

/// An open, bound directory connection.
pub(crate) struct LdapSession {
    conn: LdapConn,
}

impl Drop for LdapSession {
    fn drop(&mut self) {
        // Best effort: the directory drops the connection anyway when the socket closes.
        let _ = self.conn.unbind();
    }
}

fn failed(what: &str, err: impl std::fmt::Display) -> ApiError {
    ApiError::new("LdapException", format!("{what}: {err}"))
}

pub(crate) fn call(name: &str, args: &Value, scope: &mut Scope) -> ApiResult {
    match name {
        "connect" => {
            scope.ldap = None;
            let settings = LdapConnSettings::new().set_conn_timeout(TIMEOUT);
            let mut conn = LdapConn::with_settings(settings, arg_str(args, 0)?)
                .map_err(|e| failed("cannot connect to the directory", e))?;
            conn.with_timeout(TIMEOUT)
                .simple_bind(arg_str(args, 1)?, arg_str(args, 2)?)
                .and_then(|r| r.success())
                .map_err(|e| failed("the directory refused the credentials", e))?;
            scope.ldap = Some(LdapSession { conn });
            Ok(Value::Null)
        }
        "search" => {
            let session = scope
                .ldap
                .as_mut()
                .ok_or_else(|| ApiError::new("LdapException", "call ldap.connect first"))?;
            search(session, arg_str(args, 0)?, arg_str(args, 1)?, arg(args, 2))
        }
        "escape" => Ok(json!(ldap3::ldap_escape(arg_str(args, 0)?))),
        _ => Err(ApiError::argument(format!("unknown call ldap.{name}"))),
    }
}

fn search(session: &mut LdapSession, base: &str, filter: &str, fields: &Value) -> ApiResult {
    let attributes: Vec<String> = match fields {
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => vec!["*".to_owned()],
    };
    let (entries, _) = session
        .conn
        .with_timeout(TIMEOUT)
        .search(base, SearchScope::Subtree, filter, attributes)
        .and_then(|r| r.success())
        .map_err(|e| failed("the directory search failed", e))?;
    Ok(Value::Array(
        entries
            .into_iter()
            .map(|entry| entry_json(SearchEntry::construct(entry)))
            .collect(),
    ))
}

/// An entry as an object: `dn`, then each attribute as a string (one value) or an array.
fn entry_json(entry: SearchEntry) -> Value {
    let mut map = Map::new();
    map.insert("dn".into(), json!(entry.dn));
    for (attribute, mut values) in entry.attrs {
        let value = if values.len() == 1 {
            json!(values.remove(0))
        } else {
            json!(values)
        };
        map.insert(attribute, value);
    }
    Value::Object(map)
}
