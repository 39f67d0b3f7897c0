//! The fixed shape of the memory tracker: artifact types, their fields and the workflow.
//!
//! Every project has the same two types with one schema that covers every field type of the
//! domain model, so engine tests can map any kind of value without configuring the tracker.
//! The `status` field is read-only and moves only along the workflow, like in real trackers.

use std::sync::LazyLock;

use hub_domain::model::FieldType;

use crate::types::{ArtifactType, FieldSchema, Schema, Transition, WorkflowEdge};

/// Field id of the workflow state.
pub const STATUS: &str = "status";
/// Field id of the container (the project key, read-only).
pub const PROJECT: &str = "project";
/// Field id of the required title.
pub const SUMMARY: &str = "summary";
/// State of a new artifact.
pub const INITIAL_STATUS: &str = "new";
/// Every workflow state.
pub const STATUSES: [&str; 5] = ["new", "in_progress", "resolved", "closed", "rejected"];
/// Options of the `priority` single-select.
pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];
/// Options of the `labels` multi-select.
pub const LABELS: [&str; 5] = ["backend", "frontend", "docs", "security", "performance"];
/// Artifact types of every project: key and display name.
pub const ARTIFACT_TYPES: [(&str, &str); 2] = [("bug", "Bug"), ("task", "Task")];

/// One workflow transition: id, name, states it starts from, state it leads to.
struct WorkflowStep {
    id: &'static str,
    name: &'static str,
    from: &'static [&'static str],
    to: &'static str,
}

const WORKFLOW: [WorkflowStep; 5] = [
    WorkflowStep {
        id: "start",
        name: "Start work",
        from: &["new"],
        to: "in_progress",
    },
    WorkflowStep {
        id: "resolve",
        name: "Resolve",
        from: &["in_progress"],
        to: "resolved",
    },
    WorkflowStep {
        id: "close",
        name: "Close",
        from: &["resolved"],
        to: "closed",
    },
    WorkflowStep {
        id: "reopen",
        name: "Reopen",
        from: &["resolved"],
        to: "in_progress",
    },
    WorkflowStep {
        id: "reject",
        name: "Reject",
        from: &["new", "in_progress", "resolved", "closed"],
        to: "rejected",
    },
];

/// The transitions available in `state`.
pub(crate) fn transitions_from(state: &str) -> Vec<Transition> {
    WORKFLOW
        .iter()
        .filter(|step| step.from.contains(&state))
        .map(|step| Transition {
            id: step.id.to_owned(),
            name: step.name.to_owned(),
            to_state: step.to.to_owned(),
        })
        .collect()
}

/// The whole workflow: each transition once per state it starts from.
pub(crate) fn workflow() -> Vec<WorkflowEdge> {
    WORKFLOW
        .iter()
        .flat_map(|step| {
            step.from.iter().map(|from| WorkflowEdge {
                from_state: (*from).to_owned(),
                transition: Transition {
                    id: step.id.to_owned(),
                    name: step.name.to_owned(),
                    to_state: step.to.to_owned(),
                },
            })
        })
        .collect()
}

/// The state transition `id` leads to from `state`, if it is available there.
pub(crate) fn transition_target(state: &str, id: &str) -> Option<&'static str> {
    WORKFLOW
        .iter()
        .find(|step| step.id == id && step.from.contains(&state))
        .map(|step| step.to)
}

/// The artifact types every project has.
pub(crate) fn artifact_types() -> Vec<ArtifactType> {
    ARTIFACT_TYPES
        .iter()
        .map(|(key, name)| ArtifactType {
            key: (*key).to_owned(),
            name: (*name).to_owned(),
        })
        .collect()
}

/// Whether `key` is an artifact type of every project.
pub(crate) fn is_artifact_type(key: &str) -> bool {
    ARTIFACT_TYPES.iter().any(|(k, _)| *k == key)
}

/// The schema shared by every artifact type.
pub(crate) fn schema() -> &'static Schema {
    static SCHEMA: LazyLock<Schema> = LazyLock::new(build_schema);
    &SCHEMA
}

fn build_schema() -> Schema {
    let field = |id: &str, name: &str, field_type: FieldType| FieldSchema {
        id: id.to_owned(),
        name: name.to_owned(),
        field_type,
        required: false,
        read_only: false,
        options: Vec::new(),
    };
    let with_options = |mut f: FieldSchema, options: &[&str]| {
        f.options = options.iter().map(|o| (*o).to_owned()).collect();
        f
    };
    let fields = vec![
        FieldSchema {
            required: true,
            ..field(SUMMARY, "Summary", FieldType::String)
        },
        field("description", "Description", FieldType::RichText),
        with_options(
            field("priority", "Priority", FieldType::SingleSelect),
            &PRIORITIES,
        ),
        with_options(field("labels", "Labels", FieldType::MultiSelect), &LABELS),
        field("blocking", "Blocking", FieldType::Boolean),
        field("story_points", "Story points", FieldType::Integer),
        field("cost", "Cost", FieldType::Decimal),
        field("due_date", "Due date", FieldType::Date),
        field("next_review", "Next review", FieldType::DateTime),
        field("time_spent", "Time spent", FieldType::Duration),
        field("assignee", "Assignee", FieldType::Person),
        field("watchers", "Watchers", FieldType::Persons),
        field("parent", "Parent", FieldType::Relationship),
        field("related", "Related", FieldType::Relationships),
        field("links", "Web links", FieldType::WebLinks),
        FieldSchema {
            read_only: true,
            ..field(PROJECT, "Project", FieldType::Container)
        },
        FieldSchema {
            read_only: true,
            ..with_options(field(STATUS, "Status", FieldType::SingleSelect), &STATUSES)
        },
    ];
    Schema { fields }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_covers_every_value_field_type() {
        use FieldType::*;
        let types = [
            String,
            RichText,
            SingleSelect,
            MultiSelect,
            Boolean,
            Integer,
            Decimal,
            Date,
            DateTime,
            Duration,
            Person,
            Persons,
            Relationship,
            Relationships,
            WebLinks,
            Container,
        ];
        for t in types {
            assert!(
                schema().fields.iter().any(|f| f.field_type == t),
                "{t:?} missing"
            );
        }
    }

    #[test]
    fn workflow_reaches_rejected_from_every_open_state() {
        for state in ["new", "in_progress", "resolved", "closed"] {
            assert_eq!(transition_target(state, "reject"), Some("rejected"));
        }
        assert!(transitions_from("rejected").is_empty());
        assert_eq!(transition_target("new", "close"), None);
        assert_eq!(transition_target("resolved", "reopen"), Some("in_progress"));
    }
}
