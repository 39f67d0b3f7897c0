//! The pure core of model-based synchronization: projecting values through mappings
//! ([`transform`]) and deciding per field what flows where ([`plan`]). No I/O here: the runtime
//! feeds values in and carries the decisions out.

mod convert;
pub mod people;
pub mod plan;
pub mod states;
pub mod transform;
