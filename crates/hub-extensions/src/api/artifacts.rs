//! `artifacts.*`: relationships, containers and searches in the call's repository, through the
//! [`HostServices`](crate::services::HostServices) the engine handed in.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{ApiError, ApiResult, arg, arg_str};
use crate::runtime::scope::Scope;
use crate::services::{HostServices, MAX_SEARCH_RESULTS, ServiceError, related_id};

fn services(scope: &Scope) -> Result<Arc<dyn HostServices>, ApiError> {
    scope.services.clone().ok_or_else(|| {
        ApiError::new(
            "IllegalStateException",
            "no repository is available to this extension call",
        )
    })
}

fn service_error(err: ServiceError) -> ApiError {
    match err {
        ServiceError::NotFound(m) => ApiError::new("NotFoundException", m),
        ServiceError::Failed(m) => ApiError::new("ServiceException", m),
    }
}

fn truncated(mut found: Vec<Value>) -> Value {
    found.truncate(MAX_SEARCH_RESULTS);
    Value::Array(found)
}

pub(crate) fn call(name: &str, args: &Value, scope: &mut Scope) -> ApiResult {
    if name == "toRelationship" {
        let id = related_id(arg(args, 0)).map_err(service_error)?;
        return Ok(json!({ "id": id }));
    }
    let s = services(scope)?;
    match name {
        "retrieve" => s.retrieve_artifact(arg(args, 0)).map_err(service_error),
        "searchTypes" => s
            .list_search_types()
            .map(|t| json!(t))
            .map_err(service_error),
        "searchDefinition" => s
            .search_definition(arg_str(args, 0)?)
            .map_err(service_error),
        "search" => s
            .search(arg_str(args, 0)?, arg(args, 1))
            .map(truncated)
            .map_err(service_error),
        "formattedIdDefinition" => s.formatted_id_search_definition().map_err(service_error),
        "searchByFormattedId" => s
            .search_by_formatted_id(arg(args, 0))
            .map(truncated)
            .map_err(service_error),
        "toContainer" => to_container(s.as_ref(), arg(args, 0), arg(args, 1)),
        "associatedRelationship" => s
            .associated_relationship(arg(args, 0))
            .map_err(service_error),
        "associatedContainer" => {
            let relationship = s
                .associated_relationship(arg(args, 0))
                .map_err(service_error)?;
            to_container(s.as_ref(), &relationship, &Value::Null)
        }
        _ => Err(ApiError::argument(format!("unknown call artifacts.{name}"))),
    }
}

/// A container for the artifact a relationship names; the summary defaults to the artifact's.
fn to_container(s: &dyn HostServices, relationship: &Value, summary: &Value) -> ApiResult {
    if relationship.is_null() {
        return Ok(Value::Null);
    }
    let id = related_id(relationship).map_err(service_error)?;
    let summary = match summary {
        Value::String(text) => text.clone(),
        _ => {
            let artifact = s.retrieve_artifact(relationship).map_err(service_error)?;
            artifact
                .get("summary")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    ApiError::new("NotFoundException", format!("artifact {id} has no summary"))
                })?
        }
    };
    Ok(json!({ "id": id, "summary": summary }))
}
