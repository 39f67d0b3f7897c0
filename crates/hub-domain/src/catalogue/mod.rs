//! The error catalogue: every coded message the hub can show an administrator.
//!
//! Codes keep the numbering of the commercial hub this product re-builds, so an administrator who
//! knows a number from there finds the same meaning here. The text is our own. Codes in the
//! `90000` range are Syncline's own (process start-up, configuration file, instance lock).
//!
//! Each entry carries a message template with *named* parameters (`{repository}`), a description
//! of what happened and the action an administrator should take. [`render`] fills a template.

mod entries;
pub mod hub;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// How serious a coded condition is; the letter after the number (`1000E`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational; nothing is wrong.
    Info,
    /// Something needs attention but work goes on.
    Warning,
    /// Work stopped for the artifact, integration or hub concerned.
    Error,
}

impl Severity {
    /// The letter that follows the number in a displayed code.
    pub const fn letter(self) -> char {
        match self {
            Severity::Info => 'I',
            Severity::Warning => 'W',
            Severity::Error => 'E',
        }
    }

    /// Parses the severity letter of a displayed code.
    pub const fn from_letter(letter: char) -> Option<Self> {
        match letter {
            'I' => Some(Severity::Info),
            'W' => Some(Severity::Warning),
            'E' => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A code as administrators see it: number plus severity, shown as `SYN-1000E`.
///
/// The same number may exist with two severities (`0006W` and `0006E` are different entries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ErrorCode {
    /// The catalogue number, e.g. `1000`.
    pub number: u32,
    /// The severity letter's meaning.
    pub severity: Severity,
}

/// The prefix every displayed code carries.
pub const CODE_PREFIX: &str = "SYN";

impl ErrorCode {
    /// An error-severity code.
    pub const fn error(number: u32) -> Self {
        Self {
            number,
            severity: Severity::Error,
        }
    }

    /// A warning-severity code.
    pub const fn warning(number: u32) -> Self {
        Self {
            number,
            severity: Severity::Warning,
        }
    }

    /// The catalogue entry for this code. Every code the hub emits has one (a test checks it).
    pub fn entry(self) -> Option<&'static CatalogueEntry> {
        entries().iter().find(|e| e.code == self)
    }

    /// Parses `SYN-1000E`, `1000E` or `CCRRTT-1000E` (the commercial hub's spelling).
    pub fn parse(text: &str) -> Option<Self> {
        let body = text.rsplit('-').next()?;
        let letter = body.chars().last()?;
        let severity = Severity::from_letter(letter)?;
        let digits = &body[..body.len() - 1];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Self {
            number: digits.parse().ok()?,
            severity,
        })
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Numbers below 1000 keep their leading zeros (`0001E`) as in the catalogue.
        write!(
            f,
            "{CODE_PREFIX}-{:04}{}",
            self.number,
            self.severity.letter()
        )
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ErrorCode::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("'{text}' is not an error code")))
    }
}

/// One catalogue entry.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CatalogueEntry {
    /// The code.
    pub code: ErrorCode,
    /// The one-line message, with named parameters in braces: `{repository}`.
    pub message: &'static str,
    /// What the condition means.
    pub description: &'static str,
    /// What the administrator should do about it.
    pub user_action: &'static str,
}

impl CatalogueEntry {
    /// Names of the parameters the message template uses, in order of first appearance.
    pub fn parameters(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        for name in template_parameters(self.message) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

/// All catalogue entries: the re-built commercial catalogue followed by Syncline's own.
pub fn entries() -> &'static [CatalogueEntry] {
    static ALL: std::sync::OnceLock<Vec<CatalogueEntry>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        entries::ENTRIES
            .iter()
            .chain(hub::ENTRIES)
            .copied()
            .collect()
    })
}

fn template_parameters(template: &'static str) -> impl Iterator<Item = &'static str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
}

/// Fills a message template. A parameter without a value stays visible as `{name}` so a missing
/// argument is noticed rather than silently dropped.
pub fn render(template: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match values.get(name) {
                    Some(value) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
