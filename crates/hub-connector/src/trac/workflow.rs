//! Workflow transitions: Trac's ticket actions (`ticket.getActions`), and the whole workflow.
//!
//! A status is never written directly; it changes by performing an action with the inputs
//! the action asks for (a resolution, a new owner), each given its default. Trac does not say
//! where an action leads except in its hint ("Next status will be 'closed'"), so that is read;
//! an action without one keeps the status. `leave` is not a transition (it keeps the status)
//! and is left out.
//!
//! The whole workflow is configuration (`[ticket-workflow]`), which stock Trac does not
//! expose over RPC. `ticket.getWorkflow` (the `ticket_workflow.py` plugin in
//! `fixtures/trac/`) returns the configured actions the caller may perform; each becomes one
//! edge per state it starts from, its name the transition id that `ticket.getActions` and
//! [`TracConnector::perform_action`] use. An action from any state (`*`) starts from every
//! status of `ticket.status.getAll`; an action that keeps the state (new state `*`, like
//! `leave`) and an action's own new state as a start (`accept` on an accepted ticket) change
//! nothing and are no edges. Without the plugin the method is missing, which is
//! [`ErrorClass::Unsupported`]: the engine then uses only the actions a ticket offers now.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::tickets::{LEAVE, ticket_number};
use super::{TracConnector, errors, mapping};
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};
use crate::types::{Artifact, Transition, WorkflowEdge};
use hub_domain::model::FieldValue;

/// The ticket field holding the workflow state.
pub const STATUS: &str = "status";
/// A state in the workflow configuration standing for any state.
const ANY_STATE: &str = "*";

/// `[action, label, hints, [[input, default, options]]]` of `ticket.getActions`.
#[derive(Debug, Deserialize)]
struct Action(String, String, String, Vec<(String, String, Vec<String>)>);

/// `[action, label, oldstates, newstate]` of `ticket.getWorkflow`.
#[derive(Debug, Deserialize)]
struct ConfiguredAction(String, String, Vec<String>, String);

impl TracConnector {
    async fn actions(&self, id: &str) -> Result<Vec<Action>> {
        let number = ticket_number(id)?;
        let answer = self.rpc.call("ticket.getActions", json!([number])).await?;
        serde_json::from_value(answer).map_err(|e| errors::malformed("ticket.getActions", e))
    }

    /// The actions of ticket `number`, read together with its version; a version conflict
    /// when that is not `expected`.
    async fn actions_at(&self, number: i64, expected: &str) -> Result<Vec<Action>> {
        let mut answers = self
            .rpc
            .batch(vec![
                ("ticket.get", json!([number])),
                ("ticket.getActions", json!([number])),
            ])
            .await?
            .into_iter();
        let (Some(ticket), Some(actions)) = (answers.next(), answers.next()) else {
            return Err(errors::malformed("system.multicall", "answers missing"));
        };
        let ticket = ticket?;
        let current =
            mapping::version(&ticket).ok_or_else(|| errors::malformed("ticket.get", &ticket))?;
        ConnectorError::check_version(format!("Trac: ticket #{number}"), current, Some(expected))?;
        serde_json::from_value(actions?).map_err(|e| errors::malformed("ticket.getActions", e))
    }

    pub(super) async fn ticket_transitions(&self, id: &str) -> Result<Vec<Transition>> {
        let actions = self.actions(id).await?;
        let mut current = None;
        let mut transitions = Vec::new();
        for Action(action, label, hints, _) in actions.into_iter().filter(|a| a.0 != LEAVE) {
            let to_state = match next_status(&hints) {
                Some(state) => state,
                None => match &current {
                    Some(state) => String::clone(state),
                    None => {
                        let state = status(&self.ticket(id).await?);
                        current = Some(state.clone());
                        state
                    }
                },
            };
            let name = if label.is_empty() {
                action.clone()
            } else {
                label
            };
            transitions.push(Transition {
                id: action,
                name,
                to_state,
            });
        }
        Ok(transitions)
    }

    /// Every state change the workflow allows the connection's user, as edges.
    pub(super) async fn workflow_edges(&self) -> Result<Vec<WorkflowEdge>> {
        let actions = self.rpc.call("ticket.getWorkflow", json!([])).await?;
        let actions: Vec<ConfiguredAction> = serde_json::from_value(actions)
            .map_err(|e| errors::malformed("ticket.getWorkflow", e))?;
        let statuses = self.rpc.call("ticket.status.getAll", json!([])).await?;
        let statuses: Vec<String> = serde_json::from_value(statuses)
            .map_err(|e| errors::malformed("ticket.status.getAll", e))?;
        Ok(edges(&actions, &statuses))
    }

