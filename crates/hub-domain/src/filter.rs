//! Artifact filters: which artifacts of a side an integration takes in.
//!
//! A filter is a condition on one model field of the artifacts of one side. An artifact is
//! eligible when it meets every filter of its side. Filters decide creation (an artifact that does
//! not match gets no twin) and, when marked for updates, also pause an existing pair while its
//! artifact does not match. Conditions work on model values, not on tracker fields, so one filter
//! reads the same whatever the tracker behind the side.

use serde::{Deserialize, Serialize};

use crate::integration::Side;
use crate::model::{FieldValue, Model, ModelValues};

/// How a filter compares the field's value with its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterOperator {
    /// The value is one of `values` (for a multi-select: it holds at least one of them).
    OneOf,
    /// The value is none of `values` (for a multi-select: it holds none of them).
    NoneOf,
    /// The text contains one of `values`, ignoring case.
    Contains,
    /// The field has a value.
    IsSet,
    /// The field has no value.
    IsEmpty,
}

/// One condition on the artifacts of a side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactFilter {
    /// The side whose artifacts the filter applies to.
    pub side: Side,
    /// The model field tested.
    pub field: String,
    /// The comparison.
    pub operator: FilterOperator,
    /// Values compared with, as text (option keys, `true`/`false`, numbers, dates).
    #[serde(default)]
    pub values: Vec<String>,
    /// Also applies to artifacts already paired: a pair whose artifact stops matching is not
    /// synchronized until it matches again.
    #[serde(default)]
    pub applies_to_updates: bool,
}

impl ArtifactFilter {
    /// Whether `values` (an artifact's model values) meet this filter.
    pub fn matches(&self, values: &ModelValues) -> bool {
        let value = values.get(&self.field).unwrap_or(&FieldValue::Null);
        let texts = texts_of(value);
        match self.operator {
            FilterOperator::OneOf => texts.iter().any(|t| self.values.contains(t)),
            FilterOperator::NoneOf => !texts.iter().any(|t| self.values.contains(t)),
            FilterOperator::Contains => texts.iter().any(|t| {
                let t = t.to_lowercase();
                self.values.iter().any(|v| t.contains(&v.to_lowercase()))
            }),
            FilterOperator::IsSet => !texts.is_empty(),
            FilterOperator::IsEmpty => texts.is_empty(),
        }
    }

    /// Why this filter cannot be used with `model`, if it cannot.
    pub fn problem(&self, model: &Model) -> Option<String> {
        if !model.fields.iter().any(|f| f.name == self.field) {
            return Some(format!(
                "filter on '{}': the model has no such field",
                self.field
            ));
        }
        let needs_values = matches!(
            self.operator,
            FilterOperator::OneOf | FilterOperator::NoneOf | FilterOperator::Contains
        );
        (needs_values && self.values.is_empty())
            .then(|| format!("filter on '{}': give at least one value", self.field))
    }
}

/// Whether an artifact on `side` with `values` meets every filter of that side; with
/// `updates_only`, only filters that apply to updates count.
pub fn eligible(
    filters: &[ArtifactFilter],
    side: Side,
    values: &ModelValues,
    updates_only: bool,
) -> bool {
    filters
        .iter()
        .filter(|f| f.side == side && (!updates_only || f.applies_to_updates))
        .all(|f| f.matches(values))
}

/// The value as the texts a filter compares (empty for no value).
fn texts_of(value: &FieldValue) -> Vec<String> {
    match value {
        FieldValue::Null => Vec::new(),
        FieldValue::Text(s) | FieldValue::Decimal(s) | FieldValue::Option(s) => {
            if s.is_empty() {
                Vec::new()
            } else {
                vec![s.clone()]
            }
        }
        FieldValue::Bool(b) => vec![b.to_string()],
        FieldValue::Integer(n) | FieldValue::Minutes(n) => vec![n.to_string()],
        FieldValue::Date(d) => vec![d.to_string()],
        FieldValue::DateTime(t) => vec![t.to_rfc3339()],
        FieldValue::Options(v) | FieldValue::Links(v) => v.clone(),
        FieldValue::Person(p) => vec![person_text(p)],
        FieldValue::Persons(v) => v.iter().map(person_text).collect(),
        FieldValue::WebLinks(v) => v.iter().map(|l| l.url.clone()).collect(),
    }
}

fn person_text(p: &crate::model::PersonRef) -> String {
    p.email
        .clone()
        .or_else(|| p.username.clone())
        .unwrap_or_else(|| p.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(operator: FilterOperator, values: &[&str]) -> ArtifactFilter {
        ArtifactFilter {
            side: Side::Left,
            field: "priority".into(),
            operator,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            applies_to_updates: false,
        }
    }

    fn with(value: FieldValue) -> ModelValues {
        [("priority".to_owned(), value)].into()
    }

    #[test]
    fn each_operator_reads_as_its_name_says() {
        let high = with(FieldValue::Option("high".into()));
        let none = ModelValues::new();
        assert!(filter(FilterOperator::OneOf, &["high", "urgent"]).matches(&high));
        assert!(!filter(FilterOperator::OneOf, &["low"]).matches(&high));
        assert!(filter(FilterOperator::NoneOf, &["low"]).matches(&high));
        assert!(filter(FilterOperator::NoneOf, &["low"]).matches(&none));
        assert!(filter(FilterOperator::Contains, &["IG"]).matches(&high));
        assert!(filter(FilterOperator::IsSet, &[]).matches(&high));
        assert!(!filter(FilterOperator::IsSet, &[]).matches(&none));
        assert!(filter(FilterOperator::IsEmpty, &[]).matches(&none));
        let labels = with(FieldValue::Options(vec!["a".into(), "b".into()]));
        assert!(filter(FilterOperator::OneOf, &["b"]).matches(&labels));
        assert!(!filter(FilterOperator::NoneOf, &["b"]).matches(&labels));
    }

    #[test]
    fn only_the_filters_of_the_side_and_purpose_count() {
        let low = with(FieldValue::Option("low".into()));
        let mut high_only = filter(FilterOperator::OneOf, &["high"]);
        assert!(!eligible(
            std::slice::from_ref(&high_only),
            Side::Left,
            &low,
            false
        ));
        assert!(eligible(
            std::slice::from_ref(&high_only),
            Side::Right,
            &low,
            false
        ));
        assert!(eligible(
            std::slice::from_ref(&high_only),
            Side::Left,
            &low,
            true
        ));
        high_only.applies_to_updates = true;
        assert!(!eligible(&[high_only], Side::Left, &low, true));
    }
}
