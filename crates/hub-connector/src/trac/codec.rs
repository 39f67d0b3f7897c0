//! The two `__jsonclass__` values of Trac's JSON-RPC: datetimes and binary content.
//!
//! Trac sends `{"__jsonclass__": ["datetime", "2026-11-24T10:00:00"]}` (UTC, whole seconds)
//! and `{"__jsonclass__": ["binary", "<base64>"]}`. When parsing a datetime it reads a
//! fraction's digits as a count of *microseconds*, so fractions always go out with six digits.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Value, json};

/// `dt` as a Trac datetime, to the microsecond.
pub fn datetime(dt: DateTime<Utc>) -> Value {
    json!({"__jsonclass__": ["datetime", dt.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()]})
}

/// `bytes` as a Trac binary value.
pub fn binary(bytes: &[u8]) -> Value {
    json!({"__jsonclass__": ["binary", STANDARD.encode(bytes)]})
}

fn jsonclass<'a>(value: &'a Value, kind: &str) -> Option<&'a str> {
    let pair = value.get("__jsonclass__")?.as_array()?;
    match pair.as_slice() {
        [Value::String(k), Value::String(v)] if k == kind => Some(v),
        _ => None,
    }
}

/// A Trac datetime, if `value` is one.
pub fn parse_datetime(value: &Value) -> Option<DateTime<Utc>> {
    let text = jsonclass(value, "datetime")?;
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    Some(naive.and_utc())
}

/// Binary content, if `value` is a Trac binary value.
pub fn parse_binary(value: &Value) -> Option<Vec<u8>> {
    let text = jsonclass(value, "binary")?;
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(compact).ok()
}

/// The time a `_ts` version token stands for (microseconds since the epoch).
pub fn ts_time(ts: &str) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(ts.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_go_out_with_six_fraction_digits_and_come_back() {
        let dt = DateTime::from_timestamp_micros(1_795_633_595_056_741).unwrap();
        let value = datetime(dt);
        assert_eq!(value["__jsonclass__"][1], "2026-11-25T19:06:35.056741");
        assert_eq!(parse_datetime(&value), Some(dt));
        let whole = json!({"__jsonclass__": ["datetime", "2026-11-25T19:06:35"]});
        assert_eq!(parse_datetime(&whole).unwrap().timestamp(), dt.timestamp());
    }

    #[test]
    fn binary_round_trips_and_tolerates_line_breaks() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(parse_binary(&binary(&bytes)), Some(bytes));
        let wrapped = json!({"__jsonclass__": ["binary", "AAEC\n/w==\n"]});
        assert_eq!(parse_binary(&wrapped), Some(vec![0, 1, 2, 255]));
    }

    #[test]
    fn other_values_are_not_mistaken_for_jsonclass() {
        assert_eq!(parse_datetime(&json!("2026-11-25T19:06:35")), None);
        assert_eq!(parse_binary(&datetime(Utc::now())), None);
        assert_eq!(
            ts_time("1795633595056741").unwrap().timestamp(),
            1_795_633_595
        );
        assert_eq!(ts_time("soon"), None);
    }
}
