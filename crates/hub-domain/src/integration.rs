//! Integrations: a style, two sides and the rules that govern what flows between them.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Validate, check_name};
use crate::ids::{CollectionId, IntegrationId};
use crate::model::FieldValue;

/// What kind of integration this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationStyle {
    /// Two-way work-item synchronization.
    WorkItemSync,
    /// Containers (projects) mirrored, then their work items synchronized.
    ContainerMirror,
    /// One-way stream of artifact changes into a SQL reporting database.
    EnterpriseDataStream,
    /// Artifacts created or modified from webhooks.
    Gateway,
}

/// One side of a two-sided integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The left collection.
    Left,
    /// The right collection.
    Right,
}

impl Side {
    /// The other side.
    pub const fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }

    /// `"left"` or `"right"`, as files, the store and messages spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
}

/// Which way a model field flows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "flow", rename_all = "snake_case")]
pub enum FieldFlow {
    /// Changes on either side go to the other.
    Both,
    /// Left to right only.
    LeftToRight,
    /// Right to left only.
    RightToLeft,
    /// Not synchronized.
    None,
    /// Flows like `flow` while the field `when_field` of the source artifact equals `equals`.
    Conditional {
        /// The flow that applies when the condition holds.
        then: Box<FieldFlow>,
        /// The field tested.
        when_field: String,
        /// The value it must have.
        equals: FieldValue,
    },
}

/// Who wins when both sides changed the same field since the last synchronization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictStrategy {
    /// The left side's value is kept.
    LeftWins,
    /// The right side's value is kept.
    RightWins,
    /// The side whose artifact was updated last wins.
    MostRecentWins,
    /// The activity fails with the conflict code until a person resolves it.
    Fail,
}

/// A route: which project of the left collection goes with which of the right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Left project key.
    pub left: String,
    /// Right project key.
    pub right: String,
}

/// How and when changes are looked for; each field overrides the hub-wide default when set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeDetection {
    /// Seconds between polls.
    #[serde(default)]
    pub interval_seconds: Option<u32>,
    /// A cron schedule used instead of the interval (6 fields, seconds first).
    #[serde(default)]
    pub cron: Option<String>,
    /// Seconds between full scans.
    #[serde(default)]
    pub full_scan_interval_seconds: Option<u32>,
    /// Maximum activities processed at once.
    #[serde(default)]
    pub max_concurrency: Option<u32>,
}

/// The hub-wide change-detection defaults.
pub const DEFAULT_POLL_INTERVAL_SECONDS: u32 = 60;
/// Default full-scan interval: a day.
pub const DEFAULT_FULL_SCAN_INTERVAL_SECONDS: u32 = 24 * 60 * 60;
/// Default maximum concurrency.
pub const DEFAULT_MAX_CONCURRENCY: u32 = 10;

/// An integration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Integration {
    /// Store-assigned id.
    pub id: Option<IntegrationId>,
    /// Unique name.
    pub name: String,
    /// Its style.
    pub style: IntegrationStyle,
    /// Left collection.
    pub left: CollectionId,
    /// Right collection.
    pub right: CollectionId,
    /// Whether it runs.
    #[serde(default)]
    pub running: bool,
    /// Project routes; empty means every project pairs with the one of the same key.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Flow per model field; a field without an entry flows both ways.
    #[serde(default)]
    pub field_flows: std::collections::BTreeMap<String, FieldFlow>,
    /// How comments flow.
    #[serde(default = "both")]
    pub comment_flow: FieldFlow,
    /// How attachments flow.
    #[serde(default = "both")]
    pub attachment_flow: FieldFlow,
    /// Largest attachment copied, in bytes.
    #[serde(default)]
    pub attachment_max_bytes: Option<u64>,
    /// How time entries (work logs) flow between two trackers that both have them. Off unless
    /// asked for: logged time feeds reports and invoices, so an integration saved before
    /// trackers had time entries must not start copying it by itself.
    #[serde(default = "no_flow")]
    pub time_entry_flow: FieldFlow,
    /// Conflict strategy.
    #[serde(default = "most_recent")]
    pub conflict_strategy: ConflictStrategy,
    /// Change-detection overrides.
    #[serde(default)]
    pub change_detection: ChangeDetection,
    /// Which artifacts of each side are taken in; all when empty.
    #[serde(default)]
    pub filters: Vec<crate::filter::ArtifactFilter>,
    /// Mirror new projects of this side: each gets a twin project on the other side and a route.
    #[serde(default)]
    pub mirror_projects: Option<Side>,
    /// Extensions each side runs, by name.
    #[serde(default)]
    pub extensions: IntegrationExtensions,
}

/// The extensions of an integration's two sides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationExtensions {
    /// Run when writing to the left side.
    #[serde(default)]
    pub left: SideExtensions,
    /// Run when writing to the right side.
    #[serde(default)]
    pub right: SideExtensions,
}

impl IntegrationExtensions {
    /// The extensions of one side.
    pub fn side(&self, side: Side) -> &SideExtensions {
        match side {
            Side::Left => &self.left,
            Side::Right => &self.right,
        }
    }
}

/// Extensions run when artifacts of one side are written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SideExtensions {
    /// Chooses the transitions that move an artifact towards its target state.
    #[serde(default)]
    pub state_transition: Option<String>,
    /// Finds the side's person for a model person.
    #[serde(default)]
    pub person_reconciliation: Option<String>,
}

fn both() -> FieldFlow {
    FieldFlow::Both
}

fn no_flow() -> FieldFlow {
    FieldFlow::None
}

fn most_recent() -> ConflictStrategy {
    ConflictStrategy::MostRecentWins
}

impl Validate for Integration {
    fn problems(&self) -> Vec<DomainError> {
        let mut out = Vec::new();
        check_name("integration", &self.name, &mut out);
        let invalid = |field: &str, reason: String| {
            DomainError::invalid("integration", &self.name, field, reason)
        };
        let two_sided = matches!(
            self.style,
            IntegrationStyle::WorkItemSync | IntegrationStyle::ContainerMirror
        );
        if two_sided && self.left == self.right {
            out.push(invalid(
                "right",
                "left and right must be different collections".into(),
            ));
        }
        for (i, filter) in self.filters.iter().enumerate() {
            let needs_values = !matches!(
                filter.operator,
                crate::filter::FilterOperator::IsSet | crate::filter::FilterOperator::IsEmpty
            );
            if needs_values && filter.values.is_empty() {
                out.push(invalid(
                    &format!("filters[{i}].values"),
                    "give at least one value to compare with".into(),
                ));
            }
        }
        if self.mirror_projects.is_some() && !two_sided {
            out.push(invalid(
                "mirror_projects",
                "only two-sided integrations mirror projects".into(),
            ));
        }
        let cd = &self.change_detection;
        if cd.interval_seconds == Some(0) {
            out.push(invalid(
                "change_detection.interval_seconds",
                "must be at least 1".into(),
            ));
        }
        if cd.max_concurrency == Some(0) {
            out.push(invalid(
                "change_detection.max_concurrency",
                "must be at least 1".into(),
            ));
        }
        if let Some(cron) = &cd.cron {
            let fields = cron.split_whitespace().count();
            if !(6..=7).contains(&fields) {
                out.push(invalid(
                    "change_detection.cron",
                    format!("needs 6 or 7 fields (seconds first), found {fields}"),
                ));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, route) in self.routes.iter().enumerate() {
            if !seen.insert(&route.left) {
                out.push(invalid(
                    &format!("routes[{i}].left"),
                    format!("project '{}' is routed twice", route.left),
                ));
            }
        }
        out
    }
}
