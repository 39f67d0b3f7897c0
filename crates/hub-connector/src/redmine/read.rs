//! Redmine issue JSON → [`Artifact`].
//!
//! The version token is the issue's `updated_on` plus a fingerprint of its content: Redmine
//! does not expose `lock_version`, and `updated_on` alone has one-second resolution, so two
//! writes within a second would otherwise share a version. The fingerprint leaves out what
//! differs between the list and the single-issue answers (`spent_hours`, included parts), so
//! a change query and a fetch agree on the version of an unchanged issue.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use hub_domain::model::{FieldType, FieldValue, PersonRef};
use serde_json::Value;

use super::catalog::{Catalog, list};
use super::errors;
use super::schema::{CUSTOM_PREFIX, RELATIONS, custom_type, inverse_relation};
use crate::connector::Result;
use crate::markup::{self, Markup};
use crate::types::{Artifact, ChangedArtifact};

/// Keys of the issue JSON left out of the version fingerprint.
const UNVERSIONED: [&str; 12] = [
    "spent_hours",
    "total_spent_hours",
    "total_estimated_hours",
    "relations",
    "journals",
    "attachments",
    "allowed_statuses",
    "children",
    "watchers",
    "changesets",
    "updated_on",
    "parent_name",
];

/// What reading an issue needs besides the issue.
pub struct Reader<'a> {
    /// Names of ids.
    pub catalog: &'a Catalog,
    /// Base URL ending in `/`, for links to the issue.
    pub base: &'a str,
    /// The markup of descriptions.
    pub markup: Markup,
    /// The custom field holding source identities.
    pub source_field: Option<u64>,
}

