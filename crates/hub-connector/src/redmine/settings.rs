//! The settings of a Redmine repository and their JSON Schema.
//!
//! The URL and API key may come from the generic connection settings (`url`, `secret`) or from
//! the kind's own `settings` object, so both a hub configuration file and a test can build a
//! connector without knowing the other's conventions.

use serde::Deserialize;
use serde_json::json;

use crate::error::{ConnectorError, ErrorClass};
use crate::markup::Markup;
use crate::types::ConnectionSettings;

/// Issues per page of a change query unless the settings say otherwise (Redmine's maximum).
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// Name of the issue custom field that holds source identities.
pub const DEFAULT_SOURCE_FIELD: &str = "External ID";

/// The `settings` object of a Redmine repository.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedmineSettings {
    /// Base URL, e.g. `https://redmine.example.com`.
    #[serde(default)]
    pub url: String,
    /// The API key of the account the hub acts as.
    #[serde(default)]
    pub api_key: String,
    /// The text formatting Redmine is configured with (Administration → Settings → General).
    #[serde(default)]
    pub text_formatting: TextFormatting,
    /// The string custom field that holds the identity of an issue's source.
    #[serde(default = "default_source_field")]
    pub source_field: String,
    /// Issues per page of a change query (1–100).
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    /// Keep connections open between requests. Off by default: the hub's requests come
    /// between other work, and a Redmine served by Puma holds one of its threads for up to
    /// 200 ms on every kept-alive connection after each answer, waiting for the next request
    /// there — on a single-threaded Puma every other request waits that long. Worth turning on
    /// only for a Redmine behind a proxy that terminates the connections (and TLS far away).
    #[serde(default)]
    pub keep_alive: bool,
}

/// Redmine's text formatting setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextFormatting {
    /// Textile (Redmine's default).
    #[default]
    Textile,
    /// Markdown or CommonMark Markdown.
    Markdown,
    /// No formatting.
    None,
}

impl TextFormatting {
    /// The markup descriptions and notes are written in.
    pub fn markup(self) -> Markup {
        match self {
            TextFormatting::Textile => Markup::Textile,
            TextFormatting::Markdown => Markup::Markdown,
            TextFormatting::None => Markup::Plain,
        }
    }
}

fn default_source_field() -> String {
    DEFAULT_SOURCE_FIELD.to_owned()
}

fn default_page_size() -> usize {
    DEFAULT_PAGE_SIZE
}

impl RedmineSettings {
    /// Settings for `url` and `api_key` with every default.
    pub fn new(url: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            api_key: api_key.into(),
            text_formatting: TextFormatting::default(),
            source_field: default_source_field(),
            page_size: DEFAULT_PAGE_SIZE,
            keep_alive: false,
        }
    }

    /// Reads and checks the settings of a repository.
    pub fn from_connection(connection: &ConnectionSettings) -> Result<Self, ConnectorError> {
        let value = match &connection.settings {
            serde_json::Value::Null => json!({}),
            other => other.clone(),
        };
        let mut settings: RedmineSettings = serde_json::from_value(value).map_err(|e| {
            ConnectorError::new(ErrorClass::InvalidValue, format!("redmine settings: {e}"))
        })?;
        if settings.url.is_empty() {
            settings.url.clone_from(&connection.url);
        }
        if settings.api_key.is_empty()
            && let Some(secret) = &connection.secret
        {
            settings.api_key.clone_from(secret);
        }
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConnectorError> {
        let problem = if !self.url.starts_with("http://") && !self.url.starts_with("https://") {
            Some("`url` must be an http:// or https:// URL")
        } else if self.api_key.trim().is_empty() {
            Some("`api_key` is required")
        } else if !(1..=100).contains(&self.page_size) {
            Some("`page_size` must be between 1 and 100")
        } else if self.source_field.trim().is_empty() {
            Some("`source_field` must name a custom field")
        } else {
            None
        };
        problem.map_or(Ok(()), |p| {
            Err(ConnectorError::new(
                ErrorClass::InvalidValue,
                format!("redmine settings: {p}"),
            ))
        })
    }
}

/// JSON Schema of the `settings` object (the UI renders it as a form).
pub fn schema() -> serde_json::Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "url": {
                "type": "string", "format": "uri", "title": "URL",
                "description": "Base URL of Redmine; the repository's URL when left empty."
            },
            "api_key": {
                "type": "string", "title": "API key", "writeOnly": true,
                "description": "API key of the account the hub acts as (My account → API access key); the repository's secret when left empty. The REST API must be enabled."
            },
            "text_formatting": {
                "type": "string", "enum": ["textile", "markdown", "none"], "default": "textile",
                "title": "Text formatting",
                "description": "Redmine's text formatting setting; descriptions and notes are converted from and to it."
            },
            "source_field": {
                "type": "string", "default": DEFAULT_SOURCE_FIELD, "title": "Source identity field",
                "description": "Name of a string issue custom field (for all trackers and projects, usable as a filter) in which the hub records which artifact an issue was created from."
            },
            "page_size": {
                "type": "integer", "minimum": 1, "maximum": 100, "default": DEFAULT_PAGE_SIZE,
                "title": "Page size", "description": "Issues per request of a change query."
            },
            "keep_alive": {
                "type": "boolean", "default": false, "title": "Keep connections open",
                "description": "Reuse connections between requests. Off by default: Puma holds a server thread on each kept-alive connection for up to 200 ms after every answer, which stalls a Redmine with few threads. Turn on for a Redmine behind a proxy far away, where every new connection (and TLS handshake) is expensive."
            }
        }
    })
}
