//! Conversions between field types, used when a value moves between a collection field and a
//! model field of a different (but compatible) type.
//!
//! Every result is *canonical*, because the sync algorithm decides "changed" by comparing values:
//! two spellings of the same content on the two sides (`1.50` and `1.5`, an empty list and no
//! value) would otherwise look like a change after every write and bounce between the tools
//! forever. So, beyond [`FieldValue::normalized`], decimals lose redundant zeros and empty text or
//! empty lists become [`FieldValue::Null`].
//!
//! String and rich text are the same here (translating markup is the connectors' job). Text is
//! parsed strictly into numbers, booleans, dates and date-times; blank text means "no value".
//! Anything without a conversion is refused with a reason an administrator can act on.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use hub_domain::model::{FieldType, FieldValue};

/// Why a value was refused, in an administrator's words.
pub(crate) type Refusal = String;

/// Converts `value` to a value of type `to`, canonical (see the module docs).
pub(crate) fn convert(value: &FieldValue, to: FieldType) -> Result<FieldValue, Refusal> {
    // Normalized first, so duplicates in a list do not count as several values.
    convert_raw(&value.clone().normalized(), to).map(canonical)
}

fn convert_raw(value: &FieldValue, to: FieldType) -> Result<FieldValue, Refusal> {
    use FieldType as T;
    use FieldValue as V;
    match (value, to) {
        (V::Null, _) => Ok(V::Null),
        (V::Text(s), _) if !is_text(to) => parse(s, to),
        (v, T::String | T::RichText) => text_of(v).map(V::Text),
        (V::Integer(n) | V::Minutes(n), T::Integer) => Ok(V::Integer(*n)),
        (V::Integer(n) | V::Minutes(n), T::Duration) => Ok(V::Minutes(*n)),
        (V::Integer(n), T::Decimal) => Ok(V::Decimal(n.to_string())),
        (V::Decimal(d), T::Decimal) => canonical_decimal(d).map(V::Decimal),
        (V::Decimal(d), T::Integer) => exact_integer(d).map(V::Integer),
        (V::Bool(b), T::Boolean) => Ok(V::Bool(*b)),
        (V::Date(d), T::Date) => Ok(V::Date(*d)),
        (V::DateTime(t), T::DateTime) => Ok(V::DateTime(*t)),
        (V::Option(s), T::SingleSelect) => Ok(V::Option(s.clone())),
        (V::Option(s), T::MultiSelect) => Ok(V::Options(vec![s.clone()])),
        (V::Options(v), T::MultiSelect) => Ok(V::Options(v.clone())),
        (V::Options(v), T::SingleSelect) => {
            at_most_one(v, "options").map(|o| o.map_or(V::Null, V::Option))
        }
        (V::Person(p), T::Person) => Ok(V::Person(p.clone())),
        (V::Person(p), T::Persons) => Ok(V::Persons(vec![p.clone()])),
        (V::Persons(v), T::Persons) => Ok(V::Persons(v.clone())),
        (V::Persons(v), T::Person) => {
            at_most_one(v, "persons").map(|o| o.map_or(V::Null, V::Person))
        }
        (V::Links(v), T::Relationships) => Ok(V::Links(v.clone())),
        (V::Links(v), T::Relationship) => {
            at_most_one(v, "links").map(|o| o.map_or(V::Null, one_link))
        }
        (V::WebLinks(v), T::WebLinks) => Ok(V::WebLinks(v.clone())),
        (_, to) => Err(format!("this kind of value cannot become a {to:?} value")),
    }
}

fn is_text(to: FieldType) -> bool {
    matches!(to, FieldType::String | FieldType::RichText)
}

