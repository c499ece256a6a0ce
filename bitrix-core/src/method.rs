//! What a generated method is to the client: the [`Method`] trait, and the [`Validator`] its
//! generated `validate` drives.

use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::decode::Decode;
use crate::error::{Invalid, MethodError};
use crate::params::{Param, Params};
use crate::types::AuthContext;

/// A REST method's request. Implemented by `bitrix_method!` for each spec.
pub trait Method: Serialize {
    /// The REST method name, e.g. `messageservice.sender.add`.
    const NAME: &'static str;
    /// The permission scope: the module, the cargo feature, and a scope the application needs.
    const SCOPE: &'static str;
    /// Scopes the application needs as well as [`Method::SCOPE`]
    /// (`imopenlines.bot.session.finish` needs `imbot` too).
    const ALSO_SCOPES: &'static [&'static str] = &[];
    /// Scopes any one of which grants the call instead of [`Method::SCOPE`] (`user.search`:
    /// `user_brief` or `user_basic`).
    const ALTERNATIVE_SCOPES: &'static [&'static str] = &[];
    /// May it run inside `batch`?
    const BATCH: bool;
    /// Is it safe to send again after an ambiguous failure?
    const IDEMPOTENT: bool;
    /// The auth contexts the portal accepts for it.
    const CONTEXTS: &'static [AuthContext];
    /// The decoded `result`.
    type Output: Decode;
    /// The documented error codes.
    type Error: MethodError;

    /// What the spec says to check before sending, as data the runtime walks (empty when it
    /// says nothing).
    #[doc(hidden)]
    const RULES: &'static str = "";

    /// Does the method report some errors inside a successful answer
    /// (`{"result": {"result": false, "error": "CODE", "error_description": "..."}}`, HTTP 200)?
    /// Such a `result` is then the error, not an output.
    #[doc(hidden)]
    const ERRORS_IN_RESULT: bool = false;

    /// The request's parameters.
    #[doc(hidden)]
    fn params(&self) -> &Params;

    /// The request's parameters, to point a list request at a page.
    #[doc(hidden)]
    fn params_mut(&mut self) -> &mut Params;

    /// Records every client-side problem of this request in `v`.
    fn validate(&self, v: &mut Validator) {
        v.check(Self::RULES, self.params());
    }

    /// Decodes the raw JSON of `result`; a value of the wrong shape is an error naming its path.
    fn decode(raw: &str) -> Result<Self::Output, serde_json::Error> {
        crate::decode::decode(raw)
    }
}

/// One method of the API, as the registry (`bitrix_api::methods()` and each scope crate's
/// `METHODS`) lists it; generated from its spec, so the list is always the one `specs/` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MethodInfo {
    /// The REST name, e.g. `crm.item.list`.
    pub name: &'static str,
    /// The permission scope, also the module and the cargo feature.
    pub scope: &'static str,
    /// Scopes the application needs as well as `scope` ([`Method::ALSO_SCOPES`]).
    pub also_scopes: &'static [&'static str],
    /// Scopes that grant the call instead of `scope` ([`Method::ALTERNATIVE_SCOPES`]).
    pub alternative_scopes: &'static [&'static str],
    /// The generated request type, in the scope's module.
    pub type_name: &'static str,
    /// The spec file, relative to `specs/`.
    pub spec: &'static str,
    /// May it run inside `batch`?
    pub batch: bool,
    /// Is it safe to send again after an ambiguous failure?
    pub idempotent: bool,
    /// `Some(note)` when the reference marks it deprecated: what to use instead.
    pub deprecated: Option<&'static str>,
}

impl MethodInfo {
    /// What the generated registries call: the struct is `#[non_exhaustive]` for users.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new(
        name: &'static str,
        scope: &'static str,
        type_name: &'static str,
        spec: &'static str,
        batch: bool,
        idempotent: bool,
        deprecated: Option<&'static str>,
    ) -> Self {
        Self {
            name,
            scope,
            also_scopes: &[],
            alternative_scopes: &[],
            type_name,
            spec,
            batch,
            idempotent,
            deprecated,
        }
    }

    /// [`MethodInfo::__new`] with the other scopes of a method that names them.
    #[doc(hidden)]
    pub const fn __scopes(
        self,
        also_scopes: &'static [&'static str],
        alternative_scopes: &'static [&'static str],
    ) -> Self {
        Self {
            also_scopes,
            alternative_scopes,
            ..self
        }
    }
}

