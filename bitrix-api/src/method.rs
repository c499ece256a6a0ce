//! What a generated method is to the client: the [`Method`] trait, and the [`Validator`] its
//! generated `validate` drives.

use std::sync::{Mutex, OnceLock};

use serde::Serialize;

use crate::decode::Decode;
use crate::error::{Invalid, MethodError};
use crate::types::{AuthContext, LocalizedText};

/// A REST method's request. Implemented by `bitrix_method!` for each spec.
pub trait Method: Serialize {
    /// The REST method name, e.g. `messageservice.sender.add`.
    const NAME: &'static str;
    /// The permission scope.
    const SCOPE: &'static str;
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

    /// Records every client-side problem of this request in `v` (nothing, for a method whose
    /// spec gives nothing to check).
    fn validate(&self, v: &mut Validator) {
        let _ = v;
    }

    /// Decodes the raw JSON of `result`; a value of the wrong shape is an error naming its path.
    fn decode(raw: &str) -> Result<Self::Output, serde_json::Error> {
        crate::decode::decode(raw)
    }
}

/// One method of the API, as the registry ([`crate::methods`]) lists it; generated from its
/// spec, so the list is always the one `specs/` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MethodInfo {
    /// The REST name, e.g. `crm.item.list`.
    pub name: &'static str,
    /// The permission scope, also the module and the cargo feature.
    pub scope: &'static str,
    /// The generated request type, in the scope's module.
    pub type_name: &'static str,
    /// The spec file, relative to `specs/`.
    pub spec: &'static str,
    /// May it run inside `batch`?
    pub batch: bool,
    /// Is it safe to send again after an ambiguous failure?
    pub idempotent: bool,
}

/// A nested request object (an item of an array parameter) that validates itself.
pub trait Validate {
    /// Records every problem of this value in `v`.
    fn validate(&self, v: &mut Validator) {
        let _ = v;
    }
}

/// Constraints of a text parameter, from its spec.
#[derive(Debug, Clone, Copy, Default)]
pub struct Text {
    /// Must not be empty.
    pub required: bool,
    /// Regular expression the whole value must match.
    pub pattern: Option<&'static str>,
    /// Minimum length in characters.
    pub min: Option<usize>,
    /// Maximum length in characters.
    pub max: Option<usize>,
    /// Must be an absolute http(s) URL.
    pub url: bool,
    /// A credential: problems are reported without the value.
    pub secret: bool,
}

impl Text {
    /// No constraint at all; generated code names only the constraints a spec sets.
    pub const NONE: Text = Text {
        required: false,
        pattern: None,
        min: None,
        max: None,
        url: false,
        secret: false,
    };
}

/// Collects the problems of a request, each with the path of its parameter.
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
        } else {
            format!("{}.{param}", self.path)
        };
        self.problems.push(Invalid { param, reason });
    }

    /// Checks a text value.
    pub fn text(&mut self, param: &str, value: &str, rules: &Text) {
        if value.is_empty() {
            if rules.required {
                self.fail(param, "is required and must not be empty".into());
            }
            return;
        }
        let len = value.chars().count();
        if let Some(min) = rules.min.filter(|&m| len < m) {
            self.fail(
                param,
                format!("must be at least {min} characters long, is {len}"),
            );
        }
        if let Some(max) = rules.max.filter(|&m| len > m) {
            self.fail(
                param,
                format!("must be at most {max} characters long, is {len}"),
            );
        }
        let shown = if rules.secret {
            "the value".to_owned()
        } else {
            format!("{value:?}")
        };
        if let Some(p) = rules.pattern {
            if !matches(p, value) {
                self.fail(param, format!("{shown} does not match {p}"));
            }
        }
        if rules.url && !(value.starts_with("https://") || value.starts_with("http://")) {
            self.fail(param, format!("{shown} is not an absolute http(s) URL"));
        }
    }

    /// Checks an optional text value.
    pub fn opt_text(&mut self, param: &str, value: Option<&str>, rules: &Text) {
        if let Some(v) = value {
            self.text(param, v, rules);
        }
    }

    /// Checks every text of a localized value.
    pub fn localized(&mut self, param: &str, value: Option<&LocalizedText>, rules: &Text) {
        match value {
            Some(LocalizedText::Localized(m)) if m.is_empty() && rules.required => {
                self.fail(param, "is required and must not be empty".into());
            }
            Some(v) => {
                for t in v.texts() {
                    self.text(param, t, rules);
                }
            }
            None => {}
        }
    }

    /// Checks the length of an array parameter.
    pub fn items(&mut self, param: &str, len: usize, min: Option<usize>, max: Option<usize>) {
        if let Some(min) = min.filter(|&m| len < m) {
            self.fail(param, format!("needs at least {min} item(s), has {len}"));
        }
        if let Some(max) = max.filter(|&m| len > m) {
            self.fail(param, format!("takes at most {max} item(s), has {len}"));
        }
    }

    /// Validates each item of an array parameter under `param[i]`.
    pub fn each<T: Validate>(&mut self, param: &str, items: &[T]) {
        for (i, item) in items.iter().enumerate() {
            self.nested(&format!("{param}[{i}]"), item);
        }
    }

    /// Validates a nested object under `param`.
    pub fn nested<T: Validate>(&mut self, param: &str, value: &T) {
        let saved = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(param);
        value.validate(self);
        self.path.truncate(saved);
    }

    /// A required object parameter must have at least one member.
    pub fn object_given<T: Serialize>(&mut self, param: &str, value: &T) {
        if !is_given(value) {
            self.fail(param, "is required and must not be empty".into());
        }
    }

    /// A parameter required only in some auth contexts (e.g. `botToken` under a webhook).
    pub fn required_in(&mut self, param: &str, present: bool, contexts: &[AuthContext]) {
        if !present && contexts.contains(&self.context) {
            let ctx = match self.context {
                AuthContext::Application => "an application (OAuth)",
                AuthContext::Webhook => "a webhook",
            };
            self.fail(param, format!("is required when calling through {ctx}"));
        }
    }

    /// At least one of the parameters must be given.
    pub fn at_least_one_of(&mut self, given: &[(&str, bool)]) {
        if !given.iter().any(|(_, present)| *present) {
            let names: Vec<&str> = given.iter().map(|(n, _)| *n).collect();
            self.fail(
                &names.join("|"),
                format!("give at least one of {}", names.join(", ")),
            );
        }
    }
}

/// Whether a value counts as given to the portal: not null, `""`, `[]` or `{}`.
pub fn is_given<T: Serialize + ?Sized>(value: &T) -> bool {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Null) => false,
        Ok(serde_json::Value::String(s)) => !s.is_empty(),
        Ok(serde_json::Value::Array(a)) => !a.is_empty(),
        Ok(serde_json::Value::Object(o)) => !o.is_empty(),
        Ok(_) => true,
        Err(_) => false,
    }
}

/// Patterns are compiled once per process; a spec has a handful, so a small list serves.
fn matches(pattern: &'static str, value: &str) -> bool {
    static CACHE: OnceLock<Mutex<Vec<(&'static str, regex::Regex)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, re)) = cache
        .iter()
        .find(|(p, _)| std::ptr::eq(*p, pattern) || *p == pattern)
    {
        return re.is_match(value);
    }
    // The macro compiled the pattern already; an invalid one cannot reach here.
    match regex::Regex::new(pattern) {
        Ok(re) => {
            let ok = re.is_match(value);
            cache.push((pattern, re));
            ok
        }
        Err(_) => false,
    }
}
