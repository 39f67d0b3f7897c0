//! Checking an extension when it is saved, and the checked form the host runs.
//!
//! Saving runs the same steps as loading into a worker: Rhino-era syntax is translated, the
//! script is parsed (a syntax error names its line and column), its top level is evaluated under
//! the sandbox limits, and the functions and declarations its kind requires are looked up. A
//! script that passes here loads on every worker thread.

use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::Value;

use crate::compat;
use crate::error::ExtensionError;
use crate::kind::{Extension, ExtensionKind};
use crate::limits::SandboxLimits;
use crate::runtime::Runtime;

/// An extension that passed validation, in the form worker threads load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: ExtensionKind,
    /// The script after compatibility translation.
    pub script: String,
    /// Changes whenever name, kind or source change; workers reload on a new version.
    pub version: u64,
    /// Declared input types of a data transformation (`inputTypes`), in order.
    pub input_types: Vec<String>,
    /// Declared output types of a data transformation (`outputTypes`), in order.
    pub output_types: Vec<String>,
}

fn types(value: Option<Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s],
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Validates `extension` under `limits`, returning what the host loads.
pub fn validate(extension: &Extension, limits: &SandboxLimits) -> Result<Compiled, ExtensionError> {
    let mut hasher = DefaultHasher::new();
    (&extension.name, extension.kind, &extension.source).hash(&mut hasher);
    let mut compiled = Compiled {
        name: extension.name.clone(),
        kind: extension.kind,
        script: compat::translate(&extension.source),
        version: hasher.finish(),
        input_types: Vec::new(),
        output_types: Vec::new(),
    };
    let mut runtime = Runtime::new(&compiled, *limits)?;
    if extension.kind == ExtensionKind::DataTransformation {
        compiled.input_types = types(runtime.declaration("inputTypes"));
        compiled.output_types = types(runtime.declaration("outputTypes"));
    }
    Ok(compiled)
}
