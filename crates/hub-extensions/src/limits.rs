//! Limits every extension call is held to, so one runaway script cannot stall the hub.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Limits every extension run is held to, so one runaway script cannot stall the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxLimits {
    /// Loop iterations per call (all loops of one function activation together).
    pub loop_iterations: u64,
    /// Call stack depth.
    pub recursion_depth: usize,
    /// Wall-clock time per call.
    #[serde(with = "millis")]
    pub wall_clock: Duration,
    /// Growth of the process's resident memory allowed during one call, in bytes; also the
    /// largest string a single built-in call may produce.
    pub memory_bytes: u64,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        Self {
            loop_iterations: 10_000_000,
            recursion_depth: 512,
            wall_clock: Duration::from_secs(5),
            memory_bytes: 64 * 1024 * 1024,
        }
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis().try_into().unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_serialize_wall_clock_in_milliseconds() {
        let json = serde_json::to_string(&SandboxLimits::default()).unwrap();
        assert!(json.contains("\"wall_clock\":5000"), "{json}");
        let back: SandboxLimits = serde_json::from_str(&json).unwrap();
        assert_eq!(back, SandboxLimits::default());
    }
}
