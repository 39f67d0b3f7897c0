//! Time entries (work logs) of an issue: `GET /time_entries.json?issue_id=N`, paged, and
//! `POST /time_entries.json`.
//!
//! **Durations.** Redmine stores hours and answers them rounded to two decimals (0.01 h, 36 s),
//! so the hub sends `minutes / 60` rounded the same way and reads `hours × 60` rounded to the
//! minute: every whole number of minutes comes back unchanged.
//!
//! **Activities.** An entry's kind of work is named; the hub maps the name onto Redmine's
//! system-wide activities ([`super::catalog::Catalog::time_entry_activities`]), ignoring case.
//! An unnamed or unknown activity becomes the default one, else the first active one, since
//! Redmine refuses an entry without activity when none is marked default. Activities a project
//! overrides for itself are not looked at.
//!
//! **Workers.** With `user_id` an administrator's key (or one with "Log spent time for other
//! users") files an entry under another user. The hub sends it when the entry's author is a
//! Redmine user; when Redmine refuses (the user may not log time in the project, or the key may
//! not log for others) it logs the entry again as the connection's user, and the answer names
//! that user, so the caller sees that the entry is not filed under its worker (SYN-50011W).
//!
//! **Source identities.** Redmine offers two places for the identity of a copied entry: a
//! custom field of time entries, or the comment. The hub uses the comment, with a trailing
//! "(Copied by Syncline from …)", like the notes and attachment descriptions it copies
//! ([`super::parts`]), because it is the one that is always there: a custom field has to be
//! created by an administrator first, listing custom fields needs administrator rights, and a
//! field hidden from or not editable by the key's role is silently dropped from the write, so
//! every copy made before someone noticed the missing field would be copied again after a
//! crash. The comment is stored with the entry in the same request. Its cost: the line is
//! visible, and Redmine limits comments to 1,024 characters, so a long comment is shortened to
//! make room for it (the original keeps its text; copies are never copied back).
//!
//! **Listing.** `issue_id=N` also lists the entries of N's subtasks; only those logged on N
//! itself are its time entries (a subtask's own pair carries the others). Adding an entry does
//! not change the issue's `updated_on`, so change detection does not notice it: it is carried
//! with the issue's next change or full scan.

use chrono::NaiveDate;
use hub_domain::model::PersonRef;
use reqwest::Method;
use serde_json::{Value, json};

use super::catalog::{Catalog, Named, list};
use super::client::Client;
use super::errors;
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};
use crate::types::{NewTimeEntry, TimeEntry};

/// How a copy names its source, at the end of the comment.
const SOURCE_PREFIX: &str = "(Copied by Syncline from ";
/// Redmine's limit on a time entry's comment, in characters.
const COMMENT_MAX_CHARS: usize = 1024;
/// Entries per page (Redmine's maximum).
const PAGE: usize = 100;

/// The time entries logged on issue `issue` itself, oldest first.
pub async fn list_entries(
    client: &Client,
    catalog: &Catalog,
    issue: u64,
) -> Result<Vec<TimeEntry>> {
    let mut entries = Vec::new();
    let mut offset = 0;
    loop {
        let query = [
            ("issue_id", issue.to_string()),
            ("limit", PAGE.to_string()),
            ("offset", offset.to_string()),
        ];
        let page = client
            .get("time_entries.json", &query)
            .await
            .map_err(forbidden_is_unsupported)?;
        let batch = list(&page, "time_entries");
        entries.extend(
            batch
                .iter()
                .filter(|e| e["issue"]["id"].as_u64() == Some(issue))
                .filter_map(|e| entry(e, catalog)),
        );
        offset += batch.len();
        let total = page["total_count"].as_u64().unwrap_or(0) as usize;
        if batch.is_empty() || offset >= total {
            break;
        }
    }
    entries.sort_by_key(|e| e.id.parse::<u64>().unwrap_or(u64::MAX));
    entries.dedup_by(|a, b| a.id == b.id);
    Ok(entries)
}

