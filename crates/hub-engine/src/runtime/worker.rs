//! The engine: loads running integrations, runs their detectors and a worker pool over the
//! activity queue, and stops cleanly.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use hub_connector::{ErrorClass, Registry};
use hub_domain::ErrorCode;
use hub_domain::activity::Activity;
use hub_domain::activity::ActivityState;
use hub_domain::blocker::BlockerScope;
use hub_domain::integration::{ChangeDetection, Side};
use hub_domain::job::JobState;
use hub_domain::{ActivityId, IntegrationId, JobId, RepositoryId};
use hub_store::Store;
use hub_store::queue::ActivityAction;
use hub_store::sync_state::PairRecord;
use std::sync::Mutex as StdMutex;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tracing::{Instrument, info, info_span, warn};

use super::context::IntegrationRuntime;
use super::detect::Settling;
use super::error::{Retry, SyncError};
use super::process::{Outcome, process};
use super::rate::RateLimiter;
use super::schedule::Ticks;
use super::{detect, mirror};
use crate::effective_change_detection;

/// 17002E: the integration's configuration cannot be used.
const CONFIGURATION_INVALID: ErrorCode = ErrorCode::error(17002);
/// The kind of the background job that records a full scan.
pub const FULL_SCAN_JOB: &str = "full_scan";
/// Finished background jobs kept as history.
const JOB_HISTORY: u64 = 1_000;
/// 1409E: an artifact filter of the integration cannot be used.
const FILTER_INVALID: ErrorCode = ErrorCode::error(1409);
/// Bounds one round of [`Engine::run_until_idle`] even if activities keep coming due.
const MAX_BATCHES_PER_ROUND: usize = 10_000;
/// Polls wait while more than this many rounds of the integration's concurrency are queued.
const BACKLOG_ROUNDS: u64 = 4;
/// How often blockers are re-validated by reloading the configuration.
const REVALIDATION: Duration = Duration::from_secs(3600);
/// How often expired leases are recovered and history is pruned.
const HOUSEKEEPING: Duration = Duration::from_secs(30);
/// 17014E: links to artifacts without a twin yet; retried.
const WAITING_FOR_TWINS: ErrorCode = ErrorCode::error(17014);

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Identifies this process's claims in the queue.
    pub worker_id: String,
    /// How long a claimed activity stays with this process before others may take it.
    pub lease: Duration,
    /// First automatic retry delay; doubles per attempt.
    pub retry_base: Duration,
    /// Longest automatic retry delay.
    pub retry_cap: Duration,
    /// How far before the watermark each poll re-reads.
    pub overlap: Duration,
    /// How long an idle worker waits before looking at the queue again.
    pub idle_poll: Duration,
    /// Hub-wide change-detection defaults.
    pub defaults: ChangeDetection,
    /// Completed activities kept as history.
    pub completed_history: u64,
    /// Activities claimed per round.
    pub claim_batch: u64,
    /// This process holds the store's instance lock: at start, activities left processing by
    /// a process that died are taken back at once instead of after their lease.
    pub exclusive_store: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            worker_id: format!("hub-{}", std::process::id()),
            lease: Duration::from_secs(60),
            retry_base: Duration::from_secs(30),
            retry_cap: Duration::from_secs(3600),
            overlap: Duration::from_secs(2),
            idle_poll: Duration::from_millis(250),
            defaults: ChangeDetection::default(),
            completed_history: 100_000,
            claim_batch: 64,
            exclusive_store: false,
        }
    }
}

struct Running {
    runtime: Arc<IntegrationRuntime>,
    permits: Arc<Semaphore>,
}

/// The sync engine over one store.
#[derive(Clone)]
pub struct Engine {
    store: Store,
    registry: Arc<Registry>,
    options: Arc<EngineOptions>,
    running: Arc<tokio::sync::RwLock<HashMap<IntegrationId, Running>>>,
    limiters: Arc<StdMutex<HashMap<RepositoryId, Arc<RateLimiter>>>>,
    detectors: Detectors,
    started: Arc<AtomicBool>,
    last_revalidation: Arc<StdMutex<Option<std::time::Instant>>>,
    extensions: Option<hub_extensions::ExtensionHost>,
    /// Told when change detection queued work, so an idle worker claims it at once.
    queued: Arc<tokio::sync::Notify>,
    /// How long each integration's watermarks have stood still: kept across reloads and
    /// stops, which would otherwise make the next polls read the whole overlap again.
    settling: Arc<StdMutex<HashMap<IntegrationId, Arc<Settling>>>>,
}

