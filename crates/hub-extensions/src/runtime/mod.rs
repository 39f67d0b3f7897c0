//! One extension compiled into its own boa context on the current thread.
//!
//! A [`Runtime`] is built once per extension and worker thread and then reused for every call:
//! parsing and evaluating the script again for each call would cost a thousand times more. Each
//! extension has a context of its own, so no global of one extension is visible to another.
//! Calls go through a small compiled "invoker" script so that boa's budgeted evaluation, which
//! lets [`drive`] enforce the wall-clock and memory limits, covers the whole call.

mod drive;
mod failure;
pub(crate) mod natives;
pub(crate) mod scope;

use std::path::Path;

use boa_engine::object::builtins::JsArray;
use boa_engine::vm::RuntimeLimits;
use boa_engine::{Context, JsValue, Script, Source, js_string};
use serde_json::Value;

use crate::error::ExtensionError;
use crate::kind::ExtensionKind;
use crate::limits::SandboxLimits;
use crate::validate::Compiled;

use drive::{BUDGET, Guard, drive};
pub(crate) use failure::limit_error;

/// Global holding the arguments of the current call.
const ARGS: &str = "__sxA";

/// A context with one extension loaded, ready for calls.
pub(crate) struct Runtime {
    name: String,
    context: Context,
    invokers: Vec<(&'static str, Script)>,
    limits: SandboxLimits,
    poisoned: bool,
}

impl Runtime {
    /// Loads `extension` into a fresh context: host APIs first, then the script's top level.
    pub(crate) fn new(extension: &Compiled, limits: SandboxLimits) -> Result<Self, ExtensionError> {
        let name = extension.name.clone();
        let mut context = Context::default();
        let mut runtime_limits = RuntimeLimits::default();
        runtime_limits.set_loop_iteration_limit(limits.loop_iterations);
        runtime_limits.set_recursion_limit(limits.recursion_depth);
        context.set_runtime_limits(runtime_limits);
        natives::install(&mut context, &limits).map_err(|e| ExtensionError::HostUnavailable {
            reason: format!("the extension API cannot be installed: {e}"),
        })?;
        let source = Source::from_bytes(extension.script.as_str()).with_path(Path::new(&name));
        let script = Script::parse(source, None, &mut context)
            .map_err(|e| failure::syntax_error(&name, &e))?;
        let mut runtime = Self {
            name,
            context,
            invokers: Vec::new(),
            limits,
            poisoned: false,
        };
        runtime.evaluate(&script)?;
        for function in runtime.entry_points(extension.kind)? {
            let invoker = format!("{function}({ARGS}[0], {ARGS}[1], {ARGS}[2])");
            let source = Source::from_bytes(invoker.as_str()).with_path(Path::new("<host>"));
            let script = Script::parse(source, None, &mut runtime.context)
                .map_err(|e| failure::syntax_error(&runtime.name, &e))?;
            runtime.invokers.push((function, script));
        }
        for variable in extension.kind.required_declarations() {
            runtime.require_declaration(variable)?;
        }
        Ok(runtime)
    }

    /// True once a call was stopped mid-way: the context must not be used again.
    pub(crate) fn poisoned(&self) -> bool {
        self.poisoned
    }

    /// Calls `function` with `args`; `None` when it returned `undefined`.
    pub(crate) fn call(
        &mut self,
        function: &str,
        args: &[Value],
    ) -> Result<Option<Value>, ExtensionError> {
        let Some(index) = self.invokers.iter().position(|(f, _)| *f == function) else {
            return Err(ExtensionError::MissingFunction {
                name: self.name.clone(),
                function: static_name(function),
            });
        };
        let script = self.invokers[index].1.clone();
        let ctx = &mut self.context;
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(JsValue::from_json(arg, ctx).map_err(|e| output(&self.name, &e))?);
        }
        let array = JsArray::from_iter(values, ctx);
        ctx.global_object()
            .set(js_string!("__sxA"), array, false, ctx)
            .map_err(|e| output(&self.name, &e))?;
        let result = self.evaluate(&script)?;
        result
            .to_json(&mut self.context)
            .map_err(|e| output(&self.name, &e))
    }

    fn evaluate(&mut self, script: &Script) -> Result<JsValue, ExtensionError> {
        let mut guard = Guard::new(self.limits.wall_clock, self.limits.memory_bytes);
        let future = script.evaluate_async_with_budget(&mut self.context, BUDGET);
        match drive(future, &mut guard) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => {
                let err = failure::from_js(err, &self.name, &self.limits, &mut self.context);
                self.poisoned |= matches!(err, ExtensionError::Limit { .. });
                Err(err)
            }
            Err(limit) => {
                self.poisoned = true;
                Err(failure::limit_error(&self.name, limit, &self.limits))
            }
        }
    }

    fn global(&mut self, name: &str) -> JsValue {
        let global = self.context.global_object();
        global
            .get(boa_engine::JsString::from(name), &mut self.context)
            .unwrap_or_default()
    }

    /// The kind's functions the script defines; an error when a required one is missing.
    fn entry_points(&mut self, kind: ExtensionKind) -> Result<Vec<&'static str>, ExtensionError> {
        let functions = kind.required_functions();
        let defined: Vec<&'static str> = functions
            .iter()
            .copied()
            .filter(|f| self.global(f).is_callable())
            .collect();
        let missing = functions.iter().find(|f| !defined.contains(f));
        match missing {
            Some(function) if kind.needs_every_function() || defined.is_empty() => {
                Err(ExtensionError::MissingFunction {
                    name: self.name.clone(),
                    function,
                })
            }
            _ => Ok(defined),
        }
    }

    fn require_declaration(&mut self, variable: &'static str) -> Result<(), ExtensionError> {
        if !self.global(variable).is_undefined() {
            return Ok(());
        }
        Err(ExtensionError::MissingDeclaration {
            name: self.name.clone(),
            variable,
        })
    }

    /// A global of the script as JSON (`inputTypes`, `outputTypes`).
    pub(crate) fn declaration(&mut self, variable: &str) -> Option<Value> {
        let value = self.global(variable);
        value.to_json(&mut self.context).ok().flatten()
    }
}

fn output(name: &str, err: &boa_engine::JsError) -> ExtensionError {
    ExtensionError::Output {
        name: name.to_owned(),
        reason: err.to_string(),
    }
}

fn static_name(function: &str) -> &'static str {
    use crate::kind::*;
    [
        TRANSITION_ARTIFACT,
        TRANSFORM_PAYLOAD,
        TRANSFORM,
        PERSON_FROM_REPOSITORY,
        PERSON_TO_REPOSITORY,
    ]
    .into_iter()
    .find(|f| *f == function)
    .unwrap_or("the requested function")
}
