//! Checks written values against the schema the way a strict tracker does.
//!
//! Every refusal is an [`ErrorClass::InvalidValue`](crate::ErrorClass::InvalidValue) naming the
//! field, so the engine can fail one artifact with a message an administrator understands. All
//! values of a write are checked before any is stored: a refused write changes nothing.

use std::collections::BTreeMap;

use hub_domain::model::{FieldType, FieldValue, PersonRef};

use super::state::{ArtifactRecord, TrackerState, artifact_key, invalid};
use crate::connector::Result;
use crate::types::FieldSchema;

/// Checks every value of a write. `creating` also requires the required fields.
pub(crate) fn check_write(
    state: &TrackerState,
    fields: &BTreeMap<String, FieldValue>,
    creating: bool,
) -> Result<()> {
    let schema = super::schema::schema();
    for (id, value) in fields {
        let field = schema
            .field(id)
            .ok_or_else(|| invalid(id, "no such field"))?;
        if field.read_only {
            let hint = if id == super::schema::STATUS {
                "; use a transition"
            } else {
                ""
            };
            return Err(invalid(id, format!("is read-only{hint}")));
        }
        check_value(state, field, value)?;
    }
    if creating {
        for field in schema.fields.iter().filter(|f| f.required) {
            if !fields.contains_key(&field.id) {
                return Err(invalid(&field.id, "is required"));
            }
        }
    }
    Ok(())
}

fn check_value(state: &TrackerState, field: &FieldSchema, value: &FieldValue) -> Result<()> {
    let id = field.id.as_str();
    let in_options = |option: &String| {
        if field.options.contains(option) {
            Ok(())
        } else {
            Err(invalid(
                id,
                format!("'{option}' is not one of {}", field.options.join(", ")),
            ))
        }
    };
    let known_person = |person: &PersonRef| {
        if state.persons.iter().any(|p| p.id == person.id) {
            Ok(())
        } else {
            Err(invalid(id, format!("no person with id '{}'", person.id)))
        }
    };
    let known_artifacts = |links: &[String]| match links
        .iter()
        .find(|link| !artifact_key(link).is_some_and(|k| state.artifacts.contains_key(&k)))
    {
        Some(missing) => Err(invalid(id, format!("no artifact '{missing}' to link to"))),
        None => Ok(()),
    };
    match (field.field_type, value) {
        (_, FieldValue::Null) if field.required => Err(invalid(id, "is required")),
        (_, FieldValue::Null) => Ok(()),
        (FieldType::String, FieldValue::Text(text)) if field.required && text.trim().is_empty() => {
            Err(invalid(id, "is required and cannot be blank"))
        }
        (FieldType::String | FieldType::RichText, FieldValue::Text(_))
        | (FieldType::Boolean, FieldValue::Bool(_))
        | (FieldType::Integer, FieldValue::Integer(_))
        | (FieldType::Date, FieldValue::Date(_))
        | (FieldType::DateTime, FieldValue::DateTime(_)) => Ok(()),
        (FieldType::Decimal, FieldValue::Decimal(text)) if is_decimal(text) => Ok(()),
        (FieldType::Decimal, FieldValue::Decimal(text)) => {
            Err(invalid(id, format!("'{text}' is not a decimal number")))
        }
        (FieldType::Duration, FieldValue::Minutes(m)) if *m >= 0 => Ok(()),
        (FieldType::Duration, FieldValue::Minutes(_)) => Err(invalid(id, "cannot be negative")),
        (FieldType::SingleSelect, FieldValue::Option(option)) => in_options(option),
        (FieldType::MultiSelect, FieldValue::Options(options)) => {
            options.iter().try_for_each(in_options)
        }
        (FieldType::Person, FieldValue::Person(person)) => known_person(person),
        (FieldType::Persons, FieldValue::Persons(persons)) => {
            persons.iter().try_for_each(known_person)
        }
        (FieldType::Relationship, FieldValue::Links(links)) if links.len() > 1 => {
            Err(invalid(id, "holds one link at most"))
        }
        (FieldType::Relationship | FieldType::Relationships, FieldValue::Links(links)) => {
            known_artifacts(links)
        }
        (FieldType::WebLinks, FieldValue::WebLinks(links)) => {
            match links.iter().any(|link| link.url.trim().is_empty()) {
                true => Err(invalid(id, "a web link has no URL")),
                false => Ok(()),
            }
        }
        (field_type, other) => Err(invalid(
            id,
            format!("a {field_type:?} field cannot hold {other:?}"),
        )),
    }
}

/// `-12`, `3.50`, `+0.1`: optional sign, digits, optional fraction.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty() && all_digits(whole) && all_digits(fraction) && !digits.ends_with('.')
}

/// Stores the (checked) values: set-like values sorted, persons completed from the directory.
/// Returns whether any stored value changed.
pub(crate) fn store_values(
    persons: &[PersonRef],
    record: &mut ArtifactRecord,
    fields: &BTreeMap<String, FieldValue>,
) -> bool {
    let mut changed = false;
    let canonical = |p: &PersonRef| {
        persons
            .iter()
            .find(|known| known.id == p.id)
            .cloned()
            .unwrap_or_else(|| p.clone())
    };
    for (id, value) in fields {
        let stored = match value {
            FieldValue::Person(p) => FieldValue::Person(canonical(p)),
            FieldValue::Persons(ps) => FieldValue::Persons(ps.iter().map(canonical).collect()),
            other => other.clone(),
        }
        .normalized();
        match record.artifact.fields.get_mut(id) {
            Some(slot) if *slot == stored => {}
            Some(slot) => {
                *slot = stored;
                changed = true;
            }
            None => {
                record.artifact.fields.insert(id.clone(), stored);
                changed = true;
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_plain_decimal_text() {
        for ok in ["0", "12", "-3.5", "+0.25", "10.00"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", ".", "1.", ".5", "1e3", "1,5", "abc", "--1"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }
}
