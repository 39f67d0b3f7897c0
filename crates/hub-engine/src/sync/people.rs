//! People in model values: how they are compared and what both sides of a pair agree on.
//!
//! A person is the same human on both sides but carries each tracker's own id, user name and
//! display name. Comparing whole references would see a change whenever a pair's two sides
//! name one person differently, so each side's values are compared by that side's person ids
//! only; the full references are kept for reconciliation (e-mail, then user name, then display
//! name) when a person is written to the other side.

use hub_domain::model::{FieldValue, ModelValues, PersonRef};

/// `values` with every person reduced to its id: the form snapshots are stored and compared in.
pub fn identities(values: &ModelValues) -> ModelValues {
    values
        .iter()
        .map(|(field, value)| (field.clone(), identity_of(value)))
        .collect()
}

fn identity_of(value: &FieldValue) -> FieldValue {
    let bare = |p: &PersonRef| PersonRef {
        id: p.id.clone(),
        username: None,
        email: None,
        display_name: None,
    };
    match value {
        FieldValue::Person(p) => FieldValue::Person(bare(p)),
        FieldValue::Persons(ps) => FieldValue::Persons(ps.iter().map(bare).collect()).normalized(),
        other => other.clone(),
    }
}

fn is_person(value: &FieldValue) -> bool {
    matches!(value, FieldValue::Person(_) | FieldValue::Persons(_))
}

/// `changes` (in compared form) with each person field taken whole from `source`, so the
/// people can be looked up by e-mail, user name or display name on the other side.
pub fn with_full_people(changes: &ModelValues, source: &ModelValues) -> ModelValues {
    changes
        .iter()
        .map(|(field, value)| match source.get(field) {
            Some(full) if is_person(value) && is_person(full) => (field.clone(), full.clone()),
            _ => (field.clone(), value.clone()),
        })
        .collect()
}

/// What the source side of a newly made pair agrees on: the twin's values, except that a person
/// the twin holds stands for the source's own person (it was reconciled from it).
pub fn agreed_by_source(source: &ModelValues, twin: &ModelValues) -> ModelValues {
    let mut agreed = identities(twin);
    for (field, value) in twin {
        if let Some(own) = source.get(field)
            && is_person(value)
            && is_person(own)
        {
            agreed.insert(field.clone(), identity_of(own));
        }
    }
    agreed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, email: &str) -> PersonRef {
        PersonRef {
            id: id.into(),
            username: Some(format!("user-{id}")),
            email: Some(email.into()),
            display_name: Some(format!("Person {id}")),
        }
    }

    #[test]
    fn people_compare_by_id_and_other_values_are_untouched() {
        let values: ModelValues = [
            ("assignee".into(), FieldValue::Person(person("u1", "a@x"))),
            ("summary".into(), FieldValue::Text("t".into())),
        ]
        .into();
        let reduced = identities(&values);
        assert_eq!(
            reduced["assignee"],
            FieldValue::Person(PersonRef {
                id: "u1".into(),
                username: None,
                email: None,
                display_name: None
            })
        );
        assert_eq!(reduced["summary"], values["summary"]);
        let mut renamed = values.clone();
        renamed.insert("assignee".into(), FieldValue::Person(person("u1", "new@x")));
        assert_eq!(
            identities(&renamed),
            reduced,
            "a new e-mail is not a new person"
        );
    }

    #[test]
    fn changes_carry_the_source_person_whole_and_the_source_agrees_on_its_own_person() {
        let source: ModelValues =
            [("assignee".into(), FieldValue::Person(person("u6", "f@x")))].into();
        let changes = identities(&source);
        assert_eq!(with_full_people(&changes, &source), source);
        let twin: ModelValues =
            [("assignee".into(), FieldValue::Person(person("u9", "f@x")))].into();
        assert_eq!(agreed_by_source(&source, &twin), identities(&source));
    }
}
