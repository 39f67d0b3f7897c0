use std::collections::{BTreeMap, BTreeSet};

use super::*;

const FIXTURE: &str = include_str!("../../../../fixtures/error-codes.txt");

fn fixture_codes() -> Vec<ErrorCode> {
    FIXTURE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| ErrorCode::parse(l).unwrap_or_else(|| panic!("bad fixture line {l:?}")))
        .collect()
}

#[test]
fn catalogue_holds_every_code_of_the_reference_list_in_order() {
    let expected = fixture_codes();
    assert!(
        expected.len() > 100,
        "fixture list looks truncated: {}",
        expected.len()
    );
    let actual: Vec<ErrorCode> = entries::ENTRIES.iter().map(|e| e.code).collect();
    assert_eq!(actual, expected);
}

#[test]
fn codes_are_unique() {
    let mut seen = BTreeSet::new();
    for entry in entries() {
        assert!(seen.insert(entry.code), "duplicate code {}", entry.code);
    }
}

#[test]
fn own_codes_stay_in_their_range() {
    for entry in hub::ENTRIES {
        assert!(
            (90000..100000).contains(&entry.code.number),
            "{}",
            entry.code
        );
    }
    for entry in entries::ENTRIES {
        assert!(
            entry.code.number < 90000,
            "{} is in the reserved range",
            entry.code
        );
    }
}

#[test]
fn every_entry_is_complete_and_templates_are_well_formed() {
    for entry in entries() {
        assert!(
            !entry.message.trim().is_empty(),
            "{}: empty message",
            entry.code
        );
        assert!(
            !entry.description.trim().is_empty(),
            "{}: empty description",
            entry.code
        );
        assert!(
            !entry.user_action.trim().is_empty(),
            "{}: empty user action",
            entry.code
        );
        assert_eq!(
            entry.message.matches('{').count(),
            entry.message.matches('}').count(),
            "{}: unbalanced braces",
            entry.code
        );
        for name in entry.parameters() {
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}: parameter {name:?} is not a snake_case name",
                entry.code
            );
        }
        for text in [entry.message, entry.description, entry.user_action] {
            assert!(
                !text.contains("Tasktop") && !text.contains("CCRRTT"),
                "{}",
                entry.code
            );
        }
    }
}

#[test]
fn codes_display_and_parse_round_trip() {
    for entry in entries() {
        let shown = entry.code.to_string();
        assert!(shown.starts_with("SYN-"));
        assert_eq!(ErrorCode::parse(&shown), Some(entry.code));
    }
    assert_eq!(ErrorCode::error(1).to_string(), "SYN-0001E");
    assert_eq!(
        ErrorCode::parse("CCRRTT-17011E"),
        Some(ErrorCode::error(17011))
    );
    assert_eq!(ErrorCode::parse("SYN-12X"), None);
    assert_eq!(ErrorCode::parse("E"), None);
}

#[test]
fn render_fills_named_parameters_and_keeps_missing_ones_visible() {
    let mut values = BTreeMap::new();
    values.insert("key".to_owned(), "bnd".to_owned());
    values.insert("source".to_owned(), "hub.toml".to_owned());
    let entry = hub::CONFIG_UNKNOWN_KEY.entry().unwrap();
    assert_eq!(
        render(entry.message, &values),
        "Unknown configuration key 'bnd' in hub.toml."
    );
    assert_eq!(render("a {x} b {y", &values), "a {x} b {y");
}

#[test]
fn every_code_the_hub_process_uses_has_an_entry() {
    for code in [
        hub::CONFIG_UNKNOWN_KEY,
        hub::CONFIG_INVALID_VALUE,
        hub::CONFIG_UNREADABLE,
        hub::INSTANCE_LOCK_HELD,
        hub::INSTANCE_LOCK_LOST,
        hub::STORE_UNAVAILABLE,
        hub::STILL_STARTING,
        hub::ENCRYPTION_UNAVAILABLE,
        hub::STORE_MIGRATION_FAILED,
        hub::STORE_TOO_NEW,
        hub::LISTENER_FAILED,
        hub::TLS_INVALID,
        hub::VALIDATION_FAILED,
        hub::REFERENCE_MISSING,
    ] {
        assert!(code.entry().is_some(), "{code} has no catalogue entry");
    }
}
