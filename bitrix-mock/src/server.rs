//! The HTTP side: routing, the portal's order of checks, and the JSON envelopes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use axum::Router;
use axum::body::Body;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bitrix_spec::{ErrorSpec, Mode, Spec, Trigger, Violation};
use serde_json::{Map, Value, json};

use crate::auth::Credentials;
use crate::methods::{self, Call, Fail};
use crate::specs::Specs;
use crate::state::State;
use crate::{clock, params};

/// Bodies larger than this are refused rather than buffered.
const BODY_LIMIT: usize = 16 << 20;

/// Everything a running portal owns, shared by the server task and the test handle.
pub(crate) struct Portal {
    pub specs: Specs,
    pub creds: Credentials,
    pub requests: AtomicU64,
    state: Mutex<State>,
}

/// What a call answers, before it is put into an envelope.
enum Reply {
    Result(Value),
    Error {
        status: u16,
        code: String,
        description: String,
    },
}

impl Reply {
    fn error(status: u16, code: &str, description: &str) -> Self {
        Reply::Error {
            status,
            code: code.to_owned(),
            description: description.to_owned(),
        }
    }

    fn documented(e: &ErrorSpec) -> Self {
        Reply::error(e.status, &e.code, &e.description)
    }

    /// One of the errors any method may answer, worded as the system-errors page words it.
    fn system(code: &str) -> Self {
        match bitrix_spec::SYSTEM_ERRORS
            .iter()
            .find(|(c, _, _)| *c == code)
        {
            Some((code, status, description)) => Reply::error(*status, code, description),
            None => Reply::error(500, "INTERNAL_SERVER_ERROR", code),
        }
    }

    /// The portal's answer to arguments it cannot use and no spec describes.
    fn argument(text: &str) -> Self {
        Reply::error(400, "ERROR_ARGUMENT", text)
    }

    fn respond(self, started: SystemTime) -> Response {
        match self {
            Reply::Result(result) => {
                let body = json!({"result": result, "time": clock::envelope(started)});
                (StatusCode::OK, axum::Json(body)).into_response()
            }
            Reply::Error {
                status,
                code,
                description,
            } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
                let body = json!({"error": code, "error_description": description});
                (status, axum::Json(body)).into_response()
            }
        }
    }
}

pub(crate) fn router(portal: Arc<Portal>) -> Router {
    // One handler for every path: the portal answers JSON even for paths it does not know.
    Router::new().fallback(handle).with_state(portal)
}

async fn handle(
    AxumState(portal): AxumState<Arc<Portal>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = SystemTime::now();
    portal.requests.fetch_add(1, Ordering::Relaxed);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let reply = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => portal.call(uri.path(), uri.query(), content_type, &bytes),
        Err(_) => Reply::argument("The request body could not be read"),
    };
    reply.respond(started)
}

impl Portal {
    pub(crate) fn new(specs: Specs) -> Self {
        Portal {
            specs,
            creds: Credentials::generate(),
            requests: AtomicU64::new(0),
            state: Mutex::new(State::seeded()),
        }
    }

    /// The state, even after a panic elsewhere poisoned the lock: a test helper that panicked
    /// must not take the whole portal down with it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One REST call, checked in the order the portal checks it: credentials, method, auth
    /// context, parameters, and only then what the method does.
    fn call(
        &self,
        path: &str,
        query: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let Some(route) = path.strip_prefix("/rest/") else {
            return Reply::system("ERROR_METHOD_NOT_FOUND");
        };
        let mut params = query.map(params::parse_form).unwrap_or_default();
        match parse_body(content_type, body) {
            Ok(body) => params.extend(body),
            Err(reply) => return reply,
        }
        let token = params.remove("auth");
        let segments: Vec<&str> = route.trim_end_matches('/').split('/').collect();
        let (caller, method) = match segments.as_slice() {
            [user, code, method] => (self.creds.webhook(user, code), *method),
            [method] => {
                let token = params::text(token.as_ref());
                (token.and_then(|t| self.creds.oauth(&t)), *method)
            }
            _ => return Reply::system("ERROR_METHOD_NOT_FOUND"),
        };
        let Some(caller) = caller else {
            return Reply::system("NO_AUTH_FOUND");
        };
        let name = method
            .strip_suffix(".json")
            .unwrap_or(method)
            .to_lowercase();
        let Some(spec) = self.specs.get(&name) else {
            return Reply::system("ERROR_METHOD_NOT_FOUND");
        };
        tracing::debug!(method = %spec.method, context = caller.context.as_str(), "call");
        if !spec.contexts.contains(&caller.context) {
            return self.failure(spec, &Fail::WrongContext);
        }
        if let Err(violation) = bitrix_spec::validate_request(spec, &params, caller.context) {
            return rejection(spec, &violation);
        }
        let Some(behaviour) = methods::find(&name) else {
            return example(spec);
        };
        let outcome = behaviour(&mut Call {
            caller: &caller,
            params: &params,
            state: &mut self.lock(),
        });
        match outcome {
            Ok(result) => checked(spec, result),
            Err(fail) => self.failure(spec, &fail),
        }
    }

