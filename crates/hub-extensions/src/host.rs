//! The extension host: a pool of worker threads, each keeping one loaded context per
//! extension, and the blocking or async calls that reach them.
//!
//! boa contexts cannot move between threads, so every call travels to a worker over a channel
//! and its result comes back over another. A batch of calls travels as one message, which is
//! how the engine reaches hundreds of thousands of calls per second. A worker runs one batch at a
//! time; the caller picks the least busy worker (preferring the one that already has the
//! extension loaded), so a runaway script delays only its own worker. Each call is stopped by
//! its own limits; should a worker still not answer (a script stuck inside a single native
//! operation), the caller gives up after the wall-clock limit plus a grace period and the worker
//! is replaced, so the hub goes on serving.

mod worker;

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde_json::Value;

use crate::api::http::HttpSettings;
use crate::error::{ExtensionError, Limit};
use crate::kind::Extension;
use crate::kv::KeyValueReader;
use crate::limits::SandboxLimits;
use crate::log::{CallTags, ExtensionLog};
use crate::services::HostServices;
use crate::validate::{Compiled, validate};
use worker::{Job, Worker};

/// How long past its wall-clock limit a worker may stay silent before it is replaced.
const GRACE: Duration = Duration::from_secs(2);

/// Settings of a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostConfig {
    /// Worker threads.
    pub workers: usize,
    /// Limits of every call.
    pub limits: SandboxLimits,
    /// Limits of `httpClient`.
    pub http: HttpSettings,
    /// Stack size of worker threads.
    pub stack_bytes: usize,
}

impl Default for HostConfig {
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism().map_or(2, |n| n.get().max(2)),
            limits: SandboxLimits::default(),
            http: HttpSettings::default(),
            stack_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Host-wide parts every call can reach.
pub(crate) struct Shared {
    pub log: Arc<dyn ExtensionLog>,
    pub kv: Arc<dyn KeyValueReader>,
    pub http: HttpSettings,
    pub limits: SandboxLimits,
}

/// One call: its arguments and what it is for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallRequest {
    /// Arguments in order. Calls of one batch that share an argument (the same `Arc`) receive
    /// one frozen JavaScript value of it, converted once.
    pub args: Vec<Arc<Value>>,
    /// Integration and artifact, for the extension log.
    pub tags: CallTags,
}

/// Result of one call: the returned value, `None` for `undefined`.
pub type CallResult = Result<Option<Value>, ExtensionError>;

/// Runs extensions. Cheap to clone; clones share the workers.
#[derive(Clone)]
pub struct ExtensionHost {
    inner: Arc<Inner>,
}

struct Inner {
    config: HostConfig,
    shared: Arc<Shared>,
    extensions: RwLock<HashMap<String, Arc<Compiled>>>,
    workers: Vec<Mutex<Worker>>,
}

