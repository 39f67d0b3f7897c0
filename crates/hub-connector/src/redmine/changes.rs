//! Change queries: issues of a scope updated at or after a time, oldest first, in pages.
//!
//! Redmine keeps `updated_on` to the microsecond but shows and filters it to the second: the
//! filter `updated_on >= t` really means "after t − 1 s", and within a second the list is
//! ordered by the hidden fraction, not by id. Its paging is by offset, which shifts when an
//! issue is updated while a query pages. So pages are keyed instead: the token is the second
//! of the last issue handed out and the ids handed out in that second; the next page asks
//! again from that second, skipping all it handed out there but the last, and goes on only
//! if that last one comes first (so nothing before it moved); otherwise it reads the second
//! from its start and drops what was handed out and what lies before it. Closed issues are
//! included (`status_id=*`); Redmine hides them otherwise.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use super::catalog::list;
use super::client::Client;
use super::errors;
use super::read;
use crate::connector::Result;
use crate::types::{ChangePage, ChangedArtifact};

/// Where a page starts: in this second, after these issues.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    seconds: i64,
    ids: Vec<String>,
}

impl Cursor {
    fn parse(token: &str) -> Result<Self> {
        let bad = || errors::invalid(format!("not a Redmine page token: '{token}'"));
        let (seconds, ids) = token.split_once(':').ok_or_else(bad)?;
        Ok(Self {
            seconds: seconds.parse().map_err(|_| bad())?,
            ids: ids
                .split(',')
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }

    fn token(&self) -> String {
        format!("{}:{}", self.seconds, self.ids.join(","))
    }

    /// Whether `change` comes after the cursor (is not handed out yet).
    fn admits(&self, change: &ChangedArtifact) -> bool {
        let seconds = change.updated_at.timestamp();
        seconds > self.seconds || (seconds == self.seconds && !self.ids.contains(&change.id))
    }

    /// The cursor after handing out `items` (oldest first) following this one.
    fn after(self, items: &[ChangedArtifact]) -> Self {
        let Some(last) = items.last() else {
            return self;
        };
        let seconds = last.updated_at.timestamp();
        let mut ids = if seconds == self.seconds {
            self.ids
        } else {
            Vec::new()
        };
        ids.extend(
            items
                .iter()
                .filter(|item| item.updated_at.timestamp() == seconds)
                .map(|item| item.id.clone()),
        );
        Self { seconds, ids }
    }
}

/// A change query over projects and trackers (by Redmine id).
pub struct Query<'a> {
    /// The client.
    pub client: &'a Client,
    /// Project ids.
    pub projects: Vec<u64>,
    /// Tracker ids; empty means all.
    pub trackers: Vec<u64>,
    /// Issues per request.
    pub page_size: usize,
}

impl Query<'_> {
    /// One page of changes at or after `since` (to the second), continuing after `page`.
    pub async fn page(
        &self,
        since: Option<DateTime<Utc>>,
        page: Option<&str>,
    ) -> Result<ChangePage> {
        let cursor = match page {
            Some(token) => Cursor::parse(token)?,
            None => Cursor {
                seconds: since.map_or(i64::MIN, |s| s.timestamp()),
                ids: Vec::new(),
            },
        };
        let floor = DateTime::from_timestamp(cursor.seconds, 0);
        // The cursor's second comes first, in Redmine's order, and what was handed out of it
        // is its beginning: skip all of that but the last one handed out. Finding that one
        // first shows nothing before it moved on, so the second need not be read again.
        let skip = cursor.ids.len().saturating_sub(1);
        if skip > 0 {
            let answer = self.request(floor, skip).await?;
            let first = list(&answer, "issues")
                .first()
                .and_then(|i| i["id"].as_u64());
            if first.map(|id| id.to_string()).as_ref() == cursor.ids.last()
                && let Some(page) = Self::hand_out(&cursor, &answer, skip)?
            {
                return Ok(page);
            }
        }
        let mut offset = 0;
        loop {
            let answer = self.request(floor, offset).await?;
            if let Some(page) = Self::hand_out(&cursor, &answer, offset)? {
                return Ok(page);
            }
            // A whole page handed out already (many updates in one second).
            offset += list(&answer, "issues").len();
        }
    }

