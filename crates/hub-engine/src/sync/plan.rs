//! Deciding what flows where: the three-way merge at the heart of the two-way sync.
//!
//! For each side we know the model values last synchronized there (its *snapshot*) and what it
//! holds now (its *current* projection). A field changed on a side when the two differ; a change
//! flows to the other side when the field's flow allows that direction and the other side does not
//! already hold the value. Changes to the same field on both sides are settled by the integration's
//! conflict strategy.
//!
//! The plan also returns the *new* snapshots: what each side will hold once the plan is applied.
//! Storing them is what suppresses echoes: re-reading a side after the write finds it equal to its
//! snapshot, so the value we just wrote is not mistaken for a fresh edit and sent back.
//!
//! Everything here is a pure function of values (no I/O, no clock), so the rules are checked by
//! property tests as well as examples.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use hub_domain::integration::{ConflictStrategy, FieldFlow, Side};
use hub_domain::model::{FieldValue, ModelValues};
use serde::{Deserialize, Serialize};

/// One side of a pair as the planner sees it.
#[derive(Debug, Clone, Copy)]
pub struct SideView<'a> {
    /// The model values last synchronized on this side.
    pub snapshot: &'a ModelValues,
    /// The side's model values now.
    pub current: &'a ModelValues,
    /// When the side's artifact was last updated (decides `MostRecentWins`).
    pub updated_at: DateTime<Utc>,
}

/// What to write on each side, what could not be settled, and the snapshots to store afterwards.
///
/// The snapshots assume each side holds exactly what is written to it. When a side cannot (a
/// value map that is not one-to-one, a tool that rounds), store the projection of what it really
/// holds instead, or the difference will be read as an edit there and sent back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncPlan {
    /// Model values to write to the left artifact.
    pub to_left: ModelValues,
    /// Model values to write to the right artifact.
    pub to_right: ModelValues,
    /// Fields changed differently on both sides that the strategy (`Fail`) left to a person.
    pub conflicts: Vec<FieldConflict>,
    /// The left snapshot to store once the plan is applied.
    pub left_snapshot: ModelValues,
    /// The right snapshot to store once the plan is applied.
    pub right_snapshot: ModelValues,
}

impl SyncPlan {
    /// Whether the plan writes nothing and reports no conflict.
    pub fn is_empty(&self) -> bool {
        self.to_left.is_empty() && self.to_right.is_empty() && self.conflicts.is_empty()
    }
}

/// A field changed to different values on both sides and left unresolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldConflict {
    /// The model field.
    pub field: String,
    /// The left side's current value.
    pub left: FieldValue,
    /// The right side's current value.
    pub right: FieldValue,
}

/// Plans one synchronization of a pair.
///
/// A field missing from `flows` flows both ways; a field present in only some of the four value
/// maps is `Null` in the others. See the module docs for the rules.
pub fn plan(
    left: SideView<'_>,
    right: SideView<'_>,
    flows: &BTreeMap<String, FieldFlow>,
    strategy: ConflictStrategy,
) -> SyncPlan {
    let mut out = SyncPlan::default();
    for field in field_names(&left, &right) {
        let flow = flows.get(field).unwrap_or(&FieldFlow::Both);
        let decision = decide(field, &left, &right, flow, strategy);
        record(&mut out, field, &left, &right, decision);
    }
    out
}

/// The snapshot of a freshly created pair: on both sides, exactly what was written.
pub fn initial_snapshot(values: &ModelValues) -> ModelValues {
    values
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().normalized()))
        .collect()
}

/// What happens to one field.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Decision {
    /// Nothing to write.
    Keep,
    /// Write the left value to the right.
    ToRight,
    /// Write the right value to the left.
    ToLeft,
    /// Unresolved: write nothing, keep the old snapshots.
    Conflict,
}

fn field_names<'a>(left: &SideView<'a>, right: &SideView<'a>) -> BTreeSet<&'a str> {
    [left.snapshot, left.current, right.snapshot, right.current]
        .into_iter()
        .flat_map(|m| m.keys().map(String::as_str))
        .collect()
}

