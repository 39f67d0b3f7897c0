//! What the hub-server's end-to-end tests share: a free port, a raw HTTP exchange with the
//! hub's API or a tracker, and finding the live trackers xtask started. Raw HTTP/1.0 over a
//! socket keeps these tests free of an HTTP client of their own; every answer they read is
//! JSON and small.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.0 exchange with `base` (`http://host:port` or `host:port`): status and JSON body;
/// status 0 and `Null` when nothing answers.
pub fn http(base: &str, method: &str, path: &str, headers: &[String], body: &str) -> (u16, Value) {
    let address = base.trim_start_matches("http://").trim_end_matches('/');
    let Ok(mut stream) = TcpStream::connect(address) else {
        return (0, Value::Null);
    };
    stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
    let mut request = format!(
        "{method} {path} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    for header in headers {
        request += &format!("{header}\r\n");
    }
    request += "\r\n";
    request += body;
    if stream.write_all(request.as_bytes()).is_err() {
        return (0, Value::Null);
    }
    let mut raw = String::new();
    let _ = stream.read_to_string(&mut raw);
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let payload = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(payload).unwrap_or(Value::Null))
}

/// A GET answered with JSON; `None` while nothing answers (a hub still starting, say).
pub fn get_json(base: &str, path: &str) -> Option<Value> {
    match http(base, "GET", path, &[], "") {
        (0, _) | (_, Value::Null) => None,
        (_, body) => Some(body),
    }
}

/// A GET of the hub's API on 127.0.0.1:`port`.
pub fn api(port: u16, path: &str) -> Option<Value> {
    get_json(&format!("127.0.0.1:{port}"), path)
}

/// Standard base64 with padding, for one Basic authorization header.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}

/// `~/.cache/syncline/services/<name>.json`, where xtask records a running instance.
pub fn record_path(name: &str) -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(cache.join(format!("syncline/services/{name}.json")))
}

/// xtask's record of `name` if its server still listens.
pub fn recorded(name: &str) -> Option<Value> {
    let text = std::fs::read_to_string(record_path(name)?).ok()?;
    let record: Value = serde_json::from_str(&text).ok()?;
    let port = u16::try_from(record["port"].as_u64()?).ok()?;
    TcpStream::connect(("127.0.0.1", port)).ok()?;
    Some(record)
}
