//! API errors: every failure leaves as JSON with its catalogue code, message and user action.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hub_domain::ErrorCode;
use serde::Serialize;

/// An error response.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Catalogue code.
    pub code: ErrorCode,
    /// What happened.
    pub message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    code: ErrorCode,
    message: &'a str,
    user_action: Option<&'static str>,
}

impl ApiError {
    /// A 400 with the given code.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }
}

impl From<hub_store::StoreError> for ApiError {
    fn from(e: hub_store::StoreError) -> Self {
        use hub_store::StoreError as E;
        let status = match &e {
            E::NotFound { .. } => StatusCode::NOT_FOUND,
            E::Invalid(_) | E::Duplicate { .. } => StatusCode::BAD_REQUEST,
            E::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self {
            status,
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            code: self.code,
            message: &self.message,
            user_action: self.code.entry().map(|e| e.user_action),
        };
        (self.status, Json(body)).into_response()
    }
}

/// Unknown routes.
pub(crate) async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: ErrorCode::error(30001),
        message: format!("no API resource at {}", uri.path()),
    }
}
