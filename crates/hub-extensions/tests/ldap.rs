//! `ldap.connect`, `ldap.search` and `ldap.escape` against a real OpenLDAP `slapd`.
//!
//! `cargo xtask test` starts the directory and passes its address in `SYNCLINE_TEST_LDAP_*`.
//! Run alone, start it first with `cargo xtask services up slapd` and export the variables
//! `cargo xtask services status slapd` points to (URL `ldap://127.0.0.1:<port>`, base
//! `dc=example,dc=com`, bind DN `cn=admin,dc=example,dc=com`, password `syncline-test`).

mod support;

use hub_extensions::kv::{KeyValueStores, StaticKey, StoreKind};
use hub_extensions::{CallContext, CallTags, ExtensionKind, SandboxLimits};
use hub_store::kv::KvPair;
use serde_json::json;
use support::TestHost;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: this test needs a real slapd. Run `cargo xtask test`, or start \
             one with `cargo xtask services up slapd` and set SYNCLINE_TEST_LDAP_URL, \
             SYNCLINE_TEST_LDAP_BASE, SYNCLINE_TEST_LDAP_BIND_DN and SYNCLINE_TEST_LDAP_PASSWORD"
        )
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn people_are_looked_up_in_a_real_directory_with_escaped_filters() {
    let directory = [
        ("url", env("SYNCLINE_TEST_LDAP_URL")),
        (
            "base",
            format!("ou=people,{}", env("SYNCLINE_TEST_LDAP_BASE")),
        ),
        ("principal", env("SYNCLINE_TEST_LDAP_BIND_DN")),
        ("password", env("SYNCLINE_TEST_LDAP_PASSWORD")),
    ];
    let store = hub_store::Store::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let kv = KeyValueStores::open(store, Box::new(StaticKey::random().unwrap()))
        .await
        .unwrap();
    kv.create("Directory", StoreKind::Plain).await.unwrap();
    let pairs = directory
        .iter()
        .map(|(k, v)| KvPair {
            key: (*k).into(),
            value: v.clone(),
        })
        .collect();
    kv.put("Directory", pairs).await.unwrap();
    let t = TestHost::with(SandboxLimits::default(), kv.reader());
    t.load("person_ldap.js", ExtensionKind::PersonReconciliation);
    let host = t.host.clone();
    let lookup = move |id: &str| {
        host.map_person_to_repository(
            "person_ldap.js",
            &json!({ "id": id }),
            &CallContext::default(),
            CallTags::default(),
            None,
        )
    };
    let results = tokio::task::spawn_blocking(move || {
        (
            lookup("jsmith"),
            lookup("o(brien)*"),
            lookup("*"),
            lookup("nobody"),
        )
    })
    .await
    .unwrap();
    assert_eq!(results.0.unwrap().as_deref(), Some("Smith"));
    assert_eq!(
        results.1.unwrap().as_deref(),
        Some("O'Brien"),
        "the filter was escaped"
    );
    let wildcard = results.2.unwrap_err();
    assert!(
        wildcard.to_string().contains("no person found with id=*"),
        "{wildcard}"
    );
    let missing = results.3.unwrap_err();
    assert_eq!(missing.code().to_string(), "SYN-17011E");
    assert!(
        missing
            .to_string()
            .contains("no person found with id=nobody"),
        "{missing}"
    );
}
