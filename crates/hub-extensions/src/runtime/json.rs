//! JSON arguments into JavaScript values, the same values boa's `JsValue::from_json` makes.
//!
//! boa's conversion gives every object a shape of its own, with a property table allocated per
//! object, and clones each key twice; converting the context of a call was most of a single
//! call's time. Objects built here start from the realm's shared root shape, so objects with
//! the same keys (every context, every field reference) share their shapes through boa's
//! transition cache, as object literals in a script do.

use boa_engine::builtins::object::OrdinaryObject;
use boa_engine::object::ObjectInitializer;
use boa_engine::object::builtins::JsArray;
use boa_engine::property::Attribute;
use boa_engine::{Context, JsString, JsValue};
use serde_json::{Map, Value};

/// `json` as a JavaScript value: numbers that fit an `i32` as integers, objects with writable,
/// enumerable and configurable data properties in the order of `json`.
pub(crate) fn to_js(json: &Value, context: &mut Context) -> JsValue {
    match json {
        Value::Null => JsValue::null(),
        Value::Bool(b) => JsValue::new(*b),
        Value::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => JsValue::new(i),
            None => JsValue::new(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => JsValue::new(JsString::from(s.as_str())),
        Value::Array(items) => {
            let values: Vec<JsValue> = items.iter().map(|v| to_js(v, context)).collect();
            JsArray::from_iter(values, context).into()
        }
        Value::Object(map) => object(map, context),
    }
}

fn object(map: &Map<String, Value>, context: &mut Context) -> JsValue {
    let properties: Vec<(JsString, JsValue)> = map
        .iter()
        .map(|(key, value)| (JsString::from(key.as_str()), to_js(value, context)))
        .collect();
    let mut object = ObjectInitializer::with_native_data(OrdinaryObject, context);
    for (key, value) in properties {
        object.property(key, value, Attribute::all());
    }
    object.build().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_round_trip_as_boa_converts_them() {
        let mut context = Context::default();
        let json = json!({
            "summary": "Fix it",
            "count": 3,
            "big": 12_345_678_901_i64,
            "ratio": 0.5,
            "done": false,
            "none": null,
            "7": "an index key",
            "fields": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
            "nested": {"deeper": {"deepest": []}}
        });
        let ours = to_js(&json, &mut context);
        let boas = JsValue::from_json(&json, &mut context).unwrap();
        assert_eq!(
            ours.to_json(&mut context).unwrap(),
            boas.to_json(&mut context).unwrap()
        );
        let global = context.global_object();
        global
            .set(JsString::from("ours"), ours, false, &mut context)
            .unwrap();
        global
            .set(JsString::from("boas"), boas, false, &mut context)
            .unwrap();
        let same = boa_engine::Source::from_bytes(
            "JSON.stringify(ours) === JSON.stringify(boas) && \
             Object.keys(ours).join() === Object.keys(boas).join() && \
             Object.getPrototypeOf(ours) === Object.prototype && \
             typeof ours.count === typeof boas.count && \
             Object.getOwnPropertyDescriptor(ours, 'summary').writable",
        );
        assert_eq!(context.eval(same).unwrap(), JsValue::new(true));
    }
}
