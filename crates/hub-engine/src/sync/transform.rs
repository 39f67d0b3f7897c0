//! Carrying values between a collection's fields and the model's fields along a [`Mapping`].
//!
//! The sync algorithm only ever compares *model* values, so every artifact read is projected into
//! the model first ([`to_model`]) and every write is translated back ([`from_model`]). Both are
//! pure functions of values: what a tool holds, the mapping and the field types in, values or a
//! coded error out. That keeps them property-testable and lets the engine record a refused value
//! as a failed activity with the catalogue code the administrator needs.
//!
//! Each mapping line applies its transform in its direction ([`Transform::ValueMap`] inverted on
//! the way out), then converts the result to the target field's type (see `convert`).

use std::collections::BTreeMap;

use hub_domain::ErrorCode;
use hub_domain::mapping::{FieldMapping, Mapping, Transform};
use hub_domain::model::{FieldType, FieldValue, Model, ModelField, ModelValues};

use super::convert::{Refusal, convert, is_empty};

/// 17002E: the mapping does not agree with the collection's or the model's schema.
const MAPPING_INVALID: ErrorCode = ErrorCode::error(17002);
/// 17003E: some values were refused.
const VALUES_REFUSED: ErrorCode = ErrorCode::error(17003);
/// 17011E: an extension finished with an error.
const EXTENSION_FAILED: ErrorCode = ErrorCode::error(17011);

/// Why values could not be carried across a mapping.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransformError {
    /// A mapping line names a collection field the collection does not have.
    #[error(
        "the mapping of model field '{model_field}' names collection field '{collection_field}', \
         which the collection does not have"
    )]
    UnknownCollectionField {
        /// The collection field named by the mapping.
        collection_field: String,
        /// The model field of that line.
        model_field: String,
    },
    /// A mapping line names a model field the model does not have.
    #[error("the mapping names model field '{model_field}', which model '{model}' does not have")]
    UnknownModelField {
        /// The model's name.
        model: String,
        /// The model field named by the mapping.
        model_field: String,
    },
    /// A value cannot be converted to the target field's type, or is not one of its options.
    #[error("value {value:?} of field '{from}' cannot go to field '{to}' ({to_type:?}): {reason}")]
    Refused {
        /// The field the value comes from (collection field on the way in, model field out).
        from: String,
        /// The field it was going to.
        to: String,
        /// The target field's type.
        to_type: FieldType,
        /// The value refused (boxed: values can be large).
        value: Box<FieldValue>,
        /// Why, in an administrator's words.
        reason: String,
    },
    /// A value-map transform has no entry and no default for a value.
    #[error(
        "value '{value}' of field '{from}' is not in the value map for field '{to}', which has no default"
    )]
    Unmapped {
        /// The field the value comes from.
        from: String,
        /// The field it was going to.
        to: String,
        /// The unmapped value, in its text form.
        value: String,
    },
    /// A line's value maps are not each other's inverse: the value written for a model value
    /// reads back as another model value, so the write would come back as a change.
    #[error(
        "model value '{value}' of field '{from}' would be written to field '{to}' as '{written}', \
         which reads back as '{reads_back}': the value map out of the model must list, like the \
         one into it, tracker value = model value"
    )]
    NotInverse {
        /// The model field.
        from: String,
        /// The collection field.
        to: String,
        /// The model value, in its text form.
        value: String,
        /// What the value map out of the model chose, in its text form.
        written: String,
        /// What that reads back as through the value map into the model, in its text form.
        reads_back: String,
    },
    /// A line uses a data-transformation extension, which cannot run yet.
    #[error("extension '{name}' for field '{to}' cannot run: extensions are not available yet")]
    ExtensionUnavailable {
        /// The field the value comes from.
        from: String,
        /// The field it was going to.
        to: String,
        /// The extension's name.
        name: String,
    },
}

impl TransformError {
    /// The catalogue code shown for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            TransformError::UnknownCollectionField { .. }
            | TransformError::UnknownModelField { .. }
            | TransformError::NotInverse { .. } => MAPPING_INVALID,
            TransformError::Refused { .. } | TransformError::Unmapped { .. } => VALUES_REFUSED,
            TransformError::ExtensionUnavailable { .. } => EXTENSION_FAILED,
        }
    }
}

