//! What every spec states, checked for every spec under `specs/` by one generic test each: the
//! hooks come from tests/build.rs, which walks `specs/`, so a spec dropped into a scope folder
//! is covered with no edit here.
//!
//! * the registry (`bitrix_api::methods()`) lists it, with its scope, batch and idempotence;
//! * the generated type has the spec's name, scope, flags and auth contexts;
//! * every documented example's `result` decodes into the generated types, and its `time`;
//! * every documented error code maps to a variant of the generated error enum, and back;
//! * the mock portal knows the method, and answers a call without parameters with the error
//!   the spec documents for that (when it documents one).

use std::collections::BTreeSet;

use bitrix_api::{AuthContext, Method, MethodError, Time};
use bitrix_mock::MockPortal;
use bitrix_spec::{Spec, Trigger};
use serde_json::Value;

use crate::methods::specs;

/// What a test can ask of one generated method without knowing its type.
struct Hook {
    name: &'static str,
    scope: &'static str,
    batch: bool,
    idempotent: bool,
    contexts: &'static [AuthContext],
    decode: fn(&str) -> Result<(), String>,
    codes: fn() -> Vec<&'static str>,
}

fn hook<M: Method>() -> Hook {
    Hook {
        name: M::NAME,
        scope: M::SCOPE,
        batch: M::BATCH,
        idempotent: M::IDEMPOTENT,
        contexts: M::CONTEXTS,
        decode: |raw| M::decode(raw).map(drop).map_err(|e| e.to_string()),
        codes: || M::Error::CODES.iter().map(|(code, _)| *code).collect(),
    }
}

include!(concat!(env!("OUT_DIR"), "/hooks.rs"));

fn hook_of(method: &str) -> &'static Hook {
    static HOOKS: std::sync::OnceLock<Vec<Hook>> = std::sync::OnceLock::new();
    HOOKS
        .get_or_init(hooks)
        .iter()
        .find(|h| h.name == method)
        .unwrap_or_else(|| {
            panic!(
                "{method} has no generated type in this build: is its scope among bitrix-api's default features?"
            )
        })
}

fn contexts(spec: &Spec) -> Vec<AuthContext> {
    spec.contexts
        .iter()
        .map(|c| match c {
            bitrix_spec::AuthContext::Application => AuthContext::Application,
            bitrix_spec::AuthContext::Webhook => AuthContext::Webhook,
        })
        .collect()
}

#[test]
fn every_spec_is_in_the_registry_and_its_type_says_what_the_spec_says() {
    let registry = bitrix_api::methods();
    for (method, spec) in specs() {
        let Some(info) = registry.iter().find(|m| m.name == method) else {
            panic!("{method} is missing from bitrix_api::methods()");
        };
        assert_eq!(
            (info.scope, info.batch, info.idempotent),
            (spec.scope.as_str(), spec.batch, spec.idempotent),
            "{method}: registry"
        );
        assert_eq!(info.type_name, spec.type_name(), "{method}");
        assert!(
            info.also_scopes.iter().eq(&spec.also_scopes)
                && info.alternative_scopes.iter().eq(&spec.alternative_scopes),
            "{method}: other scopes {:?} {:?}",
            info.also_scopes,
            info.alternative_scopes
        );
        let h = hook_of(method);
        assert_eq!(
            (h.scope, h.batch, h.idempotent),
            (spec.scope.as_str(), spec.batch, spec.idempotent),
            "{method}: Method consts"
        );
        assert_eq!(h.contexts, contexts(spec).as_slice(), "{method}: contexts");
    }
    assert_eq!(
        registry.len(),
        specs().len(),
        "the registry lists a method without a spec"
    );
}

