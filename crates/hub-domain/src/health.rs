//! Health checks of the hub as a monitoring tool sees them (`GET /api/health`).
//!
//! A check that concerns a subsystem this build does not have reports [`CheckStatus::Unavailable`]
//! rather than passing: a monitor must never be told something works that does not exist.

use serde::{Deserialize, Serialize};

/// The checks, with the names monitoring tools know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HealthCheck {
    /// The e-mail server answers with the configured settings.
    #[serde(rename = "notificationSettingsValid")]
    NotificationSettingsValid,
    /// The operational database answers.
    #[serde(rename = "databaseIsAvailable")]
    DatabaseIsAvailable,
    /// A license is configured.
    #[serde(rename = "licenseConfigured")]
    LicenseConfigured,
    /// The last configuration/store migration succeeded.
    #[serde(rename = "configurationMigration")]
    ConfigurationMigration,
    /// No out-of-memory condition.
    #[serde(rename = "memoryUsage")]
    MemoryUsage,
    /// 256-bit AES encryption works.
    #[serde(rename = "passwordEncryptionInitialized")]
    PasswordEncryptionInitialized,
    /// The hub has started and is not shutting down.
    #[serde(rename = "hubIsRunning")]
    HubIsRunning,
    /// A master password is set up and entered.
    #[serde(rename = "securityIsSetUp")]
    SecurityIsSetUp,
    /// The license has not expired.
    #[serde(rename = "licenseExpired")]
    LicenseExpired,
    /// Every integration is allowed by the license.
    #[serde(rename = "licensesValid")]
    LicensesValid,
    /// Valid integrations detect changes and process activities.
    #[serde(rename = "activitiesCanProcess")]
    ActivitiesCanProcess,
}

impl HealthCheck {
    /// Every check, in the order they are reported.
    pub const ALL: [HealthCheck; 11] = [
        HealthCheck::NotificationSettingsValid,
        HealthCheck::DatabaseIsAvailable,
        HealthCheck::LicenseConfigured,
        HealthCheck::ConfigurationMigration,
        HealthCheck::MemoryUsage,
        HealthCheck::PasswordEncryptionInitialized,
        HealthCheck::HubIsRunning,
        HealthCheck::SecurityIsSetUp,
        HealthCheck::LicenseExpired,
        HealthCheck::LicensesValid,
        HealthCheck::ActivitiesCanProcess,
    ];
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CheckStatus {
    /// Checked and fine.
    Pass,
    /// Checked and failing: the hub is unhealthy.
    Fail,
    /// Nothing to check because the feature is not configured (e.g. no e-mail server).
    NotConfigured,
    /// This build has no such subsystem yet; nothing was checked.
    Unavailable,
}

/// One evaluated check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Which check.
    pub check: HealthCheck,
    /// Its outcome.
    pub status: CheckStatus,
    /// Why, in a sentence.
    pub detail: String,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReport {
    /// Healthy when no check fails.
    pub healthy: bool,
    /// The checks, in [`HealthCheck::ALL`] order.
    pub checks: Vec<CheckResult>,
}

impl HealthReport {
    /// Builds a report; healthy unless a check failed.
    pub fn new(checks: Vec<CheckResult>) -> Self {
        let healthy = checks.iter().all(|c| c.status != CheckStatus::Fail);
        Self { healthy, checks }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_and_unconfigured_checks_do_not_fail_the_report() {
        let report = HealthReport::new(vec![
            CheckResult {
                check: HealthCheck::HubIsRunning,
                status: CheckStatus::Pass,
                detail: String::new(),
            },
            CheckResult {
                check: HealthCheck::LicenseConfigured,
                status: CheckStatus::Unavailable,
                detail: String::new(),
            },
            CheckResult {
                check: HealthCheck::NotificationSettingsValid,
                status: CheckStatus::NotConfigured,
                detail: String::new(),
            },
        ]);
        assert!(report.healthy);
    }

    #[test]
    fn one_failing_check_fails_the_report() {
        let report = HealthReport::new(vec![CheckResult {
            check: HealthCheck::DatabaseIsAvailable,
            status: CheckStatus::Fail,
            detail: String::new(),
        }]);
        assert!(!report.healthy);
    }

    #[test]
    fn check_names_are_the_ones_monitors_know() {
        let json = serde_json::to_string(&HealthCheck::ALL).unwrap();
        assert!(json.contains("\"hubIsRunning\"") && json.contains("\"activitiesCanProcess\""));
    }
}
