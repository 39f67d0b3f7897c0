//! `hub-server serve`: open the store, take the instance lock, migrate, serve the API, and on
//! SIGTERM/SIGINT drain requests, release the lock and close the store.

use std::sync::Arc;
use std::time::Duration;

use hub_api::{HubContext, Lifecycle, LogFilter, Phase, TroubleshootingSwitch};
use hub_connector::Registry;
use hub_domain::instance::LockHolder;
use hub_engine::{Engine, EngineMode};
use hub_store::lock::Takeover;
use hub_store::{Store, StoreError};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::error::ServerError;
use crate::listener;
use crate::logging::normal_directives;
use crate::settings::Settings;

/// Opens the store, takes the lock (migrating in the right order) and returns both.
pub async fn open_store(settings: &Settings) -> Result<(Store, LockHolder), ServerError> {
    if settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir).map_err(|e| ServerError::DataDir {
            path: settings.data_dir.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    let store = Store::open(&settings.store_url()).await?;
    let me = this_process(settings);
    let lease = lease(settings);
    let takeover = if settings.override_lock {
        Takeover::Force
    } else {
        Takeover::IfExpired
    };
    // The lock table is itself created by a migration: a brand-new store is migrated first.
    let has_lock_table = store
        .migration_status()
        .await?
        .applied
        .iter()
        .any(|m| m == "m0003_hub");
    if has_lock_table {
        take_lock(&store, &me, lease, takeover).await?;
        migrate(&store).await?;
    } else {
        migrate(&store).await?;
        take_lock(&store, &me, lease, takeover).await?;
    }
    Ok((store, me))
}

async fn migrate(store: &Store) -> Result<(), ServerError> {
    let report = store.migrate().await?;
    if !report.applied.is_empty() {
        tracing::info!(applied = ?report.applied, backup = ?report.backup, "store schema upgraded");
    }
    Ok(())
}

async fn take_lock(
    store: &Store,
    me: &LockHolder,
    lease: Duration,
    takeover: Takeover,
) -> Result<(), ServerError> {
    if let Some(previous) = store.acquire_lock(me, lease, takeover).await? {
        tracing::warn!(
            previous_host = %previous.host,
            previous_pid = previous.pid,
            previous_expires = %previous.expires_at,
            "took the instance lock over"
        );
    }
    Ok(())
}

fn lease(settings: &Settings) -> Duration {
    Duration::from_secs(settings.lock_lease_seconds)
}

fn this_process(settings: &Settings) -> LockHolder {
    let now = chrono::Utc::now();
    let pid = std::process::id();
    LockHolder {
        instance_id: format!("{pid}-{}", now.timestamp_nanos_opt().unwrap_or_default()),
        host: std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_owned())
            .or_else(|_| std::env::var("HOSTNAME"))
            .unwrap_or_else(|_| "unknown".into()),
        pid,
        since: now,
        expires_at: now + chrono::Duration::seconds(settings.lock_lease_seconds as i64),
    }
}

