//! Change queries: tickets changed at or after a time, oldest first, one page per call.
//!
//! `ticket.getRecentChanges` answers only unordered ids of every type, so the connector asks
//! `ticket.query` instead, which filters by `changetime` and type and orders by `changetime`
//! (ids only, cheap), then reads one page of tickets with `system.multicall`. Trac's query
//! takes whole seconds; the precise `_ts` of each ticket decides what is reported.
//!
//! The page token is the last reported ticket's `(_ts, id)`: the next page asks again from
//! that second and skips what is not after the token, so a ticket changed while paging is
//! reported again at its new place, never lost.

use chrono::{DateTime, Utc};

use super::TracConnector;
use super::codec;
use super::tickets::query_value;
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};
use crate::types::{Artifact, ArtifactScope, ChangePage, ChangedArtifact};

impl TracConnector {
    pub(super) async fn changes(
        &self,
        scope: &ArtifactScope,
        since: Option<DateTime<Utc>>,
        page: Option<&str>,
    ) -> Result<ChangePage> {
        if !scope.projects.iter().any(|p| p == &self.context.project) {
            return Ok(ChangePage::default());
        }
        let after = page.map(parse_token).transpose()?;
        let from = after.map(|(ts, _)| ts).or(since);
        let ids = self.query_ids(&query(scope, from)).await?;
        let mut items: Vec<Artifact> = Vec::new();
        let mut consumed = 0;
        // Tickets of the token's second that were already reported come first; read on in
        // chunks until a page is full.
        for chunk in ids.chunks(self.page_size) {
            consumed += chunk.len();
            let fetched = self.tickets(chunk).await?;
            items.extend(fetched.into_iter().filter(|a| {
                since.is_none_or(|s| a.updated_at >= s) && after.is_none_or(|t| key(a) > t)
            }));
            if items.len() >= self.page_size {
                break;
            }
        }
        items.sort_by_key(key);
        let more = items.len() > self.page_size || consumed < ids.len();
        items.truncate(self.page_size);
        let next = items.last().filter(|_| more).map(token);
        let items = items
            .into_iter()
            .map(|a| ChangedArtifact {
                id: a.id,
                updated_at: a.updated_at,
                version: a.version,
            })
            .collect();
        Ok(ChangePage { items, next })
    }
}

/// The query for tickets of the scope changed in or after the second of `from`.
fn query(scope: &ArtifactScope, from: Option<DateTime<Utc>>) -> String {
    let mut parts = vec!["max=0".to_owned(), "order=changetime".to_owned()];
    if let Some(from) = from {
        parts.push(format!(
            "changetime={}..",
            from.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    if !scope.artifact_types.is_empty() {
        let types: Vec<String> = scope
            .artifact_types
            .iter()
            .map(|t| query_value(t))
            .collect();
        parts.push(format!("type={}", types.join("|")));
    }
    parts.join("&")
}

fn key(artifact: &Artifact) -> (DateTime<Utc>, i64) {
    (artifact.updated_at, artifact.id.parse().unwrap_or_default())
}

fn token(artifact: &Artifact) -> String {
    format!("{}:{}", artifact.version, artifact.id)
}

fn parse_token(token: &str) -> Result<(DateTime<Utc>, i64)> {
    let bad = || {
        ConnectorError::new(
            ErrorClass::InvalidValue,
            format!("not a Trac page token: '{token}'"),
        )
    };
    let (ts, id) = token.split_once(':').ok_or_else(bad)?;
    Ok((
        codec::ts_time(ts).ok_or_else(bad)?,
        id.parse().map_err(|_| bad())?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_filter_by_second_and_type() {
        let scope = ArtifactScope {
            projects: vec!["trac".into()],
            artifact_types: vec!["defect".into(), "task".into()],
        };
        let from = DateTime::from_timestamp_micros(1_795_633_595_056_741);
        assert_eq!(
            query(&scope, from),
            "max=0&order=changetime&changetime=2026-11-25T19:06:35Z..&type=defect|task"
        );
        assert_eq!(
            query(&ArtifactScope::default(), None),
            "max=0&order=changetime"
        );
    }

    #[test]
    fn page_tokens_round_trip_and_garbage_is_refused() {
        let (ts, id) = parse_token("1795633595056741:12").unwrap();
        assert_eq!((ts.timestamp_micros(), id), (1_795_633_595_056_741, 12));
        assert!(parse_token("12").is_err());
        assert!(parse_token("x:12").is_err());
    }
}
