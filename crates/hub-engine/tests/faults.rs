//! Faults on both trackers — network errors, writes that happen but report failure, rate limits,
//! version conflicts — and still nothing lost or duplicated once the dust settles.

mod common;

use std::time::Duration;

use common::{Config, assert_converged, settle, setup};
use hub_connector::memory::FaultPlan;
use hub_domain::activity::ActivityState;

fn faults(seed: u64) -> FaultPlan {
    serde_json::from_value(serde_json::json!({
        "seed": seed,
        "network_error_rate": 0.12,
        "ambiguous_rate": 0.04,
        "rate_limit_rate": 0.02,
        "retry_after_ms": 5,
        "conflict_rate": 0.02,
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_percent_faults_lose_and_duplicate_nothing() {
    let s = setup(Config::default()).await;
    s.left.seed("P", 150, 11).unwrap();
    s.right.seed("P", 50, 12).unwrap();
    s.left.set_faults(faults(1)).unwrap();
    s.right.set_faults(faults(2)).unwrap();
    for _ in 0..200 {
        settle(&s).await;
        let waiting = s
            .store
            .count_activities(ActivityState::Pending)
            .await
            .unwrap()
            + s.store
                .count_activities(ActivityState::Failed)
                .await
                .unwrap();
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Faults off: whatever is still retrying finishes, and a last round finds nothing to do.
    s.left.set_faults(FaultPlan::default()).unwrap();
    s.right.set_faults(FaultPlan::default()).unwrap();
    for _ in 0..20 {
        settle(&s).await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_converged(&s).await;
    assert_eq!(s.left.snapshot().len(), 200);
    let failed = s
        .store
        .list_activities(Some(ActivityState::Failed), None, 10)
        .await
        .unwrap();
    assert!(failed.is_empty(), "{failed:?}");
}