    /// The page an answer read at `offset` makes after `cursor`; `None` when all it holds
    /// was handed out already and more follows.
    fn hand_out(cursor: &Cursor, answer: &Value, offset: usize) -> Result<Option<ChangePage>> {
        let issues = list(answer, "issues");
        let total = answer["total_count"].as_u64().unwrap_or(0) as usize;
        let mut items = issues
            .iter()
            .map(read::changed)
            .collect::<Result<Vec<_>>>()?;
        items.retain(|item| cursor.admits(item));
        let more = offset + issues.len() < total && !issues.is_empty();
        if items.is_empty() && more {
            return Ok(None);
        }
        let next = more.then(|| cursor.clone().after(&items).token());
        Ok(Some(ChangePage { items, next }))
    }

    async fn request(&self, floor: Option<DateTime<Utc>>, offset: usize) -> Result<Value> {
        let mut query = vec![
            ("set_filter", "1".to_owned()),
            ("f[]", "status_id".to_owned()),
            ("op[status_id]", "*".to_owned()),
            ("sort", "updated_on,id".to_owned()),
            ("limit", self.page_size.to_string()),
            ("offset", offset.to_string()),
        ];
        if !self.projects.is_empty() {
            query.push(("f[]", "project_id".to_owned()));
            query.push(("op[project_id]", "=".to_owned()));
            query.extend(
                self.projects
                    .iter()
                    .map(|p| ("v[project_id][]", p.to_string())),
            );
        }
        if !self.trackers.is_empty() {
            query.push(("f[]", "tracker_id".to_owned()));
            query.push(("op[tracker_id]", "=".to_owned()));
            query.extend(
                self.trackers
                    .iter()
                    .map(|t| ("v[tracker_id][]", t.to_string())),
            );
        }
        if let Some(floor) = floor {
            // Redmine reads `>= t` as "after t - 1 s": asking from the next second lists from
            // `floor` on, without a second the cursor would drop. (An issue stamped on the
            // exact microsecond `floor` is left to the engine's overlap.)
            query.push(("f[]", "updated_on".to_owned()));
            query.push(("op[updated_on]", ">=".to_owned()));
            let at =
                (floor + chrono::Duration::seconds(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
            query.push(("v[updated_on][]", at));
        }
        self.client.get("issues.json", &query).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(seconds: i64, id: &str) -> ChangedArtifact {
        ChangedArtifact {
            id: id.to_owned(),
            updated_at: DateTime::from_timestamp(seconds, 0).unwrap(),
            version: String::new(),
        }
    }

    #[test]
    fn tokens_round_trip() {
        let cursor = Cursor::parse("1700000000:42,7").unwrap();
        assert_eq!(cursor.ids, ["42", "7"]);
        assert_eq!(cursor.token(), "1700000000:42,7");
        assert!(Cursor::parse("nonsense").is_err());
    }

    #[test]
    fn a_cursor_admits_what_it_has_not_handed_out_regardless_of_id_order() {
        let cursor = Cursor::parse("1700000000:42").unwrap();
        assert!(!cursor.admits(&change(1_700_000_000, "42")));
        assert!(!cursor.admits(&change(1_699_999_999, "50")));
        assert!(cursor.admits(&change(1_700_000_000, "7")));
        assert!(cursor.admits(&change(1_700_000_001, "1")));
    }

    #[test]
    fn the_next_cursor_remembers_every_id_of_its_second() {
        let cursor = Cursor::parse("1700000000:42").unwrap();
        let next = cursor.after(&[change(1_700_000_000, "7"), change(1_700_000_000, "3")]);
        assert_eq!(next.token(), "1700000000:42,7,3");
        let later = next.after(&[change(1_700_000_000, "9"), change(1_700_000_002, "1")]);
        assert_eq!(later.token(), "1700000002:1");
    }
}
