//! `batch`: up to 50 commands (`method?query`) in one request, each run as if called directly.
//!
//! The batch counts once against the rate limit; each command goes through the same lookup,
//! operating-time check, context check, validation and behaviour as a direct call, with the
//! batch's credentials.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value, json};

use crate::auth::Caller;
use crate::server::{Portal, Reply, method_key};
use crate::{clock, params};

/// The method name, as the portal looks it up.
pub(crate) const METHOD: &str = "batch";

/// Commands past this many end with `ERROR_BATCH_LENGTH_EXCEEDED` instead of running.
const MAX_COMMANDS: usize = 50;

/// The commands of a batch request as `(key, command)` in the order they were written: a list
/// gets the keys `"0"`, `"1"`, ... Order matters (linked calls, `halt`, the 50-command cut), and
/// the parsed parameter map sorts its keys, so the commands are read from the raw request: the
/// JSON body, else the form body, else the query string. Anything else is an empty batch.
pub(crate) fn commands(
    query: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<(String, Value)> {
    let form = content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let from_json = || {
        #[derive(Deserialize)]
        struct Body {
            cmd: Option<Commands>,
        }
        let body: Body = serde_json::from_slice(body).ok()?;
        body.cmd.map(|c| c.0)
    };
    let from_body = || form_commands(&String::from_utf8_lossy(body));
    let from_query = || query.and_then(form_commands);
    let found = if form { from_body() } else { from_json() };
    found.or_else(from_query).unwrap_or_default()
}

/// Commands by key in first-seen order, built the way PHP fills an array.
#[derive(Default)]
struct Ordered {
    entries: Vec<(String, Value)>,
    at: HashMap<String, usize>,
    highest: Option<u64>,
}

impl Ordered {
    /// Sets `key`, or with `None` appends after the highest integer key; a repeated key keeps
    /// its place and takes the last value.
    fn set(&mut self, key: Option<String>, value: Value) {
        let next = || self.highest.map_or(0, |h| h.saturating_add(1)).to_string();
        let key = key.unwrap_or_else(next);
        if let Ok(n) = key.parse::<u64>() {
            self.highest = Some(self.highest.map_or(n, |h| h.max(n)));
        }
        match self.at.get(&key).and_then(|&i| self.entries.get_mut(i)) {
            Some(slot) => slot.1 = value,
            None => {
                self.at.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
            }
        }
    }
}

/// `cmd[key]=command` pairs of a form, in order, as PHP reads them.
fn form_commands(input: &str) -> Option<Vec<(String, Value)>> {
    let mut out = Ordered::default();
    // A body the form reader refuses holds no command the portal could run.
    for pair in bitrix_wire::form::pairs(input, &params::LIMITS).ok()? {
        let (key, value) = pair.ok()?;
        let Some(key) = key.strip_prefix("cmd[").and_then(|k| k.strip_suffix(']')) else {
            continue;
        };
        // `cmd[a][b]`: not a command string, which the portal could not run either.
        if key.contains(['[', ']']) {
            continue;
        }
        let key = (!key.is_empty()).then(|| key.to_owned());
        out.set(key, Value::String(value));
    }
    (!out.entries.is_empty()).then_some(out.entries)
}

/// JSON `cmd` as an object or a list, keeping the order of the document.
struct Commands(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Commands {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Commands;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object or a list of commands")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Commands, A::Error> {
                let mut out = Ordered::default();
                while let Some((key, value)) = map.next_entry::<String, Value>()? {
                    out.set(Some(key), value);
                }
                Ok(Commands(out.entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Commands, A::Error> {
                let mut out = Vec::new();
                while let Some(value) = seq.next_element::<Value>()? {
                    out.push((out.len().to_string(), value));
                }
                Ok(Commands(out))
            }
        }
        d.deserialize_any(InOrder)
    }
}

/// The five parts of a batch result, each as `(command key, value)` in command order.
#[derive(Default)]
struct Parts {
    result: Vec<(String, Value)>,
    error: Vec<(String, Value)>,
    total: Vec<(String, Value)>,
    next: Vec<(String, Value)>,
    time: Vec<(String, Value)>,
}

impl Portal {
    /// Runs the commands of one `batch` call for `caller` and answers its `result`.
    pub(crate) fn batch(
        &self,
        caller: &Caller,
        params: &Map<String, Value>,
        commands: Vec<(String, Value)>,
    ) -> Reply {
        let count = u64::try_from(commands.len()).unwrap_or(u64::MAX);
        self.batch_commands.fetch_add(count, Ordering::Relaxed);
        let halt = params::flag(params.get("halt"));
        let mut parts = Parts::default();
        for (i, (key, command)) in commands.into_iter().enumerate() {
            let started = SystemTime::now();
            let reply = if i >= MAX_COMMANDS {
                Reply::system("ERROR_BATCH_LENGTH_EXCEEDED")
            } else {
                self.command(caller, &command, &parts.result)
            };
            match reply {
                Reply::Result(result, page) => {
                    if let Some(total) = page.total {
                        parts.total.push((key.clone(), json!(total)));
                    }
                    if let Some(next) = page.next {
                        parts.next.push((key.clone(), json!(next)));
                    }
                    parts.time.push((key.clone(), clock::span(started)));
                    parts.result.push((key, result));
                }
                Reply::Error {
                    code, description, ..
                } => {
                    let error = json!({"error": code, "error_description": description});
                    parts.error.push((key, error));
                    if halt {
                        break;
                    }
                }
            }
        }
        let result = json!({
            "result": php_array(parts.result),
            "result_error": php_array(parts.error),
            "result_total": php_array(parts.total),
            "result_next": php_array(parts.next),
            "result_time": php_array(parts.time),
        });
        Reply::Result(result, Default::default())
    }

    /// One command, `method` or `method?query`, run with the batch's credentials; `done` are the
    /// results so far, for `$result[key][..]` references.
    fn command(&self, caller: &Caller, command: &Value, done: &[(String, Value)]) -> Reply {
        // A command that is not a string names no method the portal could find.
        let Some(command) = command.as_str() else {
            return Reply::system("ERROR_METHOD_NOT_FOUND");
        };
        let (method, query) = command.split_once('?').unwrap_or((command, ""));
        let name = method_key(method.trim());
        let refused = self.specs.get(&name).is_some_and(|spec| !spec.batch);
        if name == METHOD || refused {
            return Reply::system("ERROR_BATCH_METHOD_NOT_ALLOWED");
        }
        let mut params = match params::parse_form(query) {
            Ok(params) => params,
            Err(e) => return Reply::argument(&e.to_string()),
        };
        // The batch's own credentials apply, whatever a command says.
        params.remove("auth");
        params.values_mut().for_each(|v| substitute(v, done));
        let written = params::Written::from_query(query);
        self.dispatch(caller, &name, &params, &written).0
    }
}

/// A part of the result as PHP's `json_encode` writes the array behind it: `[]` when empty, a list
/// when the keys are `0..n` in order (commands sent as a list, all of them present), an object
/// keyed by command otherwise.
fn php_array(entries: Vec<(String, Value)>) -> Value {
    let is_list = entries
        .iter()
        .enumerate()
        .all(|(i, (k, _))| *k == i.to_string());
    if is_list {
        Value::Array(entries.into_iter().map(|(_, v)| v).collect())
    } else {
        Value::Object(entries.into_iter().collect())
    }
}

/// Replaces `$result[key][field]..` in the string values of a command's parameters by that
/// value of an earlier command's result (linked calls); an unknown path reads as empty.
fn substitute(value: &mut Value, done: &[(String, Value)]) {
    match value {
        Value::String(s) if s.contains("$result[") => *s = resolve(s, done),
        Value::Array(items) => items.iter_mut().for_each(|v| substitute(v, done)),
        Value::Object(map) => map.values_mut().for_each(|v| substitute(v, done)),
        _ => {}
    }
}

fn resolve(text: &str, done: &[(String, Value)]) -> String {
    const MARK: &str = "$result";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("$result[") {
        out.push_str(&rest[..at]);
        let mut tail = &rest[at + MARK.len()..];
        let mut path = Vec::new();
        while let Some(inner) = tail.strip_prefix('[') {
            let Some(end) = inner.find(']') else { break };
            path.push(&inner[..end]);
            tail = &inner[end + 1..];
        }
        let Some((key, fields)) = path.split_first() else {
            // `$result[` without a closing bracket: plain text.
            out.push_str(MARK);
            rest = tail;
            continue;
        };
        let mut found = done.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        for field in fields {
            found = match found {
                Some(Value::Object(map)) => map.get(*field),
                Some(Value::Array(items)) => field.parse().ok().and_then(|i: usize| items.get(i)),
                _ => None,
            };
        }
        // As PHP prints scalars into a string; arrays and objects have no useful text.
        match found {
            Some(Value::String(s)) => out.push_str(s),
            Some(Value::Number(n)) => out.push_str(&n.to_string()),
            Some(Value::Bool(true)) => out.push('1'),
            _ => {}
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use bitrix_spec::AuthContext;

    use super::*;
    use crate::MockConfig;

    #[test]
    fn methods_closed_to_batch_are_refused() {
        let yaml = r#"
method: demo.thing.get
scope: demo
summary: A method that cannot run inside batch.
access: any user
contexts: [application]
batch: false
idempotent: true
docs: https://example.com/demo
result: { type: boolean, required: true }
examples:
  - response: {result: true}
"#;
        let spec = bitrix_spec::load("specs/demo/demo.thing.get.yaml", yaml).expect("loads");
        let specs = Arc::new(BTreeMap::from([("demo.thing.get".to_owned(), spec)]));
        let portal = Portal::new(specs, &MockConfig::default());
        let caller = Caller {
            user: crate::ADMIN_USER_ID,
            app: Some(crate::MAIN_APP),
            context: AuthContext::Application,
        };
        let commands = vec![("a".to_owned(), json!("demo.thing.get?x=1"))];
        let Reply::Result(result, _) = portal.batch(&caller, &Map::new(), commands) else {
            panic!("a batch always succeeds as a whole");
        };
        let refused = json!({"error": "ERROR_BATCH_METHOD_NOT_ALLOWED",
            "error_description": "Method is not allowed for batch usage"});
        assert_eq!(result["result_error"], json!({"a": refused}));
        assert_eq!(result["result"], json!([]));
        // Directly, it runs.
        let written = params::Written::default();
        let (direct, _) = portal.dispatch(&caller, "demo.thing.get", &Map::new(), &written);
        assert!(matches!(direct, Reply::Result(Value::Bool(true), _)));
    }

    #[test]
    fn commands_keep_their_written_order() {
        let keys = |c: Vec<(String, Value)>| c.into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        let json = br#"{"halt": 0, "cmd": {"b": "x", "a": "y", "c10": "z", "c2": "w"}}"#;
        assert_eq!(keys(commands(None, None, json)), ["b", "a", "c10", "c2"]);
        let list = br#"{"cmd": ["x", "y"]}"#;
        assert_eq!(keys(commands(None, None, list)), ["0", "1"]);
        let form = "halt=1&cmd%5Bz%5D=m%3Fa%3D1&cmd[a]=n&cmd[z]=o&cmd[x][y]=p";
        let found = commands(
            None,
            Some("application/x-www-form-urlencoded"),
            form.as_bytes(),
        );
        assert_eq!(
            found,
            [("z".into(), json!("o")), ("a".into(), json!("n"))].to_vec()
        );
        let query = "cmd[]=a&cmd[]=b%3Fx%3D1";
        let found = commands(Some(query), None, b"");
        assert_eq!(
            found,
            [("0".into(), json!("a")), ("1".into(), json!("b?x=1"))].to_vec()
        );
        let appended = commands(Some("cmd[3]=a&cmd[x]=b&cmd[]=c"), None, b"");
        assert_eq!(keys(appended), ["3", "x", "4"]);
        assert!(commands(None, None, br#"{"cmd": "user.current"}"#).is_empty());
        assert!(commands(None, None, b"\xff").is_empty());
    }

    #[test]
    fn parts_are_php_arrays() {
        assert_eq!(php_array(Vec::new()), json!([]));
        let list = vec![("0".into(), json!(1)), ("1".into(), json!(2))];
        assert_eq!(php_array(list), json!([1, 2]));
        let gap = vec![("0".into(), json!(1)), ("2".into(), json!(2))];
        assert_eq!(php_array(gap), json!({"0": 1, "2": 2}));
    }

    #[test]
    fn references_read_earlier_results() {
        let done = vec![(
            "user".to_owned(),
            json!({"ID": "7", "DEP": [3, 4], "ok": true}),
        )];
        let mut v = json!({"a": "$result[user][ID]", "b": ["x$result[user][DEP][1]y"]});
        substitute(&mut v, &done);
        assert_eq!(v, json!({"a": "7", "b": ["x4y"]}));
        for (text, expected) in [
            ("$result[user][nope]", ""),
            ("$result[other][ID]", ""),
            ("$result[user][ok]", "1"),
            ("$result[user", "$result[user"),
            ("$result[user][DEP]", ""),
        ] {
            assert_eq!(resolve(text, &done), expected, "{text}");
        }
    }
}