    /// Performs `action`; with `expected_version`, refuses it when the ticket changed since.
    /// Trac checks `_ts` only when fields or a comment change, never for a bare action, so the
    /// version is compared on the read of the actions, in the same request: the same moment
    /// before the write at which Trac itself checks a field edit.
    pub(super) async fn perform_action(
        &self,
        id: &str,
        expected_version: Option<&str>,
        action: &str,
    ) -> Result<Artifact> {
        let number = ticket_number(id)?;
        let actions = match expected_version {
            Some(expected) => self.actions_at(number, expected).await?,
            None => self.actions(id).await?,
        };
        let Some(Action(_, _, _, inputs)) = actions.into_iter().find(|a| a.0 == action) else {
            return Err(ConnectorError::new(
                ErrorClass::InvalidValue,
                format!(
                    "Trac: the action '{action}' is not available on #{number} in its current state"
                ),
            ));
        };
        let mut attributes = Map::new();
        attributes.insert("action".into(), json!(action));
        for (name, default, options) in inputs {
            let value = if default.is_empty() {
                options.into_iter().next().unwrap_or_default()
            } else {
                default
            };
            attributes.insert(name, Value::String(value));
        }
        if let Some(version) = expected_version {
            attributes.insert("_ts".into(), json!(version));
        }
        let answer = self
            .rpc
            .call("ticket.update", json!([number, "", attributes, false]))
            .await?;
        self.to_artifact(&answer).await
    }
}

/// The edges of the configured actions; `statuses` are what `*` stands for.
fn edges(actions: &[ConfiguredAction], statuses: &[String]) -> Vec<WorkflowEdge> {
    let mut edges = Vec::new();
    for ConfiguredAction(action, label, oldstates, newstate) in actions {
        if newstate.is_empty() || newstate == ANY_STATE {
            continue;
        }
        let starts = if oldstates.iter().any(|s| s == ANY_STATE) {
            statuses
        } else {
            oldstates
        };
        let transition = Transition {
            id: action.clone(),
            name: if label.is_empty() { action } else { label }.clone(),
            to_state: newstate.clone(),
        };
        edges.extend(
            starts
                .iter()
                .filter(|from| *from != newstate)
                .map(|from| WorkflowEdge {
                    from_state: from.clone(),
                    transition: transition.clone(),
                }),
        );
    }
    edges
}

fn status(artifact: &Artifact) -> String {
    match artifact.fields.get(STATUS) {
        Some(FieldValue::Option(s) | FieldValue::Text(s)) => s.clone(),
        _ => String::new(),
    }
}

/// The status an action's hint announces: `… Next status will be 'closed'.`
fn next_status(hints: &str) -> Option<String> {
    const LEAD: &str = "Next status will be '";
    let start = hints.find(LEAD)? + LEAD.len();
    let rest = &hints[start..];
    rest.find('\'').map(|end| rest[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_status_comes_from_the_hint() {
        let hint = "The owner will be changed from <span class=\"trac-author\">bob</span> to the specified user. Next status will be 'assigned'.";
        assert_eq!(next_status(hint).as_deref(), Some("assigned"));
        assert_eq!(next_status("The owner will remain bob."), None);
    }

    #[test]
    fn configured_actions_become_edges_that_change_the_state() {
        let answer = json!([
            ["accept", "accept", ["new", "accepted"], "accepted"],
            ["leave", "leave", ["*"], "*"],
            ["reopen", "", ["closed"], "reopened"],
            ["escalate", "Escalate", ["*"], "urgent"],
            ["_reset", "Reset", [], "new"]
        ]);
        let actions: Vec<ConfiguredAction> = serde_json::from_value(answer).unwrap();
        let statuses = ["new", "urgent", "closed"].map(String::from);
        let edges: Vec<(String, String, String, String)> = edges(&actions, &statuses)
            .into_iter()
            .map(|e| {
                let t = e.transition;
                (e.from_state, t.id, t.name, t.to_state)
            })
            .collect();
        let edge = |from: &str, id: &str, name: &str, to: &str| {
            (from.into(), id.into(), name.into(), to.into())
        };
        assert_eq!(
            edges,
            [
                edge("new", "accept", "accept", "accepted"),
                edge("closed", "reopen", "reopen", "reopened"),
                edge("new", "escalate", "Escalate", "urgent"),
                edge("closed", "escalate", "Escalate", "urgent"),
            ]
        );
    }

    #[test]
    fn actions_parse_with_their_inputs() {
        let answer = json!([[
            "resolve",
            "resolve",
            "Next status will be 'closed'.",
            [[
                "action_resolve_resolve_resolution",
                "fixed",
                ["fixed", "invalid"]
            ]]
        ]]);
        let actions: Vec<Action> = serde_json::from_value(answer).unwrap();
        assert_eq!(actions[0].3[0].0, "action_resolve_resolve_resolution");
    }
}
