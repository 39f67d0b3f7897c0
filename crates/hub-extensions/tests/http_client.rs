//! `httpClient` against a local HTTP server and a local proxy with basic credentials, both on
//! 127.0.0.1 and written here on plain tokio sockets.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use hub_extensions::kv::{KeyValueStores, StaticKey, StoreKind};
use hub_extensions::{
    ExtensionHost, ExtensionKind, HostConfig, HttpSettings, MemoryLog, SandboxLimits,
};
use serde_json::json;
use support::{context, fixture, transform_call};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Reads a request head (up to the blank line).
async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

async fn respond(stream: &mut TcpStream, status: &str, headers: &str, body: &str) {
    let reply = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
}

/// A REST API: `/my/rest/api?…&second-param=X` answers `{"product": …}`; `/big` answers
/// more than the size cap; `/slow` never answers; `/via-proxy` says hello.
async fn api_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let head = read_head(&mut stream).await;
                let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                if target.starts_with("/my/rest/api") {
                    assert!(
                        head.to_lowercase()
                            .contains("my-special-header: header-value"),
                        "{head}"
                    );
                    assert!(target.contains("first-param=first-value"), "{target}");
                    let product = target.rsplit("second-param=").next().unwrap_or("");
                    let body = json!({ "product": format!("Product {product}") }).to_string();
                    respond(
                        &mut stream,
                        "200 OK",
                        "Content-Type: application/json;charset=UTF-8\r\n",
                        &body,
                    )
                    .await;
                } else if target == "/big" {
                    respond(&mut stream, "200 OK", "", &"x".repeat(4096)).await;
                } else if target == "/slow" {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                } else if target == "/via-proxy" {
                    respond(&mut stream, "200 OK", "", "hello through the proxy").await;
                } else {
                    respond(&mut stream, "404 Not Found", "", "").await;
                }
            });
        }
    });
    port
}

/// A forward proxy that wants `user:pass` and relays plain HTTP requests to their target.
async fn proxy_server(relayed: Arc<AtomicUsize>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let expected = format!(
        "proxy-authorization: basic {}",
        base64::engine::general_purpose::STANDARD
            .encode("proxy-user:proxy-pass")
            .to_lowercase()
    );
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let expected = expected.clone();
            let relayed = relayed.clone();
            tokio::spawn(async move {
                let head = read_head(&mut client).await;
                if !head.to_lowercase().contains(&expected) {
                    respond(
                        &mut client,
                        "407 Proxy Authentication Required",
                        "Proxy-Authenticate: Basic realm=\"test\"\r\n",
                        "",
                    )
                    .await;
                    return;
                }
                let url = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                let rest = url.strip_prefix("http://").unwrap_or(&url);
                let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
                let mut upstream = TcpStream::connect(authority).await.unwrap();
                let first = format!(
                    "GET /{path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
                );
                upstream.write_all(first.as_bytes()).await.unwrap();
                relayed.fetch_add(1, Ordering::SeqCst);
                let mut reply = Vec::new();
                upstream.read_to_end(&mut reply).await.unwrap();
                client.write_all(&reply).await.unwrap();
            });
        }
    });
    port
}

fn host(kv: &KeyValueStores, http: HttpSettings) -> ExtensionHost {
    let config = HostConfig {
        workers: 2,
        limits: SandboxLimits::default(),
        http,
        ..HostConfig::default()
    };
    ExtensionHost::new(config, Arc::new(MemoryLog::new(100)), kv.reader()).unwrap()
}

async fn key_values() -> KeyValueStores {
    let store = hub_store::Store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    KeyValueStores::open(store, Box::new(StaticKey::random().unwrap()))
        .await
        .unwrap()
}

fn load(host: &ExtensionHost, file: &str) {
    host.load(&hub_extensions::Extension {
        name: file.into(),
        kind: ExtensionKind::DataTransformation,
        source: fixture(file),
    })
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_get_with_parameters_and_headers_reads_status_content_and_headers() {
    let port = api_server().await;
    let kv = key_values().await;
    let host = host(&kv, HttpSettings::default());
    load(&host, "transform_http_get.js");
    let source = json!({ "apiBase": format!("http://127.0.0.1:{port}") });
    let out = tokio::task::spawn_blocking(move || {
        host.transform(
            "transform_http_get.js",
            transform_call(context(source, "s"), json!("MOW")),
            None,
        )
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        out,
        Some(json!("Product MOW (application/json;charset=UTF-8)"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_with_basic_credentials_from_a_confidential_store_relays_the_request() {
    let api = api_server().await;
    let relayed = Arc::new(AtomicUsize::new(0));
    let proxy = proxy_server(relayed.clone()).await;
    let kv = key_values().await;
    kv.create("Proxy Credentials", StoreKind::Confidential)
        .await
        .unwrap();
    kv.set("Proxy Credentials", "username", "proxy-user")
        .await
        .unwrap();
    kv.set("Proxy Credentials", "password", "proxy-pass")
        .await
        .unwrap();
    let host = host(&kv, HttpSettings::default());
    load(&host, "transform_http_proxy.js");
    let source = json!({ "apiBase": format!("http://127.0.0.1:{api}"), "proxyPort": proxy });
    let h = host.clone();
    let s = source.clone();
    let out = tokio::task::spawn_blocking(move || {
        h.transform(
            "transform_http_proxy.js",
            transform_call(context(s, "s"), json!("x")),
            None,
        )
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(out, Some(json!("200:hello through the proxy")));
    assert_eq!(relayed.load(Ordering::SeqCst), 1);

    kv.set("Proxy Credentials", "password", "wrong")
        .await
        .unwrap();
    let out = tokio::task::spawn_blocking(move || {
        host.transform(
            "transform_http_proxy.js",
            transform_call(context(source, "s"), json!("x")),
            None,
        )
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(out, Some(json!("407:")));
    assert_eq!(relayed.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_and_slow_responses_fail_the_call() {
    let port = api_server().await;
    let kv = key_values().await;
    let http = HttpSettings {
        timeout: Duration::from_millis(300),
        max_response_bytes: 1024,
    };
    let host = host(&kv, http);
    let source = format!(
        "var inputTypes = 'String'; var outputTypes = 'String';\n\
         function transform(context, input) {{\n  \
         return httpClient.request().uri('http://127.0.0.1:{port}' + input).GET().response().content();\n}}"
    );
    host.load(&hub_extensions::Extension {
        name: "fetch".into(),
        kind: ExtensionKind::DataTransformation,
        source,
    })
    .unwrap();
    let run = |path: &'static str| {
        let host = host.clone();
        tokio::task::spawn_blocking(move || {
            host.transform(
                "fetch",
                transform_call(context(json!({}), "s"), json!(path)),
                None,
            )
        })
    };
    let big = run("/big").await.unwrap().unwrap_err();
    assert!(
        big.to_string()
            .contains("larger than the limit of 1024 bytes"),
        "{big}"
    );
    let started = std::time::Instant::now();
    let slow = run("/slow").await.unwrap().unwrap_err();
    assert_eq!(slow.code().to_string(), "SYN-17011E");
    assert!(slow.to_string().contains("IOException"), "{slow}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
