//! The workflow of a tracker in a project, observed through the issues that are in it.
//!
//! Redmine keeps its workflow rules (role, tracker, old status, new status, with author and
//! assignee variants) in its database and has no REST resource for them; the administration
//! pages that show them do not accept API keys. What an API user may do is what Redmine
//! computes per issue (`Issue#new_statuses_allowed_to`): for an administrator the union of
//! every role's rules for the tracker — not "any status", a workflow no role allows stays
//! closed to administrators too — and for anyone else the rules of their roles in the
//! project; then closed statuses are withheld from a blocked issue or a parent with open
//! subtasks, and only closed ones are offered to a subtask of a closed parent.
//!
//! The one view of that the API gives is an issue's `allowed_statuses` (Redmine 5). So the
//! workflow is read from the issues themselves: for each status, the latest issue of the
//! tracker in the project in that status (the project's own issues, not its subprojects',
//! whose members may differ), and the statuses it offers. Each edge is then exactly a
//! transition that [`crate::Connector::transitions`] lists and `perform_transition` accepts
//! (the status id, leading to the status name the `status` field holds), at least for that
//! issue.
//!
//! What this cannot see, by design rather than by guessing: a status no issue of the project
//! and tracker is in has no outgoing edges, so a path through it is not offered and the
//! engine reports the target unreachable instead of trying a move Redmine may refuse. The
//! rules that depend on the issue (author, assignee, blocked, subtasks) are those of the
//! issue read; `perform_transition` checks the moved issue's own allowed statuses at every
//! step and refuses, as an invalid value, a step that does not hold for it. Reading costs two
//! requests per status.

use serde_json::Value;

use super::super::catalog::list;
use super::RedmineConnector;
use super::issue_parts::allowed_statuses;
use crate::connector::Result;
use crate::types::WorkflowEdge;

impl RedmineConnector {
    /// The edges the issues of `tracker` in `project` show, status by status.
    pub(super) async fn observed_workflow(
        &self,
        project: &str,
        tracker: &str,
    ) -> Result<Vec<WorkflowEdge>> {
        let (catalog, project, tracker) = self.project_tracker(project, tracker).await?;
        let mut edges = Vec::new();
        for (status, _) in &catalog.statuses {
            let query = [
                ("project_id", project.named.id.to_string()),
                ("subproject_id", "!*".to_owned()),
                ("tracker_id", tracker.named.id.to_string()),
                ("status_id", status.id.to_string()),
                ("sort", "updated_on:desc".to_owned()),
                ("limit", "1".to_owned()),
            ];
            let found = self.client.get("issues.json", &query).await?;
            let Some(sample) = list(&found, "issues")
                .first()
                .and_then(|i| i["id"].as_u64())
            else {
                continue;
            };
            let issue = self.issue(sample, "allowed_statuses").await?;
            edges.extend(edges_from(&issue, status.id));
        }
        Ok(edges)
    }
}

/// The edges an issue answer shows, if it is still in `status` (it may have moved since it
/// was listed; its edges then belong to another status, read on that status's turn).
fn edges_from(issue: &Value, status: u64) -> Vec<WorkflowEdge> {
    let from = match (
        issue["status"]["id"].as_u64(),
        issue["status"]["name"].as_str(),
    ) {
        (Some(id), Some(name)) if id == status => name.to_owned(),
        _ => return Vec::new(),
    };
    allowed_statuses(issue)
        .into_iter()
        .map(|transition| WorkflowEdge {
            from_state: from.clone(),
            transition,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn issue(status: (u64, &str)) -> Value {
        json!({"id": 7, "status": {"id": status.0, "name": status.1},
               "allowed_statuses": [{"id": 1, "name": "New"}, {"id": 2, "name": "In Progress"},
                                    {"id": 5, "name": "Closed"}]})
    }

    #[test]
    fn an_issue_shows_the_edges_from_its_status_to_the_others_it_allows() {
        let edges = edges_from(&issue((2, "In Progress")), 2);
        let shown: Vec<(&str, &str, &str)> = edges
            .iter()
            .map(|e| {
                let t = &e.transition;
                (e.from_state.as_str(), t.id.as_str(), t.to_state.as_str())
            })
            .collect();
        assert_eq!(
            shown,
            [("In Progress", "1", "New"), ("In Progress", "5", "Closed")]
        );
    }

    #[test]
    fn an_issue_that_moved_since_it_was_listed_shows_nothing() {
        assert!(edges_from(&issue((5, "Closed")), 2).is_empty());
    }
}