/// The checks of one parameter, as the generator writes them from the spec (`RULES`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Rule {
    /// The parameter's key.
    k: String,
    /// `s` text, `l` localized text, `a` array, `m` map, `n` number, `o` object, `f` filter or
    /// order; other kinds have no own checks.
    t: String,
    r: bool,
    pat: Option<String>,
    /// `pat`, compiled when the rules are read.
    #[serde(skip)]
    re: Option<regex::Regex>,
    min: Option<usize>,
    max: Option<usize>,
    url: bool,
    sec: bool,
    lo: Option<f64>,
    hi: Option<f64>,
    imin: Option<usize>,
    imax: Option<usize>,
    /// A required object that may not be empty.
    empty: bool,
    /// Rules of the members of an object, or of each object in an array.
    obj: Option<Rules>,
    /// The rule of each scalar item of an array (a pattern, a length, allowed numbers).
    it: Option<Box<Rule>>,
    /// Auth contexts in which the parameter is required.
    #[serde(rename = "in")]
    required_in: Vec<AuthContext>,
    /// The allowed values of an integer.
    vals: Option<Vec<i64>>,
    /// The fields a filter or order may name (besides user fields); empty when the spec lists
    /// none, and then any is sent.
    keys: Vec<String>,
    /// The kinds of a filter's typed fields (`i` integer, `n` number, `b` flag), whose values
    /// are checked.
    kt: std::collections::BTreeMap<String, String>,
}

/// A rule across members (`at_least_one_of`, `all_or_none`, `if_given` ...), as written by the
/// generator: its kind (`one`, `most`, `all`, `if`), the members it names and, for `if`, the
/// member that triggers it and the value it must have.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Cross {
    k: String,
    m: Vec<String>,
    #[serde(rename = "if")]
    cond: String,
    eq: Option<Value>,
}

/// A method's (or a nested object's) rules.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Rules {
    p: Vec<Rule>,
    x: Vec<Cross>,
    /// The parameter that switches CRM user fields to their original names
    /// (`useOriginalUfNames`).
    uf: Option<String>,
}