#[test]
fn other_scopes_are_constants_of_the_request_type() {
    use bitrix_api::Method;
    assert_eq!(
        bitrix_api::user::UserSearch::ALTERNATIVE_SCOPES,
        ["user_brief", "user_basic"]
    );
    assert!(bitrix_api::user::UserSearch::ALSO_SCOPES.is_empty());
    assert_eq!(
        bitrix_api::imopenlines::ImopenlinesBotSessionFinish::ALSO_SCOPES,
        ["imbot"]
    );
}

/// The methods whose spec bitrix-import wrote (its first line says so), as opposed to the
/// hand-written ones.
fn imported() -> &'static BTreeSet<String> {
    static IMPORTED: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    IMPORTED.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
        bitrix_spec::spec_files(&dir)
            .expect("specs/ is readable")
            .iter()
            .filter_map(|f| {
                let text = std::fs::read_to_string(f).ok()?;
                text.starts_with("# Imported from ")
                    .then(|| f.file_stem()?.to_str().map(str::to_owned))?
            })
            .collect()
    })
}

#[test]
fn every_documented_result_decodes_into_the_generated_types() {
    // Every failure at once: with the whole reference imported, one at a time is no way to work.
    let mut failures = Vec::new();
    for (method, spec) in specs() {
        let h = hook_of(method);
        let mut results = 0;
        for example in &spec.examples {
            let title = example.title.as_deref().unwrap_or("untitled");
            if let Some(result) = example.response.get("result") {
                let raw = serde_json::to_string(result).expect("JSON");
                if let Err(e) = (h.decode)(&raw) {
                    failures.push(format!(
                        "{method}, example {title:?}: {raw:.200} does not decode: {e}"
                    ));
                }
                results += 1;
            }
            if let Some(time) = example.response.get("time") {
                if serde_json::from_value::<Time>(time.clone()).is_err() {
                    failures.push(format!("{method}, example {title:?}: time {time}"));
                }
            }
        }
        // A page that shows no answer gives its imported spec none; a hand-written spec has one.
        if results == 0 && !imported().contains(method.as_str()) {
            failures.push(format!("{method} documents no example with a result"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_result_of_the_wrong_shape_is_an_error_naming_its_path() {
    // Every method whose result is an object: an array where the object should be is refused.
    for (method, spec) in specs() {
        if spec.result.ty != bitrix_spec::TypeName::Object {
            continue;
        }
        let err = (hook_of(method).decode)("[1]").expect_err(method);
        assert!(err.contains("at `result`"), "{method}: {err}");
    }
}

#[test]
fn every_documented_error_code_has_a_variant_and_back() {
    for (method, spec) in specs() {
        let variants: BTreeSet<&str> = (hook_of(method).codes)().into_iter().collect();
        let documented: BTreeSet<&str> = spec.errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(variants, documented, "{method}: error enum against spec");
    }
}

#[tokio::test]
async fn the_mock_serves_every_spec_and_answers_an_empty_call_as_documented() {
    let mock = MockPortal::start().await.expect("mock starts");
    let http = reqwest::Client::new();
    let token = mock.access_token();
    for (method, spec) in specs() {
        let url = format!("{}/rest/{method}.json", mock.base_url());
        let answer = http
            .post(&url)
            .json(&serde_json::json!({ "auth": token }))
            .send()
            .await
            .expect("the mock answers");
        let status = answer.status().as_u16();
        let body: Value = answer.json().await.expect("JSON");
        let code = body.get("error").and_then(Value::as_str).unwrap_or("");
        assert_ne!(
            code, "ERROR_METHOD_NOT_FOUND",
            "{method}: the mock does not know it"
        );
        let documented = spec.error_for(&Trigger::NoParams(true)).filter(|_| {
            spec.contexts
                .contains(&bitrix_spec::AuthContext::Application)
        });
        if let Some(e) = documented {
            assert_eq!(
                (
                    status,
                    code,
                    body["error_description"].as_str().unwrap_or("")
                ),
                (e.status, e.code.as_str(), e.description.as_str()),
                "{method}: a call without parameters"
            );
        }
    }
}
