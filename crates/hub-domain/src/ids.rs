//! Typed identifiers, so a repository id can never be passed where an integration id belongs.
//!
//! Ids are assigned by the store (database keys); the domain only carries them.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Identifies a [`crate::repository::Repository`].
    RepositoryId
);
id_type!(
    /// Identifies a [`crate::collection::Collection`].
    CollectionId
);
id_type!(
    /// Identifies a [`crate::model::Model`].
    ModelId
);
id_type!(
    /// Identifies an [`crate::integration::Integration`].
    IntegrationId
);
id_type!(
    /// Identifies an [`crate::pair::ArtifactPair`].
    ArtifactPairId
);
id_type!(
    /// Identifies an [`crate::activity::Activity`].
    ActivityId
);
id_type!(
    /// Identifies a [`crate::blocker::Blocker`].
    BlockerId
);
id_type!(
    /// Identifies a [`crate::job::BackgroundJob`].
    JobId
);
