//! One extension compiled into its own boa context on the current thread.
//!
//! A [`Runtime`] is built once per extension and worker thread and then reused for every call:
//! parsing and evaluating the script again for each call would cost a thousand times more. Each
//! extension has a context of its own, so no global of one extension is visible to another.
//! Calls go through a small compiled "invoker" script per entry point that runs a whole chunk
//! of calls in one of boa's budgeted evaluations ([`batch`]): the budget lets [`drive`] enforce
//! the wall-clock and memory limits over every call, and the cost of starting an evaluation is
//! shared by the chunk. Arguments are converted once per chunk; an argument equal for several
//! calls (the usual batch shares its context) is converted once and frozen, so no call can see
//! what another wrote into it.

pub(crate) mod batch;
mod drive;
mod failure;
mod json;
pub(crate) mod natives;
pub(crate) mod scope;

use std::path::Path;
use std::sync::Arc;

use boa_engine::object::IntegrityLevel;
use boa_engine::object::builtins::JsArray;
use boa_engine::vm::RuntimeLimits;
use boa_engine::{Context, JsResult, JsString, JsValue, Script, Source};
use serde_json::Value;

use crate::error::ExtensionError;
use crate::host::{CallRequest, CallResult};
use crate::kind::ExtensionKind;
use crate::limits::SandboxLimits;
use crate::validate::Compiled;

use batch::Heartbeat;
use drive::{BUDGET, Guard, drive};
pub(crate) use failure::limit_error;

/// Global holding the chunk being run: one array per argument position, then the call count.
const CHUNK: &str = "__sxB";
/// Arguments every entry point receives (missing ones are `undefined`).
const ARITY: usize = 3;
/// Calls per evaluation at most.
const MAX_CHUNK: usize = 512;

