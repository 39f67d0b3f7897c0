//! The HTTP side: one `reqwest` client per connector, the API key on every request, JSON in and
//! out, and every failure classified (see [`super::errors`]).
//!
//! Connections are closed after each answer unless the settings ask to keep them. Puma, the
//! server Redmine ships with, waits up to 200 ms on a kept-alive connection for its next
//! request before it serves anyone else on that thread; the hub's requests to one Redmine come
//! from several activities, between reads of the other tracker and store writes, so that wait
//! is what a kept-alive hub paid on nearly every request (20 requests on fresh connections
//! while earlier ones stayed open: 230 ms each, against 25 ms with `Connection: close`).
//!
//! `reqwest` is built without a bundled TLS crypto provider so the workspace picks one; the
//! first client installs `ring` process-wide.

use std::sync::Once;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use super::errors;
use crate::connector::Result;

/// Header through which Redmine takes the API key.
const KEY_HEADER: &str = "X-Redmine-API-Key";
/// Header through which an administrator's key acts as another user.
const SWITCH_USER_HEADER: &str = "X-Redmine-Switch-User";
/// Time limit of one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Time limit of establishing a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client for one Redmine at `base` acting with one API key.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    key: String,
    switch_user: Option<String>,
    keep_alive: bool,
}

impl Client {
    /// A client for the Redmine at `base` (trailing slash optional); connections are kept open
    /// between requests only with `keep_alive`.
    pub fn new(base: &str, key: &str, keep_alive: bool) -> Result<Self> {
        install_crypto_provider();
        let base = Url::parse(&format!("{}/", base.trim_end_matches('/')))
            .map_err(|e| errors::invalid(format!("redmine url '{base}': {e}")))?;
        let mut builder = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true);
        if !keep_alive {
            builder = builder.pool_max_idle_per_host(0);
        }
        let http = builder
            .build()
            .map_err(|e| errors::from_transport("building the HTTP client", &e))?;
        Ok(Self {
            http,
            base,
            key: key.to_owned(),
            switch_user: None,
            keep_alive,
        })
    }

    /// This client acting as the user with `login` (needs an administrator's key).
    pub fn acting_as(&self, login: &str) -> Self {
        Self {
            switch_user: Some(login.to_owned()),
            ..self.clone()
        }
    }

    /// The base URL, ending in a slash.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// `path` (relative, e.g. `issues/1.json`) with `query` appended.
    pub fn url(&self, path: &str, query: &[(&str, String)]) -> Result<Url> {
        let mut url = self
            .base
            .join(path)
            .map_err(|e| errors::invalid(format!("redmine path '{path}': {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    /// GET of a JSON document.
    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value> {
        let url = self.url(path, query)?;
        let body = self.send(Method::GET, url, None, path).await?;
        parse(path, &body)
    }

    /// POST or PUT of a JSON document; the answer's JSON, `Null` when it has no body (204).
    pub async fn write(&self, method: Method, path: &str, document: &Value) -> Result<Value> {
        let url = self.url(path, &[])?;
        let body =
            serde_json::to_vec(document).map_err(|e| errors::invalid(format!("{path}: {e}")))?;
        let answer = self
            .send(method, url, Some(("application/json", body)), path)
            .await?;
        if answer.iter().all(u8::is_ascii_whitespace) {
            Ok(Value::Null)
        } else {
            parse(path, &answer)
        }
    }

    /// DELETE.
    pub async fn delete(&self, path: &str) -> Result<()> {
        let url = self.url(path, &[])?;
        self.send(Method::DELETE, url, None, path).await.map(drop)
    }

    /// POST of raw bytes to `uploads.json`; the upload token.
    pub async fn upload(&self, file_name: &str, content: Vec<u8>) -> Result<(String, u64)> {
        let url = self.url("uploads.json", &[("filename", file_name.to_owned())])?;
        let answer = self
            .send(
                Method::POST,
                url,
                Some(("application/octet-stream", content)),
                "uploads.json",
            )
            .await?;
        let value = parse("uploads.json", &answer)?;
        let upload = &value["upload"];
        match (upload["token"].as_str(), upload["id"].as_u64()) {
            (Some(token), Some(id)) => Ok((token.to_owned(), id)),
            _ => Err(errors::unexpected("uploads.json", &value)),
        }
    }

    /// GET of raw bytes from an absolute URL Redmine handed out (attachment content).
    pub async fn download(&self, url: &str) -> Result<Vec<u8>> {
        let url = Url::parse(url).map_err(|e| errors::unexpected("content_url", e))?;
        self.send(Method::GET, url, None, "attachment content")
            .await
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<(&'static str, Vec<u8>)>,
        what: &str,
    ) -> Result<Vec<u8>> {
        let what = format!("{method} {what}");
        let mut request = self
            .http
            .request(method, url)
            .header(KEY_HEADER, &self.key)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(login) = &self.switch_user {
            request = request.header(SWITCH_USER_HEADER, login);
        }
        if !self.keep_alive {
            // Puma then closes at once instead of holding its thread for a next request.
            request = request.header(reqwest::header::CONNECTION, "close");
        }
        if let Some((content_type, bytes)) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes);
        }
        let response = request
            .send()
            .await
            .map_err(|e| errors::from_transport(&what, &e))?;
        let status = response.status();
        let retry_after = retry_after(&response);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| errors::from_transport(&what, &e))?;
        if status.is_success() {
            Ok(bytes.to_vec())
        } else {
            let text = String::from_utf8_lossy(&bytes);
            Err(errors::from_status(status, &what, &text, retry_after))
        }
    }
}

fn parse(what: &str, body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| errors::unexpected(what, e))
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    if response.status() != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let seconds = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// Installs `ring` as rustls' provider once; a provider installed by the embedding program
/// before us is kept.
fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err means a provider is already installed, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// The request head a client sends to a one-shot server answering `{}`.
    async fn request_head(keep_alive: bool) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
                head.push(byte[0]);
            }
            let answer =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
            stream.write_all(answer.as_bytes()).unwrap();
            String::from_utf8(head).unwrap().to_ascii_lowercase()
        });
        let client = Client::new(&base, "key", keep_alive).unwrap();
        assert_eq!(
            client.get("issues.json", &[]).await.unwrap(),
            serde_json::json!({})
        );
        server.join().unwrap()
    }

    #[tokio::test]
    async fn connections_close_after_each_answer_unless_kept_alive() {
        let closing = request_head(false).await;
        assert!(closing.contains("connection: close"), "{closing}");
        assert!(closing.contains("x-redmine-api-key: key"), "{closing}");
        let kept = request_head(true).await;
        assert!(!kept.contains("connection: close"), "{kept}");
    }
}
