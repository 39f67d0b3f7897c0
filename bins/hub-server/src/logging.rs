//! The tracing subscriber: pretty or JSON lines on stderr, with a filter that the API's
//! troubleshooting switch can replace at run time.

use std::sync::Arc;

use hub_api::LogFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry, reload};

use crate::settings::LogFormat;

/// Dependencies that are noisy at `info` are held at `warn` unless named explicitly.
const QUIET: &str = "sqlx=warn,sea_orm=warn,hyper=warn,h2=warn,rustls=warn";

/// The normal filter directives for a configured level.
pub fn normal_directives(level: &str) -> String {
    format!("{QUIET},{level}")
}

struct ReloadFilter(reload::Handle<EnvFilter, Registry>);

impl LogFilter for ReloadFilter {
    fn apply(&self, directives: &str) -> Result<(), String> {
        let filter = EnvFilter::try_new(directives).map_err(|e| e.to_string())?;
        self.0.reload(filter).map_err(|e| e.to_string())
    }
}

/// Installs the global subscriber; returns the handle for run-time changes.
pub fn init(level: &str, format: LogFormat) -> Result<Arc<dyn LogFilter>, String> {
    let filter = EnvFilter::try_new(normal_directives(level))
        .map_err(|e| format!("log_level '{level}': {e}"))?;
    let (filter, handle) = reload::Layer::new(filter);
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Pretty => registry
            .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
            .try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    result.map_err(|e| e.to_string())?;
    Ok(Arc::new(ReloadFilter(handle)))
}