impl ExtensionHost {
    /// Starts the worker threads.
    pub fn new(
        config: HostConfig,
        log: Arc<dyn ExtensionLog>,
        kv: Arc<dyn KeyValueReader>,
    ) -> Result<Self, ExtensionError> {
        let shared = Arc::new(Shared {
            log,
            kv,
            http: config.http,
            limits: config.limits,
        });
        let workers = (0..config.workers.max(1))
            .map(|i| Worker::spawn(i, shared.clone(), config.stack_bytes).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                shared,
                extensions: RwLock::new(HashMap::new()),
                workers,
            }),
        })
    }

    /// The limits calls are held to.
    pub fn limits(&self) -> SandboxLimits {
        self.inner.config.limits
    }

    /// Validates an extension as it is saved, without loading it.
    pub fn validate(&self, extension: &Extension) -> Result<Compiled, ExtensionError> {
        validate(extension, &self.inner.config.limits)
    }

    /// Validates and loads (or replaces) an extension; workers pick the new version up on
    /// their next call of it.
    pub fn load(&self, extension: &Extension) -> Result<Arc<Compiled>, ExtensionError> {
        let compiled = Arc::new(self.validate(extension)?);
        let mut extensions = self
            .inner
            .extensions
            .write()
            .unwrap_or_else(|e| e.into_inner());
        extensions.insert(extension.name.clone(), compiled.clone());
        Ok(compiled)
    }

    /// Forgets an extension.
    pub fn unload(&self, name: &str) {
        let mut extensions = self
            .inner
            .extensions
            .write()
            .unwrap_or_else(|e| e.into_inner());
        extensions.remove(name);
    }

    /// The loaded extension called `name`.
    pub fn extension(&self, name: &str) -> Result<Arc<Compiled>, ExtensionError> {
        let extensions = self
            .inner
            .extensions
            .read()
            .unwrap_or_else(|e| e.into_inner());
        extensions
            .get(name)
            .cloned()
            .ok_or_else(|| ExtensionError::UnknownExtension {
                name: name.to_owned(),
            })
    }

    /// Calls `function` of extension `name` once, blocking this thread.
    pub fn call(
        &self,
        name: &str,
        function: &'static str,
        request: CallRequest,
        services: Option<Arc<dyn HostServices>>,
    ) -> CallResult {
        let mut results = self.call_batch(name, function, vec![request], services)?;
        results.pop().unwrap_or(Ok(None))
    }

    /// Calls `function` of extension `name` once per request, in order, on one worker,
    /// blocking this thread. An error for the whole batch means no result is known.
    pub fn call_batch(
        &self,
        name: &str,
        function: &'static str,
        requests: Vec<CallRequest>,
        services: Option<Arc<dyn HostServices>>,
    ) -> Result<Vec<CallResult>, ExtensionError> {
        let extension = self.extension(name)?;
        let index = self.pick_worker(name);
        let (reply, results) = mpsc::sync_channel(1);
        let job = Job {
            extension,
            function,
            requests,
            services,
            reply,
        };
        let state = {
            let worker = self.inner.workers[index]
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            worker.send(job)?;
            worker.state.clone()
        };
        loop {
            match results.recv_timeout(Duration::from_millis(50)) {
                Ok(answer) => {
                    // Freed here, on the thread that allocated them, before the call returns.
                    drop(answer.requests);
                    return Ok(answer.results);
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.replace_worker(index, &state);
                    return Err(ExtensionError::HostUnavailable {
                        reason: "an extension worker stopped unexpectedly".into(),
                    });
                }
                Err(RecvTimeoutError::Timeout) => {
                    let limit = self.inner.config.limits.wall_clock + GRACE;
                    if state.running_longer_than(limit) {
                        self.replace_worker(index, &state);
                        return Err(crate::runtime::limit_error(
                            name,
                            Limit::WallClock,
                            &self.inner.config.limits,
                        ));
                    }
                }
            }
        }
    }

    /// [`Self::call_batch`] for async callers: the wait happens on tokio's blocking pool.
    pub async fn call_batch_async(
        &self,
        name: &str,
        function: &'static str,
        requests: Vec<CallRequest>,
        services: Option<Arc<dyn HostServices>>,
    ) -> Result<Vec<CallResult>, ExtensionError> {
        let host = self.clone();
        let name = name.to_owned();
        tokio::task::spawn_blocking(move || host.call_batch(&name, function, requests, services))
            .await
            .map_err(|e| ExtensionError::HostUnavailable {
                reason: e.to_string(),
            })?
    }

    /// The worker that has the extension loaded when it is free, else the least busy one.
    fn pick_worker(&self, name: &str) -> usize {
        let workers = &self.inner.workers;
        let mut hasher = DefaultHasher::new();
        name.hash(&mut hasher);
        let preferred = (hasher.finish() % workers.len() as u64) as usize;
        let queued = |i: usize| {
            let worker = workers[i].lock().unwrap_or_else(|e| e.into_inner());
            worker.state.queued.load(Ordering::Acquire)
        };
        if queued(preferred) == 0 {
            return preferred;
        }
        (0..workers.len())
            .min_by_key(|&i| queued(i))
            .unwrap_or(preferred)
    }

    /// Replaces a worker that stopped answering (unless another caller already did).
    fn replace_worker(&self, index: usize, state: &Arc<worker::WorkerState>) {
        let mut worker = self.inner.workers[index]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if !Arc::ptr_eq(&worker.state, state) {
            return;
        }
        match Worker::spawn(
            index,
            self.inner.shared.clone(),
            self.inner.config.stack_bytes,
        ) {
            Ok(fresh) => {
                tracing::warn!(
                    worker = index,
                    "replaced an extension worker that stopped answering"
                );
                *worker = fresh;
            }
            Err(err) => tracing::error!(%err, "cannot start a replacement extension worker"),
        }
    }
}