/// The text form of a scalar value (the inverse of [`parse`]).
fn text_of(value: &FieldValue) -> Result<String, Refusal> {
    match value {
        FieldValue::Text(s) | FieldValue::Option(s) => Ok(s.clone()),
        FieldValue::Integer(n) => Ok(n.to_string()),
        FieldValue::Decimal(d) => canonical_decimal(d),
        FieldValue::Bool(b) => Ok(b.to_string()),
        FieldValue::Date(d) => Ok(d.format("%Y-%m-%d").to_string()),
        FieldValue::DateTime(t) => Ok(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        _ => Err("this kind of value has no text form".into()),
    }
}

/// Parses text into a non-text type; blank text is no value.
fn parse(text: &str, to: FieldType) -> Result<FieldValue, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(FieldValue::Null);
    }
    match to {
        FieldType::Integer => t
            .parse()
            .map(FieldValue::Integer)
            .map_err(|_| format!("'{text}' is not a whole number")),
        FieldType::Decimal => canonical_decimal(t).map(FieldValue::Decimal),
        FieldType::Boolean => parse_bool(t).map(FieldValue::Bool),
        FieldType::Date => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(FieldValue::Date)
            .map_err(|_| format!("'{text}' is not a date (YYYY-MM-DD)")),
        FieldType::DateTime => DateTime::parse_from_rfc3339(t)
            .map(|d| FieldValue::DateTime(d.with_timezone(&Utc)))
            .map_err(|_| {
                format!("'{text}' is not a date-time (RFC 3339, e.g. 2024-05-01T12:00:00Z)")
            }),
        FieldType::SingleSelect => Ok(FieldValue::Option(text.to_owned())),
        other => Err(format!("text cannot become a {other:?} value")),
    }
}

fn parse_bool(t: &str) -> Result<bool, Refusal> {
    match t.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!("'{t}' is not a boolean (true/false, yes/no, 1/0)")),
    }
}

/// The shortest exact spelling of a decimal: no leading or trailing zeros, no `-0`.
pub(crate) fn canonical_decimal(text: &str) -> Result<String, Refusal> {
    let t = text.trim();
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return Err(format!("'{text}' is not a decimal number"));
    }
    let int = match int.trim_start_matches('0') {
        "" => "0",
        kept => kept,
    };
    let frac = frac.trim_end_matches('0');
    let sign = if negative && (int != "0" || !frac.is_empty()) {
        "-"
    } else {
        ""
    };
    let point = if frac.is_empty() { "" } else { "." };
    Ok(format!("{sign}{int}{point}{frac}"))
}

fn exact_integer(decimal: &str) -> Result<i64, Refusal> {
    let canonical = canonical_decimal(decimal)?;
    if canonical.contains('.') {
        return Err(format!("'{decimal}' is not a whole number"));
    }
    canonical
        .parse()
        .map_err(|_| format!("'{decimal}' is too large for a whole number"))
}

fn at_most_one<T: Clone>(items: &[T], what: &str) -> Result<Option<T>, Refusal> {
    match items {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => Err(format!(
            "{} {what} cannot become a single value",
            items.len()
        )),
    }
}

/// A single relationship is a one-element [`FieldValue::Links`] (the domain has no single link).
fn one_link(link: String) -> FieldValue {
    FieldValue::Links(vec![link])
}

/// Normalizes and turns every empty value into `Null`, so "no value" has one spelling.
pub(crate) fn canonical(value: FieldValue) -> FieldValue {
    match value.normalized() {
        v if is_empty(&v) => FieldValue::Null,
        v => v,
    }
}

