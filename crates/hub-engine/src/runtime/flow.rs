//! Which way a field (or comments, attachments) may flow for a given source artifact.

use hub_domain::integration::{FieldFlow, Side};
use hub_domain::model::{FieldValue, ModelValues};

/// Whether `flow` lets values of the `from` side go to the other side, given the source's values
/// (for conditional flows).
pub fn allows(flow: &FieldFlow, from: Side, source: &ModelValues) -> bool {
    match flow {
        FieldFlow::Both => true,
        FieldFlow::LeftToRight => from == Side::Left,
        FieldFlow::RightToLeft => from == Side::Right,
        FieldFlow::None => false,
        FieldFlow::Conditional {
            then,
            when_field,
            equals,
        } => {
            source.get(when_field).unwrap_or(&FieldValue::Null) == equals
                && allows(then, from, source)
        }
    }
}

/// The source's values of fields that may flow from `from`, every other model field absent.
pub fn flowing(
    flows: &std::collections::BTreeMap<String, FieldFlow>,
    from: Side,
    source: &ModelValues,
) -> ModelValues {
    source
        .iter()
        .filter(|(field, _)| allows(flows.get(*field).unwrap_or(&FieldFlow::Both), from, source))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_flows_test_the_source_value() {
        let flow = FieldFlow::Conditional {
            then: Box::new(FieldFlow::LeftToRight),
            when_field: "kind".into(),
            equals: FieldValue::Option("bug".into()),
        };
        let mut source = ModelValues::new();
        source.insert("kind".into(), FieldValue::Option("bug".into()));
        assert!(allows(&flow, Side::Left, &source));
        assert!(!allows(&flow, Side::Right, &source));
        source.insert("kind".into(), FieldValue::Option("story".into()));
        assert!(!allows(&flow, Side::Left, &source));
    }

    #[test]
    fn only_flowing_fields_are_kept() {
        let mut flows = std::collections::BTreeMap::new();
        flows.insert("secret".to_owned(), FieldFlow::None);
        flows.insert("back".to_owned(), FieldFlow::RightToLeft);
        let source: ModelValues = [
            ("secret".to_owned(), FieldValue::Integer(1)),
            ("back".to_owned(), FieldValue::Integer(2)),
            ("title".to_owned(), FieldValue::Text("t".into())),
        ]
        .into();
        let out = flowing(&flows, Side::Left, &source);
        assert_eq!(out.keys().collect::<Vec<_>>(), ["title"]);
    }
}
