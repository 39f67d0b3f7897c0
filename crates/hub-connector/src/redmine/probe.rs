//! The raw rate of a Redmine's API: how many GET, PUT and POST requests of an issue it
//! answers per second at a given concurrency, measured without the hub in between.
//!
//! The tracker benchmark sets the hub's synchronized updates per second side by side with
//! this physical limit of the same tracker, measured in the same run.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::client::Client;
use super::errors;
use super::settings::RedmineSettings;
use crate::connector::Result;
use crate::error::ConnectorError;

/// Requests per second of each kind.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeReport {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// `GET /issues/:id.json`.
    pub get_per_second: f64,
    /// `PUT /issues/:id.json` changing the subject.
    pub put_per_second: f64,
    /// `POST /issues.json` creating an issue.
    pub post_per_second: f64,
}

/// Measures each kind for `duration` with `concurrency` clients, writing issues of `tracker`
/// (by id) into `project` (identifier). Creates issues: point it at a project meant for tests.
pub async fn probe(
    settings: &RedmineSettings,
    project: &str,
    tracker: u64,
    concurrency: usize,
    duration: Duration,
) -> Result<ProbeReport> {
    let client = Client::new(&settings.url, &settings.api_key, settings.keep_alive)?;
    let concurrency = concurrency.max(1);
    let new_issue = move |n: u64| json!({"issue": {"project_id": project, "tracker_id": tracker, "subject": format!("probe {n}")}});
    let created = client
        .write(Method::POST, "issues.json", &new_issue(0))
        .await?;
    let id = created["issue"]["id"]
        .as_u64()
        .ok_or_else(|| errors::unexpected("POST issues.json", &created))?;
    let path = format!("issues/{id}.json");
    let get = rate(&client, concurrency, duration, {
        let path = path.clone();
        move |client, _| {
            let path = path.clone();
            async move { client.get(&path, &[]).await.map(drop) }
        }
    })
    .await?;
    let put = rate(&client, concurrency, duration, {
        move |client, n| {
            let path = path.clone();
            async move {
                let document = json!({"issue": {"subject": format!("probe put {n}")}});
                client.write(Method::PUT, &path, &document).await.map(drop)
            }
        }
    })
    .await?;
    let project = project.to_owned();
    let post = rate(&client, concurrency, duration, move |client, n| {
        let document: Value =
            json!({"issue": {"project_id": project, "tracker_id": tracker, "subject": format!("probe {n}")}});
        async move { client.write(Method::POST, "issues.json", &document).await.map(drop) }
    })
    .await?;
    Ok(ProbeReport {
        concurrency,
        get_per_second: get,
        put_per_second: put,
        post_per_second: post,
    })
}

/// Requests per second that `concurrency` workers repeating `request` achieve in `duration`.
async fn rate<F, Fut>(
    client: &Client,
    concurrency: usize,
    duration: Duration,
    request: F,
) -> Result<f64>
where
    F: Fn(Client, u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<()>> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut workers = JoinSet::new();
    for _ in 0..concurrency {
        let (client, request, done) = (client.clone(), request.clone(), done.clone());
        workers.spawn(async move {
            while start.elapsed() < duration {
                let n = done.fetch_add(1, Ordering::Relaxed);
                request(client.clone(), n).await?;
            }
            Ok::<(), ConnectorError>(())
        });
    }
    while let Some(joined) = workers.join_next().await {
        joined.map_err(|e| errors::unexpected("probe worker", e))??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}
