//! The HTTP side: routing, the portal's order of checks, and the JSON envelopes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bitrix_spec::{ErrorSpec, Mode, Spec, Trigger, Violation};
use serde_json::{Map, Value, json};

use crate::auth::{Caller, Credentials};
use crate::config::MockConfig;
use crate::families::Families;
use crate::faults::{Fault, Faults};
use crate::limits::{Bucket, Operating, Usage};
use crate::methods::{self, Call, Fail, Page};
use crate::net::Cut;
use crate::oauth::{self, Endpoints, OAuth, Refused};
use crate::specs::Specs;
use crate::state::State;
use crate::{batch, clock, control, lock, multipart, params};

/// The key the token endpoint's faults are kept under (no method is named so).
pub(crate) const TOKEN_FAULTS: &str = "/oauth/token/";

/// The content type of an urlencoded form.
const FORM: &str = "application/x-www-form-urlencoded";

/// Bodies larger than this are refused rather than buffered.
pub(crate) const BODY_LIMIT: usize = 16 << 20;

/// Everything a running portal owns, shared by the server tasks and the test handle.
pub(crate) struct Portal {
    pub specs: Specs,
    pub creds: Credentials,
    pub oauth: OAuth,
    pub requests: AtomicU64,
    pub bucket: Bucket,
    pub rate_limited: AtomicU64,
    pub operating: Operating,
    pub faults: Faults,
    /// Faults of the token endpoint, which stands for another server.
    pub token_faults: Faults,
    /// Requests the token endpoint received, answered or not.
    pub token_requests: AtomicU64,
    /// Bytes of `Fault::HugeBody` bodies produced so far.
    pub streamed: Arc<AtomicU64>,
    /// REST requests per lowercased method name.
    received: Mutex<HashMap<String, u64>>,
    /// The base URL the portal is served at now; other addresses redirect there.
    current_base: Mutex<String>,
    /// Commands received inside `batch` calls.
    pub batch_commands: AtomicU64,
    /// The scopes of the specs, comma-separated, for the token endpoint's `scope`.
    pub scope: String,
    /// The rate limit the portal started with, for a reset.
    initial_limit: Option<(f64, u32)>,
    /// The entity families of the specs, whose stores live in the state.
    pub families: Families,
    state: Mutex<State>,
}

/// One address the portal listens on; the state of its router.
#[derive(Clone)]
pub(crate) struct Site {
    pub portal: Arc<Portal>,
    /// `http://127.0.0.1:PORT` of this listener.
    pub base: String,
}

/// What a call answers, before it is put into an envelope.
pub(crate) enum Reply {
    /// `result`, with `total` and `next` for a list.
    Result(Value, Page),
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
        Reply::spec_error(e, &e.description)
    }

    /// A documented error as the portal sends it: an error envelope with the entry's status, or,
    /// for an error reported inside `result`, a successful answer carrying it.
    fn spec_error(e: &ErrorSpec, description: &str) -> Self {
        if e.in_result {
            let result = serde_json::json!({
                "result": false,
                "error": e.code,
                "error_description": description,
            });
            return Reply::Result(result, Page::default());
        }
        Reply::error(e.status, &e.code, description)
    }

    /// One of the errors any method may answer, worded as the system-errors page words it.
    pub(crate) fn system(code: &str) -> Self {
        match bitrix_spec::SYSTEM_ERRORS
            .iter()
            .find(|(c, _, _)| *c == code)
        {
            Some((code, status, description)) => Reply::error(*status, code, description),
            None => Reply::error(500, "INTERNAL_SERVER_ERROR", code),
        }
    }

    /// The portal's answer to arguments it cannot use and no spec describes.
    pub(crate) fn argument(text: &str) -> Self {
        Reply::error(400, "ERROR_ARGUMENT", text)
    }

    /// The access token was issued but has lived out its lifetime.
    fn expired() -> Self {
        Reply::error(
            401,
            "expired_token",
            "The access token provided has expired.",
        )
    }

    /// Status and JSON body; `usage` fills the `time` block of a result.
    fn render(self, started: SystemTime, usage: Option<Usage>) -> (StatusCode, Vec<u8>) {
        let (status, body) = match self {
            Reply::Result(result, page) => {
                let mut body = json!({"result": result, "time": clock::envelope(started, usage)});
                if let Some(total) = page.total {
                    body["total"] = json!(total);
                }
                if let Some(next) = page.next {
                    body["next"] = json!(next);
                }
                (StatusCode::OK, body)
            }
            Reply::Error {
                status,
                code,
                description,
            } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
                (
                    status,
                    json!({"error": code, "error_description": description}),
                )
            }
        };
        // Serializing a `Value` cannot fail.
        (status, serde_json::to_vec(&body).unwrap_or_default())
    }

    fn respond(self, started: SystemTime) -> Response {
        json_response(self.render(started, None))
    }
}