/// Whether a value says "nothing": `Null`, blank text or option, or an empty list.
pub(crate) fn is_empty(value: &FieldValue) -> bool {
    match value {
        FieldValue::Null => true,
        FieldValue::Text(s) | FieldValue::Option(s) => s.trim().is_empty(),
        FieldValue::Options(v) | FieldValue::Links(v) => v.is_empty(),
        FieldValue::Persons(v) => v.is_empty(),
        FieldValue::WebLinks(v) => v.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use hub_domain::model::PersonRef;
    use proptest::prelude::*;

    use FieldType as T;
    use FieldValue as V;

    const ALL_TYPES: [FieldType; 19] = [
        T::String,
        T::RichText,
        T::SingleSelect,
        T::MultiSelect,
        T::Boolean,
        T::Integer,
        T::Decimal,
        T::Date,
        T::DateTime,
        T::Duration,
        T::Person,
        T::Persons,
        T::Relationship,
        T::Relationships,
        T::WebLinks,
        T::Container,
        T::Comments,
        T::Attachments,
        T::TimeEntries,
    ];

    fn text(s: &str) -> FieldValue {
        V::Text(s.into())
    }

    fn person(id: &str) -> PersonRef {
        PersonRef {
            id: id.into(),
            username: None,
            email: None,
            display_name: None,
        }
    }

    fn ok(value: FieldValue, to: FieldType) -> FieldValue {
        convert(&value, to).unwrap_or_else(|e| panic!("{value:?} to {to:?}: {e}"))
    }

    fn refused(value: FieldValue, to: FieldType) -> String {
        convert(&value, to).expect_err(&format!("{value:?} to {to:?} should be refused"))
    }

    #[test]
    fn null_converts_to_null_for_every_type() {
        for to in ALL_TYPES {
            assert_eq!(ok(V::Null, to), V::Null, "{to:?}");
        }
    }

    #[test]
    fn text_parses_into_scalars_and_back() {
        let date = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
        let instant = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
        assert_eq!(ok(text(" 42 "), T::Integer), V::Integer(42));
        assert_eq!(ok(text("0012.50"), T::Decimal), V::Decimal("12.5".into()));
        assert_eq!(ok(text("Yes"), T::Boolean), V::Bool(true));
        assert_eq!(ok(text("2024-05-01"), T::Date), V::Date(date));
        let parsed = ok(text("2024-05-01T12:00:00+02:00"), T::DateTime);
        assert_eq!(parsed, V::DateTime(instant));
        assert_eq!(
            ok(V::DateTime(instant), T::String),
            text("2024-05-01T10:00:00Z")
        );
        assert_eq!(ok(V::Date(date), T::String), text("2024-05-01"));
        assert_eq!(ok(V::Bool(false), T::RichText), text("false"));
        assert_eq!(ok(V::Integer(-7), T::String), text("-7"));
        assert_eq!(ok(text("High"), T::SingleSelect), V::Option("High".into()));
        assert_eq!(ok(V::Option("High".into()), T::String), text("High"));
    }

    #[test]
    fn unparseable_text_is_refused_with_a_reason() {
        assert!(refused(text("forty"), T::Integer).contains("'forty' is not a whole number"));
        assert!(refused(text("1e3"), T::Decimal).contains("not a decimal"));
        assert!(refused(text("maybe"), T::Boolean).contains("not a boolean"));
        assert!(refused(text("01/05/2024"), T::Date).contains("YYYY-MM-DD"));
        assert!(refused(text("2024-05-01 10:00"), T::DateTime).contains("RFC 3339"));
        refused(text("someone"), T::Person);
    }

    #[test]
    fn blank_text_and_empty_lists_are_no_value() {
        assert_eq!(ok(text("  "), T::Integer), V::Null);
        assert_eq!(ok(text(""), T::String), V::Null);
        assert_eq!(ok(V::Options(vec![]), T::MultiSelect), V::Null);
        assert_eq!(ok(V::Options(vec![]), T::SingleSelect), V::Null);
        assert_eq!(ok(V::Persons(vec![]), T::Person), V::Null);
    }

    #[test]
    fn decimals_are_canonical_and_become_integers_only_when_exact() {
        for (raw, canonical) in [
            ("-0.00", "0"),
            (".5", "0.5"),
            ("+3.", "3"),
            ("-010.10", "-10.1"),
        ] {
            assert_eq!(
                ok(V::Decimal(raw.into()), T::Decimal),
                V::Decimal(canonical.into())
            );
        }
        assert_eq!(ok(V::Decimal("3.000".into()), T::Integer), V::Integer(3));
        assert!(refused(V::Decimal("3.5".into()), T::Integer).contains("not a whole number"));
        assert!(
            refused(V::Decimal("99999999999999999999".into()), T::Integer).contains("too large")
        );
        assert_eq!(ok(V::Integer(12), T::Decimal), V::Decimal("12".into()));
    }

    #[test]
    fn single_and_multiple_values_convert_when_there_is_at_most_one() {
        let options = V::Options(vec!["b".into(), "a".into(), "a".into()]);
        assert_eq!(
            ok(options.clone(), T::MultiSelect),
            V::Options(vec!["a".into(), "b".into()])
        );
        assert!(refused(options, T::SingleSelect).contains("2 options"));
        assert_eq!(
            ok(V::Options(vec!["a".into()]), T::SingleSelect),
            V::Option("a".into())
        );
        assert_eq!(
            ok(V::Option("a".into()), T::MultiSelect),
            V::Options(vec!["a".into()])
        );
        let p = person("u1");
        assert_eq!(
            ok(V::Person(p.clone()), T::Persons),
            V::Persons(vec![p.clone()])
        );
        assert_eq!(
            ok(V::Persons(vec![p.clone()]), T::Person),
            V::Person(p.clone())
        );
        refused(V::Persons(vec![p, person("u2")]), T::Person);
        let links = V::Links(vec!["9".into(), "3".into()]);
        assert_eq!(
            ok(links.clone(), T::Relationships),
            V::Links(vec!["3".into(), "9".into()])
        );
        refused(links, T::Relationship);
        assert_eq!(
            ok(V::Links(vec!["3".into()]), T::Relationship),
            V::Links(vec!["3".into()])
        );
    }

    #[test]
    fn durations_are_whole_minutes() {
        assert_eq!(ok(V::Minutes(90), T::Integer), V::Integer(90));
        assert_eq!(ok(V::Integer(90), T::Duration), V::Minutes(90));
        refused(V::Minutes(90), T::String);
    }

    #[test]
    fn everything_else_is_refused() {
        refused(V::Bool(true), T::Integer);
        refused(V::Person(person("u1")), T::String);
        refused(V::Integer(1), T::Date);
        refused(V::Option("a".into()), T::Person);
        refused(V::Links(vec!["1".into()]), T::String);
        refused(V::Text("x".into()), T::Comments);
    }

    fn scalar() -> impl Strategy<Value = (FieldValue, FieldType)> {
        prop_oneof![
            any::<i64>().prop_map(|n| (V::Integer(n), T::Integer)),
            (any::<i64>(), 0u32..6).prop_map(|(n, scale)| {
                let text = canonical_decimal(&decimal_text(n, scale)).unwrap();
                (V::Decimal(text), T::Decimal)
            }),
            any::<bool>().prop_map(|b| (V::Bool(b), T::Boolean)),
            (-100_000i32..100_000).prop_map(|d| {
                let day = NaiveDate::from_num_days_from_ce_opt(730_000 + d).unwrap();
                (V::Date(day), T::Date)
            }),
            (0i64..4_000_000_000, 0u32..1_000_000_000).prop_map(|(s, n)| {
                (V::DateTime(Utc.timestamp_opt(s, n).unwrap()), T::DateTime)
            }),
            "[a-z]{1,8}".prop_map(|s| (V::Option(s), T::SingleSelect)),
        ]
    }

    fn decimal_text(n: i64, scale: u32) -> String {
        let digits = n.unsigned_abs().to_string();
        let padded = format!("{digits:0>width$}", width = scale as usize + 1);
        let (int, frac) = padded.split_at(padded.len() - scale as usize);
        let sign = if n < 0 { "-" } else { "" };
        format!("{sign}{int}.{frac}")
    }

    proptest! {
        /// Every scalar survives a trip through text, so string fields can carry them.
        #[test]
        fn scalars_round_trip_through_text((value, ty) in scalar()) {
            let as_text = convert(&value, T::String).unwrap();
            prop_assert_eq!(convert(&as_text, ty).unwrap(), value);
        }

        /// Converting twice changes nothing more: results are canonical.
        #[test]
        fn conversion_results_are_canonical((value, ty) in scalar()) {
            let once = convert(&value, ty).unwrap();
            prop_assert_eq!(convert(&once, ty).unwrap(), once.clone());
            prop_assert_eq!(once, value);
        }
    }
}