/// Projects a collection artifact's field values into model values.
///
/// Every mapping line yields one model value; a collection field without a value in `fields` is
/// [`FieldValue::Null`]. `source_types` are the collection's field types by field id: a line
/// naming a field missing there is an invalid mapping (17002E). Select values must be among the
/// model field's options when it lists any, so the model keeps one vocabulary.
pub fn to_model(
    mapping: &Mapping,
    model: &Model,
    fields: &BTreeMap<String, FieldValue>,
    source_types: &BTreeMap<String, FieldType>,
) -> Result<ModelValues, TransformError> {
    to_model_with(mapping, model, fields, source_types, &BTreeMap::new())
}

/// [`to_model`] with the values data-transformation extensions computed, by model field.
pub fn to_model_with(
    mapping: &Mapping,
    model: &Model,
    fields: &BTreeMap<String, FieldValue>,
    source_types: &BTreeMap<String, FieldType>,
    computed: &BTreeMap<String, FieldValue>,
) -> Result<ModelValues, TransformError> {
    let mut out = ModelValues::new();
    for line in &mapping.fields {
        let field = model_field(model, line)?;
        collection_type(source_types, line)?;
        let ends = Ends {
            from: &line.collection_field,
            to: &line.model_field,
            to_type: field.field_type,
        };
        let value = fields
            .get(&line.collection_field)
            .unwrap_or(&FieldValue::Null);
        let value = match computed.get(&line.model_field) {
            Some(done) if is_extension(&line.to_model) => {
                convert(done, field.field_type).map_err(|reason| ends.refused(done, reason))?
            }
            _ => apply(&line.to_model, value, &ends, Way::Forward)?,
        };
        check_options(field, &value, &ends)?;
        out.insert(line.model_field.clone(), value);
    }
    Ok(out)
}

fn is_extension(transform: &Transform) -> bool {
    matches!(transform, Transform::Extension { .. })
}

/// Translates model values into collection field values, for writing.
///
/// Only lines whose model field is present in `values` are translated: a sync plan writes just
/// the fields it settled, and a missing model value must never become a cleared field. To create
/// an artifact, pass every model field (`Null` where there is none) so `Default` and `Constant`
/// lines apply. `target_types` are the collection's field types by field id; a line naming a
/// field missing there is an invalid mapping (17002E), whether or not its value is present.
pub fn from_model(
    mapping: &Mapping,
    model: &Model,
    values: &ModelValues,
    target_types: &BTreeMap<String, FieldType>,
) -> Result<BTreeMap<String, FieldValue>, TransformError> {
    from_model_with(mapping, model, values, target_types, &BTreeMap::new())
}

/// [`from_model`] with the values data-transformation extensions computed, by collection field.
pub fn from_model_with(
    mapping: &Mapping,
    model: &Model,
    values: &ModelValues,
    target_types: &BTreeMap<String, FieldType>,
    computed: &BTreeMap<String, FieldValue>,
) -> Result<BTreeMap<String, FieldValue>, TransformError> {
    let mut out = BTreeMap::new();
    for line in &mapping.fields {
        let field = model_field(model, line)?;
        let to_type = collection_type(target_types, line)?;
        let Some(value) = values.get(&line.model_field) else {
            continue;
        };
        let value_in_model = value;
        let ends = Ends {
            from: &line.model_field,
            to: &line.collection_field,
            to_type,
        };
        let value = match computed.get(&line.collection_field) {
            Some(done) if is_extension(&line.from_model) => {
                convert(done, to_type).map_err(|reason| ends.refused(done, reason))?
            }
            _ => apply(&line.from_model, value, &ends, Way::Inverse)?,
        };
        reads_back(line, field, value_in_model, &value)?;
        out.insert(line.collection_field.clone(), value);
    }
    Ok(out)
}

