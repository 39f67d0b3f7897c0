//! People: Redmine users found by e-mail, login or full name, for person reconciliation.
//!
//! Redmine's `name` filter matches parts of logins, names and addresses; the hub wants an
//! exact (case-insensitive) match of one attribute, so the filter narrows and this module
//! decides. Keys that may not list users see the members of their projects instead.

use hub_domain::model::PersonRef;

use super::catalog::{Catalog, list, user_person};
use super::client::Client;
use super::errors::invalid;
use crate::connector::Result;
use crate::error::ErrorClass;
use crate::types::PersonQuery;

/// The attributes persons can be searched by.
pub const SEARCH_FIELDS: [&str; 3] = ["email", "username", "display_name"];

/// Active users whose `query.field` equals `query.value`, ignoring case.
pub async fn search(
    client: &Client,
    catalog: &Catalog,
    query: &PersonQuery,
) -> Result<Vec<PersonRef>> {
    if !SEARCH_FIELDS.contains(&query.field.as_str()) {
        return Err(invalid(format!(
            "persons cannot be searched by '{}' (only {SEARCH_FIELDS:?})",
            query.field
        )));
    }
    let params = [("name", query.value.clone()), ("limit", "100".to_owned())];
    let candidates: Vec<PersonRef> = match client.get("users.json", &params).await {
        Ok(found) => list(&found, "users")
            .iter()
            .filter_map(user_person)
            .collect(),
        Err(e) if e.class == ErrorClass::Auth => catalog.users.values().cloned().collect(),
        Err(e) => return Err(e),
    };
    let mut matches: Vec<PersonRef> = candidates
        .into_iter()
        .filter(|person| matches(person, query))
        .collect();
    matches.sort();
    Ok(matches)
}

fn matches(person: &PersonRef, query: &PersonQuery) -> bool {
    let value = match query.field.as_str() {
        "email" => &person.email,
        "username" => &person.username,
        _ => &person.display_name,
    };
    value
        .as_deref()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(query.value.trim()))
}
