//! Change queries: artifacts changed since a time, oldest first, one page at a time.
//!
//! Pages follow the `(updated_at, id)` order with a keyset token (the key of the last item
//! returned), so an artifact written between two page calls is not skipped: it moves behind the
//! cursor and shows up again on a later page, which is what callers that de-duplicate expect.

use std::ops::Bound;

use chrono::{DateTime, Utc};

use super::ops::{in_scope, invalid_input};
use super::state::TrackerState;
use crate::connector::Result;
use crate::types::{ArtifactScope, ChangePage, ChangedArtifact};

/// Default number of artifacts per page.
pub const DEFAULT_PAGE_SIZE: usize = 500;

impl TrackerState {
    pub(crate) fn changed_since(
        &self,
        scope: &ArtifactScope,
        since: Option<DateTime<Utc>>,
        page: Option<&str>,
        page_size: usize,
    ) -> Result<ChangePage> {
        scope
            .projects
            .iter()
            .try_for_each(|p| self.check_project(p))?;
        let start = match page {
            Some(token) => Bound::Excluded(decode_token(token)?),
            None => Bound::Included((since.unwrap_or(DateTime::<Utc>::MIN_UTC), 0)),
        };
        let mut matching = self
            .by_change
            .range((start, Bound::Unbounded))
            .filter(|(updated_at, _)| since.is_none_or(|s| *updated_at >= s))
            .map(|(_, key)| &self.artifacts[key].artifact)
            .filter(|artifact| in_scope(scope, artifact));
        let items: Vec<ChangedArtifact> = matching
            .by_ref()
            .take(page_size.max(1))
            .map(|a| ChangedArtifact {
                id: a.id.clone(),
                updated_at: a.updated_at,
                version: a.version.clone(),
            })
            .collect();
        let next = match (matching.next(), items.last()) {
            (Some(_), Some(last)) => Some(encode_token(last)),
            _ => None,
        };
        Ok(ChangePage { items, next })
    }
}

fn encode_token(last: &ChangedArtifact) -> String {
    format!("m1.{}.{}", last.updated_at.timestamp(), last.id)
}

fn decode_token(token: &str) -> Result<(DateTime<Utc>, u64)> {
    let malformed = || invalid_input(format!("malformed page token '{token}'"));
    let mut parts = token
        .strip_prefix("m1.")
        .ok_or_else(malformed)?
        .splitn(2, '.');
    let seconds: i64 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(malformed)?;
    let key: u64 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(malformed)?;
    let at = DateTime::from_timestamp(seconds, 0).ok_or_else(malformed)?;
    Ok((at, key))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use hub_domain::model::FieldValue;

    use super::*;
    use crate::types::NewArtifact;

    fn tracker_with(n: usize, at: DateTime<Utc>) -> TrackerState {
        let mut state = TrackerState::new("paging");
        state.clock = Some(at);
        state.create_project("P", "P").unwrap();
        for i in 0..n {
            let fields =
                BTreeMap::from([("summary".to_owned(), FieldValue::Text(format!("#{i}")))]);
            let new = NewArtifact {
                project: "P".into(),
                artifact_type: "bug".into(),
                fields,
                source: None,
            };
            state.create(&new).unwrap();
        }
        state
    }

    fn scope() -> ArtifactScope {
        ArtifactScope {
            projects: vec!["P".into()],
            artifact_types: vec![],
        }
    }

    fn all_pages(
        state: &TrackerState,
        since: Option<DateTime<Utc>>,
        size: usize,
    ) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut token = None;
        loop {
            let page = state
                .changed_since(&scope(), since, token.as_deref(), size)
                .unwrap();
            pages.push(page.items.iter().map(|i| i.id.clone()).collect());
            match page.next {
                Some(next) => token = Some(next),
                None => return pages,
            }
        }
    }

    #[test]
    fn pages_cover_every_artifact_once_in_id_order_within_a_second() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let state = tracker_with(7, at);
        let pages = all_pages(&state, None, 3);
        assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
        let ids: Vec<String> = pages.concat();
        assert_eq!(ids, (1..=7).map(|i| i.to_string()).collect::<Vec<_>>());
    }

    #[test]
    fn exact_page_size_has_no_empty_trailing_page() {
        let state = tracker_with(4, Utc::now());
        assert_eq!(all_pages(&state, None, 2).len(), 2);
        assert_eq!(all_pages(&state, None, 4).len(), 1);
    }

    #[test]
    fn since_is_inclusive_and_updates_move_to_the_end() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut state = tracker_with(3, t0);
        state.clock = Some(t0 + chrono::TimeDelta::milliseconds(2_500));
        let fields = BTreeMap::from([("summary".to_owned(), FieldValue::Text("edited".into()))]);
        state.update("1", None, &fields).unwrap();
        let since = t0 + chrono::TimeDelta::seconds(2);
        assert_eq!(all_pages(&state, Some(since), 10).concat(), ["1"]);
        assert_eq!(all_pages(&state, Some(t0), 10).concat(), ["2", "3", "1"]);
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let state = tracker_with(1, Utc::now());
        for token in ["", "x", "m1.", "m1.5", "m1.a.b"] {
            let err = state
                .changed_since(&scope(), None, Some(token), 10)
                .unwrap_err();
            assert_eq!(err.class, crate::ErrorClass::InvalidValue, "{token}");
        }
    }
}