impl Reader<'_> {
    /// The artifact of an issue answer (`{"id": …, "subject": …}`).
    pub fn artifact(&self, issue: &Value) -> Result<Artifact> {
        let id = issue["id"]
            .as_u64()
            .ok_or_else(|| errors::unexpected("issue", "no id"))?;
        let mut fields = self.standard_fields(issue);
        let mut source = None;
        for cf in list(issue, "custom_fields") {
            let Some(cf_id) = cf["id"].as_u64() else {
                continue;
            };
            if Some(cf_id) == self.source_field {
                source = cf["value"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned);
            } else if let Some(value) = self.custom_value(cf_id, &cf["value"]) {
                fields.insert(format!("{CUSTOM_PREFIX}{cf_id}"), value);
            }
        }
        if issue.get("relations").is_some() {
            fields.extend(relations(id, list(issue, "relations")));
        }
        Ok(Artifact {
            id: id.to_string(),
            formatted_id: format!("#{id}"),
            url: format!("{}issues/{id}", self.base),
            project: String::new(),
            artifact_type: issue["tracker"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            version: version(issue),
            updated_at: updated_at(issue)?,
            fields,
            source,
        })
    }

    fn standard_fields(&self, issue: &Value) -> BTreeMap<String, FieldValue> {
        let name = |key: &str| match issue[key]["name"].as_str() {
            Some(name) => FieldValue::Option(name.to_owned()),
            None => FieldValue::Null,
        };
        let description = match issue["description"].as_str() {
            Some(text) if !text.trim().is_empty() => {
                FieldValue::Text(markup::to_model(text, self.markup))
            }
            _ => FieldValue::Null,
        };
        let parent = match issue["parent"]["id"].as_u64() {
            Some(parent) => FieldValue::Links(vec![parent.to_string()]),
            None => FieldValue::Null,
        };
        let estimated = match issue["estimated_hours"].as_f64() {
            Some(hours) => FieldValue::Minutes((hours * 60.0).round() as i64),
            None => FieldValue::Null,
        };
        let values = [
            ("subject", text(&issue["subject"])),
            ("description", description),
            ("status", name("status")),
            ("priority", name("priority")),
            ("category", name("category")),
            ("fixed_version", name("fixed_version")),
            ("assigned_to", self.person(&issue["assigned_to"])),
            ("author", self.person(&issue["author"])),
            ("parent", parent),
            ("start_date", date(&issue["start_date"])),
            ("due_date", date(&issue["due_date"])),
            (
                "done_ratio",
                issue["done_ratio"]
                    .as_i64()
                    .map_or(FieldValue::Null, FieldValue::Integer),
            ),
            ("estimated_hours", estimated),
            (
                "is_private",
                issue["is_private"]
                    .as_bool()
                    .map_or(FieldValue::Null, FieldValue::Bool),
            ),
            ("created_on", datetime(&issue["created_on"])),
            ("closed_on", datetime(&issue["closed_on"])),
        ];
        values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// A person of an `{"id", "name"}` reference, completed from the user list.
    pub fn person(&self, reference: &Value) -> FieldValue {
        match self.person_ref(reference) {
            Some(person) => FieldValue::Person(person),
            None => FieldValue::Null,
        }
    }

    /// The person of an `{"id", "name"}` reference.
    pub fn person_ref(&self, reference: &Value) -> Option<PersonRef> {
        let id = reference["id"].as_u64()?;
        Some(
            self.catalog
                .users
                .get(&id)
                .cloned()
                .unwrap_or_else(|| PersonRef {
                    id: id.to_string(),
                    username: None,
                    email: None,
                    display_name: reference["name"].as_str().map(str::to_owned),
                }),
        )
    }

    fn custom_value(&self, cf_id: u64, value: &Value) -> Option<FieldValue> {
        let cf = self.catalog.custom_field(cf_id)?;
        let field_type = custom_type(cf)?;
        let values: Vec<&str> = match value {
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            Value::String(s) if !s.is_empty() => vec![s.as_str()],
            _ => Vec::new(),
        };
        let first = values.first().copied();
        let person = |id: &str| {
            let id: u64 = id.parse().ok()?;
            self.person_ref(&serde_json::json!({"id": id}))
        };
        Some(match (field_type, first) {
            (FieldType::MultiSelect, _) => {
                FieldValue::Options(values.iter().map(|v| (*v).to_owned()).collect()).normalized()
            }
            (FieldType::Persons, _) => {
                FieldValue::Persons(values.iter().filter_map(|v| person(v)).collect()).normalized()
            }
            (_, None) => FieldValue::Null,
            (FieldType::RichText, Some(v)) => FieldValue::Text(markup::to_model(v, self.markup)),
            (FieldType::Integer, Some(v)) => {
                v.parse().map_or(FieldValue::Null, FieldValue::Integer)
            }
            (FieldType::Decimal, Some(v)) => FieldValue::Decimal(v.to_owned()),
            (FieldType::Date, Some(v)) => date(&Value::String(v.to_owned())),
            (FieldType::Boolean, Some(v)) => FieldValue::Bool(v == "1"),
            (FieldType::SingleSelect, Some(v)) => FieldValue::Option(v.to_owned()),
            (FieldType::Person, Some(v)) => person(v).map_or(FieldValue::Null, FieldValue::Person),
            (_, Some(v)) => FieldValue::Text(v.to_owned()),
        })
    }
}

/// The relation fields of issue `id` from its `relations` list; every type is present.
pub fn relations(id: u64, relations: &[Value]) -> BTreeMap<String, FieldValue> {
    let mut links: BTreeMap<&str, Vec<String>> =
        RELATIONS.iter().map(|(k, _)| (*k, Vec::new())).collect();
    for relation in relations {
        let (Some(from), Some(to), Some(kind)) = (
            relation["issue_id"].as_u64(),
            relation["issue_to_id"].as_u64(),
            relation["relation_type"].as_str(),
        ) else {
            continue;
        };
        let (kind, other) = if from == id {
            (Some(kind), to)
        } else {
            (inverse_relation(kind), from)
        };
        if let Some(targets) = kind.and_then(|k| links.get_mut(k)) {
            targets.push(other.to_string());
        }
    }
    links
        .into_iter()
        .map(|(kind, targets)| {
            let value = if targets.is_empty() {
                FieldValue::Null
            } else {
                FieldValue::Links(targets).normalized()
            };
            (kind.to_owned(), value)
        })
        .collect()
}

/// The change entry of an issue answer.
pub fn changed(issue: &Value) -> Result<ChangedArtifact> {
    Ok(ChangedArtifact {
        id: issue["id"]
            .as_u64()
            .ok_or_else(|| errors::unexpected("issue", "no id"))?
            .to_string(),
        updated_at: updated_at(issue)?,
        version: version(issue),
    })
}

/// `updated_on`.
pub fn updated_at(issue: &Value) -> Result<DateTime<Utc>> {
    match datetime(&issue["updated_on"]) {
        FieldValue::DateTime(at) => Ok(at),
        _ => Err(errors::unexpected("issue", "no updated_on")),
    }
}

/// The version token: `updated_on` (seconds) and a fingerprint of the content.
pub fn version(issue: &Value) -> String {
    let mut content = issue.clone();
    if let Some(object) = content.as_object_mut() {
        for key in UNVERSIONED {
            object.remove(key);
        }
    }
    let seconds = updated_at(issue).map_or(0, |at| at.timestamp());
    format!("{seconds}-{:016x}", fnv1a(content.to_string().as_bytes()))
}

/// 64-bit FNV-1a: stable across builds, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn text(value: &Value) -> FieldValue {
    match value.as_str() {
        Some(text) => FieldValue::Text(text.to_owned()),
        None => FieldValue::Null,
    }
}

fn date(value: &Value) -> FieldValue {
    value
        .as_str()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .map_or(FieldValue::Null, FieldValue::Date)
}

fn datetime(value: &Value) -> FieldValue {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map_or(FieldValue::Null, |at| {
            FieldValue::DateTime(at.with_timezone(&Utc))
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn relations_read_from_either_side() {
        let list = [
            json!({"issue_id": 1, "issue_to_id": 2, "relation_type": "blocks"}),
            json!({"issue_id": 3, "issue_to_id": 1, "relation_type": "blocks"}),
            json!({"issue_id": 4, "issue_to_id": 1, "relation_type": "relates"}),
        ];
        let fields = relations(1, &list);
        assert_eq!(fields["blocks"], FieldValue::Links(vec!["2".into()]));
        assert_eq!(fields["blocked"], FieldValue::Links(vec!["3".into()]));
        assert_eq!(fields["relates"], FieldValue::Links(vec!["4".into()]));
        assert_eq!(fields["precedes"], FieldValue::Null);
    }

    #[test]
    fn list_and_single_answers_share_a_version() {
        let single = json!({"id": 1, "subject": "a", "updated_on": "2026-01-01T10:00:00Z"});
        let mut listed = single.clone();
        listed["spent_hours"] = json!(0.0);
        listed["relations"] = json!([]);
        assert_eq!(version(&single), version(&listed));
        let mut edited = single.clone();
        edited["subject"] = json!("b");
        assert_ne!(version(&single), version(&edited));
    }
}