fn json_response((status, body): (StatusCode, Vec<u8>)) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

pub(crate) fn router(site: Site) -> Router {
    // One handler for every path: the portal answers JSON even for paths it does not know.
    Router::new().fallback(handle).with_state(site)
}

/// One request, in the order the portal meets it: domain, counting, rate limit, injected fault,
/// and then the call itself.
async fn handle(
    AxumState(site): AxumState<Site>,
    ConnectInfo(cut): ConnectInfo<Cut>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = SystemTime::now();
    let portal = &site.portal;
    let path = uri.path();
    // The authorization server is another host on the real service: it neither moves with the
    // portal's domain nor counts towards the portal's limits.
    if path == oauth::TOKEN_PATH || path == oauth::TOKEN_PATH.trim_end_matches('/') {
        return token(&site, &uri, body, &cut).await;
    }
    if path == oauth::APP_INFO_PATH || path == oauth::APP_INFO_PATH.trim_end_matches('/') {
        return authorization_app_info(&site, &uri, body).await;
    }
    if path.starts_with(control::PREFIX) {
        return match axum::body::to_bytes(body, BODY_LIMIT).await {
            Ok(bytes) => control::handle(portal, path, &headers, &bytes),
            Err(_) => Reply::argument("The request body could not be read").respond(started),
        };
    }
    portal.requests.fetch_add(1, Ordering::Relaxed);
    let current = portal.current_base();
    if current != site.base {
        return redirect(&current, &uri);
    }
    let method = split_route(path).map(|(_, m)| method_key(m));
    let method = method.filter(|m| !m.is_empty());
    if let Some(m) = &method {
        *lock(&portal.received).entry(m.clone()).or_default() += 1;
    }
    // Read the whole request first, whatever the answer: a fault must hit a request the client
    // has completely sent.
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return Reply::argument("The request body could not be read").respond(started),
    };
    if !portal.bucket.admit() {
        portal.rate_limited.fetch_add(1, Ordering::Relaxed);
        return Reply::system("QUERY_LIMIT_EXCEEDED").respond(started);
    }
    let fault = method.as_deref().and_then(|m| portal.faults.take(m));
    if let Some(answer) = fault.as_ref().and_then(|f| f.replacement(&portal.streamed)) {
        return answer;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let (reply, usage) = portal.call(path, uri.query(), content_type, &bytes);
    if let Some(Fault::Delay(delay)) = fault {
        tokio::time::sleep(delay).await;
    }
    let (status, mut body) = reply.render(started, usage);
    match fault {
        Some(Fault::TruncatedJson) => body.truncate(body.len() / 2),
        Some(Fault::DropConnection) => cut.cut(),
        _ => {}
    }
    json_response((status, body))
}

