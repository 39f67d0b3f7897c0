//! A worker thread: receives batches of calls, keeps one loaded runtime per extension, and
//! reports when its current call started so callers can tell a stuck worker from a busy one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::{CallRequest, CallResult, Shared};
use crate::error::ExtensionError;
use crate::runtime::Runtime;
use crate::runtime::scope::{self, Scope};
use crate::services::HostServices;
use crate::validate::Compiled;

/// A batch of calls of one function of one extension.
pub(super) struct Job {
    pub extension: Arc<Compiled>,
    pub function: &'static str,
    pub requests: Vec<CallRequest>,
    pub services: Option<Arc<dyn HostServices>>,
    pub reply: SyncSender<Vec<CallResult>>,
}

/// What callers can see of a worker.
#[derive(Default)]
pub(super) struct WorkerState {
    /// Batches sent and not yet answered.
    pub queued: AtomicUsize,
    /// Milliseconds since [`epoch`] when the current call started; 0 when idle.
    started_ms: AtomicU64,
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    // +1 so that a call starting at the epoch is not mistaken for "idle".
    u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX) + 1
}

impl WorkerState {
    /// True when the current call has run longer than `limit`.
    pub fn running_longer_than(&self, limit: Duration) -> bool {
        let started = self.started_ms.load(Ordering::Acquire);
        started != 0 && now_ms().saturating_sub(started) > limit.as_millis() as u64
    }
}

/// The caller's handle on a worker thread.
pub(super) struct Worker {
    sender: Sender<Job>,
    pub state: Arc<WorkerState>,
}

impl Worker {
    pub fn spawn(index: usize, shared: Arc<Shared>, stack: usize) -> Result<Self, ExtensionError> {
        let (sender, jobs) = mpsc::channel();
        let state = Arc::new(WorkerState::default());
        let thread_state = state.clone();
        std::thread::Builder::new()
            .name(format!("extension-{index}"))
            .stack_size(stack)
            .spawn(move || run(&jobs, &shared, &thread_state))
            .map_err(|e| ExtensionError::HostUnavailable {
                reason: format!("cannot start an extension worker: {e}"),
            })?;
        Ok(Self { sender, state })
    }

    pub fn send(&self, job: Job) -> Result<(), ExtensionError> {
        self.state.queued.fetch_add(1, Ordering::AcqRel);
        self.sender.send(job).map_err(|_| {
            self.state.queued.fetch_sub(1, Ordering::AcqRel);
            ExtensionError::HostUnavailable {
                reason: "an extension worker has stopped".into(),
            }
        })
    }
}

type Runtimes = HashMap<String, (u64, Runtime)>;

fn run(jobs: &Receiver<Job>, shared: &Arc<Shared>, state: &WorkerState) {
    let mut runtimes = Runtimes::new();
    while let Ok(job) = jobs.recv() {
        let results = serve(&mut runtimes, &job, shared, state);
        state.queued.fetch_sub(1, Ordering::AcqRel);
        // The caller may have given up waiting; nothing to do then.
        let _ = job.reply.send(results);
    }
}

fn serve(
    runtimes: &mut Runtimes,
    job: &Job,
    shared: &Arc<Shared>,
    state: &WorkerState,
) -> Vec<CallResult> {
    let extension = &job.extension;
    scope::enter(Scope {
        shared: shared.clone(),
        extension: extension.name.clone(),
        tags: Default::default(),
        services: job.services.clone(),
        revealed: Vec::new(),
        ldap: None,
    });
    let mut tags = Default::default();
    let mut results = Vec::with_capacity(job.requests.len());
    for request in &job.requests {
        state.started_ms.store(now_ms(), Ordering::Release);
        if request.tags != tags {
            tags.clone_from(&request.tags);
            scope::retag(&tags);
        }
        results.push(call_one(runtimes, extension, job.function, request, shared));
    }
    state.started_ms.store(0, Ordering::Release);
    scope::leave();
    results
}

fn call_one(
    runtimes: &mut Runtimes,
    extension: &Compiled,
    function: &str,
    request: &CallRequest,
    shared: &Shared,
) -> CallResult {
    let stale = runtimes
        .get(&extension.name)
        .is_none_or(|(version, _)| *version != extension.version);
    if stale {
        runtimes.remove(&extension.name);
        let runtime = Runtime::new(extension, shared.limits)?;
        runtimes.insert(extension.name.clone(), (extension.version, runtime));
    }
    let Some((_, runtime)) = runtimes.get_mut(&extension.name) else {
        return Err(ExtensionError::UnknownExtension {
            name: extension.name.clone(),
        });
    };
    let result = runtime.call(function, &request.args);
    if runtime.poisoned() {
        runtimes.remove(&extension.name);
    }
    result
}