/// Logs `new` on issue `issue`, for its author when Redmine lets the key, else for the
/// connection's user.
pub async fn add_entry(
    client: &Client,
    catalog: &Catalog,
    issue: u64,
    new: &NewTimeEntry,
) -> Result<TimeEntry> {
    if new.minutes == 0 {
        return Err(errors::invalid(
            "a time entry needs a duration of at least a minute",
        ));
    }
    let mut document = json!({"time_entry": {
        "issue_id": issue,
        "hours": hours(new.minutes),
        "spent_on": new.spent_on.format("%Y-%m-%d").to_string(),
        "comments": comment_text(&new.comment, new.source.as_deref()),
    }});
    if let Some(activity) = activity_id(&catalog.time_entry_activities, new.activity.as_deref()) {
        document["time_entry"]["activity_id"] = json!(activity);
    }
    let worker = new.author.as_ref().and_then(|p| user_id(catalog, p));
    if let Some(worker) = worker {
        document["time_entry"]["user_id"] = json!(worker);
    }
    let answer = match client
        .write(Method::POST, "time_entries.json", &document)
        .await
    {
        // Refused for that user ("User is invalid") or for logging for others: log it as
        // ourselves; the answer's user says so. Nothing was created by the refused request.
        Err(e)
            if worker.is_some()
                && matches!(e.class, ErrorClass::InvalidValue | ErrorClass::Auth) =>
        {
            if let Some(fields) = document["time_entry"].as_object_mut() {
                fields.remove("user_id");
            }
            client
                .write(Method::POST, "time_entries.json", &document)
                .await
        }
        other => other,
    }
    .map_err(forbidden_is_unsupported)?;
    entry(&answer["time_entry"], catalog)
        .filter(|e| answer["time_entry"]["issue"]["id"].as_u64() == Some(issue) && !e.id.is_empty())
        .ok_or_else(|| errors::unexpected("POST time_entries.json", &answer))
}

/// A time entry of an answer.
fn entry(value: &Value, catalog: &Catalog) -> Option<TimeEntry> {
    let id = value["id"].as_u64()?;
    let user = &value["user"];
    let user_id = user["id"].as_u64()?;
    let author = catalog
        .users
        .get(&user_id)
        .cloned()
        .unwrap_or_else(|| PersonRef {
            id: user_id.to_string(),
            username: None,
            email: None,
            display_name: user["name"].as_str().map(str::to_owned),
        });
    let spent_on = NaiveDate::parse_from_str(value["spent_on"].as_str()?, "%Y-%m-%d").ok()?;
    let (comment, source) = split_comment(value["comments"].as_str().unwrap_or_default());
    Some(TimeEntry {
        id: id.to_string(),
        author,
        spent_on,
        minutes: minutes(value["hours"].as_f64()?),
        comment,
        activity: value["activity"]["name"].as_str().map(str::to_owned),
        source,
    })
}

/// Hours as Redmine keeps them: two decimals.
fn hours(minutes: u32) -> f64 {
    (f64::from(minutes) / 60.0 * 100.0).round() / 100.0
}

/// Whole minutes of Redmine's hours.
fn minutes(hours: f64) -> u32 {
    let minutes = (hours * 60.0).round();
    if minutes <= 0.0 {
        0
    } else if minutes >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        minutes as u32
    }
}

/// The comment Redmine stores: the text, shortened if need be, and the source marker.
fn comment_text(comment: &str, source: Option<&str>) -> String {
    let comment = comment.trim();
    let Some(source) = source else {
        return shorten(comment, COMMENT_MAX_CHARS);
    };
    let marker = format!("{SOURCE_PREFIX}{source})");
    let room = COMMENT_MAX_CHARS.saturating_sub(marker.chars().count() + 1);
    match shorten(comment, room) {
        body if body.is_empty() => marker,
        body => format!("{body} {marker}"),
    }
}

