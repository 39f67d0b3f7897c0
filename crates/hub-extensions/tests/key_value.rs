//! Key-value stores end to end: administration through the store, reads from scripts,
//! confidential values encrypted at rest and masked in the extension log, all-or-nothing
//! imports naming the bad row.

mod support;

use hub_extensions::kv::{ImportFormat, KeyValueStores, MAX_PAIRS, StaticKey, StoreKind};
use hub_extensions::{ExtensionError, ExtensionKind, SandboxLimits};
use hub_store::Store;
use hub_store::kv::KvPair;
use serde_json::json;
use support::{TestHost, context, transform_call};

async fn stores_in(url: &str) -> (Store, KeyValueStores) {
    let store = Store::open(url).await.unwrap();
    store.migrate().await.unwrap();
    let kv = KeyValueStores::open(store.clone(), Box::new(StaticKey::new([7; 32])))
        .await
        .unwrap();
    (store, kv)
}

fn pair(key: &str, value: &str) -> KvPair {
    KvPair {
        key: key.into(),
        value: value.into(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_confidential_value_is_not_in_the_database_file_and_is_masked_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let url = hub_store::sqlite_url_for(dir.path());
    let (store, kv) = stores_in(&url).await;
    let secret = "tok-5f2b9c41-build-server";
    kv.create("EngOps Credentials", StoreKind::Confidential)
        .await
        .unwrap();
    kv.set("EngOps Credentials", "Build Server API token", secret)
        .await
        .unwrap();
    kv.create("Plain", StoreKind::Plain).await.unwrap();
    kv.set("Plain", "visible", "plain-value-4711")
        .await
        .unwrap();
    store.close().await.unwrap();

    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        contains("plain-value-4711"),
        "the grep must see plain values"
    );
    assert!(
        !contains(secret),
        "the confidential value is in the database file in clear text"
    );

    let (_store, kv) = stores_in(&url).await;
    assert_eq!(
        kv.pairs("EngOps Credentials", false).await.unwrap(),
        [("Build Server API token".to_owned(), None)]
    );
    let t = TestHost::with(SandboxLimits::default(), kv.reader());
    let name = "transform_confidential_token.js";
    t.load(name, ExtensionKind::DataTransformation);
    let call = |input: &str| {
        t.host
            .transform(
                name,
                transform_call(context(json!({}), "s"), json!(input)),
                None,
            )
            .unwrap()
    };
    assert_eq!(
        call("mask"),
        Some(json!(format!("Bearer {}", secret.len())))
    );
    assert_eq!(t.log_of(name), ["using token *****"]);
    call("reveal");
    let log = t.log_of(name);
    assert_eq!(log[2], format!("token in clear: {secret}"));
    assert_eq!(log[1], "using token *****");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_import_with_one_bad_row_imports_nothing_and_names_the_row() {
    let (_store, kv) = stores_in("sqlite::memory:").await;
    kv.create("Products", StoreKind::Plain).await.unwrap();
    kv.set("Products", "existing", "1").await.unwrap();
    let csv = b"key,value\nMOWER,Robot Lawnmower\nBLADE,Blade Kit\nBROKEN\nSEED,Seed Pack\n";
    let err = kv
        .import("Products", ImportFormat::Csv, csv)
        .await
        .unwrap_err();
    assert!(matches!(err, ExtensionError::InvalidPairs { .. }), "{err}");
    assert!(err.to_string().contains("row 4"), "{err}");
    assert_eq!(err.code().to_string(), "SYN-30002E");
    assert_eq!(
        kv.pairs("Products", false).await.unwrap().len(),
        1,
        "nothing was imported"
    );
    let good = b"MOWER,Robot Lawnmower\nBLADE,Blade Kit\n";
    assert_eq!(
        kv.import("Products", ImportFormat::Csv, good)
            .await
            .unwrap(),
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_json_import_with_a_duplicate_key_imports_nothing() {
    let (_store, kv) = stores_in("sqlite::memory:").await;
    kv.create("People", StoreKind::Plain).await.unwrap();
    let json = br#"{ "jsmith@email.com": "John Smith", "ljones@email.com": "Larry Jones", "jsmith@email.com": "Again" }"#;
    let err = kv
        .import("People", ImportFormat::Json, json)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("key 'jsmith@email.com'"), "{err}");
    assert!(kv.pairs("People", false).await.unwrap().is_empty());
    let ok = br#"{ "jsmith@email.com": "John Smith", "ljones@email.com": "Larry Jones", "mbrown@email.com": "Mary Brown" }"#;
    assert_eq!(
        kv.import("People", ImportFormat::Json, ok).await.unwrap(),
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_holds_at_most_the_pair_limit() {
    let (_store, kv) = stores_in("sqlite::memory:").await;
    kv.create("Big", StoreKind::Plain).await.unwrap();
    let pairs: Vec<KvPair> = (0..MAX_PAIRS)
        .map(|i| pair(&format!("k{i}"), "v"))
        .collect();
    assert_eq!(kv.put("Big", pairs).await.unwrap(), MAX_PAIRS);
    let err = kv
        .put("Big", vec![pair("one-more", "v")])
        .await
        .unwrap_err();
    assert!(
        matches!(err, ExtensionError::TooManyPairs { count: 3001, .. }),
        "{err}"
    );
    assert_eq!(
        kv.put("Big", vec![pair("k0", "replaced")]).await.unwrap(),
        MAX_PAIRS
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn scripts_read_and_join_plain_stores_and_get_not_found_exceptions() {
    let (_store, kv) = stores_in("sqlite::memory:").await;
    kv.create("Project to Product mapping", StoreKind::Plain)
        .await
        .unwrap();
    kv.put(
        "Project to Product mapping",
        vec![pair("MOW", "Robot Lawnmower"), pair("suffix", " (product)")],
    )
    .await
    .unwrap();
    kv.create("Value-Stream mapping", StoreKind::Plain)
        .await
        .unwrap();
    kv.set("Value-Stream mapping", "SEED", "Seeds")
        .await
        .unwrap();
    let t = TestHost::with(SandboxLimits::default(), kv.reader());
    let name = "transform_key_value_lookup.js";
    t.load(name, ExtensionKind::DataTransformation);
    let call = |input: &str| {
        t.host.transform(
            name,
            transform_call(context(json!({}), "s"), json!(input)),
            None,
        )
    };
    assert_eq!(
        call("MOW").unwrap(),
        Some(json!("Robot Lawnmower (product)"))
    );
    assert_eq!(call("SEED").unwrap(), Some(json!("Seeds (product)")));
    assert_eq!(call("mow").unwrap(), None, "keys are case-sensitive");
    kv.remove("Project to Product mapping", "suffix")
        .await
        .unwrap();
    let err = call("MOW").unwrap_err();
    assert!(err.to_string().contains("NotFoundException"), "{err}");
    kv.delete("Value-Stream mapping").await.unwrap();
    assert!(
        call("MOW")
            .unwrap_err()
            .to_string()
            .contains("does not exist")
    );
}
