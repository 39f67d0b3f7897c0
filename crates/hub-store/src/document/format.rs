//! The file format: one serde type per TOML table, each refusing unknown keys.
//!
//! These types mirror the domain objects but refer to other objects *by name* (ids are the
//! store's business) and spell lists the way TOML reads best (`[[model.field]]`, not `fields`).
//! The domain's own serde types are not used directly because several of them accept unknown
//! keys, and a misspelled `defualt` in a value map must be an error, not silently ignored.

use std::collections::BTreeMap;

use hub_domain::filter::{ArtifactFilter, FilterOperator};
use hub_domain::integration::{
    ChangeDetection, ConflictStrategy, FieldFlow, IntegrationExtensions, IntegrationStyle, Route,
    Side,
};
use hub_domain::mapping::{FieldMapping, Transform};
use hub_domain::model::{FieldType, FieldValue, ModelField};
use serde::de::{self, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// `[[extension]]`: the script inline (`source`) or in a file beside the document (`file`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExtensionDoc {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// The script, once `file` is read; filled in by the parser.
    #[serde(skip)]
    pub script: String,
}

/// `[[repository]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RepositoryDoc {
    pub name: String,
    pub connector: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub settings: Option<toml::Table>,
    #[serde(default)]
    pub credential: Option<String>,
    #[serde(default)]
    pub proxy: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
}

fn yes() -> bool {
    true
}

/// `[[model]]` with its `[[model.field]]` lines.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelDoc {
    pub name: String,
    #[serde(default, rename = "field")]
    pub fields: Vec<ModelFieldDoc>,
}

/// `[[model.field]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelFieldDoc {
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub options: Vec<String>,
}

impl From<&ModelFieldDoc> for ModelField {
    fn from(f: &ModelFieldDoc) -> Self {
        ModelField {
            name: f.name.clone(),
            field_type: f.field_type,
            required: f.required,
            options: f.options.clone(),
        }
    }
}

/// `[[collection]]`: a repository-sourced collection and its mapping lines.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CollectionDoc {
    pub name: String,
    pub repository: String,
    #[serde(default)]
    pub projects: Vec<String>,
    #[serde(default)]
    pub artifact_types: Vec<String>,
    pub model: String,
    #[serde(default, rename = "field")]
    pub fields: Vec<FieldMappingDoc>,
}

/// `[[collection.field]]`: one mapping line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldMappingDoc {
    pub field: String,
    pub model_field: String,
    #[serde(default)]
    pub to_model: Option<TransformDoc>,
    #[serde(default)]
    pub from_model: Option<TransformDoc>,
}

impl From<&FieldMappingDoc> for FieldMapping {
    fn from(line: &FieldMappingDoc) -> Self {
        let transform = |t: &Option<TransformDoc>| t.clone().map_or(Transform::Copy, Into::into);
        FieldMapping {
            collection_field: line.field.clone(),
            model_field: line.model_field.clone(),
            to_model: transform(&line.to_model),
            from_model: transform(&line.from_model),
        }
    }
}

/// A transform as an inline table: `{ kind = "value_map", map = { High = "high" } }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum TransformDoc {
    Copy,
    ValueMap {
        map: BTreeMap<String, String>,
        #[serde(default)]
        default: Option<String>,
    },
    Constant {
        value: FieldValue,
    },
    Default {
        value: FieldValue,
    },
    Extension {
        name: String,
    },
}

impl From<TransformDoc> for Transform {
    fn from(t: TransformDoc) -> Self {
        match t {
            TransformDoc::Copy => Transform::Copy,
            TransformDoc::ValueMap { map, default } => Transform::ValueMap { map, default },
            TransformDoc::Constant { value } => Transform::Constant { value },
            TransformDoc::Default { value } => Transform::Default { value },
            TransformDoc::Extension { name } => Transform::Extension { name },
        }
    }
}

/// `[[integration]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IntegrationDoc {
    pub name: String,
    pub style: IntegrationStyle,
    pub left: String,
    pub right: String,
    /// Left out: the store's value is kept (a new integration starts stopped).
    #[serde(default)]
    pub running: Option<bool>,
    #[serde(default, rename = "route")]
    pub routes: Vec<RouteDoc>,
    #[serde(default)]
    pub field_flow: BTreeMap<String, FlowDoc>,
    #[serde(default)]
    pub comment_flow: Option<FlowDoc>,
    #[serde(default)]
    pub attachment_flow: Option<FlowDoc>,
    #[serde(default)]
    pub attachment_max_bytes: Option<u64>,
    #[serde(default)]
    pub time_entry_flow: Option<FlowDoc>,
    #[serde(default)]
    pub conflict_strategy: Option<ConflictStrategy>,
    #[serde(default)]
    pub change_detection: ChangeDetectionDoc,
    #[serde(default, rename = "filter")]
    pub filters: Vec<FilterDoc>,
    #[serde(default)]
    pub mirror_projects: Option<Side>,
    #[serde(default)]
    pub extensions: IntegrationExtensions,
}

/// `[[integration.filter]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilterDoc {
    pub side: Side,
    pub field: String,
    pub operator: FilterOperator,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub applies_to_updates: bool,
}

impl From<&FilterDoc> for ArtifactFilter {
    fn from(f: &FilterDoc) -> Self {
        ArtifactFilter {
            side: f.side,
            field: f.field.clone(),
            operator: f.operator,
            values: f.values.clone(),
            applies_to_updates: f.applies_to_updates,
        }
    }
}