/// `text` cut to at most `max` characters, ending in "…" when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// A stored comment without its trailing source marker, and the source.
fn split_comment(stored: &str) -> (String, Option<String>) {
    let stored = stored.trim();
    if let Some(rest) = stored.strip_suffix(')')
        && let Some((body, source)) = rest.rsplit_once(SOURCE_PREFIX)
        && !source.is_empty()
        && !source.contains(char::is_whitespace)
        && !source.contains(')')
        && (body.is_empty() || body.ends_with(' '))
    {
        return (body.trim_end().to_owned(), Some(source.to_owned()));
    }
    (stored.to_owned(), None)
}

/// The activity of `name` (ignoring case); else the default, else the first one.
fn activity_id(activities: &[(Named, bool)], name: Option<&str>) -> Option<u64> {
    let named = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .and_then(|name| {
            activities
                .iter()
                .find(|(a, _)| a.name.eq_ignore_ascii_case(name))
        });
    named
        .or_else(|| activities.iter().find(|(_, default)| *default))
        .or_else(|| activities.first())
        .map(|(a, _)| a.id)
}

/// The Redmine user `person` is: by id when what else is known of them agrees (the engine hands
/// in persons of this Redmine), else by e-mail, else by login.
fn user_id(catalog: &Catalog, person: &PersonRef) -> Option<u64> {
    let same = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
    let differs = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b));
    let by_id = person.id.parse().ok().filter(|id| {
        catalog.users.get(id).is_some_and(|u| {
            !differs(&u.email, &person.email) && !differs(&u.username, &person.username)
        })
    });
    by_id
        .or_else(|| {
            let found = catalog
                .users
                .iter()
                .find(|(_, u)| same(&u.email, &person.email));
            found.map(|(id, _)| *id)
        })
        .or_else(|| {
            let found = catalog
                .users
                .iter()
                .find(|(_, u)| same(&u.username, &person.username));
            found.map(|(id, _)| *id)
        })
}

