//! `GET /api/health`: each check evaluated for real, 200 when none fails and 503 otherwise.
//!
//! A check whose subsystem this build does not have says so (`unavailable`) instead of passing.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hub_domain::blocker::BlockerScope;
use hub_domain::health::{CheckResult, CheckStatus, HealthCheck, HealthReport};
use hub_engine::EngineMode;
use hub_notify::NotificationSettings;

use crate::HubContext;
use crate::lifecycle::Phase;

/// Store key of the notification settings.
pub const NOTIFICATION_SETTINGS_KEY: &str = "notifications";

const DB_TIMEOUT: Duration = Duration::from_secs(5);

/// The handler.
pub async fn get_health(State(ctx): State<HubContext>) -> (StatusCode, Json<HealthReport>) {
    let report = evaluate(&ctx).await;
    let status = if report.healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(report))
}

/// Evaluates every check.
pub async fn evaluate(ctx: &HubContext) -> HealthReport {
    let database = tokio::time::timeout(DB_TIMEOUT, ctx.store.ping()).await;
    let database_ok = matches!(database, Ok(Ok(())));
    let mut checks = Vec::with_capacity(HealthCheck::ALL.len());
    for check in HealthCheck::ALL {
        let (status, detail) = match check {
            HealthCheck::DatabaseIsAvailable => match &database {
                Ok(Ok(())) => pass(format!("{} answers", ctx.store.display_url())),
                Ok(Err(e)) => fail(e.to_string()),
                Err(_) => fail(format!("no answer within {} s", DB_TIMEOUT.as_secs())),
            },
            HealthCheck::ConfigurationMigration => migration(ctx, database_ok).await,
            HealthCheck::NotificationSettingsValid => notifications(ctx, database_ok).await,
            HealthCheck::MemoryUsage => memory(),
            HealthCheck::PasswordEncryptionInitialized => encryption(),
            HealthCheck::HubIsRunning => match ctx.lifecycle.phase() {
                Phase::Running => pass("started and serving".into()),
                Phase::Starting => fail("still starting".into()),
                Phase::Stopping => fail("shutting down".into()),
            },
            HealthCheck::ActivitiesCanProcess => activities(ctx, database_ok).await,
            HealthCheck::SecurityIsSetUp => {
                unavailable("master password set-up is not part of this build yet")
            }
            HealthCheck::LicenseConfigured
            | HealthCheck::LicenseExpired
            | HealthCheck::LicensesValid => {
                unavailable("license management is not part of this build yet")
            }
        };
        checks.push(CheckResult {
            check,
            status,
            detail,
        });
    }
    HealthReport::new(checks)
}

fn pass(detail: String) -> (CheckStatus, String) {
    (CheckStatus::Pass, detail)
}

fn fail(detail: String) -> (CheckStatus, String) {
    (CheckStatus::Fail, detail)
}

fn unavailable(detail: &str) -> (CheckStatus, String) {
    (CheckStatus::Unavailable, detail.to_owned())
}

async fn migration(ctx: &HubContext, database_ok: bool) -> (CheckStatus, String) {
    if !database_ok {
        return fail("cannot be checked: the database does not answer".into());
    }
    match ctx.store.migration_status().await {
        Ok(s) if s.is_current() => pass(format!("{} migrations applied", s.applied.len())),
        Ok(s) => fail(format!(
            "pending: {:?}; unknown: {:?}",
            s.pending, s.unknown
        )),
        Err(e) => fail(e.to_string()),
    }
}

async fn notifications(ctx: &HubContext, database_ok: bool) -> (CheckStatus, String) {
    if !database_ok {
        return fail("cannot be checked: the database does not answer".into());
    }
    match ctx
        .store
        .setting::<NotificationSettings>(NOTIFICATION_SETTINGS_KEY)
        .await
    {
        Ok(None) => (
            CheckStatus::NotConfigured,
            "no e-mail server configured".into(),
        ),
        Ok(Some(settings)) => match settings.validate() {
            Ok(()) => pass(format!(
                "settings for {}:{} are complete",
                settings.host, settings.port
            )),
            Err(e) => fail(e.to_string()),
        },
        Err(e) => fail(e.to_string()),
    }
}

async fn activities(ctx: &HubContext, database_ok: bool) -> (CheckStatus, String) {
    if ctx.mode == EngineMode::Safe {
        return fail("safe mode: every integration is stopped".into());
    }
    if !database_ok {
        return fail("the database does not answer".into());
    }
    let Some(engine) = &ctx.engine else {
        return fail("the sync engine is not running".into());
    };
    let blockers = match ctx.store.blockers().await {
        Ok(blockers) => blockers,
        Err(e) => return fail(e.to_string()),
    };
    if let Some(b) = blockers.iter().find(|b| b.scope == BlockerScope::Hub) {
        return fail(format!("{}: {}", b.code, b.message));
    }
    let running = engine.running_integrations().await;
    let blocked = running
        .iter()
        .filter(|id| {
            blockers
                .iter()
                .any(|b| b.scope == BlockerScope::Integration(**id))
        })
        .count();
    if !running.is_empty() && blocked == running.len() {
        return fail(format!("all {blocked} running integrations are blocked"));
    }
    pass(format!(
        "{} integrations running, {blocked} blocked",
        running.len()
    ))
}

/// Fails when the machine is nearly out of memory (less than 5 % available).
fn memory() -> (CheckStatus, String) {
    let (Some(rss), Some((total, available))) = (resident_bytes(), meminfo()) else {
        return unavailable("memory figures cannot be read on this platform");
    };
    let detail = format!(
        "resident {} MiB; {} of {} MiB available",
        rss >> 20,
        available >> 20,
        total >> 20
    );
    if available.saturating_mul(20) < total {
        fail(detail)
    } else {
        pass(detail)
    }
}

fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn meminfo() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    };
    Some((field("MemTotal:")?, field("MemAvailable:")?))
}

/// A real AES-256-GCM round trip: the primitive credentials will be encrypted with.
fn encryption() -> (CheckStatus, String) {
    use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
    use ring::rand::{SecureRandom, SystemRandom};

    let rng = SystemRandom::new();
    let mut key_bytes = [0u8; 32];
    let mut nonce = [0u8; 12];
    if rng.fill(&mut key_bytes).is_err() || rng.fill(&mut nonce).is_err() {
        return fail("the system random number generator is unavailable".into());
    }
    let Ok(key) = UnboundKey::new(&AES_256_GCM, &key_bytes) else {
        return fail("AES-256-GCM keys cannot be created".into());
    };
    let key = LessSafeKey::new(key);
    let plain = b"syncline health".to_vec();
    let mut buffer = plain.clone();
    let sealed = key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::empty(),
        &mut buffer,
    );
    let opened = sealed.ok().and_then(|()| {
        key.open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::empty(),
            &mut buffer,
        )
        .ok()
        .map(|p| p.to_vec())
    });
    if opened.as_deref() == Some(plain.as_slice()) {
        pass("AES-256-GCM encrypts and decrypts".into())
    } else {
        fail("AES-256-GCM round trip failed".into())
    }
}