fn value(values: &ModelValues, field: &str) -> FieldValue {
    values
        .get(field)
        .map_or(FieldValue::Null, |v| v.clone().normalized())
}

fn changed(side: &SideView<'_>, field: &str) -> bool {
    value(side.snapshot, field) != value(side.current, field)
}

fn decide(
    field: &str,
    left: &SideView<'_>,
    right: &SideView<'_>,
    flow: &FieldFlow,
    strategy: ConflictStrategy,
) -> Decision {
    if value(left.current, field) == value(right.current, field) {
        return Decision::Keep;
    }
    let left_flows = changed(left, field) && allows(flow, Side::Left, left.current);
    let right_flows = changed(right, field) && allows(flow, Side::Right, right.current);
    match (left_flows, right_flows) {
        (true, true) => resolve(strategy, left, right),
        (true, false) => Decision::ToRight,
        (false, true) => Decision::ToLeft,
        (false, false) => Decision::Keep,
    }
}

/// Whether `flow` lets a change travel from `source`, judged on the source side's values.
fn allows(flow: &FieldFlow, source: Side, source_current: &ModelValues) -> bool {
    match flow {
        FieldFlow::Both => true,
        FieldFlow::LeftToRight => source == Side::Left,
        FieldFlow::RightToLeft => source == Side::Right,
        FieldFlow::None => false,
        FieldFlow::Conditional {
            then,
            when_field,
            equals,
        } => {
            value(source_current, when_field) == equals.clone().normalized()
                && allows(then, source, source_current)
        }
    }
}

fn resolve(strategy: ConflictStrategy, left: &SideView<'_>, right: &SideView<'_>) -> Decision {
    match strategy {
        ConflictStrategy::LeftWins => Decision::ToRight,
        ConflictStrategy::RightWins => Decision::ToLeft,
        ConflictStrategy::MostRecentWins if right.updated_at > left.updated_at => Decision::ToLeft,
        ConflictStrategy::MostRecentWins => Decision::ToRight,
        ConflictStrategy::Fail => Decision::Conflict,
    }
}

fn record(
    out: &mut SyncPlan,
    field: &str,
    left: &SideView<'_>,
    right: &SideView<'_>,
    decision: Decision,
) {
    let (l, r) = (value(left.current, field), value(right.current, field));
    match decision {
        Decision::Keep => settle(out, field, l, r),
        Decision::ToRight => {
            out.to_right.insert(field.to_owned(), l.clone());
            settle(out, field, l.clone(), l);
        }
        Decision::ToLeft => {
            out.to_left.insert(field.to_owned(), r.clone());
            settle(out, field, r.clone(), r);
        }
        Decision::Conflict => {
            keep_old_snapshot(&mut out.left_snapshot, left.snapshot, field);
            keep_old_snapshot(&mut out.right_snapshot, right.snapshot, field);
            let field = field.to_owned();
            out.conflicts.push(FieldConflict {
                field,
                left: l,
                right: r,
            });
        }
    }
}

/// Records what each side holds for a settled field once the plan is applied.
fn settle(out: &mut SyncPlan, field: &str, left_after: FieldValue, right_after: FieldValue) {
    out.left_snapshot.insert(field.to_owned(), left_after);
    out.right_snapshot.insert(field.to_owned(), right_after);
}

