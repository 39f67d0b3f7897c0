//! The JavaScript extension host: how administrators reshape values, payloads, people and state
//! transitions with small scripts.
//!
//! Scripts written for the commercial hub must run unchanged, yet none may block or crash this
//! one. So each extension runs in a boa context of its own on a dedicated worker thread, held
//! to loop, recursion, wall-clock and memory limits, and reaches the outside world only through
//! the APIs the host installs and the services the engine hands in with each call.
//!
//! Map of the crate:
//! - [`kind`], [`limits`]: extension kinds with their required functions; sandbox limits.
//! - [`validate()`]: checking a script when it is saved (syntax with line and column, required
//!   functions and declarations) into the [`Compiled`] form workers load.
//! - [`ExtensionHost`]: the worker pool; [`calls`] adds one typed entry point per kind.
//! - [`services`]: the [`HostServices`] seam behind `artifacts.*` and `persons.*`, with an
//!   implementation over any connector.
//! - [`log`]: the extension log (`console.log`), as a file and a queryable in-memory view.
//! - [`kv`]: plain and confidential key-value stores, their import and encryption.
//! - [`library`]: saved extensions — scripts checked before they are stored, loaded at start.
//! - [`compat`]: Rhino-era syntax rewritten before evaluation.
//! - [`error`]: the crate's error type, each variant with its catalogue code.

mod api;
pub mod calls;
pub mod compat;
pub mod error;
mod host;
pub mod kind;
pub mod kv;
pub mod library;
pub mod limits;
pub mod log;
mod runtime;
pub mod services;
mod validate;

pub use api::http::HttpSettings;
pub use calls::{CallContext, FieldRef, TransformCall, TransitionOption};
pub use error::{ExtensionError, Limit, Position};
pub use host::{CallRequest, CallResult, ExtensionHost, HostConfig};
pub use kind::{Extension, ExtensionKind};
pub use limits::SandboxLimits;
pub use log::{CallTags, ExtensionLog, LogEntry, LogQuery, LogSinks, MemoryLog};
pub use services::{ConnectorServices, HostServices, ServiceError};
pub use validate::{Compiled, validate};