/// Refuses a write through value maps both ways that would not read back as the model value
/// it carries (17002E): a map out of the model written the other way round, or a default
/// standing in for a value the map lacks. Written anyway, the tracker would hold another value
/// than its side's snapshot, and the next read would carry that value back as a change.
fn reads_back(
    line: &FieldMapping,
    field: &ModelField,
    model_value: &FieldValue,
    written: &FieldValue,
) -> Result<(), TransformError> {
    let (Transform::ValueMap { .. }, Transform::ValueMap { .. }) =
        (&line.to_model, &line.from_model)
    else {
        return Ok(());
    };
    if is_empty(model_value) {
        return Ok(());
    }
    let ends = Ends {
        from: &line.collection_field,
        to: &line.model_field,
        to_type: field.field_type,
    };
    let wanted =
        convert(model_value, field.field_type).map_err(|r| ends.refused(model_value, r))?;
    let back = apply(&line.to_model, written, &ends, Way::Forward)?;
    if back.clone().normalized() == wanted.clone().normalized() {
        return Ok(());
    }
    let shown = |v: &FieldValue| match v {
        FieldValue::Option(s) | FieldValue::Text(s) => s.clone(),
        FieldValue::Options(many) => many.join(", "),
        other => format!("{other:?}"),
    };
    Err(TransformError::NotInverse {
        from: line.model_field.clone(),
        to: line.collection_field.clone(),
        value: shown(&wanted),
        written: shown(written),
        reads_back: shown(&back),
    })
}

/// Which way a value map is read.
#[derive(Clone, Copy)]
enum Way {
    /// Collection value to model value, as written.
    Forward,
    /// Model value to collection value: the map inverted.
    Inverse,
}

/// The two fields of one line in the direction of travel, and the target's type.
struct Ends<'a> {
    from: &'a str,
    to: &'a str,
    to_type: FieldType,
}

impl Ends<'_> {
    fn refused(&self, value: &FieldValue, reason: Refusal) -> TransformError {
        TransformError::Refused {
            from: self.from.to_owned(),
            to: self.to.to_owned(),
            to_type: self.to_type,
            value: Box::new(value.clone()),
            reason,
        }
    }
}

fn model_field<'m>(
    model: &'m Model,
    line: &FieldMapping,
) -> Result<&'m ModelField, TransformError> {
    model
        .field(&line.model_field)
        .ok_or_else(|| TransformError::UnknownModelField {
            model: model.name.clone(),
            model_field: line.model_field.clone(),
        })
}

fn collection_type(
    types: &BTreeMap<String, FieldType>,
    line: &FieldMapping,
) -> Result<FieldType, TransformError> {
    types.get(&line.collection_field).copied().ok_or_else(|| {
        TransformError::UnknownCollectionField {
            collection_field: line.collection_field.clone(),
            model_field: line.model_field.clone(),
        }
    })
}

/// Applies one transform to a source value and converts the outcome to the target type.
fn apply(
    transform: &Transform,
    value: &FieldValue,
    ends: &Ends<'_>,
    way: Way,
) -> Result<FieldValue, TransformError> {
    let chosen = match transform {
        Transform::Copy => value.clone(),
        Transform::ValueMap { map, default } => {
            map_value(map, default.as_deref(), value, ends, way)?
        }
        Transform::Constant { value: constant } => constant.clone(),
        Transform::Default { value: fallback } if is_empty(value) => fallback.clone(),
        Transform::Default { .. } => value.clone(),
        Transform::Extension { name } => {
            return Err(TransformError::ExtensionUnavailable {
                from: ends.from.to_owned(),
                to: ends.to.to_owned(),
                name: name.clone(),
            });
        }
    };
    convert(&chosen, ends.to_type).map_err(|reason| ends.refused(&chosen, reason))
}

/// Translates a value through a value map: each option of a multi-select, or the text form of
/// any other scalar. No value stays no value.
fn map_value(
    map: &BTreeMap<String, String>,
    default: Option<&str>,
    value: &FieldValue,
    ends: &Ends<'_>,
    way: Way,
) -> Result<FieldValue, TransformError> {
    if let FieldValue::Options(keys) = value {
        let mapped = keys.iter().map(|k| map_key(map, default, k, ends, way));
        return mapped.collect::<Result<_, _>>().map(FieldValue::Options);
    }
    match convert(value, FieldType::String) {
        Ok(FieldValue::Text(key)) => map_key(map, default, &key, ends, way).map(FieldValue::Text),
        Ok(_) => Ok(FieldValue::Null),
        Err(reason) => Err(ends.refused(value, reason)),
    }
}

