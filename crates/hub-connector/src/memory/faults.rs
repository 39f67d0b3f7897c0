//! Fault injection: the failures of a real tracker, on demand and reproducible.
//!
//! The engine's retry, back-off and crash-safe creation are only as good as the failures they
//! were tested against. A [`FaultPlan`] says how often each kind of failure happens; a seeded
//! generator decides each call, so the same plan and the same calls fail the same way every run.
//! Faults never corrupt the tracker: a failure happens before the write, or, for an *ambiguous*
//! failure, after a write that really happened (the answer got lost on the way back).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::rng::SplitMix64;
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};

/// The connector calls, as fault plans name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// `Connector::test_connection`.
    TestConnection,
    /// `Connector::projects`.
    Projects,
    /// `Connector::create_project`.
    CreateProject,
    /// `Connector::artifact_types`.
    ArtifactTypes,
    /// `Connector::schema`.
    Schema,
    /// `Connector::changed_since`.
    ChangedSince,
    /// `Connector::fetch`.
    Fetch,
    /// `Connector::create`.
    Create,
    /// `Connector::update`.
    Update,
    /// `Connector::find_by_source`.
    FindBySource,
    /// `Connector::find_by_formatted_id`.
    FindByFormattedId,
    /// `Connector::comments`.
    Comments,
    /// `Connector::add_comment`.
    AddComment,
    /// `Connector::attachments`.
    Attachments,
    /// `Connector::download`.
    Download,
    /// `Connector::upload`.
    Upload,
    /// `Connector::time_entries`.
    TimeEntries,
    /// `Connector::add_time_entry`.
    AddTimeEntry,
    /// `Connector::transitions`.
    Transitions,
    /// `Connector::perform_transition`.
    PerformTransition,
    /// `Connector::person_search_fields`.
    PersonSearchFields,
    /// `Connector::search_persons`.
    SearchPersons,
}

impl CallKind {
    /// Whether the call writes to the tracker (and so can fail ambiguously).
    pub fn is_write(self) -> bool {
        matches!(
            self,
            CallKind::CreateProject
                | CallKind::Create
                | CallKind::Update
                | CallKind::AddComment
                | CallKind::Upload
                | CallKind::AddTimeEntry
                | CallKind::PerformTransition
        )
    }
}

/// How often which failure happens. Rates are probabilities per call, from 0 to 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultPlan {
    /// Seed of the generator that decides each call.
    pub seed: u64,
    /// Latency added to every call, in milliseconds.
    pub latency_ms: u64,
    /// Up to this many milliseconds more, drawn per call.
    pub latency_jitter_ms: u64,
    /// Rate of network errors before the call, for every call kind…
    pub network_error_rate: f64,
    /// …unless a rate is given here for the call kind.
    pub network_error_rates: BTreeMap<CallKind, f64>,
    /// Rate of rate-limit refusals (before the call).
    pub rate_limit_rate: f64,
    /// The retry-after a rate-limit refusal asks for, in milliseconds.
    pub retry_after_ms: u64,
    /// Rate of version conflicts on `update` (before the write).
    pub conflict_rate: f64,
    /// Rate of network errors *after* a successful write: the write happened, the caller
    /// cannot know it did.
    pub ambiguous_rate: f64,
}

impl Default for FaultPlan {
    fn default() -> Self {
        Self {
            seed: 0,
            latency_ms: 0,
            latency_jitter_ms: 0,
            network_error_rate: 0.0,
            network_error_rates: BTreeMap::new(),
            rate_limit_rate: 0.0,
            retry_after_ms: 1_000,
            conflict_rate: 0.0,
            ambiguous_rate: 0.0,
        }
    }
}

impl FaultPlan {
    /// Only latency, no failures.
    pub fn latency(latency: Duration) -> Self {
        Self {
            latency_ms: latency.as_millis().try_into().unwrap_or(u64::MAX),
            ..Self::default()
        }
    }

    /// The network error rate of one call kind.
    pub fn network_error_rate_for(&self, kind: CallKind) -> f64 {
        self.network_error_rates
            .get(&kind)
            .copied()
            .unwrap_or(self.network_error_rate)
    }

    /// Whether the plan does anything at all.
    pub fn is_active(&self) -> bool {
        *self
            != Self {
                seed: self.seed,
                retry_after_ms: self.retry_after_ms,
                ..Self::default()
            }
    }

    /// Refuses rates outside `0..=1`, naming the offending one.
    pub fn validate(&self) -> Result<()> {
        let named = [
            ("network_error_rate".to_owned(), self.network_error_rate),
            ("rate_limit_rate".to_owned(), self.rate_limit_rate),
            ("conflict_rate".to_owned(), self.conflict_rate),
            ("ambiguous_rate".to_owned(), self.ambiguous_rate),
        ];
        let per_kind = self
            .network_error_rates
            .iter()
            .map(|(k, r)| (format!("network_error_rates.{k:?}"), *r));
        match named
            .into_iter()
            .chain(per_kind)
            .find(|(_, rate)| !(0.0..=1.0).contains(rate))
        {
            Some((name, rate)) => Err(ConnectorError::new(
                ErrorClass::InvalidValue,
                format!("faults.{name} is {rate}; a rate lies between 0 and 1"),
            )),
            None => Ok(()),
        }
    }
}

/// What the fault plans decided for one call.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub(crate) latency: Duration,
    /// Fail without doing anything.
    pub(crate) before: Option<ConnectorError>,
    /// Do the write, then fail.
    pub(crate) after: Option<ConnectorError>,
}