fn keep_old_snapshot(new: &mut ModelValues, old: &ModelValues, field: &str) {
    if let Some(v) = old.get(field) {
        new.insert(field.to_owned(), v.clone().normalized());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    use ConflictStrategy as S;
    use FieldValue as V;

    fn text(s: &str) -> FieldValue {
        V::Text(s.into())
    }

    fn vals(pairs: &[(&str, FieldValue)]) -> ModelValues {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + seconds, 0).unwrap()
    }

    /// Both sides of a pair: snapshots, currents and update times.
    #[derive(Debug, Clone)]
    struct Pair {
        left_snapshot: ModelValues,
        left: ModelValues,
        left_at: DateTime<Utc>,
        right_snapshot: ModelValues,
        right: ModelValues,
        right_at: DateTime<Utc>,
    }

    impl Pair {
        /// A pair in step on `base`, then edited on each side.
        fn edited(
            base: &ModelValues,
            left: &[(&str, FieldValue)],
            right: &[(&str, FieldValue)],
        ) -> Self {
            Pair {
                left_snapshot: base.clone(),
                left: overlay(base, &vals(left)),
                left_at: at(0),
                right_snapshot: base.clone(),
                right: overlay(base, &vals(right)),
                right_at: at(0),
            }
        }

        fn view(&self, side: Side) -> SideView<'_> {
            match side {
                Side::Left => SideView {
                    snapshot: &self.left_snapshot,
                    current: &self.left,
                    updated_at: self.left_at,
                },
                Side::Right => SideView {
                    snapshot: &self.right_snapshot,
                    current: &self.right,
                    updated_at: self.right_at,
                },
            }
        }

        fn plan(
            &self,
            flows: &BTreeMap<String, FieldFlow>,
            strategy: ConflictStrategy,
        ) -> SyncPlan {
            plan(
                self.view(Side::Left),
                self.view(Side::Right),
                flows,
                strategy,
            )
        }

        /// The pair once `plan` is written and its snapshots stored.
        fn applied(&self, plan: &SyncPlan) -> Pair {
            Pair {
                left_snapshot: plan.left_snapshot.clone(),
                left: overlay(&self.left, &plan.to_left),
                left_at: self.left_at,
                right_snapshot: plan.right_snapshot.clone(),
                right: overlay(&self.right, &plan.to_right),
                right_at: self.right_at,
            }
        }
    }

    fn overlay(current: &ModelValues, writes: &ModelValues) -> ModelValues {
        let mut out = current.clone();
        out.extend(writes.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }

    /// Equal field by field, a missing field counting as `Null`.
    fn same(a: &ModelValues, b: &ModelValues) -> bool {
        let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        names.into_iter().all(|f| value(a, f) == value(b, f))
    }

    fn base() -> ModelValues {
        vals(&[
            ("title", text("a")),
            ("status", V::Option("Open".into())),
            ("prio", text("Low")),
        ])
    }

    fn flows(pairs: &[(&str, FieldFlow)]) -> BTreeMap<String, FieldFlow> {
        pairs
            .iter()
            .map(|(k, f)| (k.to_string(), f.clone()))
            .collect()
    }

    fn when_open(then: FieldFlow) -> FieldFlow {
        FieldFlow::Conditional {
            then: Box::new(then),
            when_field: "status".into(),
            equals: V::Option("Open".into()),
        }
    }

    const ALL: [ConflictStrategy; 4] = [S::LeftWins, S::RightWins, S::MostRecentWins, S::Fail];

    #[test]
    fn a_change_on_one_side_flows_to_the_other_and_both_snapshots_follow() {
        let pair = Pair::edited(&base(), &[("title", text("b"))], &[]);
        let p = pair.plan(&BTreeMap::new(), S::Fail);
        assert_eq!(p.to_right, vals(&[("title", text("b"))]));
        assert!(p.to_left.is_empty() && p.conflicts.is_empty());
        let expected = overlay(&base(), &vals(&[("title", text("b"))]));
        assert_eq!(
            (&p.left_snapshot, &p.right_snapshot),
            (&expected, &expected)
        );

        let pair = Pair::edited(&base(), &[], &[("title", text("c"))]);
        let p = pair.plan(&BTreeMap::new(), S::Fail);
        assert_eq!(p.to_left, vals(&[("title", text("c"))]));
        assert!(p.to_right.is_empty());
    }

    #[test]
    fn edits_to_different_fields_are_merged() {
        let pair = Pair::edited(&base(), &[("title", text("b"))], &[("prio", text("High"))]);
        for strategy in ALL {
            let p = pair.plan(&BTreeMap::new(), strategy);
            assert_eq!(p.to_right, vals(&[("title", text("b"))]));
            assert_eq!(p.to_left, vals(&[("prio", text("High"))]));
            assert!(p.conflicts.is_empty());
        }
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_conflict() {
        let pair = Pair::edited(&base(), &[("title", text("b"))], &[("title", text("b"))]);
        let p = pair.plan(&BTreeMap::new(), S::Fail);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(p.left_snapshot["title"], text("b"));
        assert_eq!(p.right_snapshot["title"], text("b"));
    }

    #[test]
    fn left_wins_and_right_wins_pick_their_side() {
        let pair = Pair::edited(&base(), &[("title", text("L"))], &[("title", text("R"))]);
        let p = pair.plan(&BTreeMap::new(), S::LeftWins);
        assert_eq!(
            (p.to_right, p.to_left),
            (vals(&[("title", text("L"))]), vals(&[]))
        );
        assert_eq!(p.right_snapshot["title"], text("L"));
        let p = pair.plan(&BTreeMap::new(), S::RightWins);
        assert_eq!(
            (p.to_left, p.to_right),
            (vals(&[("title", text("R"))]), vals(&[]))
        );
        assert_eq!(p.left_snapshot["title"], text("R"));
    }

    #[test]
    fn most_recent_wins_picks_the_later_side_and_left_on_a_tie() {
        let mut pair = Pair::edited(&base(), &[("title", text("L"))], &[("title", text("R"))]);
        pair.right_at = at(10);
        let p = pair.plan(&BTreeMap::new(), S::MostRecentWins);
        assert_eq!(p.to_left, vals(&[("title", text("R"))]));
        pair.left_at = at(20);
        let p = pair.plan(&BTreeMap::new(), S::MostRecentWins);
        assert_eq!(p.to_right, vals(&[("title", text("L"))]));
        pair.right_at = at(20);
        let p = pair.plan(&BTreeMap::new(), S::MostRecentWins);
        assert_eq!(p.to_right, vals(&[("title", text("L"))]));
        assert!(p.to_left.is_empty());
    }

    #[test]
    fn fail_reports_the_conflict_keeps_its_snapshots_and_merges_the_rest() {
        let pair = Pair::edited(
            &base(),
            &[("title", text("L")), ("prio", text("High"))],
            &[("title", text("R"))],
        );
        let p = pair.plan(&BTreeMap::new(), S::Fail);
        let conflict = FieldConflict {
            field: "title".into(),
            left: text("L"),
            right: text("R"),
        };
        assert_eq!(p.conflicts, vec![conflict]);
        assert_eq!(p.to_right, vals(&[("prio", text("High"))]));
        assert!(p.to_left.is_empty());
        assert_eq!(p.left_snapshot["title"], text("a"));
        assert_eq!(p.right_snapshot["title"], text("a"));
        // The conflict persists until a person resolves it; nothing else is sent again.
        let again = pair.applied(&p).plan(&BTreeMap::new(), S::Fail);
        assert_eq!(again.conflicts, p.conflicts);
        assert!(again.to_left.is_empty() && again.to_right.is_empty());
    }

    #[test]
    fn one_way_flows_ignore_the_other_side_until_the_source_changes() {
        let one_way = flows(&[("title", FieldFlow::LeftToRight)]);
        let pair = Pair::edited(&base(), &[], &[("title", text("R"))]);
        let p = pair.plan(&one_way, S::Fail);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(p.right_snapshot["title"], text("R"));
        assert_eq!(p.left_snapshot["title"], text("a"));
        // Later the source changes: it overwrites the diverged side, without conflict.
        let mut later = pair.applied(&p);
        later.left.insert("title".into(), text("L"));
        let p = later.plan(&one_way, S::Fail);
        assert_eq!(p.to_right, vals(&[("title", text("L"))]));
        assert!(p.conflicts.is_empty());
        // Changed on both sides under a one-way flow: the source wins, even with Fail.
        let pair = Pair::edited(&base(), &[("title", text("L"))], &[("title", text("R"))]);
        let p = pair.plan(&one_way, S::Fail);
        assert_eq!(
            (p.to_right, p.to_left),
            (vals(&[("title", text("L"))]), vals(&[]))
        );
    }

    #[test]
    fn right_to_left_flows_only_that_way() {
        let one_way = flows(&[("title", FieldFlow::RightToLeft)]);
        let pair = Pair::edited(&base(), &[("title", text("L"))], &[]);
        assert!(pair.plan(&one_way, S::LeftWins).is_empty());
        let pair = Pair::edited(&base(), &[("title", text("L"))], &[("title", text("R"))]);
        let p = pair.plan(&one_way, S::LeftWins);
        assert_eq!(
            (p.to_left, p.to_right),
            (vals(&[("title", text("R"))]), vals(&[]))
        );
    }

    #[test]
    fn a_field_with_flow_none_never_moves() {
        let none = flows(&[("title", FieldFlow::None)]);
        for (l, r) in [("L", "a"), ("a", "R"), ("L", "R")] {
            let pair = Pair::edited(&base(), &[("title", text(l))], &[("title", text(r))]);
            let p = pair.plan(&none, S::Fail);
            assert!(p.is_empty(), "{p:?}");
            assert_eq!(p.left_snapshot["title"], text(l));
            assert_eq!(p.right_snapshot["title"], text(r));
        }
    }

    #[test]
    fn conditional_flows_test_the_source_sides_value() {
        let conditional = flows(&[("title", when_open(FieldFlow::Both))]);
        let pair = Pair::edited(&base(), &[("title", text("L"))], &[]);
        assert_eq!(
            pair.plan(&conditional, S::Fail).to_right,
            vals(&[("title", text("L"))])
        );
        let closed = V::Option("Closed".into());
        // Closed on the source side: nothing flows.
        let pair = Pair::edited(
            &base(),
            &[("title", text("L")), ("status", closed.clone())],
            &[],
        );
        let p = pair.plan(&conditional, S::Fail);
        assert_eq!(p.to_right, vals(&[("status", closed.clone())]));
        // Closed only on the other side: the source is open, so the change flows.
        let pair = Pair::edited(&base(), &[], &[("title", text("R"))]);
        let mut pair = pair;
        pair.left.insert("status".into(), closed.clone());
        pair.left_snapshot.insert("status".into(), closed);
        let p = pair.plan(&conditional, S::Fail);
        assert_eq!(p.to_left, vals(&[("title", text("R"))]));
    }

    #[test]
    fn a_conditional_flow_keeps_the_direction_of_its_then() {
        let conditional = flows(&[("title", when_open(FieldFlow::LeftToRight))]);
        let pair = Pair::edited(&base(), &[], &[("title", text("R"))]);
        assert!(pair.plan(&conditional, S::Fail).is_empty());
        let pair = Pair::edited(&base(), &[("title", text("L"))], &[("title", text("R"))]);
        let p = pair.plan(&conditional, S::Fail);
        assert_eq!(p.to_right, vals(&[("title", text("L"))]));
        assert!(p.conflicts.is_empty());
    }

    #[test]
    fn a_field_missing_from_a_map_is_null() {
        let mut pair = Pair::edited(&base(), &[("due", text("tomorrow"))], &[]);
        pair.left.remove("prio");
        let p = pair.plan(&BTreeMap::new(), S::Fail);
        assert_eq!(
            p.to_right,
            vals(&[("due", text("tomorrow")), ("prio", V::Null)])
        );
        assert_eq!(p.right_snapshot["prio"], V::Null);
    }

    #[test]
    fn a_value_the_other_side_already_holds_is_not_written() {
        let mut pair = Pair::edited(&base(), &[("title", text("b"))], &[]);
        pair.right.insert("title".into(), text("b"));
        pair.right_snapshot.insert("title".into(), text("b"));
        let p = pair.plan(&BTreeMap::new(), S::Fail);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(p.left_snapshot["title"], text("b"));
    }

    #[test]
    fn sets_compare_by_content() {
        let unsorted = V::Options(vec!["b".into(), "a".into()]);
        let pair = Pair::edited(
            &vals(&[("labels", V::Options(vec!["a".into(), "b".into()]))]),
            &[("labels", unsorted)],
            &[],
        );
        assert!(pair.plan(&BTreeMap::new(), S::Fail).is_empty());
    }

    #[test]
    fn the_initial_snapshot_is_what_was_written_normalized() {
        let written = vals(&[
            ("labels", V::Options(vec!["b".into(), "a".into()])),
            ("title", text("x")),
        ]);
        let expected = vals(&[
            ("labels", V::Options(vec!["a".into(), "b".into()])),
            ("title", text("x")),
        ]);
        assert_eq!(initial_snapshot(&written), expected);
    }

    // ---- properties ----

    const NAMES: [&str; 4] = ["a", "b", "c", "d"];

    fn name() -> impl Strategy<Value = String> {
        prop::sample::select(NAMES.to_vec()).prop_map(String::from)
    }

    /// A small value domain, so equal values on the two sides are frequent.
    fn any_value() -> impl Strategy<Value = FieldValue> {
        prop_oneof![
            Just(V::Null),
            prop::sample::select(vec!["x", "y"]).prop_map(text),
            (0i64..2).prop_map(V::Integer),
        ]
    }

    fn model_values() -> impl Strategy<Value = ModelValues> {
        prop::collection::btree_map(name(), any_value(), 0..=4)
    }

    fn simple_flow() -> impl Strategy<Value = FieldFlow> {
        prop_oneof![
            Just(FieldFlow::Both),
            Just(FieldFlow::LeftToRight),
            Just(FieldFlow::RightToLeft),
            Just(FieldFlow::None),
        ]
    }

    fn flow() -> impl Strategy<Value = FieldFlow> {
        let conditional =
            (simple_flow(), name(), any_value()).prop_map(|(then, when_field, equals)| {
                FieldFlow::Conditional {
                    then: Box::new(then),
                    when_field,
                    equals,
                }
            });
        prop_oneof![simple_flow(), conditional]
    }

    fn flow_map() -> impl Strategy<Value = BTreeMap<String, FieldFlow>> {
        prop::collection::btree_map(name(), flow(), 0..=4)
    }

    fn strategy() -> impl Strategy<Value = ConflictStrategy> {
        prop::sample::select(ALL.to_vec())
    }

    fn any_pair() -> impl Strategy<Value = Pair> {
        (
            model_values(),
            model_values(),
            0i64..3,
            model_values(),
            model_values(),
            0i64..3,
        )
            .prop_map(|(left_snapshot, left, l, right_snapshot, right, r)| Pair {
                left_snapshot,
                left,
                left_at: at(l),
                right_snapshot,
                right,
                right_at: at(r),
            })
    }

    /// Per field: unedited, edited on the left, or edited on the right (never both).
    fn disjoint_edits() -> impl Strategy<Value = (ModelValues, ModelValues)> {
        let edit = prop_oneof![
            Just(None),
            any_value().prop_map(|v| Some((Side::Left, v))),
            any_value().prop_map(|v| Some((Side::Right, v))),
        ];
        prop::collection::btree_map(name(), edit, 0..=4).prop_map(|edits| {
            let pick = |side: Side| {
                edits
                    .iter()
                    .filter_map(|(k, e)| match e {
                        Some((s, v)) if *s == side => Some((k.clone(), v.clone())),
                        _ => None,
                    })
                    .collect()
            };
            (pick(Side::Left), pick(Side::Right))
        })
    }

    proptest! {
        /// (a) Nothing changed on either side: nothing to do, and the snapshots stay.
        #[test]
        fn no_change_means_an_empty_plan(
            left in model_values(), right in model_values(), flows in flow_map(), strategy in strategy()
        ) {
            let pair = Pair {
                left_snapshot: left.clone(), left, left_at: at(0),
                right_snapshot: right.clone(), right, right_at: at(1),
            };
            let p = pair.plan(&flows, strategy);
            prop_assert!(p.is_empty(), "{:?}", p);
            prop_assert!(same(&p.left_snapshot, &pair.left_snapshot));
            prop_assert!(same(&p.right_snapshot, &pair.right_snapshot));
        }

        /// The new snapshots are what each side holds once the plan is applied, for every field
        /// the plan settled; a field in conflict keeps its old snapshots.
        #[test]
        fn snapshots_are_what_the_sides_hold_afterwards(
            pair in any_pair(), flows in flow_map(), strategy in strategy()
        ) {
            let p = pair.plan(&flows, strategy);
            let after = pair.applied(&p);
            let open: BTreeSet<&str> = p.conflicts.iter().map(|c| c.field.as_str()).collect();
            for f in field_names(&pair.view(Side::Left), &pair.view(Side::Right)) {
                let (left, right) = if open.contains(f) {
                    (&pair.left_snapshot, &pair.right_snapshot)
                } else {
                    (&after.left, &after.right)
                };
                prop_assert_eq!(value(&p.left_snapshot, f), value(left, f), "left {}", f);
                prop_assert_eq!(value(&p.right_snapshot, f), value(right, f), "right {}", f);
            }
        }

        /// (b) Applying a plan and planning again does nothing: what we wrote is not echoed back.
        #[test]
        fn a_plan_applied_is_not_echoed(pair in any_pair(), flows in flow_map(), strategy in strategy()) {
            let p = pair.plan(&flows, strategy);
            let again = pair.applied(&p).plan(&flows, strategy);
            if p.conflicts.is_empty() {
                prop_assert!(again.is_empty(), "{:?} then {:?}", p, again);
            } else {
                // Only the fields in conflict can still move (a conditional may have changed).
                let open: BTreeSet<&String> = p.conflicts.iter().map(|c| &c.field).collect();
                let touched = again.to_left.keys().chain(again.to_right.keys());
                let touched: Vec<&String> = touched.chain(again.conflicts.iter().map(|c| &c.field)).collect();
                prop_assert!(touched.iter().all(|f| open.contains(f)), "{:?} then {:?}", p, again);
            }
        }

        /// (c) Edits to different fields on the two sides both end up on both sides.
        #[test]
        fn disjoint_edits_are_merged(
            base in model_values(), (left, right) in disjoint_edits(), strategy in strategy()
        ) {
            let pair = Pair {
                left_snapshot: base.clone(), left: overlay(&base, &left), left_at: at(0),
                right_snapshot: base.clone(), right: overlay(&base, &right), right_at: at(1),
            };
            let p = pair.plan(&BTreeMap::new(), strategy);
            let after = pair.applied(&p);
            let merged = overlay(&overlay(&base, &left), &right);
            prop_assert!(p.conflicts.is_empty());
            prop_assert!(same(&after.left, &merged), "{:?}", after.left);
            prop_assert!(same(&after.right, &merged), "{:?}", after.right);
        }

        /// (e) A field whose flow is None is never written to either side.
        #[test]
        fn a_field_with_flow_none_is_never_written(
            pair in any_pair(), others in flow_map(), field in name(), strategy in strategy()
        ) {
            let mut flows = others;
            flows.insert(field.clone(), FieldFlow::None);
            let p = pair.plan(&flows, strategy);
            prop_assert!(!p.to_left.contains_key(&field) && !p.to_right.contains_key(&field));
            prop_assert!(p.conflicts.iter().all(|c| c.field != field));
        }

        /// Every write changes something, and a field is written to one side at most.
        #[test]
        fn writes_are_never_no_ops(pair in any_pair(), flows in flow_map(), strategy in strategy()) {
            let p = pair.plan(&flows, strategy);
            for (f, v) in &p.to_left {
                prop_assert_ne!(&value(&pair.left, f), v);
                prop_assert!(!p.to_right.contains_key(f));
            }
            for (f, v) in &p.to_right {
                prop_assert_ne!(&value(&pair.right, f), v);
            }
        }
    }
}