/// `/oauth/token/` with its parameters in the query or a form body, as the authorization server
/// takes them.
async fn token(site: &Site, uri: &Uri, body: Body, cut: &Cut) -> Response {
    let portal = &site.portal;
    portal.token_requests.fetch_add(1, Ordering::Relaxed);
    let fault = portal.token_faults.take(TOKEN_FAULTS);
    if let Some(answer) = fault.as_ref().and_then(|f| f.replacement(&portal.streamed)) {
        return answer;
    }
    // A token endpoint that hangs: nothing happens until the wait is over.
    if let Some(Fault::Delay(delay)) = fault {
        tokio::time::sleep(delay).await;
    }
    let form = |text: &str| params::parse_form(text).unwrap_or_default();
    let mut params = uri.query().map(form).unwrap_or_default();
    // An unreadable body leaves the parameters short, which the endpoint answers as malformed.
    if let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await {
        params.extend(form(&String::from_utf8_lossy(&bytes)));
    }
    let at = Endpoints {
        domain: crate::net::host(&site.base).to_owned(),
        server_endpoint: format!("{}/rest/", site.base),
        client_endpoint: format!("{}/rest/", portal.current_base()),
        scope: portal.scope.clone(),
    };
    let (status, body) = portal.oauth.token_endpoint(&params, &at);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut body = serde_json::to_vec(&body).unwrap_or_default();
    match fault {
        Some(Fault::TruncatedJson) => body.truncate(body.len() / 2),
        Some(Fault::DropConnection) => cut.cut(),
        _ => {}
    }
    json_response((status, body))
}

