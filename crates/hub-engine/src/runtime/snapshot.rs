//! The snapshot a pair keeps between synchronizations: per side, the model values last
//! synchronized (so a change is "current minus snapshot" and the hub's own writes never echo
//! back), and the identities of comments, attachments and time entries already copied (so
//! nothing is copied twice, even after a crash between copying and recording).

use std::collections::BTreeSet;

use hub_domain::model::ModelValues;
use serde::{Deserialize, Serialize};

/// The stored snapshot of one pair.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PairSnapshot {
    /// Left model values last synchronized.
    #[serde(rename = "l", default)]
    pub left: ModelValues,
    /// Right model values last synchronized.
    #[serde(rename = "r", default)]
    pub right: ModelValues,
    /// Copied comments as (left id, right id).
    #[serde(rename = "c", default, skip_serializing_if = "BTreeSet::is_empty")]
    pub comments: BTreeSet<(String, String)>,
    /// Copied attachments as (left id, right id).
    #[serde(rename = "a", default, skip_serializing_if = "BTreeSet::is_empty")]
    pub attachments: BTreeSet<(String, String)>,
    /// Copied time entries as (left id, right id).
    #[serde(rename = "t", default, skip_serializing_if = "BTreeSet::is_empty")]
    pub time_entries: BTreeSet<(String, String)>,
    /// Attachments not copied on purpose (over the size limit), as `l:<id>` / `r:<id>`.
    #[serde(rename = "s", default, skip_serializing_if = "BTreeSet::is_empty")]
    pub skipped: BTreeSet<String>,
}

impl PairSnapshot {
    /// Reads a stored snapshot; an absent one is empty.
    pub fn decode(text: Option<&str>) -> Result<Self, serde_json::Error> {
        match text {
            Some(t) if !t.is_empty() => serde_json::from_str(t),
            _ => Ok(Self::default()),
        }
    }

    /// The stored form.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}
