//! The raw API rate of a Trac: how many ticket reads, updates and creations per second it
//! serves at a given concurrency, one JSON-RPC request each, with no connector logic around
//! them. Benchmarks put the hub's synchronization rate beside this physical limit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::TracSettings;
use super::rpc::RpcClient;
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};

/// Requests per second of each kind, measured one kind after the other.
#[derive(Debug, Clone, PartialEq)]
pub struct TracRates {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests of each kind.
    pub requests: usize,
    /// `ticket.create` per second.
    pub creates_per_second: f64,
    /// `ticket.get` per second.
    pub reads_per_second: f64,
    /// `ticket.update` (a summary change through the `leave` action) per second.
    pub updates_per_second: f64,
}

/// Creates `requests` tickets, reads them and updates each once, `concurrency` requests at a
/// time. The tickets stay (type of the environment's default, summary `rate probe …`).
pub async fn measure(
    settings: &TracSettings,
    concurrency: usize,
    requests: usize,
) -> Result<TracRates> {
    let rpc = Arc::new(RpcClient::new(
        &settings.url,
        &settings.username,
        &settings.password,
    )?);
    let concurrency = concurrency.max(1);
    let requests = requests.max(1);
    let (creates, ids) = timed(
        &rpc,
        concurrency,
        (0..requests).map(|n| {
            (
                "ticket.create",
                json!([format!("rate probe {n}"), "", {}, false]),
            )
        }),
    )
    .await?;
    let ids: Vec<i64> = ids.iter().filter_map(Value::as_i64).collect();
    let (reads, _) = timed(
        &rpc,
        concurrency,
        ids.iter().map(|id| ("ticket.get", json!([id]))),
    )
    .await?;
    let updates = ids.iter().map(|id| {
        ("ticket.update", json!([id, "", {"summary": format!("rate probe {id} updated"), "action": "leave"}, false]))
    });
    let (updates, _) = timed(&rpc, concurrency, updates).await?;
    let rate = |elapsed: Duration| requests as f64 / elapsed.as_secs_f64().max(f64::EPSILON);
    Ok(TracRates {
        concurrency,
        requests,
        creates_per_second: rate(creates),
        reads_per_second: rate(reads),
        updates_per_second: rate(updates),
    })
}

/// Runs the calls `concurrency` at a time; the elapsed time and the results in call order.
async fn timed(
    rpc: &Arc<RpcClient>,
    concurrency: usize,
    calls: impl Iterator<Item = (&'static str, Value)>,
) -> Result<(Duration, Vec<Value>)> {
    let calls: Vec<_> = calls.enumerate().collect();
    let queue = Arc::new(std::sync::Mutex::new(calls.into_iter()));
    let start = Instant::now();
    let mut workers = JoinSet::new();
    for _ in 0..concurrency {
        let (rpc, queue) = (rpc.clone(), queue.clone());
        workers.spawn(async move {
            let mut done = Vec::new();
            loop {
                let next = queue.lock().expect("probe queue").next();
                let Some((n, (method, params))) = next else {
                    return Ok(done);
                };
                done.push((n, rpc.call(method, params).await?));
            }
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = workers.join_next().await {
        let done: Result<Vec<(usize, Value)>> = joined.map_err(|e| {
            ConnectorError::new(ErrorClass::Network, format!("rate probe worker: {e}"))
        })?;
        results.extend(done?);
    }
    let elapsed = start.elapsed();
    results.sort_by_key(|(n, _)| *n);
    Ok((elapsed, results.into_iter().map(|(_, v)| v).collect()))
}
