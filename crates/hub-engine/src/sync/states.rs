//! The shortest way through a workflow: trackers let an artifact move only along transitions,
//! so reaching a state that is not one step away means passing through others on the way.

use std::collections::{HashMap, VecDeque};

use hub_connector::types::{Transition, WorkflowEdge};

/// The fewest transitions leading from state `from` to state `to` (empty when they are the
/// same); `None` when `to` cannot be reached.
pub fn shortest_path<'a>(
    edges: &'a [WorkflowEdge],
    from: &str,
    to: &str,
) -> Option<Vec<&'a Transition>> {
    if from == to {
        return Some(Vec::new());
    }
    // Breadth first: the first time a state is reached, it is reached by a shortest path.
    let mut came_by: HashMap<&str, &WorkflowEdge> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(state) = queue.pop_front() {
        for edge in edges.iter().filter(|e| e.from_state == state) {
            let next = edge.transition.to_state.as_str();
            if next == from || came_by.contains_key(next) {
                continue;
            }
            came_by.insert(next, edge);
            if next == to {
                return Some(walk_back(&came_by, from, to));
            }
            queue.push_back(next);
        }
    }
    None
}

fn walk_back<'a>(
    came_by: &HashMap<&str, &'a WorkflowEdge>,
    from: &str,
    to: &str,
) -> Vec<&'a Transition> {
    let mut path = Vec::new();
    let mut state = to;
    while state != from {
        let edge = came_by[state];
        path.push(&edge.transition);
        state = edge.from_state.as_str();
    }
    path.reverse();
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn edge(from: &str, id: &str, to: &str) -> WorkflowEdge {
        WorkflowEdge {
            from_state: from.into(),
            transition: Transition {
                id: id.into(),
                name: id.into(),
                to_state: to.into(),
            },
        }
    }

    fn workflow() -> Vec<WorkflowEdge> {
        vec![
            edge("new", "start", "in_progress"),
            edge("in_progress", "resolve", "resolved"),
            edge("resolved", "close", "closed"),
            edge("resolved", "reopen", "in_progress"),
            edge("new", "reject", "rejected"),
            edge("closed", "reject", "rejected"),
        ]
    }

    fn ids(path: Option<Vec<&Transition>>) -> Option<Vec<&str>> {
        path.map(|p| p.iter().map(|t| t.id.as_str()).collect())
    }

    #[test]
    fn walks_the_fewest_transitions_or_says_unreachable() {
        let w = workflow();
        assert_eq!(
            ids(shortest_path(&w, "new", "closed")),
            Some(vec!["start", "resolve", "close"])
        );
        assert_eq!(
            ids(shortest_path(&w, "new", "rejected")),
            Some(vec!["reject"])
        );
        assert_eq!(ids(shortest_path(&w, "closed", "closed")), Some(vec![]));
        assert_eq!(ids(shortest_path(&w, "rejected", "new")), None);
        assert_eq!(ids(shortest_path(&w, "new", "unknown")), None);
    }

    proptest! {
        /// Any path found is valid (each step starts where the last ended) and no longer than
        /// a path found by trying every sequence of transitions up to that length.
        #[test]
        fn paths_are_valid_and_shortest(
            raw in prop::collection::vec((0u8..5, 0u8..5), 0..12),
            from in 0u8..5,
            to in 0u8..5,
        ) {
            let name = |n: u8| format!("s{n}");
            let edges: Vec<WorkflowEdge> = raw
                .iter()
                .enumerate()
                .map(|(i, (a, b))| edge(&name(*a), &format!("t{i}"), &name(*b)))
                .collect();
            let found = shortest_path(&edges, &name(from), &name(to));
            let mut reach = vec![name(from)];
            let mut best = (from == to).then_some(0);
            for len in 1..=5 {
                if best.is_some() { break; }
                reach = edges.iter().filter(|e| reach.contains(&e.from_state)).map(|e| e.transition.to_state.clone()).collect();
                if reach.contains(&name(to)) { best = Some(len); }
            }
            match found {
                None => prop_assert_eq!(best, None),
                Some(path) => {
                    let mut state = name(from);
                    for t in &path {
                        prop_assert!(edges.iter().any(|e| e.from_state == state && &e.transition == *t));
                        state = t.to_state.clone();
                    }
                    prop_assert_eq!(state, name(to));
                    prop_assert_eq!(Some(path.len()), best);
                }
            }
        }
    }
}