/// Rules are read once per process and method; the number of methods bounds the cache. Each
/// thread keeps the pointers it has looked up, so that validating a request takes no lock.
fn rules(text: &'static str) -> Result<&'static Rules, String> {
    type Cache = Vec<(usize, &'static Rules)>;
    thread_local! {
        static SEEN: std::cell::RefCell<Cache> = const { std::cell::RefCell::new(Vec::new()) };
    }
    static SHARED: OnceLock<Mutex<Cache>> = OnceLock::new();
    let key = text.as_ptr() as usize;
    let find = |cache: &Cache| cache.iter().find(|(k, _)| *k == key).map(|(_, r)| *r);
    if let Some(r) = SEEN.with_borrow(|seen| find(seen)) {
        return Ok(r);
    }
    let found = {
        let mut shared = SHARED
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match find(&shared) {
            Some(r) => r,
            None => {
                let mut parsed: Rules = serde_json::from_str(text).map_err(|e| e.to_string())?;
                parsed.compile();
                let leaked: &'static Rules = Box::leak(Box::new(parsed));
                shared.push((key, leaked));
                leaked
            }
        }
    };
    SEEN.with_borrow_mut(|seen| seen.push((key, found)));
    Ok(found)
}

impl Rules {
    /// Compiles every pattern once. The macro compiled them already, so none fails here; one
    /// that did would match nothing (see [`Validator::text`]).
    fn compile(&mut self) {
        for rule in &mut self.p {
            rule.re = rule.pat.as_deref().and_then(|p| regex::Regex::new(p).ok());
            if let Some(nested) = &mut rule.obj {
                nested.compile();
            }
            if let Some(item) = &mut rule.it {
                item.re = item.pat.as_deref().and_then(|p| regex::Regex::new(p).ok());
            }
        }
    }
}

/// Collects the problems of a request, each with the path of its parameter: what the client
/// checks before sending, usable on its own.
///
/// ```
/// use bitrix_api::messageservice::{MessageserviceSenderAdd, SenderType};
/// use bitrix_api::{AuthContext, Method, Validator};
///
/// let request = MessageserviceSenderAdd::new("bad code!", SenderType::Sms, "ftp://x", "SMS");
/// let mut v = Validator::new(AuthContext::Application);
/// request.validate(&mut v);
/// let problems: Vec<String> = v.finish().iter().map(|p| p.param.clone()).collect();
/// assert_eq!(problems, ["CODE", "HANDLER"]);
/// ```
#[derive(Debug)]
pub struct Validator {
    context: AuthContext,
    path: String,
    problems: Vec<Invalid>,
}

impl Validator {
    /// A validator for a call made in `context`.
    pub fn new(context: AuthContext) -> Self {
        Validator {
            context,
            path: String::new(),
            problems: Vec::new(),
        }
    }

    /// The problems found.
    pub fn finish(self) -> Vec<Invalid> {
        self.problems
    }

    fn fail(&mut self, param: &str, reason: String) {
        let param = if self.path.is_empty() {
            param.to_owned()
        } else if param.is_empty() {
            self.path.clone()
        } else {
            format!("{}.{param}", self.path)
        };
        self.problems.push(Invalid { param, reason });
    }

    /// Checks `params` against a method's rules (the JSON its spec was turned into).
    pub fn check(&mut self, rules_text: &'static str, params: &Params) {
        if rules_text.is_empty() {
            return;
        }
        match rules(rules_text) {
            Ok(r) => {
                self.walk(r, params);
                if let Some(switch) = &r.uf {
                    self.uf_names(switch, params);
                }
            }
            Err(e) => self.fail("", format!("the method's rules cannot be read: {e}")),
        }
    }

    /// User fields named in the spelling the method does not read: the original
    /// `UF_CRM_2_…` unless `switch` is `Y`, the camelCase `ufCrm2_…` when it is. Keys of objects
    /// and filters anywhere in the request count, with their operator prefixes.
    fn uf_names(&mut self, switch: &str, params: &Params) {
        use bitrix_wire::uf::{UfStyle, other_spelling, style};
        let original = params.get_path(switch).is_some_and(|v| {
            matches!(v.as_str(), Some("Y" | "y" | "1" | "true")) || v == Value::Bool(true)
        });
        let wrong = if original {
            UfStyle::Camel
        } else {
            UfStyle::Original
        };
        // Every key of the request's objects and filters, with its path.
        fn param_keys(p: &Param, at: &str, found: &mut Vec<(String, String)>) {
            let mut member = |k: &str, v: &Param| {
                let path = format!("{at}.{k}");
                found.push((path.clone(), k.to_owned()));
                param_keys(v, &path, found);
            };
            match p {
                Param::Obj(o) => o.0.iter().for_each(|(k, v)| member(k, v)),
                Param::Map(m) => m.iter().for_each(|(k, v)| member(k, v)),
                Param::List(l) => l
                    .iter()
                    .enumerate()
                    .for_each(|(i, v)| param_keys(v, &format!("{at}[{i}]"), found)),
                Param::Value(v) => value_keys(v, at, found),
                _ => {}
            }
        }
        fn value_keys(v: &Value, at: &str, found: &mut Vec<(String, String)>) {
            match v {
                Value::Object(m) => m.iter().for_each(|(k, v)| {
                    let path = format!("{at}.{k}");
                    found.push((path.clone(), k.clone()));
                    value_keys(v, &path, found);
                }),
                Value::Array(l) => l
                    .iter()
                    .enumerate()
                    .for_each(|(i, v)| value_keys(v, &format!("{at}[{i}]"), found)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        for (k, v) in &params.0 {
            param_keys(v, k, &mut found);
        }
        for (path, key) in found {
            let (op, field) = bitrix_wire::query::split_filter_key(&key);
            if style(field) != Some(wrong) {
                continue;
            }
            let Some(other) = other_spelling(field) else {
                continue;
            };
            let write = format!("{}{other}", op.unwrap_or_default());
            let reason = if original {
                format!(
                    "a user field under its camelCase name, which this method reads only while `{switch}` is not `Y`: write `{write}`"
                )
            } else {
                format!(
                    "a user field under its original name, which this method reads only with `{switch}` set to `Y`: write `{write}`, or set `{switch}`"
                )
            };
            self.fail(&path, reason);
        }
    }

    fn walk(&mut self, rules: &Rules, params: &Params) {
        for rule in &rules.p {
            let value = params.get(&rule.k);
            self.param(rule, value);
            if !rule.required_in.is_empty() {
                self.required_in(&rule.k, given(rule, value), &rule.required_in);
            }
        }
        let present = |k: &str| {
            let value = params.get(k);
            match rules.p.iter().find(|r| r.k == k) {
                Some(r) => given(r, value),
                None => value.is_some_and(Param::given),
            }
        };
        for cross in &rules.x {
            use bitrix_wire::rules::{Rule as Wire, check};
            let rule = match cross.k.as_str() {
                "one" => Wire::AtLeastOne(&cross.m),
                "most" => Wire::AtMostOne(&cross.m),
                "all" => Wire::AllOrNone(&cross.m),
                "if" => Wire::Requires {
                    given: &cross.cond,
                    equals: cross.eq.as_ref(),
                    then: &cross.m,
                },
                _ => continue,
            };
            let value = |k: &str| params.get(k).and_then(Param::json);
            if let Err(broken) = check(rule, present, value) {
                self.fail(&broken.members.join("|"), broken.message);
            }
        }
    }

    fn param(&mut self, rule: &Rule, value: Option<&Param>) {
        match rule.t.as_str() {
            "s" => match value.map(text) {
                Some(Some(t)) => self.text(rule, t),
                None => self.text(rule, ""),
                Some(None) => {}
            },
            "l" => match value {
                Some(Param::Map(m)) if m.is_empty() && rule.r => {
                    self.fail(&rule.k, "is required and must not be empty".into());
                }
                Some(Param::Map(m)) => {
                    for (_, v) in m {
                        if let Some(t) = text(v) {
                            self.text(rule, t);
                        }
                    }
                }
                Some(v) => {
                    if let Some(t) = text(v) {
                        self.text(rule, t);
                    }
                }
                None => self.text(rule, ""),
            },
            "a" => {
                let items: &[Param] = match value {
                    Some(Param::List(l)) => l,
                    Some(_) => return,
                    None if rule.r => &[],
                    None => return,
                };
                self.count(rule, items.len(), "item(s)");
                if let Some(nested) = &rule.obj {
                    for (i, item) in items.iter().enumerate() {
                        if let Param::Obj(p) = item {
                            self.nested(&format!("{}[{i}]", rule.k), nested, p);
                        }
                    }
                }
                if let Some(each) = &rule.it {
                    for (i, item) in items.iter().enumerate() {
                        // The item rule has no key of its own: the path names the item.
                        let saved = self.path.len();
                        if !self.path.is_empty() {
                            self.path.push('.');
                        }
                        self.path.push_str(&format!("{}[{i}]", rule.k));
                        self.param(each, Some(item));
                        self.path.truncate(saved);
                    }
                }
            }
            "m" => {
                let keys: Vec<&str> = match value {
                    Some(Param::Map(m)) => m.iter().map(|(k, _)| k.as_str()).collect(),
                    Some(Param::Value(Value::Object(o))) => o.keys().map(String::as_str).collect(),
                    _ => return,
                };
                self.count(rule, keys.len(), "entries");
                if let Some(p) = &rule.pat {
                    let fits = |k: &&str| rule.re.as_ref().is_some_and(|re| re.is_match(k));
                    if let Some(bad) = keys.iter().find(|k| !fits(k)) {
                        self.fail(
                            &rule.k,
                            format!("has the key {bad:?}, which does not match {p}"),
                        );
                    }
                }
            }
            "n" => {
                let Some(n) = value.and_then(Param::json).and_then(|v| v.as_f64()) else {
                    return;
                };
                if let Some(lo) = rule.lo.filter(|&lo| n < lo) {
                    self.fail(&rule.k, format!("must be at least {lo}, is {n}"));
                }
                if let Some(hi) = rule.hi.filter(|&hi| n > hi) {
                    self.fail(&rule.k, format!("must be at most {hi}, is {n}"));
                }
                if let Some(allowed) = rule
                    .vals
                    .as_ref()
                    .filter(|a| n.fract() != 0.0 || !a.contains(&(n as i64)))
                {
                    let list: Vec<String> = allowed.iter().map(i64::to_string).collect();
                    self.fail(
                        &rule.k,
                        format!("must be one of {}, is {n}", list.join(", ")),
                    );
                }
            }
            "f" => {
                let entries: &[(String, Param)] = match value {
                    Some(Param::Map(m)) => m,
                    _ => &[],
                };
                if rule.r && entries.is_empty() {
                    self.fail(&rule.k, "is required and must not be empty".into());
                }
                for (key, v) in entries {
                    self.filter_value(rule, key, v);
                }
                if rule.keys.is_empty() {
                    return;
                }
                for (key, _) in entries {
                    if let Some(field) = bitrix_wire::query::unknown_field(key, &rule.keys) {
                        let mut known = rule.keys[..rule.keys.len().min(12)].join(", ");
                        if rule.keys.len() > 12 {
                            known.push_str(", ...");
                        }
                        self.fail(
                            &rule.k,
                            format!(
                                "names `{field}`, which is not a field of this method \
                                 (it has {known}; user fields such as UF_* are always accepted)"
                            ),
                        );
                    }
                }
            }
            "o" => {
                if rule.empty && !value.is_some_and(Param::given) {
                    self.fail(&rule.k, "is required and must not be empty".into());
                }
                if let (Some(nested), Some(Param::Obj(p))) = (&rule.obj, value) {
                    self.nested(&rule.k, nested, p);
                }
            }
            _ => {}
        }
    }

    /// A filter's value for a field the spec types: `Filter::gte("OPPORTUNITY", "a lot")` is
    /// refused before the portal ignores it.
    fn filter_value(&mut self, rule: &Rule, key: &str, value: &Param) {
        use bitrix_wire::query::{ValueKind, split_filter_key};
        if rule.kt.is_empty() {
            return;
        }
        let (_, field) = split_filter_key(key);
        let Some((name, code)) = rule.kt.iter().find(|(k, _)| k.eq_ignore_ascii_case(field)) else {
            return;
        };
        let kind = match code.as_str() {
            "i" => ValueKind::Integer,
            "n" => ValueKind::Number,
            _ => ValueKind::Flag,
        };
        let Some(json) = value.json() else { return };
        if !kind.fits(&json) {
            self.fail(
                &rule.k,
                format!(
                    "`{key}` compares `{name}` with {json}; the field takes {} (or a list of them)",
                    kind.describe()
                ),
            );
        }
    }

    /// The bounds on the number of items of an array or entries of a map.
    fn count(&mut self, rule: &Rule, len: usize, what: &str) {
        if let Some(min) = rule.imin.filter(|&m| len < m) {
            self.fail(&rule.k, format!("needs at least {min} {what}, has {len}"));
        }
        if let Some(max) = rule.imax.filter(|&m| len > m) {
            self.fail(&rule.k, format!("takes at most {max} {what}, has {len}"));
        }
    }

    fn nested(&mut self, param: &str, rules: &Rules, params: &Params) {
        let saved = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(param);
        self.walk(rules, params);
        self.path.truncate(saved);
    }

    fn text(&mut self, rule: &Rule, value: &str) {
        let param = rule.k.as_str();
        if value.is_empty() {
            if rule.r {
                self.fail(param, "is required and must not be empty".into());
            }
            return;
        }
        let len = value.chars().count();
        if let Some(min) = rule.min.filter(|&m| len < m) {
            self.fail(
                param,
                format!("must be at least {min} characters long, is {len}"),
            );
        }
        if let Some(max) = rule.max.filter(|&m| len > m) {
            self.fail(
                param,
                format!("must be at most {max} characters long, is {len}"),
            );
        }
        // Written only for a problem: a valid request formats nothing.
        let shown = || {
            if rule.sec {
                "the value".to_owned()
            } else {
                format!("{value:?}")
            }
        };
        if let Some(p) = &rule.pat {
            if !rule.re.as_ref().is_some_and(|re| re.is_match(value)) {
                self.fail(param, format!("{} does not match {p}", shown()));
            }
        }
        if rule.url && !(value.starts_with("https://") || value.starts_with("http://")) {
            self.fail(param, format!("{} is not an absolute http(s) URL", shown()));
        }
    }

    /// A parameter required only in some auth contexts (e.g. `botToken` under a webhook).
    fn required_in(&mut self, param: &str, present: bool, contexts: &[AuthContext]) {
        if !present && contexts.contains(&self.context) {
            let ctx = match self.context {
                AuthContext::Application => "an application (OAuth)",
                AuthContext::Webhook => "a webhook",
            };
            self.fail(param, format!("is required when calling through {ctx}"));
        }
    }
}

/// The text of a text parameter.
fn text(p: &Param) -> Option<&str> {
    match p {
        Param::Value(Value::String(s)) => Some(s),
        Param::Str(s) => Some(s),
        Param::Secret(s) => Some(s.expose()),
        _ => None,
    }
}

/// Whether a parameter counts as given; a localized text needs one text that is not empty.
fn given(rule: &Rule, value: Option<&Param>) -> bool {
    match (rule.t.as_str(), value) {
        ("l", Some(Param::Map(m))) => m
            .iter()
            .any(|(_, v)| text(v).is_some_and(|t| !t.is_empty())),
        (_, v) => v.is_some_and(Param::given),
    }
}

/// The error a method reports inside its `result` ([`Method::ERRORS_IN_RESULT`]): an object
/// whose `error` member is a non-empty string (a number is taken as its text), with
/// `error_description` beside it.
pub(crate) fn error_in_result<M: Method>(raw: &str) -> Option<crate::error::ApiError> {
    if !M::ERRORS_IN_RESULT {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Reported {
        error: Option<Value>,
        error_description: Option<Value>,
    }
    let reported: Reported = serde_json::from_str(raw).ok()?;
    let text = |v: Option<Value>| match v {
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let code = text(reported.error);
    if code.is_empty() {
        return None;
    }
    Some(crate::error::ApiError {
        method: M::NAME,
        code,
        description: text(reported.error_description),
        status: 200,
    })
}
