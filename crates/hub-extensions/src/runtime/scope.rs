//! What a script's host calls can reach during one call: the calling extension's name and tags,
//! the services the engine handed in, and the host-wide log, key-value stores and HTTP limits.
//!
//! A worker thread runs one call at a time, so the scope lives in a thread-local that the
//! worker sets before a batch of calls and clears after it; native functions read it instead of
//! capturing state, which keeps them plain function pointers.

use std::cell::RefCell;
use std::sync::Arc;

use crate::api::ldap::LdapSession;
use crate::host::Shared;
use crate::log::CallTags;
use crate::services::HostServices;

/// The state host calls of the running extension can use.
pub(crate) struct Scope {
    /// Host-wide parts.
    pub shared: Arc<Shared>,
    /// The running extension.
    pub extension: String,
    /// Integration and artifact the call is for.
    pub tags: CallTags,
    /// Repository access, when the engine handed it in.
    pub services: Option<Arc<dyn HostServices>>,
    /// Confidential values handed to the script during this batch (masked in its log output).
    pub revealed: Vec<String>,
    /// The directory connection opened by `ldap.connect`, closed when the batch ends.
    pub ldap: Option<LdapSession>,
}

thread_local! {
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// Installs `scope` for the calls that follow on this thread.
pub(crate) fn enter(scope: Scope) {
    SCOPE.with(|s| *s.borrow_mut() = Some(scope));
}

/// Removes the scope (closing whatever it opened).
pub(crate) fn leave() {
    SCOPE.with(|s| s.borrow_mut().take());
}

/// Replaces the tags of the installed scope (one batch may cover several artifacts).
pub(crate) fn retag(tags: &CallTags) {
    SCOPE.with(|s| {
        if let Some(scope) = s.borrow_mut().as_mut() {
            scope.tags.clone_from(tags);
        }
    });
}

/// Runs `f` on the installed scope; `None` when no call is running on this thread.
pub(crate) fn with<R>(f: impl FnOnce(&mut Scope) -> R) -> Option<R> {
    SCOPE.with(|s| s.borrow_mut().as_mut().map(f))
}
