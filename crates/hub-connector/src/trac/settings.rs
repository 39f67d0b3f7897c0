//! The Trac connector's settings and their JSON Schema.
//!
//! URL, user and password usually come from the repository's own columns
//! ([`ConnectionSettings::url`], `username`, `secret`); the `settings` object may carry them too
//! (`url`, `username`, `password`), plus the project key, page size and source field.

use serde::Deserialize;
use serde_json::json;

use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};
use crate::types::ConnectionSettings;

/// Tickets per page of a change query.
pub const DEFAULT_PAGE_SIZE: usize = 50;

/// Everything the connector needs to reach one Trac environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracSettings {
    /// Base URL of the environment (the JSON-RPC endpoint is `<url>/login/jsonrpc`).
    pub url: String,
    /// User with the `XML_RPC` permission (and `TICKET_ADMIN` to keep comment authors).
    pub username: String,
    /// Its password.
    pub password: String,
    /// The key of the environment's one project.
    pub project: String,
    /// Tickets per page of a change query.
    pub page_size: usize,
    /// The ticket custom field (text) holding the source identity of hub-created tickets.
    pub source_field: String,
}

impl TracSettings {
    /// Settings with defaults for everything but the connection.
    pub fn new(
        url: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            url: url.into(),
            username: username.into(),
            password: password.into(),
            project: "trac".to_owned(),
            page_size: DEFAULT_PAGE_SIZE,
            source_field: "external_id".to_owned(),
        }
    }

    /// Settings from a repository's connection settings.
    pub fn from_connection(connection: &ConnectionSettings) -> Result<Self> {
        let extra: Extra = serde_json::from_value(match &connection.settings {
            serde_json::Value::Null => json!({}),
            other => other.clone(),
        })
        .map_err(|e| invalid(format!("Trac settings: {e}")))?;
        let pick =
            |a: Option<&String>, b: Option<String>| a.filter(|s| !s.is_empty()).cloned().or(b);
        let url = pick(Some(&connection.url), extra.url)
            .ok_or_else(|| invalid("Trac settings: the URL is missing".into()))?;
        let username = pick(connection.username.as_ref(), extra.username)
            .ok_or_else(|| invalid("Trac settings: the user name is missing".into()))?;
        let password = pick(connection.secret.as_ref(), extra.password).unwrap_or_default();
        let mut settings = Self::new(url, username, password);
        settings.project = extra.project.unwrap_or(settings.project);
        settings.page_size = extra.page_size.unwrap_or(settings.page_size);
        settings.source_field = extra.source_field.unwrap_or(settings.source_field);
        Ok(settings)
    }
}

fn invalid(message: String) -> ConnectorError {
    ConnectorError::new(ErrorClass::InvalidValue, message)
}

/// The `settings` object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Extra {
    url: Option<String>,
    username: Option<String>,
    password: Option<String>,
    project: Option<String>,
    page_size: Option<usize>,
    source_field: Option<String>,
}

/// JSON Schema of the `settings` object.
pub fn json_schema() -> serde_json::Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "url": {
                "type": "string", "format": "uri", "title": "URL",
                "description": "Base URL of the Trac environment, e.g. https://trac.example.com/project (the JSON-RPC endpoint is <url>/login/jsonrpc). Usually the repository's URL."
            },
            "username": {
                "type": "string", "title": "User name",
                "description": "A Trac user with the XML_RPC permission (TICKET_ADMIN keeps comment authors). Usually the repository's user."
            },
            "password": {
                "type": "string", "title": "Password", "writeOnly": true,
                "description": "The user's password (HTTP basic authentication). Usually the repository's secret."
            },
            "project": {
                "type": "string", "minLength": 1, "default": "trac", "title": "Project key",
                "description": "Key of the environment's one project in routes and collections."
            },
            "page_size": {
                "type": "integer", "minimum": 1, "default": DEFAULT_PAGE_SIZE, "title": "Page size",
                "description": "Tickets per page of a change query."
            },
            "source_field": {
                "type": "string", "minLength": 1, "default": "external_id", "title": "Source field",
                "description": "Text custom field ([ticket-custom]) that stores which artifact a hub-created ticket was copied from."
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_columns_win_over_the_settings_object() {
        let connection = ConnectionSettings {
            url: "http://127.0.0.1:8000".into(),
            username: Some("admin".into()),
            secret: Some("pw".into()),
            settings: json!({"url": "http://elsewhere", "project": "ops", "page_size": 7}),
        };
        let settings = TracSettings::from_connection(&connection).unwrap();
        assert_eq!(settings.url, "http://127.0.0.1:8000");
        assert_eq!(settings.project, "ops");
        assert_eq!(settings.page_size, 7);
        assert_eq!(settings.source_field, "external_id");
    }

    #[test]
    fn missing_url_or_unknown_settings_are_invalid() {
        let none = ConnectionSettings::default();
        assert_eq!(
            TracSettings::from_connection(&none).unwrap_err().class,
            ErrorClass::InvalidValue
        );
        let odd = ConnectionSettings {
            url: "http://t".into(),
            username: Some("u".into()),
            settings: json!({"colour": "red"}),
            ..Default::default()
        };
        assert_eq!(
            TracSettings::from_connection(&odd).unwrap_err().class,
            ErrorClass::InvalidValue
        );
    }
}
