//! The pure core of model-based synchronization: projecting values through mappings
//! ([`transform`]) and deciding per field what flows where ([`plan`]). No I/O here: the runtime
//! feeds values in and carries the decisions out.

mod convert;
pub mod plan;
pub mod transform;
