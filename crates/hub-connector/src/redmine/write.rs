//! Field values → a Redmine issue document (`{"issue": {...}}`) and the relations to set.
//!
//! Every value is checked against what Redmine accepts before anything is sent: an unknown
//! option, a read-only field or a value of the wrong type is an invalid value of this artifact,
//! reported with the field's id, and nothing is written.

use std::collections::BTreeMap;

use hub_domain::model::{FieldType, FieldValue, PersonRef};
use serde_json::{Map, Value, json};

use super::catalog::{Catalog, Named, ProjectInfo};
use super::errors::invalid;
use super::schema::{CUSTOM_PREFIX, RELATIONS, custom_type};
use crate::connector::Result;
use crate::markup::{self, Markup};

/// A value check: `Err` says what is wrong with the value.
type Check<T> = std::result::Result<T, String>;

/// Read-only fields: written by Redmine only.
const READ_ONLY: [&str; 3] = ["author", "created_on", "closed_on"];

/// The issue attributes and relations to write.
#[derive(Debug, Default)]
pub struct Plan {
    /// Attributes of the `issue` object.
    pub issue: Map<String, Value>,
    /// Custom field values.
    pub custom_fields: Vec<Value>,
    /// Relation type → the complete set of issue ids it should link to.
    pub relations: BTreeMap<String, Vec<u64>>,
}

impl Plan {
    /// The `{"issue": …}` document (custom fields included).
    pub fn document(&self) -> Value {
        let mut issue = self.issue.clone();
        if !self.custom_fields.is_empty() {
            issue.insert(
                "custom_fields".into(),
                Value::Array(self.custom_fields.clone()),
            );
        }
        json!({ "issue": issue })
    }
}

/// What writing needs besides the values.
pub struct Writer<'a> {
    /// Ids of names.
    pub catalog: &'a Catalog,
    /// The issue's project; needed only for categories and versions.
    pub project: Option<&'a ProjectInfo>,
    /// The markup of descriptions.
    pub markup: Markup,
}

impl Writer<'_> {
    /// The plan for writing `fields`.
    pub fn plan(&self, fields: &BTreeMap<String, FieldValue>) -> Result<Plan> {
        let mut plan = Plan::default();
        for (id, value) in fields {
            self.add(&mut plan, id, value)
                .map_err(|problem| invalid(format!("field '{id}': {problem}")))?;
        }
        Ok(plan)
    }

    fn add(&self, plan: &mut Plan, id: &str, value: &FieldValue) -> Check<()> {
        if READ_ONLY.contains(&id) {
            return Err("is read-only".into());
        }
        if RELATIONS.iter().any(|(kind, _)| *kind == id) {
            plan.relations.insert(id.to_owned(), links(value)?);
            return Ok(());
        }
        if let Some(cf) = id.strip_prefix(CUSTOM_PREFIX) {
            let cf: u64 = cf
                .parse()
                .map_err(|_| "is not a custom field id".to_owned())?;
            let value = self.custom_value(cf, value)?;
            plan.custom_fields.push(json!({"id": cf, "value": value}));
            return Ok(());
        }
        let (key, written) = self.standard(id, value)?;
        plan.issue.insert(key.to_owned(), written);
        Ok(())
    }

    fn standard(&self, id: &str, value: &FieldValue) -> Check<(&'static str, Value)> {
        let catalog = self.catalog;
        let statuses: Vec<Named> = catalog.statuses.iter().map(|(s, _)| s.clone()).collect();
        Ok(match id {
            "subject" => ("subject", Value::String(text(value)?)),
            "description" => ("description", Value::String(self.rich(value)?)),
            "status" => ("status_id", option_id(&statuses, value)?),
            "priority" => ("priority_id", option_id(&catalog.priorities, value)?),
            "category" => (
                "category_id",
                option_id(&self.project()?.categories, value)?,
            ),
            "fixed_version" => (
                "fixed_version_id",
                option_id(&self.project()?.versions, value)?,
            ),
            "assigned_to" => ("assigned_to_id", self.person_id(value)?),
            "parent" => ("parent_issue_id", parent(value)?),
            "start_date" => ("start_date", date(value)?),
            "due_date" => ("due_date", date(value)?),
            "done_ratio" => ("done_ratio", integer(value)?),
            "estimated_hours" => ("estimated_hours", hours(value)?),
            "is_private" => ("is_private", boolean(value)?),
            _ => return Err("is not a field of Redmine issues".into()),
        })
    }

    fn project(&self) -> Check<&ProjectInfo> {
        self.project
            .ok_or_else(|| "needs the issue's project, which is not known here".to_owned())
    }

    fn rich(&self, value: &FieldValue) -> Check<String> {
        Ok(match value {
            FieldValue::Null => String::new(),
            FieldValue::Text(html) => markup::from_model(html, self.markup),
            other => return Err(format!("expects text, got {other:?}")),
        })
    }

    fn custom_value(&self, cf: u64, value: &FieldValue) -> Check<Value> {
        let field = self
            .catalog
            .custom_field(cf)
            .ok_or_else(|| "is not a custom field of this Redmine".to_owned())?;
        let field_type = custom_type(field).ok_or_else(|| "cannot be written".to_owned())?;
        let check = |option: &str| {
            if field.options.is_empty() || field.options.iter().any(|o| o == option) {
                Ok(Value::String(option.to_owned()))
            } else {
                Err(format!("'{option}' is not one of {:?}", field.options))
            }
        };
        Ok(match (field_type, value) {
            (_, FieldValue::Null) if field.multiple => json!([]),
            (_, FieldValue::Null) => json!(""),
            (FieldType::RichText, FieldValue::Text(html)) => {
                Value::String(markup::from_model(html, self.markup))
            }
            (FieldType::String, FieldValue::Text(text)) => Value::String(text.clone()),
            (FieldType::Integer, FieldValue::Integer(n)) => Value::String(n.to_string()),
            (FieldType::Decimal, FieldValue::Decimal(d)) => Value::String(d.clone()),
            (FieldType::Date, FieldValue::Date(d)) => Value::String(d.to_string()),
            (FieldType::Boolean, FieldValue::Bool(b)) => {
                Value::String(if *b { "1" } else { "0" }.into())
            }
            (FieldType::SingleSelect, FieldValue::Option(o)) => check(o)?,
            (FieldType::MultiSelect, FieldValue::Options(os)) => {
                Value::Array(os.iter().map(|o| check(o)).collect::<Check<_>>()?)
            }
            (FieldType::Person, FieldValue::Person(p)) => {
                self.person_id(&FieldValue::Person(p.clone()))?
            }
            (FieldType::Persons, FieldValue::Persons(ps)) => Value::Array(
                ps.iter()
                    .map(|p| self.person_id(&FieldValue::Person(p.clone())))
                    .collect::<Check<_>>()?,
            ),
            (expected, other) => return Err(format!("expects {expected:?}, got {other:?}")),
        })
    }

    /// The user id of a person: its id when Redmine knows it, else a user with the same
    /// e-mail or login.
    fn person_id(&self, value: &FieldValue) -> Check<Value> {
        let person = match value {
            FieldValue::Null => return Ok(json!("")),
            FieldValue::Person(person) => person,
            other => return Err(format!("expects a person, got {other:?}")),
        };
        self.user_id(person)
            .map(|id| Value::String(id.to_string()))
            .ok_or_else(|| format!("no Redmine user matches {person:?}"))
    }

    fn user_id(&self, person: &PersonRef) -> Option<u64> {
        let users = &self.catalog.users;
        let by_id = person.id.parse().ok().filter(|id| users.contains_key(id));
        let same = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
        by_id.or_else(|| {
            users
                .iter()
                .find(|(_, u)| same(&u.email, &person.email) || same(&u.username, &person.username))
                .map(|(id, _)| *id)
        })
    }
}