fn map_key(
    map: &BTreeMap<String, String>,
    default: Option<&str>,
    key: &str,
    ends: &Ends<'_>,
    way: Way,
) -> Result<String, TransformError> {
    let found = match way {
        Way::Forward => map.get(key),
        // BTreeMap iterates in key order, so the first collection value wins.
        Way::Inverse => map.iter().find(|(_, v)| *v == key).map(|(k, _)| k),
    };
    found
        .map(String::as_str)
        .or(default)
        .map(str::to_owned)
        .ok_or_else(|| TransformError::Unmapped {
            from: ends.from.to_owned(),
            to: ends.to.to_owned(),
            value: key.to_owned(),
        })
}

/// Refuses select values outside the model field's options (when it lists any).
fn check_options(
    field: &ModelField,
    value: &FieldValue,
    ends: &Ends<'_>,
) -> Result<(), TransformError> {
    let chosen: &[String] = match value {
        FieldValue::Option(one) => std::slice::from_ref(one),
        FieldValue::Options(many) => many,
        _ => return Ok(()),
    };
    let outside = chosen.iter().find(|o| !field.options.contains(o));
    match outside {
        Some(bad) if !field.options.is_empty() => Err(ends.refused(
            value,
            format!(
                "'{bad}' is not one of the options of model field '{}'",
                field.name
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::convert::canonical_decimal;
    use chrono::{NaiveDate, TimeZone, Utc};
    use hub_domain::ids::{CollectionId, ModelId};
    use hub_domain::model::{PersonRef, WebLink};
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    use FieldType as T;
    use FieldValue as V;

    fn model_field(name: &str, field_type: FieldType, options: &[&str]) -> ModelField {
        ModelField {
            name: name.into(),
            field_type,
            required: false,
            options: options.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn defect() -> Model {
        Model {
            id: Some(ModelId(1)),
            name: "Defect".into(),
            fields: vec![
                model_field("title", T::String, &[]),
                model_field("priority", T::SingleSelect, &["Low", "Medium", "High"]),
                model_field("labels", T::MultiSelect, &["ui", "backend", "docs"]),
                model_field("estimate", T::Decimal, &[]),
                model_field("done", T::Boolean, &[]),
                model_field("severity", T::String, &[]),
            ],
        }
    }

    fn line(
        collection_field: &str,
        model_field: &str,
        to: Transform,
        from: Transform,
    ) -> FieldMapping {
        FieldMapping {
            collection_field: collection_field.into(),
            model_field: model_field.into(),
            to_model: to,
            from_model: from,
        }
    }

    fn copy(collection_field: &str, model_field: &str) -> FieldMapping {
        line(
            collection_field,
            model_field,
            Transform::Copy,
            Transform::Copy,
        )
    }

    fn mapping(lines: Vec<FieldMapping>) -> Mapping {
        Mapping {
            collection: CollectionId(1),
            model: ModelId(1),
            fields: lines,
        }
    }

    fn types(pairs: &[(&str, FieldType)]) -> BTreeMap<String, FieldType> {
        pairs.iter().map(|(k, t)| (k.to_string(), *t)).collect()
    }

    fn values(pairs: &[(&str, FieldValue)]) -> BTreeMap<String, FieldValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn text(s: &str) -> FieldValue {
        V::Text(s.into())
    }

    fn option(s: &str) -> FieldValue {
        V::Option(s.into())
    }

    fn priorities() -> Transform {
        let map = [("1", "Low"), ("2", "Medium"), ("3", "High"), ("4", "High")];
        Transform::ValueMap {
            map: map
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            default: None,
        }
    }

    #[test]
    fn copy_converts_to_the_model_types_and_absent_values_are_null() {
        let m = mapping(vec![
            copy("summary", "title"),
            copy("effort", "estimate"),
            copy("resolved", "done"),
        ]);
        let t = types(&[
            ("summary", T::String),
            ("effort", T::String),
            ("resolved", T::String),
        ]);
        let fields = values(&[("effort", text("01.50")), ("resolved", text("yes"))]);
        let out = to_model(&m, &defect(), &fields, &t).unwrap();
        let expected = values(&[
            ("title", V::Null),
            ("estimate", V::Decimal("1.5".into())),
            ("done", V::Bool(true)),
        ]);
        assert_eq!(out, expected);
        let back = from_model(&m, &defect(), &out, &t).unwrap();
        let expected = values(&[
            ("summary", V::Null),
            ("effort", text("1.5")),
            ("resolved", text("true")),
        ]);
        assert_eq!(back, expected);
    }

    #[test]
    fn value_maps_translate_in_and_invert_out_with_the_first_key_winning() {
        let m = mapping(vec![line("prio", "priority", priorities(), priorities())]);
        let t = types(&[("prio", T::SingleSelect)]);
        let into = to_model(&m, &defect(), &values(&[("prio", option("4"))]), &t).unwrap();
        assert_eq!(into, values(&[("priority", option("High"))]));
        let out = from_model(&m, &defect(), &into, &t).unwrap();
        assert_eq!(out, values(&[("prio", option("3"))]));
    }

    #[test]
    fn unmapped_values_use_the_default_or_are_refused() {
        let with_default = Transform::ValueMap {
            map: [("a".to_string(), "ui".to_string())].into(),
            default: Some("docs".into()),
        };
        let m = mapping(vec![line(
            "tags",
            "labels",
            with_default.clone(),
            with_default,
        )]);
        let t = types(&[("tags", T::MultiSelect)]);
        let fields = values(&[("tags", V::Options(vec!["a".into(), "zzz".into()]))]);
        let into = to_model(&m, &defect(), &fields, &t).unwrap();
        let expected = V::Options(vec!["docs".into(), "ui".into()]);
        assert_eq!(into, values(&[("labels", expected)]));
        let out = from_model(
            &m,
            &defect(),
            &values(&[("labels", V::Options(vec!["docs".into()]))]),
            &t,
        );
        assert_eq!(
            out.unwrap(),
            values(&[("tags", V::Options(vec!["docs".into()]))])
        );
        // A default that would read back as another value is no way to write this one.
        let err = from_model(
            &m,
            &defect(),
            &values(&[("labels", V::Options(vec!["backend".into()]))]),
            &t,
        )
        .unwrap_err();
        assert!(matches!(err, TransformError::NotInverse { .. }), "{err:?}");
        assert_eq!(err.code().to_string(), "SYN-17002E");

        let m = mapping(vec![line("prio", "priority", priorities(), priorities())]);
        let t = types(&[("prio", T::SingleSelect)]);
        let err = to_model(&m, &defect(), &values(&[("prio", option("9"))]), &t).unwrap_err();
        let expected = TransformError::Unmapped {
            from: "prio".into(),
            to: "priority".into(),
            value: "9".into(),
        };
        assert_eq!(err, expected);
        assert_eq!(err.code().to_string(), "SYN-17003E");
        let err = from_model(
            &m,
            &defect(),
            &values(&[("priority", option("Medium2"))]),
            &t,
        );
        assert!(matches!(err, Err(TransformError::Unmapped { .. })));
    }

    #[test]
    fn a_map_out_of_the_model_written_model_first_is_refused_not_defaulted() {
        let map = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let into = Transform::ValueMap {
            map: map(&[("1", "Low"), ("2", "Medium"), ("3", "High"), ("4", "High")]),
            default: Some("Medium".into()),
        };
        let backwards = Transform::ValueMap {
            map: map(&[("Low", "1"), ("Medium", "2"), ("High", "3")]),
            default: Some("2".into()),
        };
        let m = mapping(vec![line("prio", "priority", into, backwards)]);
        let t = types(&[("prio", T::SingleSelect)]);
        let err =
            from_model(&m, &defect(), &values(&[("priority", option("High"))]), &t).unwrap_err();
        let expected = TransformError::NotInverse {
            from: "priority".into(),
            to: "prio".into(),
            value: "High".into(),
            written: "2".into(),
            reads_back: "Medium".into(),
        };
        assert_eq!(err, expected);
        assert_eq!(err.code().to_string(), "SYN-17002E");
    }

    #[test]
    fn no_value_passes_a_value_map_as_no_value() {
        let m = mapping(vec![line("prio", "priority", priorities(), priorities())]);
        let t = types(&[("prio", T::SingleSelect)]);
        let into = to_model(&m, &defect(), &BTreeMap::new(), &t).unwrap();
        assert_eq!(into, values(&[("priority", V::Null)]));
    }

    #[test]
    fn constants_ignore_the_source_and_defaults_fill_empty_values() {
        let constant = Transform::Constant {
            value: text("Major"),
        };
        let fallback = Transform::Default {
            value: option("Medium"),
        };
        let m = mapping(vec![
            line("sev", "severity", constant.clone(), constant),
            line("prio", "priority", fallback.clone(), fallback),
        ]);
        let t = types(&[("sev", T::String), ("prio", T::SingleSelect)]);
        let fields = values(&[("sev", text("Minor")), ("prio", option(""))]);
        let into = to_model(&m, &defect(), &fields, &t).unwrap();
        assert_eq!(
            into,
            values(&[("severity", text("Major")), ("priority", option("Medium"))])
        );
        let fields = values(&[("prio", option("High"))]);
        let into = to_model(&m, &defect(), &fields, &t).unwrap();
        assert_eq!(into["priority"], option("High"));
        let out = from_model(&m, &defect(), &values(&[("priority", V::Null)]), &t).unwrap();
        assert_eq!(out, values(&[("prio", option("Medium"))]));
    }

    #[test]
    fn extensions_are_not_available_yet() {
        let ext = Transform::Extension {
            name: "clean-title".into(),
        };
        let m = mapping(vec![line("summary", "title", ext.clone(), ext)]);
        let t = types(&[("summary", T::String)]);
        let err = to_model(&m, &defect(), &BTreeMap::new(), &t).unwrap_err();
        assert!(
            matches!(&err, TransformError::ExtensionUnavailable { name, .. } if name == "clean-title")
        );
        assert_eq!(err.code().to_string(), "SYN-17011E");
        let err = from_model(&m, &defect(), &values(&[("title", text("x"))]), &t).unwrap_err();
        assert_eq!(err.code().to_string(), "SYN-17011E");
    }

    #[test]
    fn fields_missing_from_the_collection_or_model_make_the_mapping_invalid() {
        let m = mapping(vec![copy("summary", "title")]);
        let err = to_model(&m, &defect(), &BTreeMap::new(), &BTreeMap::new()).unwrap_err();
        assert!(
            matches!(&err, TransformError::UnknownCollectionField { collection_field, .. } if collection_field == "summary")
        );
        assert_eq!(err.code().to_string(), "SYN-17002E");
        let err = from_model(&m, &defect(), &BTreeMap::new(), &BTreeMap::new()).unwrap_err();
        assert_eq!(err.code().to_string(), "SYN-17002E");

        let m = mapping(vec![copy("summary", "headline")]);
        let t = types(&[("summary", T::String)]);
        let err = to_model(&m, &defect(), &BTreeMap::new(), &t).unwrap_err();
        assert!(
            matches!(&err, TransformError::UnknownModelField { model_field, .. } if model_field == "headline")
        );
        assert_eq!(err.code().to_string(), "SYN-17002E");
    }

    #[test]
    fn unconvertible_values_are_refused_with_fields_and_value() {
        let m = mapping(vec![copy("effort", "estimate")]);
        let t = types(&[("effort", T::String)]);
        let err = to_model(&m, &defect(), &values(&[("effort", text("lots"))]), &t).unwrap_err();
        let TransformError::Refused {
            from,
            to,
            to_type,
            value,
            reason,
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(
            (from.as_str(), to.as_str(), *to_type),
            ("effort", "estimate", T::Decimal)
        );
        assert_eq!(**value, text("lots"));
        assert!(reason.contains("not a decimal"), "{reason}");
        assert_eq!(err.code().to_string(), "SYN-17003E");
        assert!(err.to_string().contains("'effort'"), "{err}");
    }

    #[test]
    fn select_values_must_be_model_options() {
        let m = mapping(vec![copy("prio", "priority")]);
        let t = types(&[("prio", T::SingleSelect)]);
        let err = to_model(&m, &defect(), &values(&[("prio", option("Urgent"))]), &t).unwrap_err();
        assert!(
            matches!(&err, TransformError::Refused { reason, .. } if reason.contains("'Urgent'"))
        );
        assert_eq!(err.code().to_string(), "SYN-17003E");
    }

    #[test]
    fn only_present_model_values_are_written_out() {
        let m = mapping(vec![copy("summary", "title"), copy("resolved", "done")]);
        let t = types(&[("summary", T::String), ("resolved", T::Boolean)]);
        let out = from_model(&m, &defect(), &values(&[("done", V::Bool(true))]), &t).unwrap();
        assert_eq!(out, values(&[("resolved", V::Bool(true))]));
    }

    #[test]
    fn every_code_is_in_the_catalogue() {
        let errors = [
            TransformError::UnknownModelField {
                model: "m".into(),
                model_field: "f".into(),
            },
            TransformError::Unmapped {
                from: "a".into(),
                to: "b".into(),
                value: "v".into(),
            },
            TransformError::ExtensionUnavailable {
                from: "a".into(),
                to: "b".into(),
                name: "x".into(),
            },
        ];
        for err in errors {
            assert!(err.code().entry().is_some(), "{}", err.code());
        }
    }

    /// One mapping line of a generated round trip: a type, a transform and a value per side.
    #[derive(Debug, Clone)]
    struct Line {
        collection_type: FieldType,
        model_type: FieldType,
        transform: Transform,
        options: Vec<String>,
        collection: FieldValue,
        model: FieldValue,
    }

    const OPTIONS: [&str; 3] = ["a", "b", "c"];

    fn person() -> impl Strategy<Value = PersonRef> {
        ("[a-z]{1,4}", proptest::option::of("[a-z]{1,4}")).prop_map(|(id, username)| PersonRef {
            id,
            username,
            email: None,
            display_name: None,
        })
    }

    fn some_value(ty: FieldType) -> BoxedStrategy<FieldValue> {
        let words = || prop::collection::vec("[a-z]{1,4}", 1..4);
        let options = || prop::sample::subsequence(OPTIONS.to_vec(), 1..=3);
        match ty {
            T::String | T::RichText => "[a-z][a-z \n]{0,10}".prop_map(V::Text).boxed(),
            T::Integer => any::<i64>().prop_map(V::Integer).boxed(),
            T::Duration => (0i64..100_000).prop_map(V::Minutes).boxed(),
            T::Decimal => "-?[0-9]{1,6}(\\.[0-9]{1,4})?"
                .prop_map(|d| V::Decimal(canonical_decimal(&d).unwrap()))
                .boxed(),
            T::Boolean => any::<bool>().prop_map(V::Bool).boxed(),
            T::Date => (0i32..100_000)
                .prop_map(|d| V::Date(NaiveDate::from_num_days_from_ce_opt(700_000 + d).unwrap()))
                .boxed(),
            T::DateTime => (0i64..4_000_000_000)
                .prop_map(|s| V::DateTime(Utc.timestamp_opt(s, 0).unwrap()))
                .boxed(),
            T::SingleSelect => prop::sample::select(OPTIONS.to_vec())
                .prop_map(|o| V::Option(o.into()))
                .boxed(),
            T::MultiSelect => options()
                .prop_map(|o| V::Options(o.into_iter().map(String::from).collect()))
                .boxed(),
            T::Person => person().prop_map(V::Person).boxed(),
            T::Persons => prop::collection::vec(person(), 1..3)
                .prop_map(|p| V::Persons(p).normalized())
                .boxed(),
            T::Relationship => "[0-9]{1,3}".prop_map(|l| V::Links(vec![l])).boxed(),
            T::Relationships => words().prop_map(|l| V::Links(l).normalized()).boxed(),
            _ => ("[a-z]{1,4}", "[a-z]{1,4}")
                .prop_map(|(url, label)| V::WebLinks(vec![WebLink { url, label }]))
                .boxed(),
        }
    }

    fn value(ty: FieldType) -> BoxedStrategy<FieldValue> {
        prop_oneof![1 => Just(V::Null), 4 => some_value(ty)].boxed()
    }

    fn copy_line() -> impl Strategy<Value = Line> {
        let types = vec![
            T::String,
            T::RichText,
            T::Integer,
            T::Duration,
            T::Decimal,
            T::Boolean,
            T::Date,
            T::DateTime,
            T::SingleSelect,
            T::MultiSelect,
            T::Person,
            T::Persons,
            T::Relationship,
            T::Relationships,
            T::WebLinks,
        ];
        prop::sample::select(types)
            .prop_flat_map(|ty| (Just(ty), value(ty), value(ty)))
            .prop_map(|(ty, collection, model)| Line {
                collection_type: ty,
                model_type: ty,
                transform: Transform::Copy,
                options: if ty.has_options() {
                    OPTIONS.map(String::from).to_vec()
                } else {
                    vec![]
                },
                collection,
                model,
            })
    }

    /// A bijective value map between collection options `c0..c3` and model options `m0..m3`.
    fn value_map_line() -> impl Strategy<Value = Line> {
        let perm = Just((0..4).collect::<Vec<usize>>()).prop_shuffle();
        let set = || prop::collection::btree_set(0..4usize, 1..4);
        (any::<bool>(), perm, 0..4usize, 0..4usize, set(), set()).prop_map(
            |(multi, perm, ci, mi, cs, ms)| {
                let map = (0..4)
                    .map(|i| (format!("c{i}"), format!("m{}", perm[i])))
                    .collect();
                let names = |p: &str, s: BTreeSet<usize>| {
                    V::Options(s.iter().map(|i| format!("{p}{i}")).collect())
                };
                let (ty, collection, model) = if multi {
                    (T::MultiSelect, names("c", cs), names("m", ms))
                } else {
                    (
                        T::SingleSelect,
                        V::Option(format!("c{ci}")),
                        V::Option(format!("m{mi}")),
                    )
                };
                Line {
                    collection_type: ty,
                    model_type: ty,
                    transform: Transform::ValueMap { map, default: None },
                    options: (0..4).map(|i| format!("m{i}")).collect(),
                    collection,
                    model,
                }
            },
        )
    }

    struct Setup {
        model: Model,
        mapping: Mapping,
        types: BTreeMap<String, FieldType>,
        fields: BTreeMap<String, FieldValue>,
        values: ModelValues,
    }

    fn setup(lines: &[Line]) -> Setup {
        let name = |p: &str, i: usize| format!("{p}{i}");
        let fields = lines.iter().enumerate();
        Setup {
            model: Model {
                id: None,
                name: "Generated".into(),
                fields: fields
                    .clone()
                    .map(|(i, l)| ModelField {
                        name: name("model_", i),
                        field_type: l.model_type,
                        required: false,
                        options: l.options.clone(),
                    })
                    .collect(),
            },
            mapping: mapping(
                fields
                    .clone()
                    .map(|(i, l)| {
                        line(
                            &name("coll_", i),
                            &name("model_", i),
                            l.transform.clone(),
                            l.transform.clone(),
                        )
                    })
                    .collect(),
            ),
            types: fields
                .clone()
                .map(|(i, l)| (name("coll_", i), l.collection_type))
                .collect(),
            fields: fields
                .clone()
                .map(|(i, l)| (name("coll_", i), l.collection.clone()))
                .collect(),
            values: fields
                .map(|(i, l)| (name("model_", i), l.model.clone()))
                .collect(),
        }
    }

    proptest! {
        /// (d) Out of the model and back in (and the reverse) changes nothing, for Copy mappings
        /// between fields of the same type and for bijective value maps.
        #[test]
        fn to_model_and_from_model_are_inverse(
            lines in prop::collection::vec(prop_oneof![copy_line(), value_map_line()], 1..8)
        ) {
            let s = setup(&lines);
            let out = from_model(&s.mapping, &s.model, &s.values, &s.types).unwrap();
            prop_assert_eq!(&to_model(&s.mapping, &s.model, &out, &s.types).unwrap(), &s.values);
            let into = to_model(&s.mapping, &s.model, &s.fields, &s.types).unwrap();
            prop_assert_eq!(&from_model(&s.mapping, &s.model, &into, &s.types).unwrap(), &s.fields);
        }
    }
}
