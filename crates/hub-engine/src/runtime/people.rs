//! Person reconciliation: the person a source artifact names is found in the target repository
//! by e-mail address, then user name, then display name. When nobody matches, the artifact fails
//! with SYN-90050E instead of its assignee being cleared.

use hub_connector::ErrorClass;
use hub_connector::types::PersonQuery;
use hub_domain::integration::Side;
use hub_domain::model::{FieldValue, ModelValues, PersonRef};

use super::context::IntegrationRuntime;
use super::error::{OnSide, SyncError};
use super::extensions;
use super::retry;

/// The attributes tried, in order.
const MATCH_ORDER: [&str; 3] = ["email", "username", "display_name"];

/// Replaces every person in `values` by the matching person of side `to`.
pub async fn reconcile(
    rt: &IntegrationRuntime,
    to: Side,
    values: &mut ModelValues,
) -> Result<(), SyncError> {
    let has_extension = rt
        .integration
        .extensions
        .side(to)
        .person_reconciliation
        .is_some();
    if !rt.side(to).persons && !has_extension {
        return Ok(());
    }
    for value in values.values_mut() {
        match value {
            FieldValue::Person(p) => {
                *value = match pick(rt, to, p).await? {
                    Some(found) => FieldValue::Person(found),
                    None => FieldValue::Null,
                }
            }
            FieldValue::Persons(ps) => {
                let mut found = Vec::with_capacity(ps.len());
                for p in ps.iter() {
                    found.extend(pick(rt, to, p).await?);
                }
                *value = FieldValue::Persons(found).normalized();
            }
            _ => {}
        }
    }
    Ok(())
}

/// The side's person extension decides when there is one (it may leave the field empty on
/// purpose); otherwise the default matching.
async fn pick(
    rt: &IntegrationRuntime,
    to: Side,
    person: &PersonRef,
) -> Result<Option<PersonRef>, SyncError> {
    match extensions::person_to(rt, to, person).await? {
        Some(chosen) => Ok(chosen),
        None => find(rt, to, person).await.map(Some),
    }
}

async fn find(
    rt: &IntegrationRuntime,
    to: Side,
    person: &PersonRef,
) -> Result<PersonRef, SyncError> {
    let key = cache_key(to, person);
    if let Some(hit) = rt.people.get(&key) {
        return Ok(hit);
    }
    let side = rt.side(to);
    for field in MATCH_ORDER {
        let value = match field {
            "email" => &person.email,
            "username" => &person.username,
            _ => &person.display_name,
        };
        let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else {
            continue;
        };
        let query = PersonQuery {
            field: field.to_owned(),
            value: value.to_owned(),
        };
        match retry::read(|| side.connector.search_persons(&query)).await {
            // Two people answering to one display name is no match: guessing would be worse.
            Ok(found) if found.len() == 1 => {
                let found = found.into_iter().next().expect("one person");
                rt.people.put(key, found.clone());
                return Ok(found);
            }
            Ok(_) => {}
            Err(e) if e.class == ErrorClass::Unsupported => {}
            Err(e) => return Err(e).on(side.name()),
        }
    }
    Err(SyncError::PersonNotFound {
        side: side.name(),
        person: describe(person),
    })
}

fn cache_key(to: Side, p: &PersonRef) -> String {
    format!(
        "{to:?}\u{1f}{}\u{1f}{}\u{1f}{}",
        p.email.as_deref().unwrap_or(""),
        p.username.as_deref().unwrap_or(""),
        p.display_name.as_deref().unwrap_or("")
    )
}

fn describe(p: &PersonRef) -> String {
    let name = p
        .display_name
        .as_deref()
        .or(p.username.as_deref())
        .unwrap_or(&p.id);
    match &p.email {
        Some(email) => format!("{name} <{email}>"),
        None => name.to_owned(),
    }
}