fn text(value: &FieldValue) -> Check<String> {
    match value {
        FieldValue::Text(text) => Ok(text.clone()),
        FieldValue::Null => Ok(String::new()),
        other => Err(format!("expects text, got {other:?}")),
    }
}

fn option_id(options: &[Named], value: &FieldValue) -> Check<Value> {
    match value {
        FieldValue::Null => Ok(json!("")),
        FieldValue::Option(name) => options
            .iter()
            .find(|o| o.name == *name)
            .map(|o| json!(o.id))
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|o| o.name.as_str()).collect();
                format!("'{name}' is not one of {names:?}")
            }),
        other => Err(format!("expects an option, got {other:?}")),
    }
}

fn links(value: &FieldValue) -> Check<Vec<u64>> {
    match value {
        FieldValue::Null => Ok(Vec::new()),
        FieldValue::Links(ids) => ids
            .iter()
            .map(|id| {
                id.trim_start_matches('#')
                    .parse()
                    .map_err(|_| format!("'{id}' is not an issue id"))
            })
            .collect(),
        other => Err(format!("expects links, got {other:?}")),
    }
}

fn parent(value: &FieldValue) -> Check<Value> {
    match links(value)?.as_slice() {
        [] => Ok(json!("")),
        [id] => Ok(json!(id)),
        _ => Err("an issue has one parent".into()),
    }
}

fn date(value: &FieldValue) -> Check<Value> {
    match value {
        FieldValue::Null => Ok(json!("")),
        FieldValue::Date(d) => Ok(json!(d.to_string())),
        other => Err(format!("expects a date, got {other:?}")),
    }
}

fn integer(value: &FieldValue) -> Check<Value> {
    match value {
        FieldValue::Null => Ok(json!("")),
        FieldValue::Integer(n) => Ok(json!(n)),
        other => Err(format!("expects an integer, got {other:?}")),
    }
}

fn hours(value: &FieldValue) -> Check<Value> {
    match value {
        FieldValue::Null => Ok(json!("")),
        FieldValue::Minutes(m) => Ok(json!(*m as f64 / 60.0)),
        other => Err(format!("expects a duration, got {other:?}")),
    }
}

fn boolean(value: &FieldValue) -> Check<Value> {
    match value {
        FieldValue::Bool(b) => Ok(json!(b)),
        other => Err(format!("expects true or false, got {other:?}")),
    }
}