/// A plan with its generator, shared by the calls of one connector (or one instance).
#[derive(Debug)]
pub(crate) struct FaultInjector {
    /// Fast path: no lock at all while no plan is set.
    active: AtomicBool,
    plan: Mutex<(FaultPlan, SplitMix64)>,
}

impl Default for FaultInjector {
    fn default() -> Self {
        Self {
            active: AtomicBool::new(false),
            plan: Mutex::new((FaultPlan::default(), SplitMix64::new(0))),
        }
    }
}

impl FaultInjector {
    /// Replaces the plan and restarts its generator from the plan's seed.
    pub(crate) fn set(&self, plan: FaultPlan) -> Result<()> {
        plan.validate()?;
        let mut guard = self.plan.lock().unwrap_or_else(|e| e.into_inner());
        self.active.store(plan.is_active(), Ordering::Release);
        *guard = (plan.clone(), SplitMix64::new(plan.seed));
        Ok(())
    }

    pub(crate) fn plan(&self) -> FaultPlan {
        self.plan
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .clone()
    }

    /// Adds this plan's faults for a call to `decision` (the first failure decided wins).
    pub(crate) fn decide(&self, kind: CallKind, decision: &mut Decision) {
        if !self.active.load(Ordering::Acquire) {
            return;
        }
        let mut guard = self.plan.lock().unwrap_or_else(|e| e.into_inner());
        let (plan, rng) = &mut *guard;
        let jitter = rng.below(plan.latency_jitter_ms.saturating_add(1));
        decision.latency += Duration::from_millis(plan.latency_ms.saturating_add(jitter));
        let failure = if rng.chance(plan.rate_limit_rate) {
            let retry_after = Duration::from_millis(plan.retry_after_ms);
            Some(ConnectorError::rate_limited(
                format!("memory tracker: too many requests on {kind:?} (injected)"),
                Some(retry_after),
            ))
        } else if rng.chance(plan.network_error_rate_for(kind)) {
            Some(ConnectorError::new(
                ErrorClass::Network,
                format!("memory tracker: connection reset on {kind:?} (injected)"),
            ))
        } else if kind == CallKind::Update && rng.chance(plan.conflict_rate) {
            Some(ConnectorError::new(
                ErrorClass::VersionConflict,
                "memory tracker: the artifact changed meanwhile (injected)",
            ))
        } else {
            None
        };
        if decision.before.is_none() {
            decision.before = failure;
        }
        if kind.is_write() && rng.chance(plan.ambiguous_rate) && decision.after.is_none() {
            decision.after = Some(ConnectorError::new(
                ErrorClass::Network,
                format!("memory tracker: connection lost after {kind:?} was applied (injected)"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(plan: &FaultPlan, calls: usize) -> Vec<Option<ErrorClass>> {
        let injector = FaultInjector::default();
        injector.set(plan.clone()).unwrap();
        (0..calls)
            .map(|_| {
                let mut decision = Decision::default();
                injector.decide(CallKind::Update, &mut decision);
                decision.before.or(decision.after).map(|e| e.class)
            })
            .collect()
    }

    fn mixed(seed: u64) -> FaultPlan {
        FaultPlan {
            seed,
            network_error_rate: 0.1,
            rate_limit_rate: 0.1,
            conflict_rate: 0.1,
            ambiguous_rate: 0.1,
            ..FaultPlan::default()
        }
    }

    #[test]
    fn same_seed_same_faults() {
        assert_eq!(outcomes(&mixed(42), 500), outcomes(&mixed(42), 500));
        assert_ne!(outcomes(&mixed(42), 500), outcomes(&mixed(43), 500));
    }

    #[test]
    fn rates_are_roughly_honoured() {
        let plan = FaultPlan {
            network_error_rate: 0.25,
            ..FaultPlan::default()
        };
        let failures = outcomes(&plan, 10_000)
            .iter()
            .filter(|o| o.is_some())
            .count();
        assert!((2_000..3_000).contains(&failures), "{failures}");
    }

    #[test]
    fn per_kind_rates_override_the_default() {
        let plan = FaultPlan {
            network_error_rate: 1.0,
            network_error_rates: BTreeMap::from([(CallKind::Update, 0.0)]),
            ..FaultPlan::default()
        };
        assert!(outcomes(&plan, 100).iter().all(Option::is_none));
        assert_eq!(plan.network_error_rate_for(CallKind::Fetch), 1.0);
    }

    #[test]
    fn plans_come_from_settings_and_bad_rates_are_named() {
        let plan: FaultPlan = serde_json::from_value(serde_json::json!({
            "seed": 9, "latency_ms": 5, "network_error_rates": {"fetch": 0.5}, "ambiguous_rate": 0.2
        }))
        .unwrap();
        assert_eq!(plan.network_error_rate_for(CallKind::Fetch), 0.5);
        assert_eq!(plan.retry_after_ms, 1_000);
        assert!(plan.is_active());
        assert!(
            !FaultPlan {
                seed: 3,
                ..FaultPlan::default()
            }
            .is_active()
        );
        let bad = FaultPlan {
            conflict_rate: 1.5,
            ..FaultPlan::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .message
                .contains("conflict_rate")
        );
        assert!(serde_json::from_value::<FaultPlan>(serde_json::json!({"nope": 1})).is_err());
    }
}
