//! `persons.listPersonSearchFields` and `persons.searchPerson`, which finds exactly one person
//! or throws `PersonNotFoundException` / `TooManyPersonsFoundException` for the script to catch.

use serde_json::{Value, json};

use super::{ApiError, ApiResult, arg_str};
use crate::runtime::scope::Scope;
use crate::services::ServiceError;

pub(crate) fn call(name: &str, args: &Value, scope: &mut Scope) -> ApiResult {
    let Some(services) = scope.services.clone() else {
        return Err(ApiError::new(
            "IllegalStateException",
            "no repository is available to this extension call",
        ));
    };
    let failed = |e: ServiceError| ApiError::new("ServiceException", e.to_string());
    match name {
        "searchFields" => services
            .person_search_fields()
            .map(|f| json!(f))
            .map_err(failed),
        "search" => {
            let field = arg_str(args, 0)?;
            let value = arg_str(args, 1)?;
            let mut found = services.search_persons(field, value).map_err(failed)?;
            match found.len() {
                1 => Ok(found.remove(0)),
                0 => Err(ApiError::new(
                    "PersonNotFoundException",
                    format!("no person has {field} '{value}'"),
                )),
                n => Err(ApiError::new(
                    "TooManyPersonsFoundException",
                    format!("{n} persons have {field} '{value}'"),
                )),
            }
        }
        _ => Err(ApiError::argument(format!("unknown call persons.{name}"))),
    }
}