/// A context with one extension loaded, ready for calls.
pub(crate) struct Runtime {
    name: String,
    context: Context,
    invokers: Vec<(&'static str, Script)>,
    limits: SandboxLimits,
    /// Calls per evaluation: the invoker's own loop must stay within the loop limit.
    chunk: usize,
    poisoned: bool,
}

/// The invoker of `function`: calls it once per staged call and hands each result over.
fn invoker_source(function: &str, chunk: usize) -> String {
    if chunk < 2 {
        return format!("{{ const b = {CHUNK}; __sxPut({function}(b[0][0], b[1][0], b[2][0])); }}");
    }
    format!(
        "{{ const b = {CHUNK}, a0 = b[0], a1 = b[1], a2 = b[2], n = b[3], put = __sxPut;\n  \
         for (let i = 0; i < n; i++) put({function}(a0[i], a1[i], a2[i])); }}"
    )
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
        let chunk = usize::try_from(limits.loop_iterations)
            .unwrap_or(usize::MAX)
            .clamp(1, MAX_CHUNK);
        let mut runtime = Self {
            name,
            context,
            invokers: Vec::new(),
            limits,
            chunk,
            poisoned: false,
        };
        runtime.evaluate(&script)?;
        for function in runtime.entry_points(extension.kind)? {
            let invoker = invoker_source(function, chunk);
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

    /// Calls `function` once per request, in order; `None` when a call returned `undefined`.
    /// Fewer results than requests only when a limit stopped a call: the runtime is poisoned
    /// then, and the caller goes on with the rest in a new one.
    pub(crate) fn call_batch(
        &mut self,
        function: &str,
        requests: &[CallRequest],
        heartbeat: &Arc<Heartbeat>,
    ) -> Vec<CallResult> {
        let Some(invoker) = self.invoker(function) else {
            let missing = ExtensionError::MissingFunction {
                name: self.name.clone(),
                function: static_name(function),
            };
            return requests.iter().map(|_| Err(missing.clone())).collect();
        };
        let mut results = Vec::with_capacity(requests.len());
        while results.len() < requests.len() && !self.poisoned {
            let pending = &requests[results.len()..];
            let pending = &pending[..pending.len().min(self.chunk)];
            match self.stage(pending) {
                Ok(staged) => self.run_chunk(&invoker, staged, heartbeat, &mut results),
                Err(err) => results.push(Err(err)),
            }
        }
        results
    }

    fn invoker(&self, function: &str) -> Option<Script> {
        let (_, script) = self.invokers.iter().find(|(f, _)| *f == function)?;
        Some(script.clone())
    }

    /// Converts the arguments of `requests` (up to the first that cannot be converted) into
    /// the chunk global; the number of calls staged, or the conversion error of the first.
    fn stage(&mut self, requests: &[CallRequest]) -> Result<usize, ExtensionError> {
        let mut shared = SharedArguments::default();
        let mut columns: [Vec<JsValue>; ARITY] = Default::default();
        for (staged, request) in requests.iter().enumerate() {
            let row = match self.row(request, &mut shared) {
                Ok(row) => row,
                Err(err) if staged == 0 => return Err(err),
                Err(_) => return self.publish(columns, staged),
            };
            for (column, value) in columns.iter_mut().zip(row) {
                column.push(value);
            }
        }
        self.publish(columns, requests.len())
    }

    fn row(
        &mut self,
        request: &CallRequest,
        shared: &mut SharedArguments,
    ) -> Result<[JsValue; ARITY], ExtensionError> {
        let mut row: [JsValue; ARITY] = Default::default();
        for (position, arg) in request.args.iter().take(ARITY).enumerate() {
            row[position] = shared
                .value(position, arg, &mut self.context)
                .map_err(|e| output(&self.name, &e))?;
        }
        Ok(row)
    }

    /// Sets the chunk global: one array per argument position, then the call count.
    fn publish(
        &mut self,
        columns: [Vec<JsValue>; ARITY],
        calls: usize,
    ) -> Result<usize, ExtensionError> {
        let ctx = &mut self.context;
        let mut chunk: Vec<JsValue> = columns
            .into_iter()
            .map(|column| JsArray::from_iter(column, ctx).into())
            .collect();
        chunk.push(JsValue::from(calls as f64));
        let chunk = JsArray::from_iter(chunk, ctx);
        ctx.global_object()
            .set(JsString::from(CHUNK), chunk, false, ctx)
            .map_err(|e| output(&self.name, &e))?;
        Ok(calls)
    }

    /// Runs the staged `calls` and appends one result per call that ended; a call stopped by
    /// an error ends the chunk with that error.
    fn run_chunk(
        &mut self,
        invoker: &Script,
        calls: usize,
        heartbeat: &Arc<Heartbeat>,
        results: &mut Vec<CallResult>,
    ) {
        batch::begin(calls, heartbeat);
        let outcome = self.evaluate(invoker);
        let handed_over = batch::finish();
        let returned = handed_over.len().min(calls);
        let name = &self.name;
        results.extend(handed_over.into_iter().take(returned).map(|converted| {
            converted.map_err(|reason| ExtensionError::Output {
                name: name.clone(),
                reason,
            })
        }));
        match outcome {
            Err(err) if returned < calls => results.push(Err(err)),
            _ => results.extend((returned..calls).map(|_| {
                Err(ExtensionError::Output {
                    name: name.clone(),
                    reason: "the call returned no result".into(),
                })
            })),
        }
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

/// The last value converted at each argument position of a chunk, handed again to every call
/// of the chunk that receives the very same argument.
#[derive(Default)]
struct SharedArguments {
    last: [Option<(Arc<Value>, JsValue, bool)>; ARITY],
}

impl SharedArguments {
    /// `arg` as a JavaScript value; a value given to several calls is frozen (deeply) before
    /// the first of them runs, so none can change what the others receive.
    fn value(&mut self, position: usize, arg: &Arc<Value>, ctx: &mut Context) -> JsResult<JsValue> {
        if let Some((source, value, frozen)) = &mut self.last[position]
            && Arc::ptr_eq(source, arg)
        {
            if !*frozen {
                freeze(value, ctx)?;
                *frozen = true;
            }
            return Ok(value.clone());
        }
        let value = json::to_js(arg, ctx);
        self.last[position] = Some((arg.clone(), value.clone(), false));
        Ok(value)
    }
}

/// Freezes `value` and everything reachable from it (a tree built from JSON).
fn freeze(value: &JsValue, ctx: &mut Context) -> JsResult<()> {
    let Some(object) = value.as_object() else {
        return Ok(());
    };
    for key in object.own_property_keys(ctx)? {
        let child = object.get(key, ctx)?;
        freeze(&child, ctx)?;
    }
    object.set_integrity_level(IntegrityLevel::Frozen, ctx)?;
    Ok(())
}
