//! Cells into JSON: the `summary.json` part of a publication, with the JSON Pointer of every
//! suppressed value collected, so a reader can tell "hidden" from "zero".

use serde_json::{Map, Value};
use tvaers_report::Cell;

/// Writes cells into JSON, collecting the JSON Pointer of every suppressed value.
pub(crate) struct JsonOut {
    pub(crate) suppressed: Vec<String>,
}

impl JsonOut {
    pub(crate) fn scalar<T>(
        &mut self,
        path: &str,
        c: &Cell<T>,
        f: impl FnOnce(&T) -> Value,
    ) -> Value {
        match c.value() {
            Some(v) => f(v),
            None => {
                self.suppressed.push(path.to_string());
                Value::Null
            }
        }
    }

    /// An object row: published → its fields and `"suppressed": false`; suppressed → the same
    /// keys as `null` and `"suppressed": true`.
    pub(crate) fn row<T>(
        &mut self,
        path: &str,
        c: &Cell<T>,
        fixed: &[(&str, Value)],
        keys: &[&str],
        f: impl FnOnce(&T) -> Vec<Value>,
    ) -> Value {
        let mut m = Map::new();
        for (k, v) in fixed {
            m.insert(k.to_string(), v.clone());
        }
        match c.value() {
            Some(v) => {
                for (k, x) in keys.iter().zip(f(v)) {
                    m.insert(k.to_string(), x);
                }
                m.insert("suppressed".into(), Value::Bool(false));
            }
            None => {
                for k in keys {
                    m.insert(k.to_string(), Value::Null);
                    self.suppressed.push(format!("{path}/{k}"));
                }
                m.insert("suppressed".into(), Value::Bool(true));
            }
        }
        Value::Object(m)
    }
}
