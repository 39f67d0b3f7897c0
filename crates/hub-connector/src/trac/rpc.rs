//! A JSON-RPC client for Trac's `/login/jsonrpc` endpoint (the XML-RPC plugin).
//!
//! One POST per call, HTTP basic authentication, keep-alive with `TCP_NODELAY` (Trac answers
//! in small writes; with Nagle's algorithm on either side a kept-alive connection stalls
//! 40 ms per request). `system.multicall` batches reads of many tickets into one request.

use std::sync::Once;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::errors;
use crate::connector::Result;

/// How long one call may take before it counts as a network failure.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A connection to one Trac environment.
#[derive(Debug, Clone)]
pub struct RpcClient {
    http: reqwest::Client,
    endpoint: String,
    username: String,
    password: String,
}

impl RpcClient {
    /// A client for the environment at `base_url` (e.g. `http://127.0.0.1:8000/project`).
    pub fn new(base_url: &str, username: &str, password: &str) -> Result<Self> {
        static PROVIDER: Once = Once::new();
        PROVIDER.call_once(|| {
            // Another part of the process may have installed one already; either is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| errors::transport("client", &e))?;
        Ok(Self {
            http,
            endpoint: format!("{}/login/jsonrpc", base_url.trim_end_matches('/')),
            username: username.to_owned(),
            password: password.to_owned(),
        })
    }

    /// Calls `method` with positional `params` and returns its `result`.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value> {
        let body = json!({"method": method, "params": params, "id": 1});
        let response = self
            .http
            .post(&self.endpoint)
            .basic_auth(&self.username, Some(&self.password))
            .json(&body)
            .send()
            .await
            .map_err(|e| errors::transport(method, &e))?;
        if response.status() != StatusCode::OK {
            return Err(errors::http_status(method, response.status()));
        }
        let answer: Value = response
            .json()
            .await
            .map_err(|e| errors::malformed(method, e))?;
        envelope(method, answer)
    }

    /// Calls `method` once per entry of `params`, in one request; answers in the same order,
    /// each its own success or failure.
    pub async fn multicall(&self, method: &str, params: Vec<Value>) -> Result<Vec<Result<Value>>> {
        self.batch(params.into_iter().map(|p| (method, p)).collect())
            .await
    }

    /// Several calls, each a method with its positional params, in one request; answers in
    /// the same order, each its own success or failure.
    pub async fn batch(&self, calls: Vec<(&str, Value)>) -> Result<Vec<Result<Value>>> {
        let Some((first, _)) = calls.first() else {
            return Ok(Vec::new());
        };
        let first = *first;
        let methods: Vec<&str> = calls.iter().map(|(m, _)| *m).collect();
        let calls: Vec<Value> = calls
            .into_iter()
            .map(|(method, params)| json!({"method": method, "params": params}))
            .collect();
        let answers = self.call("system.multicall", Value::Array(calls)).await?;
        let Value::Array(answers) = answers else {
            return Err(errors::malformed(first, "multicall result is not a list"));
        };
        Ok(answers
            .into_iter()
            .zip(methods)
            .map(|(a, method)| envelope(method, a))
            .collect())
    }
}

/// The `result` of a JSON-RPC answer, or its classified `error`.
fn envelope(method: &str, mut answer: Value) -> Result<Value> {
    match answer.get("error") {
        Some(error) if !error.is_null() => Err(errors::rpc_error(method, error)),
        _ => match answer.get_mut("result") {
            Some(result) => Ok(result.take()),
            None => Err(errors::malformed(method, "no result and no error")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorClass;

    #[test]
    fn the_envelope_yields_the_result_or_the_classified_error() {
        let ok = envelope("m", json!({"result": [1, 2], "error": null, "id": 1}));
        assert_eq!(ok.unwrap(), json!([1, 2]));
        let err = envelope(
            "m",
            json!({"result": null, "error": {"code": 404, "message": "gone"}}),
        );
        assert_eq!(err.unwrap_err().class, ErrorClass::NotFound);
        let odd = envelope("m", json!({"id": 1}));
        assert_eq!(odd.unwrap_err().class, ErrorClass::Network);
    }
}
