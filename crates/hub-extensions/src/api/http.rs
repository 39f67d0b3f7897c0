//! `httpClient`: the fluent builder of `prelude.js` ends in one `http.send` call, served here by
//! reqwest with a timeout, a cap on the response size and an optional HTTP proxy with basic
//! credentials.

use std::io::Read;
use std::sync::Once;
use std::time::Duration;

use reqwest::blocking::{Client, ClientBuilder};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{ApiError, ApiResult, arg};
use crate::runtime::scope::Scope;

/// Limits of the HTTP client API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    /// Time allowed per request (also capped by the call's wall-clock limit).
    pub timeout: Duration,
    /// Largest response body accepted.
    pub max_response_bytes: u64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            max_response_bytes: 10 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Proxy {
    host: String,
    port: u16,
    username: Option<String>,
    password: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Spec {
    method: String,
    uri: Option<String>,
    #[serde(default)]
    parameters: Vec<(String, String)>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    proxy: Option<Proxy>,
    body: Option<String>,
}

fn failed(err: impl std::fmt::Display) -> ApiError {
    ApiError::new("IOException", err.to_string())
}

pub(crate) fn call(name: &str, args: &Value, scope: &mut Scope) -> ApiResult {
    if name != "send" {
        return Err(ApiError::argument(format!("unknown call http.{name}")));
    }
    let spec: Spec = serde_json::from_value(arg(args, 0).clone())
        .map_err(|e| ApiError::argument(format!("invalid request: {e}")))?;
    let settings = scope.shared.http;
    let timeout = settings.timeout.min(scope.shared.limits.wall_clock);
    send(&spec, timeout, settings.max_response_bytes)
}

fn client(proxy: Option<&Proxy>, timeout: Duration) -> Result<Client, ApiError> {
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        // Another part of the process may have installed one already; either is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    let mut builder = ClientBuilder::new().timeout(timeout).no_proxy();
    if let Some(p) = proxy {
        let mut proxy = reqwest::Proxy::all(format!("http://{}:{}", p.host, p.port))
            .map_err(|e| ApiError::argument(format!("invalid proxy: {e}")))?;
        if let Some(user) = &p.username {
            proxy = proxy.basic_auth(user, p.password.as_deref().unwrap_or_default());
        }
        builder = builder.proxy(proxy);
    }
    builder.build().map_err(failed)
}

fn send(spec: &Spec, timeout: Duration, cap: u64) -> ApiResult {
    let uri = spec
        .uri
        .as_deref()
        .ok_or_else(|| ApiError::argument("the request has no uri"))?;
    let method = reqwest::Method::from_bytes(spec.method.as_bytes())
        .map_err(|_| ApiError::argument(format!("unknown method {}", spec.method)))?;
    let mut url = reqwest::Url::parse(uri)
        .map_err(|e| ApiError::argument(format!("invalid uri {uri}: {e}")))?;
    if !spec.parameters.is_empty() {
        let mut query = url.query_pairs_mut();
        for (key, value) in &spec.parameters {
            query.append_pair(key, value);
        }
    }
    let mut request = client(spec.proxy.as_ref(), timeout)?.request(method, url);
    for (name, value) in &spec.headers {
        request = request.header(name, value);
    }
    if let Some(body) = &spec.body {
        request = request.body(body.clone());
    }
    let response = request.send().map_err(failed)?;
    let status = response.status().as_u16();
    let headers = headers_json(response.headers());
    let mut body = Vec::new();
    response
        .take(cap + 1)
        .read_to_end(&mut body)
        .map_err(failed)?;
    if body.len() as u64 > cap {
        return Err(ApiError::new(
            "IOException",
            format!("the response of {uri} is larger than the limit of {cap} bytes"),
        ));
    }
    Ok(json!({
        "status": status,
        "content": String::from_utf8_lossy(&body),
        "headers": headers,
    }))
}

/// Header names in their usual capitalization, each with the list of its values.
fn headers_json(headers: &reqwest::header::HeaderMap) -> Value {
    let mut map: Map<String, Value> = Map::new();
    for (name, value) in headers {
        let entry = map
            .entry(canonical(name.as_str()))
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(values) = entry {
            values.push(json!(String::from_utf8_lossy(value.as_bytes())));
        }
    }
    Value::Object(map)
}

fn canonical(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_capitalized_as_servers_send_them() {
        assert_eq!(canonical("content-type"), "Content-Type");
        assert_eq!(canonical("x-request-id"), "X-Request-Id");
    }
}