/// Runs the hub until a signal or a lost lock; with `demo`, the demo integration first.
pub async fn run(
    settings: Settings,
    log_filter: Arc<dyn LogFilter>,
    demo: bool,
) -> Result<(), ServerError> {
    let started = std::time::Instant::now();
    let tls = match (&settings.tls_cert, &settings.tls_key) {
        (Some(cert), Some(key)) => {
            Some(listener::tls_acceptor(cert, key).map_err(ServerError::Tls)?)
        }
        _ => None,
    };
    let (store, me) = open_store(&settings).await?;
    let demo_trackers = if demo {
        Some(crate::demo::prepare(&store, &settings).await?)
    } else {
        None
    };
    let address = settings.bind_addr();
    let socket = TcpListener::bind(address)
        .await
        .map_err(|e| ServerError::Listen {
            address: address.to_string(),
            reason: e.to_string(),
        })?;
    let mode = if settings.safe_mode {
        EngineMode::Safe
    } else {
        EngineMode::Normal
    };
    if mode == EngineMode::Safe {
        let stopped: Vec<String> = store
            .integrations()
            .await?
            .into_iter()
            .map(|i| i.name)
            .collect();
        tracing::warn!(
            ?stopped,
            "safe mode: every integration stays stopped until started by hand"
        );
    }
    let engine = match mode {
        EngineMode::Safe => None,
        EngineMode::Normal => {
            let extensions = crate::extensions::start(&store, &settings).await?;
            let engine = Engine::new(
                store.clone(),
                Registry::builtin(),
                settings.engine_options(),
            )
            .with_extensions(extensions.host);
            let handle = engine.clone().start().await.map_err(ServerError::Engine)?;
            Some((engine, handle, extensions.log))
        }
    };
    let lifecycle = Lifecycle::default();
    let context = HubContext {
        engine: engine.as_ref().map(|(e, _, _)| e.clone()),
        extension_log: engine.as_ref().map(|(_, _, log)| log.clone()),
        store: store.clone(),
        lifecycle: lifecycle.clone(),
        mode,
        troubleshooting: TroubleshootingSwitch::new(
            log_filter,
            normal_directives(&settings.log_level),
        ),
    };
    let (stop_tx, stop_rx) = watch::channel(StopReason::Running);
    let heartbeat = tokio::spawn(keep_lock(
        store.clone(),
        me.clone(),
        lease(&settings),
        stop_tx.clone(),
    ));
    tokio::spawn(wait_for_signal(stop_tx));
    if let Some(trackers) = demo_trackers {
        let (done_tx, done_rx) = watch::channel(false);
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _ = stop.changed().await;
            let _ = done_tx.send(true);
        });
        tokio::spawn(crate::demo::narrate(trackers, store.clone(), done_rx));
    }

    lifecycle.set(Phase::Running);
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(
        url = %format!("{scheme}://{}", socket.local_addr().map(|a| a.to_string()).unwrap_or_default()),
        store = %store.display_url(),
        safe_mode = settings.safe_mode,
        startup_ms = started.elapsed().as_millis() as u64,
        "hub is running"
    );
    let mut stop = stop_rx.clone();
    let shutdown = async move {
        let _ = stop.changed().await;
    };
    listener::serve(
        socket,
        hub_api::router(context),
        tls,
        shutdown,
        Duration::from_secs(settings.shutdown_timeout_seconds),
    )
    .await;

    lifecycle.set(Phase::Stopping);
    if let Some((_, handle, _)) = engine {
        handle.stop().await;
    }
    heartbeat.abort();
    if *stop_rx.borrow() == StopReason::LockLost {
        let holder = store.lock_holder().await.ok().flatten();
        return Err(ServerError::Store(StoreError::LockLost(holder)));
    }
    if let Err(e) = store.release_lock(&me).await {
        tracing::warn!(error = %e, "could not release the instance lock; it lapses with its lease");
    }
    store.close().await?;
    tracing::info!("hub stopped");
    Ok(())
}

/// Why the hub stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StopReason {
    /// Not stopping.
    Running,
    /// SIGTERM or SIGINT.
    Signal,
    /// Another process took the instance lock.
    LockLost,
}

/// Renews the lease at a third of its length; a lost lock stops the hub.
async fn keep_lock(store: Store, me: LockHolder, lease: Duration, stop: watch::Sender<StopReason>) {
    let mut tick = tokio::time::interval(lease / 3);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        match store.renew_lock(&me, lease).await {
            Ok(()) => {}
            Err(e @ StoreError::LockLost(_)) => {
                tracing::error!(error = %e, code = %e.code(), "instance lock lost");
                let _ = stop.send(StopReason::LockLost);
                return;
            }
            Err(e) => tracing::warn!(error = %e, "could not renew the instance lock; retrying"),
        }
    }
}

async fn wait_for_signal(stop: watch::Sender<StopReason>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for signals");
        return;
    };
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    };
    tracing::info!(signal = name, "shutting down");
    let _ = stop.send(StopReason::Signal);
}
