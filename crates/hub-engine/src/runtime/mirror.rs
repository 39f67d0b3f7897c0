//! Container mirroring: every project of the mirrored side gets a twin project on the other side
//! and a route between the two, so its artifacts flow without an administrator adding either.
//!
//! Safe to repeat after a crash: a twin project is looked up by key before one is created, and
//! the route and both collections change in one store transaction.

use hub_domain::integration::{Route, Side};
use hub_store::Store;
use tracing::info;

use super::context::IntegrationRuntime;
use super::error::{OnSide, SyncError};
use super::retry;

/// Mirrors the projects of side `from` not routed yet; returns how many routes were added.
pub async fn mirror_projects(
    store: &Store,
    rt: &IntegrationRuntime,
    from: Side,
) -> Result<usize, SyncError> {
    let to = from.other();
    let (src, dst) = (rt.side(from), rt.side(to));
    let sources = retry::read(|| src.connector.projects())
        .await
        .on(src.name())?;
    let routed = |key: &str| {
        if rt.integration.routes.is_empty() {
            src.scope.projects.iter().any(|p| p == key)
        } else {
            rt.integration.routes.iter().any(|r| key_on(r, from) == key)
        }
    };
    let unrouted: Vec<_> = sources.into_iter().filter(|p| !routed(&p.key)).collect();
    if unrouted.is_empty() {
        return Ok(0);
    }
    let mut targets = retry::read(|| dst.connector.projects())
        .await
        .on(dst.name())?;
    let mut routes = implicit_routes(rt, from);
    for project in unrouted {
        let target = match targets.iter().find(|t| t.key == project.key) {
            Some(existing) => existing.clone(),
            None => {
                let created = dst
                    .connector
                    .create_project(&project.key, &project.name)
                    .await
                    .on(dst.name())?;
                info!(project = %project.key, twin = %created.key, "twin project created");
                targets.push(created.clone());
                created
            }
        };
        routes.push(route(from, &project.key, &target.key));
    }
    Ok(store.add_mirrored_routes(rt.id, &routes).await?)
}

/// An integration without routes pairs projects of the same key; before the first mirrored
/// route joins them, those pairings are written down so they keep working.
fn implicit_routes(rt: &IntegrationRuntime, from: Side) -> Vec<Route> {
    if !rt.integration.routes.is_empty() {
        return Vec::new();
    }
    rt.side(from)
        .scope
        .projects
        .iter()
        .filter_map(|p| Some(route(from, p, &rt.route(from.other(), p)?)))
        .collect()
}

fn route(from: Side, source: &str, target: &str) -> Route {
    let (left, right) = match from {
        Side::Left => (source, target),
        Side::Right => (target, source),
    };
    Route {
        left: left.to_owned(),
        right: right.to_owned(),
    }
}

fn key_on(route: &Route, side: Side) -> &str {
    match side {
        Side::Left => &route.left,
        Side::Right => &route.right,
    }
}
