//! The native functions behind the extension API and the JavaScript that wraps them.
//!
//! Three natives exist: `__sxPut`, through which the invoker hands over each call's result
//! ([`super::batch`]), `__sxLog` (the hot path of `console.log`) and `__sxHost`, one entry for
//! every other host call, taking and returning JSON text. The public objects (`store`,
//! `artifacts`, `persons`, `ldap`, `httpClient`, `html`, `console`) are written in JavaScript
//! in `prelude.js` on top of them, so their shapes match the guide exactly.

use boa_engine::object::FunctionObjectBuilder;
use boa_engine::property::Attribute;
use boa_engine::{Context, JsResult, JsValue, NativeFunction, Source, js_string};
use chrono::Utc;

use super::{batch, scope};
use crate::api;
use crate::compat::EACH_PRELUDE;
use crate::limits::SandboxLimits;
use crate::log::{LogEntry, mask};

const PRELUDE: &str = include_str!("prelude.js");

/// Defines the natives, the limit the prelude's guards use, and the API objects.
pub(crate) fn install(context: &mut Context, limits: &SandboxLimits) -> JsResult<()> {
    // The invoker's parts cannot be replaced by a script.
    let put = FunctionObjectBuilder::new(context.realm(), NativeFunction::from_fn_ptr(batch::put))
        .name(js_string!("__sxPut"))
        .length(1)
        .build();
    context.register_global_property(js_string!("__sxPut"), put, Attribute::empty())?;
    context.register_global_property(
        js_string!("__sxB"),
        JsValue::undefined(),
        Attribute::WRITABLE,
    )?;
    context.register_global_callable(
        js_string!("__sxHost"),
        2,
        NativeFunction::from_fn_ptr(host),
    )?;
    context.register_global_callable(js_string!("__sxLog"), 2, NativeFunction::from_fn_ptr(log))?;
    let max_chars = (limits.memory_bytes / 2) as f64;
    context.register_global_property(js_string!("__sxMaxChars"), max_chars, Attribute::empty())?;
    context.eval(Source::from_bytes(EACH_PRELUDE))?;
    context.eval(Source::from_bytes(PRELUDE))?;
    Ok(())
}

fn text(args: &[JsValue], index: usize, context: &mut Context) -> JsResult<String> {
    match args.get(index) {
        Some(value) => Ok(value.to_string(context)?.to_std_string_escaped()),
        None => Ok(String::new()),
    }
}

/// `__sxLog(message, showConfidential)`.
fn log(_: &JsValue, args: &[JsValue], context: &mut Context) -> JsResult<JsValue> {
    let message = text(args, 0, context)?;
    let reveal = args.get(1).is_some_and(JsValue::to_boolean);
    scope::with(|scope| {
        let message = if reveal || scope.revealed.is_empty() {
            message
        } else {
            mask(&message, &scope.revealed)
        };
        scope.shared.log.write(LogEntry {
            at: Utc::now(),
            extension: scope.extension.clone(),
            tags: scope.tags.clone(),
            message,
        });
    });
    Ok(JsValue::undefined())
}

/// `__sxHost(op, json)`: answers `{"ok": …}` or `{"error": {"name": …, "message": …}}`.
fn host(_: &JsValue, args: &[JsValue], context: &mut Context) -> JsResult<JsValue> {
    let op = text(args, 0, context)?;
    let json = text(args, 1, context)?;
    let input = serde_json::from_str(&json).unwrap_or(serde_json::Value::Null);
    let answer = scope::with(|scope| api::dispatch(&op, input, scope)).unwrap_or_else(|| {
        Err(api::ApiError::new(
            "IllegalStateException",
            "no call is running",
        ))
    });
    let reply = match answer {
        Ok(value) => serde_json::json!({ "ok": value }),
        Err(err) => serde_json::json!({ "error": { "name": err.name, "message": err.message } }),
    };
    Ok(JsValue::from(js_string!(reply.to_string())))
}
