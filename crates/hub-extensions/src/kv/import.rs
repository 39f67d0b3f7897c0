//! Reading key-value pairs from the files administrators import: a JSON object of strings, or
//! CSV with a key and a value per row (an optional `key,value` header first).
//!
//! Every problem is found before anything is written, and the error names the row (CSV) or the
//! key (JSON), so the administrator can fix the file and import it again.

use std::collections::HashSet;
use std::fmt;

use hub_store::kv::KvPair;
use serde::Deserializer;
use serde::de::{MapAccess, Visitor};
use serde_json::Value;

use crate::error::ExtensionError;

fn invalid(store: &str, location: String, reason: impl Into<String>) -> ExtensionError {
    ExtensionError::InvalidPairs {
        store: store.to_owned(),
        location,
        reason: reason.into(),
    }
}

/// Pairs of a CSV file.
pub fn parse_csv(store: &str, data: &[u8]) -> Result<Vec<KvPair>, ExtensionError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut pairs = Vec::new();
    let mut seen = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 1;
        let record = record.map_err(|e| invalid(store, format!("row {row}"), e.to_string()))?;
        if record.len() != 2 {
            return Err(invalid(
                store,
                format!("row {row}"),
                format!("expected a key and a value, found {} fields", record.len()),
            ));
        }
        let (key, value) = (&record[0], &record[1]);
        if row == 1 && key.eq_ignore_ascii_case("key") && value.eq_ignore_ascii_case("value") {
            continue;
        }
        if key.is_empty() {
            return Err(invalid(store, format!("row {row}"), "the key is empty"));
        }
        if !seen.insert(key.to_owned()) {
            return Err(invalid(
                store,
                format!("row {row}"),
                format!("key '{key}' appears more than once"),
            ));
        }
        pairs.push(KvPair {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
    Ok(pairs)
}

/// Pairs of a JSON object, refusing repeated keys (which a JSON map would silently merge).
pub fn parse_json(store: &str, data: &[u8]) -> Result<Vec<KvPair>, ExtensionError> {
    let mut de = serde_json::Deserializer::from_slice(data);
    let entries = de
        .deserialize_map(EntriesVisitor)
        .and_then(|entries| de.end().map(|()| entries))
        .map_err(|e| invalid(store, format!("line {}", e.line()), e.to_string()))?;
    let mut seen = HashSet::new();
    let mut pairs = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let location = format!("key '{key}'");
        if key.is_empty() {
            return Err(invalid(store, location, "the key is empty"));
        }
        if !seen.insert(key.clone()) {
            return Err(invalid(store, location, "the key appears more than once"));
        }
        let value = match value {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return Err(invalid(store, location, "the value must be a string")),
        };
        pairs.push(KvPair { key, value });
    }
    Ok(pairs)
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Vec<(String, Value)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of keys and string values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Value>()? {
            entries.push(entry);
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_objects_import_and_repeated_keys_are_named() {
        let ok = parse_json("S", br#"{"jsmith@email.com": "John Smith", "n": 3}"#).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].value, "3");
        let err = parse_json("S", br#"{"a": "1", "b": "2", "a": "3"}"#).unwrap_err();
        assert!(err.to_string().contains("key 'a'"), "{err}");
        let nested = parse_json("S", br#"{"a": {"b": 1}}"#).unwrap_err();
        assert!(nested.to_string().contains("must be a string"), "{nested}");
    }

    #[test]
    fn csv_rows_import_and_the_bad_row_is_named() {
        let ok = parse_csv("S", b"key,value\nP1,Product One\n\"P,2\",\"Two, quoted\"\n").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].key, "P,2");
        let err = parse_csv("S", b"a,1\nb,2\nc\nd,4\n").unwrap_err();
        assert!(err.to_string().contains("row 3"), "{err}");
        let dup = parse_csv("S", b"a,1\nb,2\na,3\n").unwrap_err();
        assert!(
            dup.to_string().contains("row 3") && dup.to_string().contains("'a'"),
            "{dup}"
        );
    }
}