/// `[[integration.route]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RouteDoc {
    pub left: String,
    pub right: String,
}

impl From<&RouteDoc> for Route {
    fn from(r: &RouteDoc) -> Self {
        Route {
            left: r.left.clone(),
            right: r.right.clone(),
        }
    }
}

/// `[integration.change_detection]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangeDetectionDoc {
    #[serde(default)]
    pub interval_seconds: Option<u32>,
    #[serde(default)]
    pub cron: Option<String>,
    #[serde(default)]
    pub full_scan_interval_seconds: Option<u32>,
    #[serde(default)]
    pub max_concurrency: Option<u32>,
}

impl From<&ChangeDetectionDoc> for ChangeDetection {
    fn from(c: &ChangeDetectionDoc) -> Self {
        ChangeDetection {
            interval_seconds: c.interval_seconds,
            cron: c.cron.clone(),
            full_scan_interval_seconds: c.full_scan_interval_seconds,
            max_concurrency: c.max_concurrency,
        }
    }
}

/// A flow: a word (`"both"`) or a conditional table
/// (`{ when_field = "type", equals = { type = "option", value = "bug" }, then = "both" }`).
#[derive(Debug, Clone)]
pub(crate) enum FlowDoc {
    Simple(SimpleFlow),
    Conditional(Box<ConditionalDoc>),
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SimpleFlow {
    Both,
    LeftToRight,
    RightToLeft,
    None,
}

const SIMPLE_FLOWS: &[&str] = &["both", "left_to_right", "right_to_left", "none"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConditionalDoc {
    pub then: FlowDoc,
    pub when_field: String,
    pub equals: FieldValue,
}

impl From<&FlowDoc> for FieldFlow {
    fn from(flow: &FlowDoc) -> Self {
        match flow {
            FlowDoc::Simple(SimpleFlow::Both) => FieldFlow::Both,
            FlowDoc::Simple(SimpleFlow::LeftToRight) => FieldFlow::LeftToRight,
            FlowDoc::Simple(SimpleFlow::RightToLeft) => FieldFlow::RightToLeft,
            FlowDoc::Simple(SimpleFlow::None) => FieldFlow::None,
            FlowDoc::Conditional(c) => FieldFlow::Conditional {
                then: Box::new((&c.then).into()),
                when_field: c.when_field.clone(),
                equals: c.equals.clone(),
            },
        }
    }
}

impl<'de> Deserialize<'de> for FlowDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FlowVisitor;

        impl<'de> Visitor<'de> for FlowVisitor {
            type Value = FlowDoc;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "\"both\", \"left_to_right\", \"right_to_left\", \"none\" or a table \
                     { when_field, equals, then }",
                )
            }

            fn visit_str<E: de::Error>(self, word: &str) -> Result<FlowDoc, E> {
                let simple = SimpleFlow::deserialize(word.into_deserializer())
                    .map_err(|_: E| E::unknown_variant(word, SIMPLE_FLOWS))?;
                Ok(FlowDoc::Simple(simple))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FlowDoc, A::Error> {
                let conditional =
                    ConditionalDoc::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(FlowDoc::Conditional(Box::new(conditional)))
            }
        }

        deserializer.deserialize_any(FlowVisitor)
    }
}

/// Connector settings as JSON, the way the store keeps them. TOML dates become their text.
pub(crate) fn settings_json(settings: &Option<toml::Table>) -> serde_json::Value {
    match settings {
        None => serde_json::Value::Null,
        Some(table) => json_of(&toml::Value::Table(table.clone())),
    }
}

fn json_of(value: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => J::Array(items.iter().map(json_of).collect()),
        toml::Value::Table(t) => {
            J::Object(t.iter().map(|(k, v)| (k.clone(), json_of(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Flows {
        f: BTreeMap<String, FlowDoc>,
    }

    #[test]
    fn flows_are_words_or_conditional_tables() {
        let text = r#"
            [f]
            a = "left_to_right"
            b = { when_field = "kind", equals = { type = "option", value = "bug" }, then = "none" }
        "#;
        let flows: Flows = toml::from_str(text).unwrap();
        assert_eq!(FieldFlow::from(&flows.f["a"]), FieldFlow::LeftToRight);
        assert_eq!(
            FieldFlow::from(&flows.f["b"]),
            FieldFlow::Conditional {
                then: Box::new(FieldFlow::None),
                when_field: "kind".into(),
                equals: FieldValue::Option("bug".into()),
            }
        );
    }

    #[test]
    fn a_misspelled_flow_names_the_choices() {
        let err = toml::from_str::<Flows>("[f]\na = \"sideways\"")
            .err()
            .unwrap();
        assert!(err.message().contains("left_to_right"), "{err}");
        let err = toml::from_str::<Flows>("[f]\na = { then = \"both\", when = 1 }")
            .err()
            .unwrap();
        assert!(err.message().contains("unknown field `when`"), "{err}");
    }

    #[test]
    fn settings_become_json() {
        let table: toml::Table = toml::from_str("instance = \"left\"\nseed = 3").unwrap();
        assert_eq!(
            settings_json(&Some(table)),
            serde_json::json!({"instance": "left", "seed": 3})
        );
    }
}
