//! The started engine — detectors, the worker loop and housekeeping side by side — carries a
//! tracker's work items across and, when stopped, lets what is in flight finish: nothing stays
//! claimed.

mod common;

use std::time::{Duration, Instant};

use common::{Config, assert_converged, setup};
use hub_connector::memory::FaultPlan;
use hub_domain::activity::ActivityState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_started_engine_converges_and_leaves_nothing_claimed_when_stopped() {
    let s = setup(Config::default()).await;
    s.left.seed("P", 40, 21).unwrap();
    s.right.seed("P", 10, 22).unwrap();
    // Calls that take a while, so that several activities are in flight at once.
    for tracker in [&s.left, &s.right] {
        tracker
            .set_faults(FaultPlan::latency(Duration::from_millis(5)))
            .unwrap();
    }
    let handle = s.engine.clone().start().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let pairs = s.store.pairs_after(s.integration, 0, 1_000).await.unwrap();
        let mut busy = 0;
        for state in [ActivityState::Pending, ActivityState::Processing] {
            busy += s.store.count_activities(state).await.unwrap();
        }
        if pairs.len() == 50 && busy == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} pairs, {busy} activities pending or processing",
            pairs.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    handle.stop().await;
    let claimed = s
        .store
        .count_activities(ActivityState::Processing)
        .await
        .unwrap();
    assert_eq!(claimed, 0, "stopping finishes what is in flight");
    assert_converged(&s).await;
}
