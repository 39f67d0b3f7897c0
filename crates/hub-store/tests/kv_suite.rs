//! Key-value store persistence on every backend (see `common`).

mod common;

use common::fresh_store;
use hub_store::StoreError;
use hub_store::kv::KvPair;

fn pair(key: &str, value: &str) -> KvPair {
    KvPair {
        key: key.into(),
        value: value.into(),
    }
}

#[tokio::test]
async fn stores_round_trip_and_names_are_unique() {
    let store = fresh_store().await;
    let created = store.create_kv_store("Credentials", true).await.unwrap();
    assert!(created.confidential);
    store.create_kv_store("Lookup", false).await.unwrap();
    let names: Vec<String> = store
        .kv_stores()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["Credentials", "Lookup"]);
    assert_eq!(
        store.kv_store("Credentials").await.unwrap(),
        Some(created.clone())
    );
    let err = store.create_kv_store("Lookup", false).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
    store.delete_kv_store(created.id).await.unwrap();
    assert_eq!(store.kv_store("Credentials").await.unwrap(), None);
}

#[tokio::test]
async fn keys_are_case_sensitive_and_values_replaced() {
    let store = fresh_store().await;
    let id = store.create_kv_store("S", false).await.unwrap().id;
    let total = store
        .put_kv_pairs(id, &[pair("Key", "upper"), pair("key", "lower")], 10)
        .await
        .unwrap();
    assert_eq!(total, 2);
    store
        .put_kv_pairs(id, &[pair("key", "changed")], 10)
        .await
        .unwrap();
    let pairs = store.kv_pairs(id).await.unwrap();
    assert_eq!(pairs, [pair("Key", "upper"), pair("key", "changed")]);
    assert!(store.delete_kv_pair(id, "Key").await.unwrap());
    assert!(!store.delete_kv_pair(id, "Key").await.unwrap());
    assert_eq!(store.kv_pairs(id).await.unwrap(), [pair("key", "changed")]);
}

#[tokio::test]
async fn a_batch_over_the_limit_or_with_a_repeated_key_writes_nothing() {
    let store = fresh_store().await;
    let id = store.create_kv_store("S", false).await.unwrap().id;
    store.put_kv_pairs(id, &[pair("a", "1")], 2).await.unwrap();
    let err = store
        .put_kv_pairs(id, &[pair("b", "2"), pair("c", "3")], 2)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at most 2"), "{err}");
    let err = store
        .put_kv_pairs(id, &[pair("b", "2"), pair("b", "3")], 10)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("repeats"), "{err}");
    assert_eq!(store.kv_pairs(id).await.unwrap(), [pair("a", "1")]);
    let missing = store
        .put_kv_pairs(id + 100, &[pair("x", "y")], 10)
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
}
