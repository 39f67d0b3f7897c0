//! Persons already found in a target repository, so a busy assignee is looked up once per
//! integration load rather than once per artifact. Dropped with the runtime when the
//! configuration is reloaded, which also picks up people renamed in the trackers.

use std::collections::HashMap;
use std::sync::Mutex;

use hub_domain::model::PersonRef;

/// Found persons by side and the attributes they were looked up by.
#[derive(Debug, Default)]
pub struct PeopleCache {
    found: Mutex<HashMap<String, PersonRef>>,
}

impl PeopleCache {
    /// The person found earlier for `key`.
    pub fn get(&self, key: &str) -> Option<PersonRef> {
        self.lock().get(key).cloned()
    }

    /// Remembers a person found for `key`.
    pub fn put(&self, key: String, person: PersonRef) {
        self.lock().insert(key, person);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, PersonRef>> {
        self.found
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