/// A 403 on time entries means the project does not track time (the module is off) or the
/// key's role may not view or log it: nothing to do for this issue, not a refused key that
/// should stop the whole repository.
fn forbidden_is_unsupported(e: ConnectorError) -> ConnectorError {
    if e.class == ErrorClass::Auth && e.message.contains("HTTP 403") {
        ConnectorError::new(
            ErrorClass::Unsupported,
            format!(
                "{} (time tracking is off in the issue's project, or the key's role may not \
                 view or log time there)",
                e.message
            ),
        )
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use reqwest::StatusCode;

    use super::*;

    fn activity(id: u64, name: &str, default: bool) -> (Named, bool) {
        (
            Named {
                id,
                name: name.to_owned(),
            },
            default,
        )
    }

    fn person(id: u64, login: &str) -> PersonRef {
        PersonRef {
            id: id.to_string(),
            username: Some(login.to_owned()),
            email: Some(format!("{login}@example.com")),
            display_name: Some(login.to_uppercase()),
        }
    }

    fn catalog() -> Catalog {
        Catalog {
            users: BTreeMap::from([(5, person(5, "alice")), (6, person(6, "bob"))]),
            ..Catalog::default()
        }
    }

    #[test]
    fn activities_are_matched_by_name_else_the_default_else_the_first() {
        let with_default = [
            activity(8, "Design", false),
            activity(9, "Development", true),
        ];
        assert_eq!(activity_id(&with_default, Some("design")), Some(8));
        assert_eq!(activity_id(&with_default, Some("Gardening")), Some(9));
        assert_eq!(activity_id(&with_default, None), Some(9));
        assert_eq!(activity_id(&with_default, Some("  ")), Some(9));
        let without_default = [
            activity(8, "Design", false),
            activity(9, "Development", false),
        ];
        assert_eq!(activity_id(&without_default, None), Some(8));
        assert_eq!(activity_id(&[], Some("Design")), None);
    }

    #[test]
    fn workers_are_found_by_id_only_when_the_rest_agrees() {
        let catalog = catalog();
        assert_eq!(user_id(&catalog, &person(5, "alice")), Some(5));
        // Id 5 of another tracker is somebody else: the e-mail address decides.
        assert_eq!(user_id(&catalog, &person(5, "bob")), Some(6));
        let by_login = PersonRef {
            id: "u9".into(),
            username: Some("BOB".into()),
            email: None,
            display_name: None,
        };
        assert_eq!(user_id(&catalog, &by_login), Some(6));
        assert_eq!(user_id(&catalog, &person(7, "carol")), None);
    }

    #[test]
    fn an_answer_becomes_a_time_entry_with_its_source_split_off() {
        let answer = json!({
            "id": 12, "issue": {"id": 3}, "user": {"id": 5, "name": "Alice Able"},
            "activity": {"id": 9, "name": "Development"}, "hours": 0.33,
            "comments": "Fixed it (Copied by Syncline from syncline:4:l:7)",
            "spent_on": "2026-12-01"
        });
        let read = entry(&answer, &catalog()).expect("an entry");
        assert_eq!(read.id, "12");
        assert_eq!(read.author, person(5, "alice"));
        assert_eq!(read.minutes, 20);
        assert_eq!(read.comment, "Fixed it");
        assert_eq!(read.source.as_deref(), Some("syncline:4:l:7"));
        assert_eq!(read.activity.as_deref(), Some("Development"));
        assert_eq!(read.spent_on, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        let unknown_user = json!({"id": 1, "user": {"id": 77, "name": "Old Timer"},
            "hours": 1.0, "comments": "", "spent_on": "2026-01-02"});
        let read = entry(&unknown_user, &catalog()).expect("an entry");
        assert_eq!(read.author.display_name.as_deref(), Some("Old Timer"));
        assert_eq!(read.source, None);
    }

    #[test]
    fn a_marker_inside_the_text_is_no_source() {
        let quoted = "see (Copied by Syncline from x) later";
        assert_eq!(split_comment(quoted), (quoted.to_owned(), None));
        let glued = "text(Copied by Syncline from x)";
        assert_eq!(split_comment(glued), (glued.to_owned(), None));
        assert_eq!(
            split_comment("(Copied by Syncline from s:1)"),
            (String::new(), Some("s:1".to_owned()))
        );
    }

    #[test]
    fn a_long_comment_is_shortened_to_keep_the_marker() {
        let long = "x".repeat(2000);
        let stored = comment_text(&long, Some("syncline:1:r:99"));
        assert_eq!(stored.chars().count(), COMMENT_MAX_CHARS);
        let (body, source) = split_comment(&stored);
        assert!(body.ends_with('…'), "{body}");
        assert_eq!(source.as_deref(), Some("syncline:1:r:99"));
        assert_eq!(comment_text(&long, None).chars().count(), COMMENT_MAX_CHARS);
    }

    #[test]
    fn only_a_403_on_time_entries_is_unsupported() {
        let forbidden =
            errors::from_status(StatusCode::FORBIDDEN, "GET time_entries.json", "", None);
        assert_eq!(
            forbidden_is_unsupported(forbidden).class,
            ErrorClass::Unsupported
        );
        let refused =
            errors::from_status(StatusCode::UNAUTHORIZED, "GET time_entries.json", "", None);
        assert_eq!(forbidden_is_unsupported(refused).class, ErrorClass::Auth);
    }

    proptest! {
        #[test]
        fn whole_minutes_survive_redmine_s_two_decimal_hours(m in 1u32..100_000) {
            prop_assert_eq!(minutes(hours(m)), m);
        }

        #[test]
        fn comments_and_sources_round_trip(
            comment in "[^\\x00-\\x1f]{0,200}",
            source in proptest::option::of("[A-Za-z0-9:._-]{1,40}"),
        ) {
            let (body, read) = split_comment(&comment_text(&comment, source.as_deref()));
            prop_assert_eq!(read, source.clone());
            if source.is_some() {
                prop_assert_eq!(body, comment.trim());
            }
        }
    }
}
