//! Persons: Trac's known users, matched by e-mail, user name or display name.
//!
//! Trac has no user API; names and e-mails live in its session store. `user.getKnownUsers`
//! (the `known_users.py` plugin in `fixtures/trac/`) returns them. Without the plugin the
//! user names the owner field offers (`[ticket] restrict_owner`) are the persons, with no
//! e-mail. The list is read once per connector and again on every search.

use std::sync::Arc;

use hub_domain::model::PersonRef;
use serde_json::json;

use super::{TracConnector, errors};
use crate::connector::Result;
use crate::error::ErrorClass;
use crate::types::PersonQuery;

/// The fields persons can be searched by.
pub const SEARCH_FIELDS: [&str; 3] = ["email", "username", "display_name"];

impl TracConnector {
    /// The known users, if they have been read.
    pub(super) fn cached_users(&self) -> Option<Arc<Vec<PersonRef>>> {
        self.users.lock().expect("users lock").clone()
    }

    async fn load_users(&self) -> Result<Arc<Vec<PersonRef>>> {
        let users = match self.rpc.call("user.getKnownUsers", json!([])).await {
            Ok(answer) => {
                let rows: Vec<(String, String, String)> = serde_json::from_value(answer)
                    .map_err(|e| errors::malformed("user.getKnownUsers", e))?;
                rows.into_iter().map(|(u, n, e)| known(u, n, e)).collect()
            }
            Err(e) if e.class == ErrorClass::Unsupported => self.owner_options().await?,
            Err(e) => return Err(e),
        };
        let users = Arc::new(users);
        *self.users.lock().expect("users lock") = Some(users.clone());
        Ok(users)
    }

    async fn owner_options(&self) -> Result<Vec<PersonRef>> {
        let fields = self.reload_fields().await?;
        let owner = fields.iter().find(|f| f.name == "owner");
        Ok(owner
            .map(|f| {
                f.options
                    .iter()
                    .map(|u| known(u.clone(), String::new(), String::new()))
                    .collect()
            })
            .unwrap_or_default())
    }

    pub(super) async fn find_persons(&self, query: &PersonQuery) -> Result<Vec<PersonRef>> {
        let users = self.load_users().await?;
        let wanted = query.value.to_lowercase();
        let matches =
            |value: &Option<String>| value.as_ref().is_some_and(|v| v.to_lowercase() == wanted);
        Ok(users
            .iter()
            .filter(|p| match query.field.as_str() {
                "email" => matches(&p.email),
                "username" => matches(&p.username),
                "display_name" => matches(&p.display_name),
                _ => false,
            })
            .cloned()
            .collect())
    }

    /// Makes sure the known users have been read once (for persons on tickets).
    pub(super) async fn warm_users(&self) {
        if self.cached_users().is_none() {
            // Persons then carry only the user name; reading tickets must not fail for it.
            let _ = self.load_users().await;
        }
    }
}

fn known(username: String, name: String, email: String) -> PersonRef {
    let non_empty = |s: String| (!s.is_empty()).then_some(s);
    PersonRef {
        id: username.clone(),
        username: Some(username),
        email: non_empty(email),
        display_name: non_empty(name),
    }
}

/// The person for a user name on a ticket, with name and e-mail when Trac knows them.
pub fn person_ref(users: Option<&Vec<PersonRef>>, username: &str) -> PersonRef {
    users
        .and_then(|all| all.iter().find(|p| p.id == username))
        .cloned()
        .unwrap_or_else(|| known(username.to_owned(), String::new(), String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_user_names_become_bare_persons() {
        let users = vec![known(
            "alice".into(),
            "Alice".into(),
            "alice@example.com".into(),
        )];
        assert_eq!(
            person_ref(Some(&users), "alice").email.as_deref(),
            Some("alice@example.com")
        );
        let stranger = person_ref(Some(&users), "carol@example.com");
        assert_eq!(stranger.username.as_deref(), Some("carol@example.com"));
        assert_eq!(stranger.display_name, None);
    }
}