/// The authorization server's `app.info`, with `auth` in the query or a form body.
async fn authorization_app_info(site: &Site, uri: &Uri, body: Body) -> Response {
    let started = SystemTime::now();
    let portal = &site.portal;
    let form = |text: &str| params::parse_form(text).unwrap_or_default();
    let mut params = uri.query().map(form).unwrap_or_default();
    if let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await {
        params.extend(form(&String::from_utf8_lossy(&bytes)));
    }
    let current = portal.current_base();
    let at = Endpoints {
        domain: crate::net::host(&current).to_owned(),
        server_endpoint: format!("{}/rest/", site.base),
        client_endpoint: format!("{current}/rest/"),
        scope: portal.scope.clone(),
    };
    let (status, mut body) = portal.oauth.app_info(&params, &at);
    if body.get("result").is_some() {
        // The authorization server times its answers as the portal does.
        body["time"] = clock::envelope(started, None);
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    json_response((status, serde_json::to_vec(&body).unwrap_or_default()))
}

/// The answer of an address the portal has moved away from: the same path and query on the new
/// one.
fn redirect(to: &str, uri: &Uri) -> Response {
    let target = format!("{to}{}", uri.path_and_query().map_or("/", |p| p.as_str()));
    // A request URI holds only visible ASCII, so this fails only in theory; the base is still
    // the right host then.
    let location = HeaderValue::from_str(&target)
        .or_else(|_| HeaderValue::from_str(to))
        .unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// `/rest/{user}/{code}/{method}` or `/rest/{method}`: the webhook's user and code, if any, and
/// the method as written. Empty segments are skipped, as the portal's web server collapses
/// repeated slashes: clients that join a `client_endpoint` ending in `/` with `/method` send
/// `/rest//method`, and webhook URLs pasted with a trailing slash end up doubled the same way.
fn split_route(path: &str) -> Option<(Option<(&str, &str)>, &str)> {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    if segments.next() != Some("rest") {
        return None;
    }
    let segments: Vec<&str> = segments.collect();
    match segments.as_slice() {
        [user, code, method] => Some((Some((user, code)), method)),
        [method] => Some((None, method)),
        _ => None,
    }
}

/// The name the portal looks a method up by: lowercased, without `.json` (in any case).
pub(crate) fn method_key(method: &str) -> String {
    let lower = method.to_lowercase();
    match lower.strip_suffix(".json") {
        Some(name) => name.to_owned(),
        None => lower,
    }
}

/// Whose budget a call spends: operating time is kept per application, or per webhook.
fn budget_owner(caller: &Caller) -> String {
    match caller.app {
        Some(app) => app.to_owned(),
        None => format!("webhook of user {}", caller.user),
    }
}

impl Portal {
    pub(crate) fn new(specs: Specs, config: &MockConfig) -> Self {
        let scopes: std::collections::BTreeSet<&str> =
            specs.values().map(|s| s.scope.as_str()).collect();
        let scope = scopes.into_iter().collect::<Vec<_>>().join(",");
        let creds = Credentials::generate();
        let limit = config
            .rate_limit
            .then_some((config.rate_per_sec, config.burst));
        let families = Families::discover(&specs, |m| methods::find(m).is_some());
        Portal {
            families,
            oauth: OAuth::new(&creds, config.token_ttl),
            specs,
            creds,
            requests: AtomicU64::new(0),
            bucket: Bucket::new(limit),
            rate_limited: AtomicU64::new(0),
            operating: Operating::new(config.operating_limit, config.operating_window),
            faults: Faults::default(),
            token_faults: Faults::default(),
            token_requests: AtomicU64::new(0),
            streamed: Arc::default(),
            received: Mutex::new(HashMap::new()),
            batch_commands: AtomicU64::new(0),
            current_base: Mutex::new(String::new()),
            scope,
            initial_limit: limit,
            state: Mutex::new(State::seeded()),
        }
    }

    /// The state, even after a panic elsewhere poisoned the lock: a test helper that panicked
    /// must not take the whole portal down with it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Fills a store, as [`MockPortal::seed`](crate::MockPortal::seed) does.
    pub(crate) fn seed(&self, what: control::Seed, count: usize) {
        let mut state = self.lock();
        match what {
            control::Seed::CrmItems(entity) => state.seed_crm_items(entity, count),
            control::Seed::Bots => {
                for _ in 0..count {
                    state.add_bot(crate::MAIN_APP);
                }
            }
        }
    }

    /// Fills the store of the entity family `name` (any case) with `count` records shaped like
    /// its documented one; the error names the families there are when there is none so named.
    pub(crate) fn seed_family(&self, name: &str, count: usize) -> Result<(), String> {
        // Records are built in memory under the state's lock: a count no test needs would hold
        // the portal for minutes or exhaust memory.
        const MAX_SEED: usize = 1_000_000;
        if count > MAX_SEED {
            return Err(format!(
                "a family takes at most {MAX_SEED} records, not {count}"
            ));
        }
        let Some(family) = self.families.family(name.trim()) else {
            return Err(format!(
                "no entity family `{}`; there are {} (say crm.deal, crm.contact, tasks.task)",
                name.trim(),
                self.families.names().len()
            ));
        };
        let mut state = self.lock();
        family.seed(
            state.entities.entry(family.name.clone()).or_default(),
            count,
        );
        Ok(())
    }

    /// Back to the state of a fresh portal, keeping its credentials and its two bots' tokens,
    /// without pending faults and with the rate limit it started with.
    pub(crate) fn reset(&self) {
        let mut fresh = State::seeded();
        let mut state = self.lock();
        for (old, new) in [
            (state.main_bot, fresh.main_bot),
            (state.other_bot, fresh.other_bot),
        ] {
            if let (Some(old), Some(new)) = (state.bots.get(&old), fresh.bots.get_mut(&new)) {
                new.token.clone_from(&old.token);
            }
        }
        *state = fresh;
        drop(state);
        self.faults.clear();
        self.token_faults.clear();
        self.bucket.set(self.initial_limit);
    }

    pub(crate) fn current_base(&self) -> String {
        lock(&self.current_base).clone()
    }

    pub(crate) fn move_to(&self, base: String) {
        *lock(&self.current_base) = base;
    }

    /// REST requests that named `method` (any case).
    pub(crate) fn received(&self, method: &str) -> u64 {
        let received = lock(&self.received);
        received.get(&method_key(method)).copied().unwrap_or(0)
    }

    /// One REST call, checked in the order the portal checks it: credentials, method, operating
    /// time, auth context, parameters, and only then what the method does. A result comes with
    /// what its `time` block reports.
    fn call(
        &self,
        path: &str,
        query: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> (Reply, Option<Usage>) {
        let Some((webhook, method)) = split_route(path) else {
            return (Reply::system("ERROR_METHOD_NOT_FOUND"), None);
        };
        // A multipart body is read as the urlencoded form it stands for, for the parameters and
        // for the commands of a batch alike.
        let transcoded;
        let (content_type, body) = match content_type {
            Some(ct) if multipart::is_multipart(Some(ct)) => match multipart::to_form(ct, body) {
                Ok(form) => {
                    transcoded = form;
                    (Some(FORM), transcoded.as_bytes())
                }
                Err(e) => return (Reply::argument(&e), None),
            },
            other => (other, body),
        };
        let mut params = match query.map(params::parse_form).transpose() {
            Ok(params) => params.unwrap_or_default(),
            Err(e) => return (Reply::argument(&e.to_string()), None),
        };
        match parse_body(content_type, body) {
            Ok(body) => params.extend(body),
            Err(reply) => return (reply, None),
        }
        let token = params.remove("auth");
        let caller = match webhook {
            Some((user, code)) => self.creds.webhook(user, code).ok_or(Refused::Unknown),
            None => match params::text(token.as_ref()) {
                Some(token) => self.oauth.authenticate(&token),
                None => Err(Refused::Unknown),
            },
        };
        let caller = match caller {
            Ok(caller) => caller,
            Err(Refused::Unknown) => return (Reply::system("NO_AUTH_FOUND"), None),
            Err(Refused::Expired) => return (Reply::expired(), None),
        };
        let name = method_key(method);
        if name == batch::METHOD {
            // Its commands need the order they were written in, which the parsed map lost.
            let commands = batch::commands(query, content_type, body);
            return (self.batch(&caller, &params, commands), None);
        }
        let written = params::Written::from_request(query, content_type, body);
        self.dispatch(&caller, &name, &params, &written)
    }

    /// A call past authentication, from the method lookup on; `batch` runs its commands
    /// through here too.
    pub(crate) fn dispatch(
        &self,
        caller: &Caller,
        name: &str,
        params: &Map<String, Value>,
        written: &params::Written,
    ) -> (Reply, Option<Usage>) {
        let Some(spec) = self.specs.get(name) else {
            return (Reply::system("ERROR_METHOD_NOT_FOUND"), None);
        };
        tracing::debug!(method = %spec.method, context = caller.context.as_str(), "call");
        // Blocked before anything else about the method is looked at, as the portal checks the
        // accumulated time before executing.
        let who = budget_owner(caller);
        if self.operating.blocked(name, &who) {
            return (Reply::system("OPERATION_TIME_LIMIT"), None);
        }
        let reply = self.execute(spec, name, caller, params, written);
        let usage = match reply {
            Reply::Result(..) => Some(self.operating.charge(name, &who)),
            Reply::Error { .. } => None,
        };
        (reply, usage)
    }

    /// A call past authentication: its context, parameters and behaviour.
    fn execute(
        &self,
        spec: &Spec,
        name: &str,
        caller: &Caller,
        params: &Map<String, Value>,
        written: &params::Written,
    ) -> Reply {
        if !spec.contexts.contains(&caller.context) {
            return self.failure(spec, &Fail::WrongContext);
        }
        let mut params = params.clone();
        params::as_the_portal_reads(spec, &mut params);
        let params = &params;
        let valid = match methods::checks(name) {
            Some(checks) => checks(spec, params, caller.context),
            None => {
                bitrix_spec::validate_request(spec, params, caller.context).map_err(Fail::Rejected)
            }
        };
        if let Err(fail) = valid {
            return self.failure(spec, &fail);
        }
        // Checked once the request is well-formed, as the portal checks rights before acting.
        if !caller.is_admin() {
            if let Some(e) = spec.error_for(&Trigger::NotAdmin(true)) {
                return Reply::documented(e);
            }
        }
        let Some(behaviour) = methods::find(name) else {
            let mut state = self.lock();
            return match self
                .families
                .run(name, params, written, &mut state.entities)
            {
                Some(reply) => reply,
                None => example(spec),
            };
        };
        let mut call = Call {
            caller,
            params,
            written,
            state: &mut self.lock(),
            portal: self,
            page: Page::default(),
        };
        match behaviour(&mut call) {
            Ok(result) => checked(spec, result, call.page),
            Err(fail) => self.failure(spec, &fail),
        }
    }

    /// A behaviour's error, worded by the method's spec.
    fn failure(&self, spec: &Spec, fail: &Fail) -> Reply {
        let (code, text, args) = match fail {
            Fail::WrongContext => {
                return match spec.error_for(&Trigger::WrongContext(true)) {
                    Some(e) => Reply::documented(e),
                    None => Reply::system("WRONG_AUTH_TYPE"),
                };
            }
            Fail::Rejected(violation) => return rejection(spec, violation),
            Fail::Code { code, text } => (*code, *text, &[][..]),
            Fail::Worded { code, text, args } => (*code, Some(*text), args.as_slice()),
        };
        let same = |e: &&ErrorSpec| e.code.eq_ignore_ascii_case(code);
        // Entries with a validation trigger word those failures; a behaviour's error is another.
        let stateful = |e: &&ErrorSpec| e.when.as_ref().is_none_or(Trigger::is_state);
        let entry = text
            .and_then(|t| spec.errors.iter().filter(same).find(|e| e.description == t))
            .or_else(|| spec.errors.iter().filter(same).find(stateful))
            .or_else(|| spec.errors.iter().find(same))
            // A page that forgot a code its siblings document: borrow their wording.
            .or_else(|| {
                let siblings = self.specs.values().filter(|s| s.scope == spec.scope);
                siblings
                    .flat_map(|s| &s.errors)
                    .find(|e| same(e) && stateful(e))
            })
            // A code the portal answers across modules (`ERROR_WRONG_HANDLER_URL` of its handler
            // check, say), documented only on other modules' pages.
            .or_else(|| {
                let all = self.specs.values().flat_map(|s| &s.errors);
                all.into_iter().find(|e| same(e) && stateful(e))
            });
        match entry {
            Some(e) => Reply::spec_error(e, &fill(&e.description, args)),
            None => {
                tracing::warn!(method = %spec.method, code, "error code documented by no spec");
                Reply::error(400, code, code)
            }
        }
    }
}

/// `template` with each `'placeholder'` of `args` replaced by `'value'`, in one pass so that a
/// value looking like another placeholder stays as it is.
fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    loop {
        let next = args
            .iter()
            .filter_map(|(name, value)| {
                let quoted = format!("'{name}'");
                rest.find(&quoted).map(|at| (at, quoted.len(), value))
            })
            .min_by_key(|&(at, ..)| at);
        let Some((at, len, value)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at]);
        out.push('\'');
        out.push_str(value);
        out.push('\'');
        rest = &rest[at + len..];
    }
}

/// Query-string parameters are merged with these; body members win, as PHP's `$_REQUEST` does.
fn parse_body(content_type: Option<&str>, body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    if content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")) {
        return params::parse_form(&String::from_utf8_lossy(body))
            .map_err(|e| Reply::argument(&e.to_string()));
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
    if let Some(e) = violation.documented(spec) {
        return Reply::documented(e);
    }
    let text = match violation {
        Violation::NoParams => "No parameters given".to_owned(),
        Violation::Missing(p) => format!("Argument '{p}' is null or empty"),
        // The reason quotes the value, which must not echo a credential.
        Violation::Invalid { param, .. } if spec.params.get(param).is_some_and(|s| s.secret) => {
            format!("Argument '{param}' has an invalid value")
        }
        Violation::Invalid { why, .. } => why.clone(),
        Violation::Rule(i, why) => match spec.rules.get(*i) {
            Some(rule) => rule.description.clone().unwrap_or_else(|| why.clone()),
            None => why.clone(),
        },
    };
    Reply::argument(&text)
}

/// The stand-in answer of a method without a behaviour: its first documented success, with the
/// `total` and `next` it shows.
fn example(spec: &Spec) -> Reply {
    let success = spec
        .examples
        .iter()
        .filter(|e| e.status == 200)
        .find(|e| e.response.get("result").is_some());
    match success {
        Some(e) => {
            let member = |key| e.response.get(key).and_then(Value::as_u64);
            let page = Page {
                total: member("total"),
                next: member("next"),
            };
            Reply::Result(e.response["result"].clone(), page)
        }
        None => {
            // No page shows a success: the least result the spec accepts, so that a client
            // still gets an answer of the documented shape rather than a server error.
            let result = least(&spec.result);
            match bitrix_spec::conforms(&spec.result, &result, Mode::Response) {
                Ok(()) => Reply::Result(result, Page::default()),
                Err(why) => {
                    tracing::warn!(method = %spec.method, %why, "no behaviour and no success example");
                    Reply::system("INTERNAL_SERVER_ERROR")
                }
            }
        }
    }
}

/// The least value of a schema: an object of its required members, empty lists and maps, the
/// first allowed value of an enum, zero, `""`, and `true` for a result of any type (what most
/// methods whose page describes no result answer).
fn least(s: &bitrix_spec::Schema) -> Value {
    use bitrix_spec::TypeName as T;
    match s.ty {
        T::Object => Value::Object(
            s.fields
                .iter()
                .flatten()
                .filter(|(_, f)| f.required)
                .map(|(k, f)| (k.clone(), least(f)))
                .collect(),
        ),
        T::Array => Value::Array(Vec::new()),
        T::Map | T::Filter | T::Order => Value::Object(serde_json::Map::new()),
        T::OneOf => s
            .variants
            .iter()
            .flatten()
            .next()
            .map_or(Value::Null, |(_, first)| least(first)),
        T::Enum => s
            .values
            .as_ref()
            .and_then(|v| v.first())
            .map_or(Value::Null, |v| Value::String(v.clone())),
        T::Integer | T::Id | T::Number | T::File => Value::from(0),
        T::Boolean | T::Any => Value::Bool(true),
        T::Yn => Value::String("Y".into()),
        T::String | T::Url | T::LocalizedText => Value::String(String::new()),
    }
}

/// A behaviour's result, refused in debug builds when it breaks the spec's `result` shape: a mock
/// that answers what the portal never would makes the SDK's tests pass for the wrong reason.
fn checked(spec: &Spec, result: Value, page: Page) -> Reply {
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
    Reply::Result(result, page)
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
    fn a_method_without_a_documented_success_answers_the_least_result_of_its_shape() {
        let text = SPEC
            .split("examples:")
            .next()
            .expect("a head")
            .replace(
                "      required: true\nerrors:",
                "      required: true\n    tags: {type: array, required: true, items: {type: string}}\n    kind: {type: enum, required: true, values: [a, b]}\n    note: {type: string}\nerrors:",
            );
        let spec = bitrix_spec::load("specs/demo/demo.thing.get.yaml", &text).expect("loads");
        match example(&spec) {
            Reply::Result(result, _) => {
                assert_eq!(result, json!({"n": 0, "tags": [], "kind": "a"}));
            }
            Reply::Error { code, .. } => panic!("answered {code}"),
        }
    }

    #[test]
    fn methods_without_behaviour_answer_their_first_success_example() {
        let spec = bitrix_spec::load("specs/demo/demo.thing.get.yaml", SPEC).expect("loads");
        match example(&spec) {
            Reply::Result(result, page) => {
                assert_eq!(result, json!({"n": 1}));
                assert_eq!(page, Page::default());
            }
            Reply::Error { code, .. } => panic!("answered {code}"),
        }
        match checked(&spec, json!({"n": "x"}), Page::default()) {
            Reply::Error { status, .. } => assert_eq!(status, 500),
            Reply::Result(..) => panic!("a result breaking the spec passed"),
        }
    }

    #[test]
    fn placeholders_are_filled_once() {
        let template = "But got 'orderValue' for field 'field'";
        let args = [
            ("field", "id".to_owned()),
            ("orderValue", "'field'".to_owned()),
        ];
        assert_eq!(fill(template, &args), "But got ''field'' for field 'id'");
        assert_eq!(fill("no quotes", &args), "no quotes");
    }
}
