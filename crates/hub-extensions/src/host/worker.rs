//! A worker thread: receives batches of calls, keeps one loaded runtime per extension, and
//! reports when its current call started so callers can tell a stuck worker from a busy one.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::time::{Duration, Instant};

use super::{CallRequest, CallResult, Shared};
use crate::error::ExtensionError;
use crate::runtime::Runtime;
use crate::runtime::batch::Heartbeat;
use crate::runtime::scope::{self, Scope};
use crate::services::HostServices;
use crate::validate::Compiled;

/// A batch of calls of one function of one extension.
pub(super) struct Job {
    pub extension: Arc<Compiled>,
    pub function: &'static str,
    pub requests: Vec<CallRequest>,
    pub services: Option<Arc<dyn HostServices>>,
    pub reply: SyncSender<Answer>,
}

/// A batch's results, with its requests handed back: they were allocated by the caller's
/// thread, which frees them far more cheaply than the worker can (no arena lock per block).
pub(super) struct Answer {
    pub results: Vec<CallResult>,
    pub requests: Vec<CallRequest>,
}

/// What callers can see of a worker.
#[derive(Default)]
pub(super) struct WorkerState {
    /// Batches sent and not yet answered.
    pub queued: AtomicUsize,
    /// When the current call started.
    pub heartbeat: Arc<Heartbeat>,
}

impl WorkerState {
    /// True when the current call has run longer than `limit`.
    pub fn running_longer_than(&self, limit: Duration) -> bool {
        self.heartbeat.running_longer_than(limit)
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
        let Job {
            reply, requests, ..
        } = job;
        state.queued.fetch_sub(1, Ordering::AcqRel);
        // The caller may have given up waiting; nothing to do then.
        let _ = reply.send(Answer { results, requests });
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
    let mut results = Vec::with_capacity(job.requests.len());
    let mut rest = job.requests.as_slice();
    while let Some(first) = rest.first() {
        let same_tags = rest.iter().take_while(|r| r.tags == first.tags).count();
        let (run, after) = rest.split_at(same_tags);
        scope::retag(&first.tags);
        call_all(runtimes, job, run, shared, state, &mut results);
        rest = after;
    }
    state.heartbeat.idle();
    scope::leave();
    results
}

/// Calls `requests` in order, loading the extension again whenever a limit stopped a call.
fn call_all(
    runtimes: &mut Runtimes,
    job: &Job,
    requests: &[CallRequest],
    shared: &Shared,
    state: &WorkerState,
    results: &mut Vec<CallResult>,
) {
    let extension = &job.extension;
    let mut done = 0;
    while done < requests.len() {
        // Loading evaluates the script's top level: that counts as the next call's time.
        state.heartbeat.started(Instant::now());
        let runtime = match loaded(runtimes, extension, shared) {
            Ok(runtime) => runtime,
            Err(err) => {
                results.push(Err(err));
                done += 1;
                continue;
            }
        };
        let answered = runtime.call_batch(job.function, &requests[done..], &state.heartbeat);
        let poisoned = runtime.poisoned();
        done += answered.len();
        results.extend(answered);
        if poisoned {
            runtimes.remove(&extension.name);
        }
    }
}

/// The extension's runtime on this thread, loaded when missing or of another version.
fn loaded<'r>(
    runtimes: &'r mut Runtimes,
    extension: &Compiled,
    shared: &Shared,
) -> Result<&'r mut Runtime, ExtensionError> {
    let stale = runtimes
        .get(&extension.name)
        .is_none_or(|(version, _)| *version != extension.version);
    if stale {
        runtimes.remove(&extension.name);
        let runtime = Runtime::new(extension, shared.limits)?;
        runtimes.insert(extension.name.clone(), (extension.version, runtime));
    }
    runtimes
        .get_mut(&extension.name)
        .map(|(_, runtime)| runtime)
        .ok_or_else(|| ExtensionError::UnknownExtension {
            name: extension.name.clone(),
        })
}