    /// A behaviour's error, worded by the method's spec.
    fn failure(&self, spec: &Spec, fail: &Fail) -> Reply {
        let (code, text) = match fail {
            Fail::WrongContext => {
                return match spec.error_for(&Trigger::WrongContext(true)) {
                    Some(e) => Reply::documented(e),
                    None => Reply::system("WRONG_AUTH_TYPE"),
                };
            }
            Fail::Code { code, text } => (*code, *text),
        };
        let same = |e: &&ErrorSpec| e.code.eq_ignore_ascii_case(code);
        let entry = text
            .and_then(|t| spec.errors.iter().filter(same).find(|e| e.description == t))
            // Entries with a trigger word validation failures; a behaviour's error is the other one.
            .or_else(|| spec.errors.iter().filter(same).find(|e| e.when.is_none()))
            .or_else(|| spec.errors.iter().find(same))
            // A page that forgot a code its siblings document: borrow their wording.
            .or_else(|| {
                let siblings = self.specs.values().filter(|s| s.scope == spec.scope);
                siblings
                    .flat_map(|s| &s.errors)
                    .find(|e| same(e) && e.when.is_none())
            });
        match entry {
            Some(e) => Reply::documented(e),
            None => {
                tracing::warn!(method = %spec.method, code, "error code documented by no spec");
                Reply::error(400, code, code)
            }
        }
    }
}

/// Query-string parameters are merged with these; body members win, as PHP's `$_REQUEST` does.
fn parse_body(content_type: Option<&str>, body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    if content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")) {
        return Ok(params::parse_form(&String::from_utf8_lossy(body)));
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(Reply::argument("The request body must be a JSON object")),
        Err(e) => Err(Reply::argument(&format!(
            "The request body is not valid JSON: {e}"
        ))),
    }
}

/// A request that fails its spec: the documented error for that failure, or the portal's generic
/// argument error.
fn rejection(spec: &Spec, violation: &Violation) -> Reply {
    if let Some(e) = spec.error_for(&violation.trigger()) {
        return Reply::documented(e);
    }
    let text = match violation {
        Violation::NoParams => "No parameters given".to_owned(),
        Violation::Missing(p) => format!("Argument '{p}' is null or empty"),
        // The reason quotes the value, which must not echo a credential.
        Violation::Invalid(p, _) if spec.params.get(p).is_some_and(|s| s.secret) => {
            format!("Argument '{p}' has an invalid value")
        }
        Violation::Invalid(_, why) => why.clone(),
        Violation::Rule(i) => match spec.rules.get(*i) {
            Some(rule) => rule.description.clone().unwrap_or_else(|| {
                format!("One of {} is required", rule.at_least_one_of.join(", "))
            }),
            None => "The parameters break a rule of the method".to_owned(),
        },
    };
    Reply::argument(&text)
}

/// The stand-in answer of a method without a behaviour: its first documented success.
fn example(spec: &Spec) -> Reply {
    let result = spec
        .examples
        .iter()
        .filter(|e| e.status == 200)
        .find_map(|e| e.response.get("result").cloned());
    match result {
        Some(result) => Reply::Result(result),
        None => {
            tracing::warn!(method = %spec.method, "no behaviour and no success example");
            Reply::system("INTERNAL_SERVER_ERROR")
        }
    }
}

/// A behaviour's result, refused in debug builds when it breaks the spec's `result` shape: a mock
/// that answers what the portal never would makes the SDK's tests pass for the wrong reason.
fn checked(spec: &Spec, result: Value) -> Reply {
    if let Err(why) = bitrix_spec::conforms(&spec.result, &result, Mode::Response) {
        tracing::error!(method = %spec.method, %why, "result does not match the spec");
        if cfg!(debug_assertions) {
            let text = format!(
                "bitrix-mock: the result of {} breaks its spec: {why}",
                spec.method
            );
            return Reply::error(500, "INTERNAL_SERVER_ERROR", &text);
        }
    }
    Reply::Result(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
method: demo.thing.get
scope: demo
summary: A method the mock has no behaviour for.
access: any user
contexts: [application]
idempotent: true
docs: https://example.com/demo
result:
  type: object
  required: true
  fields:
    n:
      type: integer
      required: true
errors:
  - { code: NOPE, status: 400, description: Nope }
examples:
  - title: Failure first
    status: 400
    response: {error: NOPE, error_description: Nope}
  - title: Success
    response: {result: {n: 1}, time: {start: 1}}
"#;

    #[test]
    fn methods_without_behaviour_answer_their_first_success_example() {
        let spec = bitrix_spec::load("specs/demo/demo.thing.get.yaml", SPEC).expect("loads");
        match example(&spec) {
            Reply::Result(result) => assert_eq!(result, json!({"n": 1})),
            Reply::Error { code, .. } => panic!("answered {code}"),
        }
        match checked(&spec, json!({"n": "x"})) {
            Reply::Error { status, .. } => assert_eq!(status, 500),
            Reply::Result(_) => panic!("a result breaking the spec passed"),
        }
    }
}
