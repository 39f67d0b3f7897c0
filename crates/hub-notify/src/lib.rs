//! E-mail notifications: the SMTP settings administrators enter and the events that send mail.
//!
//! This crate owns notification settings and their validation, which the health check's
//! `notificationSettingsValid` reads. Sending (lettre) joins it behind the same settings.

use serde::{Deserialize, Serialize};

/// How the connection to the mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain SMTP (only on trusted networks).
    None,
    /// SMTP upgraded with STARTTLS.
    StartTls,
    /// SMTP over TLS from the first byte (SMTPS).
    Tls,
}

/// Settings of the mail server and the notification recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    /// Mail server host.
    pub host: String,
    /// Mail server port.
    pub port: u16,
    /// Transport security.
    pub security: SmtpSecurity,
    /// Sender address.
    pub from: String,
    /// Login, when the server requires one.
    #[serde(default)]
    pub username: Option<String>,
    /// Recipients of notifications.
    pub recipients: Vec<String>,
}

/// What is wrong with notification settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// A setting is invalid.
    #[error("notification setting {field} is not valid: {reason}")]
    Invalid {
        /// The setting.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl NotificationSettings {
    /// Checks the settings without contacting the server.
    pub fn validate(&self) -> Result<(), NotifyError> {
        let invalid = |field, reason: &str| {
            Err(NotifyError::Invalid {
                field,
                reason: reason.into(),
            })
        };
        if self.host.trim().is_empty() {
            return invalid("host", "is required");
        }
        if self.port == 0 {
            return invalid("port", "must be between 1 and 65535");
        }
        if !looks_like_address(&self.from) {
            return invalid("from", "must be an e-mail address");
        }
        if self.recipients.is_empty() {
            return invalid("recipients", "name at least one recipient");
        }
        if let Some(bad) = self.recipients.iter().find(|r| !looks_like_address(r)) {
            return Err(NotifyError::Invalid {
                field: "recipients",
                reason: format!("'{bad}' is not an e-mail address"),
            });
        }
        Ok(())
    }
}

fn looks_like_address(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !text.contains(' ')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> NotificationSettings {
        NotificationSettings {
            host: "127.0.0.1".into(),
            port: 2525,
            security: SmtpSecurity::None,
            from: "hub@example.com".into(),
            username: None,
            recipients: vec!["admin@example.com".into()],
        }
    }

    #[test]
    fn complete_settings_are_valid() {
        assert_eq!(settings().validate(), Ok(()));
    }

    #[test]
    fn a_bad_recipient_is_named() {
        let s = NotificationSettings {
            recipients: vec!["nobody".into()],
            ..settings()
        };
        let err = s.validate().unwrap_err();
        assert!(err.to_string().contains("'nobody'"), "{err}");
    }
}
