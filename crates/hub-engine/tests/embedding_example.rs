//! Runs the embedding example as a test, so it cannot rot.

#[path = "../examples/embed.rs"]
mod embed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedding_example_converges() {
    let (left, right) = embed::run("sqlite::memory:", "embed-test").await.unwrap();
    assert_eq!((left, right), (30, 30));
}
