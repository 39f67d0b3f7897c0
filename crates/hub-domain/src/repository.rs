//! A repository: the hub's connection to one external tool (a Redmine, a Trac, a Jira…).

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Validate, check_name};
use crate::ids::RepositoryId;

/// A configured connection to an external tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    /// Store-assigned id; `None` before the first save.
    pub id: Option<RepositoryId>,
    /// Unique display name.
    pub name: String,
    /// Connector kind from the connector registry: `memory`, `redmine`, `trac`, …
    pub connector: String,
    /// Base URL of the tool (empty for connectors that need none, such as `memory`).
    pub url: String,
    /// Connector-specific connection settings (validated against the kind's JSON Schema).
    #[serde(default)]
    pub settings: serde_json::Value,
    /// Name of the credential set used to authenticate (secrets are stored encrypted apart).
    #[serde(default)]
    pub credential: Option<String>,
    /// Optional HTTP proxy URL.
    #[serde(default)]
    pub proxy: Option<String>,
    /// A disabled repository is not contacted; its integrations wait.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Upper bound on calls per minute the hub makes to this tool; `None` = unlimited.
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
}

fn yes() -> bool {
    true
}

impl Validate for Repository {
    fn problems(&self) -> Vec<DomainError> {
        let mut out = Vec::new();
        check_name("repository", &self.name, &mut out);
        if self.connector.trim().is_empty() {
            out.push(DomainError::invalid(
                "repository",
                &self.name,
                "connector",
                "is required",
            ));
        }
        let web = self.url.starts_with("http://") || self.url.starts_with("https://");
        if !self.url.is_empty() && !web {
            out.push(DomainError::invalid(
                "repository",
                &self.name,
                "url",
                "must start with http:// or https://",
            ));
        }
        if self.rate_limit_per_minute == Some(0) {
            out.push(DomainError::invalid(
                "repository",
                &self.name,
                "rate_limit_per_minute",
                "must be at least 1 (leave it out for no limit)",
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> Repository {
        Repository {
            id: None,
            name: "Redmine prod".into(),
            connector: "redmine".into(),
            url: "https://redmine.example.com".into(),
            settings: serde_json::Value::Null,
            credential: None,
            proxy: None,
            enabled: true,
            rate_limit_per_minute: None,
        }
    }

    #[test]
    fn a_complete_repository_is_valid() {
        assert_eq!(repo().problems(), vec![]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = Repository {
            name: " ".into(),
            connector: String::new(),
            url: "ftp://x".into(),
            rate_limit_per_minute: Some(0),
            ..repo()
        };
        let fields: Vec<String> = bad
            .problems()
            .into_iter()
            .map(|p| match p {
                DomainError::Invalid { field, .. } => field,
                other => panic!("{other}"),
            })
            .collect();
        assert_eq!(
            fields,
            ["name", "connector", "url", "rate_limit_per_minute"]
        );
    }
}