type Detectors = Arc<StdMutex<HashMap<IntegrationId, watch::Sender<bool>>>>;
/// Activities being processed; each yields its id when it completed.
type InFlight = JoinSet<Option<ActivityId>>;

fn locked<T>(mutex: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A started engine; [`EngineHandle::stop`] ends it.
pub struct EngineHandle {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
    detectors: Detectors,
}

impl EngineHandle {
    /// Stops detectors and workers, letting activities in flight finish.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        for (_, stop) in locked(&self.detectors).drain() {
            let _ = stop.send(true);
        }
        while self.tasks.join_next().await.is_some() {}
    }
}

impl Engine {
    /// An engine over `store` with the connector kinds of `registry`.
    pub fn new(store: Store, registry: Registry, options: EngineOptions) -> Self {
        Self {
            store,
            registry: Arc::new(registry),
            options: Arc::new(options),
            running: Arc::default(),
            limiters: Arc::default(),
            detectors: Arc::default(),
            started: Arc::default(),
            last_revalidation: Arc::default(),
            extensions: None,
            queued: Arc::default(),
            settling: Arc::default(),
        }
    }

    /// Runs the integrations' extensions (data transformations, person reconciliation, state
    /// transitions) on `host`; the embedding program loads the scripts into it.
    pub fn with_extensions(mut self, host: hub_extensions::ExtensionHost) -> Self {
        self.extensions = Some(host);
        self
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Integrations this engine runs.
    pub async fn running_integrations(&self) -> Vec<IntegrationId> {
        let mut ids: Vec<IntegrationId> = self.running.read().await.keys().copied().collect();
        ids.sort();
        ids
    }

    /// Loads every integration marked running, replacing what was loaded before; one that
    /// cannot load gets a blocker, cleared once it loads again.
    pub async fn load_running(&self) -> Result<Vec<IntegrationId>, SyncError> {
        let mut loaded = HashMap::new();
        for integration in self.store.integrations().await? {
            let Some(id) = integration.id.filter(|_| integration.running) else {
                continue;
            };
            let detection =
                effective_change_detection(&self.options.defaults, &integration.change_detection);
            let scope = BlockerScope::Integration(id);
            match IntegrationRuntime::load(&self.store, &self.registry, integration, detection)
                .await
            {
                Ok(mut rt) => {
                    rt.extensions = self.extensions.clone();
                    rt.settling = locked(&self.settling).entry(id).or_default().clone();
                    let permits = self.permits_for(id, rt.detection.max_concurrency).await;
                    for code in [CONFIGURATION_INVALID, FILTER_INVALID] {
                        self.store.clear_blocker(scope, code).await?;
                    }
                    let runtime = Arc::new(rt);
                    loaded.insert(id, Running { runtime, permits });
                }
                Err(e) => {
                    warn!(integration = %id, error = %e, "integration cannot start");
                    let message = e.to_string();
                    let code = match e {
                        SyncError::InvalidFilter(_) => FILTER_INVALID,
                        _ => CONFIGURATION_INVALID,
                    };
                    self.store.raise_blocker(scope, code, &message).await?;
                }
            }
        }
        let mut ids: Vec<IntegrationId> = loaded.keys().copied().collect();
        ids.sort();
        *self.running.write().await = loaded;
        Ok(ids)
    }

    /// The slots of integration `id`: those it had when its concurrency is unchanged, so that
    /// activities in flight across a reload still count against it.
    async fn permits_for(&self, id: IntegrationId, concurrency: u32) -> Arc<Semaphore> {
        match self.running.read().await.get(&id) {
            Some(r) if r.runtime.detection.max_concurrency == concurrency => r.permits.clone(),
            _ => Arc::new(Semaphore::new(concurrency as usize)),
        }
    }

    /// Re-reads the configuration: integrations started, stopped or changed since take effect
    /// and blockers are re-validated. Once the engine is started, detectors follow.
    pub async fn reload(&self) -> Result<Vec<IntegrationId>, SyncError> {
        let ids = self.load_running().await?;
        let mut detectors = locked(&self.detectors);
        for (_, stop) in detectors.drain() {
            let _ = stop.send(true);
        }
        if self.started.load(Ordering::Acquire) {
            for id in &ids {
                let (stop, stopped) = watch::channel(false);
                let (engine, id) = (self.clone(), *id);
                tokio::spawn(async move { engine.detector_loop(id, stopped).await });
                detectors.insert(id, stop);
            }
        }
        Ok(ids)
    }

    /// Re-creates the twin of a pair whose artifact was deleted in its tracker: the pair is
    /// dropped and both its artifacts are queued; the one that still exists gets a new twin.
    pub async fn recreate(&self, activity: ActivityId) -> Result<(), SyncError> {
        let activity = self.store.activity(activity).await?;
        let record = self
            .store
            .pair_record(activity.integration, &activity.artifact)
            .await?;
        if let Some(PairRecord { pair, .. }) = record {
            if let Some(id) = pair.id {
                self.store.delete_pair(id).await?;
            }
            let artifacts = [pair.left.artifact, pair.right.artifact];
            self.store
                .enqueue_changes(activity.integration, &artifacts)
                .await?;
        }
        if activity.state == ActivityState::Failed {
            self.store
                .act_on_activity(activity.id, ActivityAction::Cancel)
                .await?;
        }
        Ok(())
    }

    async fn runtime(
        &self,
        id: IntegrationId,
    ) -> Option<(Arc<IntegrationRuntime>, Arc<Semaphore>)> {
        self.running
            .read()
            .await
            .get(&id)
            .map(|r| (r.runtime.clone(), r.permits.clone()))
    }

    /// Polls both sides of an integration once (a full scan when `full`); returns how many
    /// activities were queued. With project mirroring, new projects are mirrored first and
    /// their side is scanned in full so that their existing artifacts are found.
    pub async fn detect(&self, id: IntegrationId, full: bool) -> Result<usize, SyncError> {
        let Some((mut rt, _)) = self.runtime(id).await else {
            return Ok(0);
        };
        let mut mirrored = None;
        if let Some(from) = rt.integration.mirror_projects {
            match mirror::mirror_projects(&self.store, &rt, from).await {
                Ok(0) => {}
                Ok(added) => {
                    info!(integration = %id, added, "projects mirrored");
                    self.load_running().await?;
                    let Some((fresh, _)) = self.runtime(id).await else {
                        return Ok(0);
                    };
                    rt = fresh;
                    mirrored = Some(from);
                }
                Err(e) => {
                    warn!(integration = %id, code = %e.code(), error = %e, "project mirroring failed; retrying next time");
                }
            }
        }
        if !full && mirrored.is_none() && self.backlogged(&rt).await? {
            return Ok(0);
        }
        let mut queued = 0;
        for side in [Side::Left, Side::Right] {
            let scan = full
                || mirrored == Some(side)
                || detect::full_scan_due(&self.store, &rt, side).await?;
            let job = if scan {
                Some(self.start_scan_job(&rt, side).await?)
            } else {
                None
            };
            let result =
                detect::detect_side(&self.store, &rt, side, self.options.overlap, scan, job).await;
            if let Some(job) = job {
                self.finish_scan_job(job, &result).await;
            }
            let repository = BlockerScope::Repository(rt.side(side).repository);
            match result {
                Ok(n) => {
                    queued += n;
                    if n > 0 {
                        self.queued.notify_one();
                    }
                    self.store
                        .clear_blocker(repository, ErrorClass::Auth.code())
                        .await?;
                }
                Err(SyncError::Connector { error, .. }) if error.class == ErrorClass::Auth => {
                    self.store
                        .raise_blocker(repository, error.code(), &error.message)
                        .await?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(queued)
    }

    /// Whether the integration's workers have more queued than they finish in a few rounds.
    /// A poll then waits: what it would find is queued behind the backlog anyway, and each
    /// poll re-reads the trackers' recent changes, which costs them the most exactly while
    /// they are busiest. The next poll after the backlog drains finds everything.
    async fn backlogged(&self, rt: &IntegrationRuntime) -> Result<bool, SyncError> {
        let limit = u64::from(rt.detection.max_concurrency.max(1)) * BACKLOG_ROUNDS;
        Ok(self.store.due_backlog(rt.id).await? > limit)
    }

    /// Records a full scan as a background job, so its progress can be watched.
    async fn start_scan_job(
        &self,
        rt: &IntegrationRuntime,
        side: Side,
    ) -> Result<JobId, SyncError> {
        let description = format!(
            "Full scan of the {} side of '{}'",
            side.as_str(),
            rt.integration.name
        );
        let job = self
            .store
            .create_job(FULL_SCAN_JOB, &description, None)
            .await?;
        self.store
            .update_job(job, JobState::Running, 0, None)
            .await?;
        Ok(job)
    }

    async fn finish_scan_job(&self, job: JobId, result: &Result<usize, SyncError>) {
        let (state, error) = match result {
            Ok(_) => (JobState::Succeeded, None),
            Err(e) => (JobState::Failed, Some(format!("{}: {e}", e.code()))),
        };
        let done = self.store.job(job).await.map_or(0, |j| j.done);
        if let Err(e) = self
            .store
            .update_job(job, state, done, error.as_deref())
            .await
        {
            warn!(error = %e, "could not record the end of the full scan job");
        }
    }

    /// Claims and processes one batch of due activities; returns how many were processed.
    pub async fn process_due(&self) -> Result<usize, SyncError> {
        let mut in_flight = JoinSet::new();
        let count = self.claim_into(&mut in_flight).await?;
        // Completions of a round are written together: one statement instead of one each.
        let mut completed = Vec::with_capacity(count);
        while let Some(joined) = in_flight.join_next().await {
            if let Ok(Some(id)) = joined {
                completed.push(id);
            }
        }
        self.record_completed(&completed).await;
        Ok(count)
    }

    /// Claims as many due activities as each integration has free slots and starts them in
    /// `in_flight`; returns how many were claimed.
    ///
    /// Claim no more than can run at once: a claimed activity waiting for a free slot would
    /// spend its lease waiting and, against a slow tracker, lose it to a second claim.
    async fn claim_into(&self, in_flight: &mut InFlight) -> Result<usize, SyncError> {
        let free: Vec<(Arc<IntegrationRuntime>, Arc<Semaphore>)> = self
            .running
            .read()
            .await
            .values()
            .filter(|r| r.permits.available_permits() > 0)
            .map(|r| (r.runtime.clone(), r.permits.clone()))
            .collect();
        let mut count = 0;
        for (rt, permits) in free {
            let limit = self
                .options
                .claim_batch
                .min(permits.available_permits() as u64);
            let batch = self
                .store
                .claim_activities(&self.options.worker_id, &[rt.id], limit, self.options.lease)
                .await?;
            count += batch.len();
            for activity in batch {
                // Taken here, so the next claim sees the slot busy; another caller may have
                // taken it meanwhile, and then the activity waits for one.
                let taken = permits.clone().try_acquire_owned().ok();
                let (engine, rt, permits) = (self.clone(), rt.clone(), permits.clone());
                in_flight.spawn(async move {
                    let _permit = match taken {
                        Some(permit) => permit,
                        None => permits.acquire_owned().await.ok()?,
                    };
                    engine
                        .run_activity(&rt, &activity)
                        .await
                        .then_some(activity.id)
                });
            }
        }
        Ok(count)
    }

    async fn record_completed(&self, completed: &[ActivityId]) {
        if let Err(e) = self.store.complete_activities(completed).await {
            warn!(error = %e, "could not record completed activities; their leases will expire and they run again");
        }
    }

    /// The shared limiter of a repository with a rate limit.
    fn limiter(
        &self,
        repository: RepositoryId,
        per_minute: Option<u32>,
    ) -> Option<Arc<RateLimiter>> {
        let per_minute = per_minute?;
        let mut limiters = locked(&self.limiters);
        let limiter = limiters
            .entry(repository)
            .or_insert_with(|| Arc::new(RateLimiter::new(per_minute)));
        if limiter.per_minute() != per_minute {
            *limiter = Arc::new(RateLimiter::new(per_minute));
        }
        Some(limiter.clone())
    }

    /// Processes one activity; returns `true` when it completed (the caller records that
    /// with the rest of the round), having recorded any other outcome itself.
    async fn run_activity(&self, rt: &IntegrationRuntime, activity: &Activity) -> bool {
        for side in [&rt.left, &rt.right] {
            if let Some(limiter) = self.limiter(side.repository, side.rate_limit_per_minute) {
                limiter.acquire().await;
            }
        }
        let span = info_span!("activity", integration = %rt.id, artifact = %activity.artifact.id, activity = %activity.id);
        let result = process(&self.store, rt, &activity.artifact)
            .instrument(span.clone())
            .await;
        let _entered = span.enter();
        let now = Utc::now();
        let outcome = match result {
            Ok(Outcome::Done) => return true,
            Ok(Outcome::WaitingForTwins(fields)) => {
                let message = format!(
                    "links in {} wait for their targets to be synchronized",
                    fields.join(", ")
                );
                let at = now + self.backoff(activity.attempts);
                self.store
                    .fail_activity(activity, WAITING_FOR_TWINS, &message, Some(at))
                    .await
            }
            Err(error) => {
                let at = match error.retry() {
                    Retry::Backoff => Some(now + self.backoff(activity.attempts)),
                    Retry::After(d) => {
                        Some(now + chrono::Duration::from_std(d).unwrap_or_default())
                    }
                    // A race lost: at once, but back off if it keeps happening.
                    Retry::Now if activity.attempts < 3 => Some(now),
                    Retry::Now => Some(now + self.backoff(activity.attempts)),
                    Retry::Never => None,
                };
                warn!(code = %error.code(), error = %error, retry = ?at, "activity failed");
                self.store
                    .fail_activity(activity, error.code(), &error.to_string(), at)
                    .await
            }
        };
        if let Err(e) = outcome {
            warn!(error = %e, "could not record the activity's outcome; its lease will expire and it runs again");
        }
        false
    }

    fn backoff(&self, attempts: u32) -> chrono::Duration {
        let factor = 1u32.checked_shl(attempts.min(20)).unwrap_or(u32::MAX);
        let delay = self
            .options
            .retry_base
            .saturating_mul(factor)
            .min(self.options.retry_cap);
        chrono::Duration::from_std(delay).unwrap_or_default()
    }

    /// Detects and processes until the queue holds nothing due (for tests, tools and demos).
    /// Returns how many activities were processed.
    pub async fn run_until_idle(&self, max_rounds: usize) -> Result<usize, SyncError> {
        let ids: Vec<IntegrationId> = self.running.read().await.keys().copied().collect();
        let mut total = 0;
        for _ in 0..max_rounds {
            for id in &ids {
                // A detection that fails (tracker down) is retried next round, as in the loop.
                if let Err(e) = self.detect(*id, false).await {
                    warn!(integration = %id, code = %e.code(), error = %e, "change detection failed");
                }
            }
            let mut processed = 0;
            for _ in 0..MAX_BATCHES_PER_ROUND {
                let n = self.process_due().await?;
                processed += n;
                if n == 0 {
                    break;
                }
            }
            total += processed;
            if processed == 0 {
                break;
            }
        }
        Ok(total)
    }

    /// Starts detectors and workers for every running integration.
    pub async fn start(self) -> Result<EngineHandle, SyncError> {
        let recovered = if self.options.exclusive_store {
            self.store.release_all_leases().await?
        } else {
            self.store.recover_expired_leases().await?
        };
        self.started.store(true, Ordering::Release);
        *locked(&self.last_revalidation) = Some(std::time::Instant::now());
        let ids = self.reload().await?;
        info!(integrations = ids.len(), recovered, "engine started");
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let engine = self.clone();
        let workers = stopped.clone();
        tasks.spawn(async move { engine.worker_loop(workers).await });
        let engine = self.clone();
        tasks.spawn(async move { engine.housekeeping_loop(stopped).await });
        let detectors = self.detectors.clone();
        Ok(EngineHandle {
            stop,
            tasks,
            detectors,
        })
    }

    async fn detector_loop(&self, id: IntegrationId, mut stopped: watch::Receiver<bool>) {
        let Some((rt, _)) = self.runtime(id).await else {
            return;
        };
        let interval = Duration::from_secs(u64::from(rt.detection.interval_seconds.max(1)));
        let mut ticks = match Ticks::new(rt.detection.cron.as_deref(), interval).await {
            Ok(ticks) => ticks,
            Err(reason) => {
                let message = format!("change detection schedule: {reason}");
                warn!(integration = %id, %message, "falling back to the poll interval");
                let scope = BlockerScope::Integration(id);
                if let Err(e) = self
                    .store
                    .raise_blocker(scope, ErrorCode::error(17002), &message)
                    .await
                {
                    warn!(error = %e, "could not record the blocker");
                }
                Ticks::Interval(interval)
            }
        };
        loop {
            if let Err(e) = self
                .detect(id, false)
                .instrument(info_span!("detect", integration = %id))
                .await
            {
                warn!(integration = %id, code = %e.code(), error = %e, "change detection failed; retrying next time");
            }
            tokio::select! {
                () = ticks.next() => {}
                _ = stopped.changed() => break,
            }
        }
        ticks.stop().await;
    }

    /// Keeps every slot busy: a slot freed by a finished activity is claimed again at once,
    /// so one slow activity holds up only its own slot. New work is looked for whenever a slot
    /// is free: at once when change detection queued some, at the latest every `idle_poll`
    /// (activities due for a retry). Once stopped, activities in flight finish.
    async fn worker_loop(&self, mut stopped: watch::Receiver<bool>) {
        let mut in_flight = JoinSet::new();
        while !*stopped.borrow() {
            let claimed = match self.claim_into(&mut in_flight).await {
                Ok(n) => n,
                Err(e) => {
                    warn!(error = %e, "claiming activities failed");
                    0
                }
            };
            if claimed > 0 && self.has_free_slot().await {
                continue; // more may be due right away
            }
            tokio::select! {
                Some(joined) = in_flight.join_next() => self.finish(joined, &mut in_flight).await,
                () = tokio::time::sleep(self.options.idle_poll) => {}
                () = self.queued.notified() => {}
                // Stopped, or the handle is gone: nobody can stop the loop any more.
                changed = stopped.changed() => if changed.is_err() { break },
            }
        }
        while let Some(joined) = in_flight.join_next().await {
            self.finish(joined, &mut in_flight).await;
        }
    }

    /// Records `joined` and every other activity already finished, in one statement.
    async fn finish(
        &self,
        joined: Result<Option<ActivityId>, tokio::task::JoinError>,
        in_flight: &mut InFlight,
    ) {
        let mut completed: Vec<ActivityId> = joined.ok().flatten().into_iter().collect();
        while let Some(joined) = in_flight.try_join_next() {
            completed.extend(joined.ok().flatten());
        }
        self.record_completed(&completed).await;
    }

    async fn has_free_slot(&self) -> bool {
        self.running
            .read()
            .await
            .values()
            .any(|r| r.permits.available_permits() > 0)
    }

    /// Re-validation, lease recovery and pruning on their own timer, beside the workers and
    /// never in their way: a round in flight is not interrupted for them.
    async fn housekeeping_loop(&self, mut stopped: watch::Receiver<bool>) {
        let mut every = tokio::time::interval(HOUSEKEEPING);
        loop {
            tokio::select! {
                _ = every.tick() => self.housekeeping().await,
                _ = stopped.changed() => return,
            }
        }
    }

    async fn housekeeping(&self) {
        let due = {
            let mut last = locked(&self.last_revalidation);
            let due = last.is_none_or(|t| t.elapsed() >= REVALIDATION);
            if due {
                *last = Some(std::time::Instant::now());
            }
            due
        };
        if due && let Err(e) = self.reload().await {
            warn!(error = %e, "could not re-validate the configuration");
        }
        if let Err(e) = self.store.recover_expired_leases().await {
            warn!(error = %e, "could not recover expired leases");
        }
        if let Err(e) = self
            .store
            .prune_completed(self.options.completed_history)
            .await
        {
            warn!(error = %e, "could not prune completed activities");
        }
        if let Err(e) = self.store.prune_finished_jobs(JOB_HISTORY).await {
            warn!(error = %e, "could not prune finished jobs");
        }
    }
}
