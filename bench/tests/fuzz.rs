//! Fuzzing of everything that reads outside input: the form decoder, the handler payloads, the
//! REST envelope and `batch` reply decoders, and the spec loader. Each target feeds generated
//! input (random, and mutations of real input) to the code and counts the cases that panic;
//! a returned error is the expected outcome for bad input.
//!
//! The tests are `#[ignore]`d, so `cargo test --workspace` does not run them; `bench/fuzz.sh`
//! does, with `FUZZ_CASES` cases per target (100,000 by default) and `FUZZ_SEED` for the random
//! generator (a fixed one by default, so a run can be repeated).

use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

use bitrix_api::events::SmsHandlerRequest;
use bitrix_api::form::Limits;
use bitrix_api::handler::{Verifier, from_form};
use bitrix_api::imbot::events::OnImbotV2MessageAdd;
use bitrix_api::imconnector::events::OnImConnectorMessageAdd;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn cases() -> u64 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.replace('_', "").parse().ok())
        .unwrap_or(100_000)
}

fn seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_261_201)
}

thread_local! {
    /// Where the last caught panic of this thread happened.
    static PANICKED_AT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Runs `check` on `cases()` values of `strategy`, catching panics, and fails if any panicked
/// (showing the first three inputs that did).
fn fuzz<S: Strategy>(target: &str, strategy: S, check: impl Fn(&S::Value))
where
    S::Value: Debug,
{
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed().to_le_bytes());
    bytes[8..16].copy_from_slice(&(target.len() as u64).to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    // The hook would print every caught panic: count them quietly, show the first few.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| l.to_string()).unwrap_or_default();
        PANICKED_AT.with(|p| *p.borrow_mut() = at);
    }));
    let (total, started) = (cases(), Instant::now());
    let mut panicked = Vec::new();
    for _ in 0..total {
        let value = match strategy.new_tree(&mut runner) {
            Ok(tree) => tree.current(),
            Err(e) => panic!("{target}: cannot generate a case: {e}"),
        };
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| check(&value))) {
            let why = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let at = PANICKED_AT.with(|p| p.borrow().clone());
            let why = format!("{why} (at {at})");
            if panicked.len() < 3 {
                let shown = format!("{value:?}");
                let shown: String = shown.chars().take(2000).collect();
                panicked.push(format!("{why}\n  input: {shown}"));
            } else {
                panicked.push(String::new());
            }
        }
    }
    std::panic::set_hook(hook);
    println!(
        "fuzz {target}: {total} cases, {} panics, {:.1} s (seed {})",
        panicked.len(),
        started.elapsed().as_secs_f64(),
        seed()
    );
    assert!(
        panicked.is_empty(),
        "{target}: {} of {total} cases panicked; the first:\n{}",
        panicked.len(),
        panicked[..panicked.len().min(3)].join("\n")
    );
}

/// Key names and values the handler payloads and forms use, with hostile ones among them.
const WORDS: &[&str] = &[
    "event",
    "data",
    "auth",
    "application_token",
    "access_token",
    "domain",
    "member_id",
    "BOT",
    "bot",
    "PARAMS",
    "params",
    "message",
    "MESSAGE",
    "chat",
    "user",
    "id",
    "ID",
    "text",
    "files",
    "connector",
    "line",
    "MESSAGES",
    "im",
    "chat_id",
    "message_id",
    "code",
    "type",
    "bindings",
    "properties",
    "message_to",
    "message_body",
    "ts",
    "module_id",
    "OWNER_ID",
    "OWNER_TYPE_ID",
    "phone_number",
    "message_text",
    "forward",
    "dialogId",
    "0",
    "1",
    "2",
    "18446744073709551615",
    "9223372036854775807",
    "-1",
    "",
    " ",
    "x",
    "a.b",
    "a b",
    "%5B",
    "%5D",
    "%00",
    "%ZZ",
    "%",
    "Y",
    "N",
    "true",
    "null",
    "1e309",
    "\u{0}",
    "é",
    "日本",
    "🦀",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(WORDS).prop_map(str::to_owned),
        1 => "[a-zA-Z0-9_%\\[\\]&=+. -]{0,12}",
        1 => any::<u64>().prop_map(|n| n.to_string()),
    ]
}

/// One `key[seg][seg]=value` pair; a segment may be `[]`, or a bracket left open or closed
/// alone.
fn pair() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        4 => word().prop_map(|w| format!("[{w}]")),
        2 => Just("[]".to_owned()),
        1 => Just("[".to_owned()),
        1 => Just("]".to_owned()),
        1 => Just("][".to_owned()),
    ];
    (
        word(),
        proptest::collection::vec(segment, 0..8),
        proptest::option::of(word()),
    )
        .prop_map(|(key, segments, value)| {
            let mut pair = key + &segments.concat();
            if let Some(value) = value {
                pair.push('=');
                pair.push_str(&value);
            }
            pair
        })
}

/// Form bodies: structured pairs, pairs repeated many times (appends, deep keys), and noise.
fn form() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::collection::vec(pair(), 0..40).prop_map(|p| p.join("&")),
        1 => (pair(), 1..2000usize).prop_map(|(p, n)| vec![p; n].join("&")),
        1 => (word(), 1..300usize).prop_map(|(w, n)| format!("{w}{}=1", "[a]".repeat(n))),
        1 => ".{0,200}",
        1 => proptest::collection::vec(any::<u8>(), 0..200)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn limits() -> impl Strategy<Value = Limits> {
    prop_oneof![
        3 => Just(Limits::default()),
        1 => (0..4096usize, 0..40usize, 0..300usize).prop_map(|(max_bytes, max_depth, max_pairs)| {
            Limits { max_bytes, max_depth, max_pairs }
        }),
        1 => Just(Limits { max_bytes: usize::MAX, max_depth: 10_000, max_pairs: usize::MAX }),
    ]
}

#[test]
#[ignore = "fuzzing: run by bench/fuzz.sh"]
fn fuzz_form_decoder() {
    fuzz("form decoder", (form(), limits()), |(body, limits)| {
        if let Ok(map) = bitrix_wire::form::decode(body, limits) {
            let _ = bitrix_wire::form::lists(serde_json::Value::Object(map.clone()));
            // Encoding what was decoded gives a form the decoder reads back.
            let again = bitrix_wire::form::encode(&map);
            let unlimited = Limits {
                max_bytes: usize::MAX,
                max_depth: 10_000,
                max_pairs: usize::MAX,
            };
            let _ = bitrix_wire::form::decode(&again, &unlimited);
        }
        if let Ok(pairs) = bitrix_wire::form::pairs(body, limits) {
            for _ in pairs {}
        }
    });
}

#[test]
#[ignore = "fuzzing: run by bench/fuzz.sh"]
fn fuzz_handler_payloads() {
    let token = "the-application-token";
    let verifier = Verifier::new(token);
    // Forms that are mostly well-formed payloads: a valid token and event most of the time.
    let payload = (
        proptest::bool::weighted(0.8),
        proptest::sample::select(
            &[
                "ONIMBOTV2MESSAGEADD",
                "ONIMCONNECTORMESSAGEADD",
                "ONAPPINSTALL",
                "",
            ][..],
        ),
        form(),
    )
        .prop_map(move |(authentic, event, rest)| {
            let token = if authentic { token } else { "forged" };
            format!("event={event}&auth[application_token]={token}&{rest}")
        });
    let body = prop_oneof![3 => payload, 1 => form()];
    fuzz("handler payloads", (body, limits()), |(body, limits)| {
        let _ = from_form::<SmsHandlerRequest>(body, *limits);
        let _ = from_form::<serde_json::Value>(body, *limits);
        let v = verifier.clone().limits(*limits);
        let _ = v.parse::<SmsHandlerRequest>(body);
        let _ = v.event::<OnImbotV2MessageAdd>(body);
        let _ = v.event::<OnImConnectorMessageAdd>(body);
    });
}

/// JSON of any shape, with the members the decoders look for most of the time.
fn json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let key = prop_oneof![
        4 => proptest::sample::select(&[
            "result", "result_error", "result_total", "result_next", "result_time", "error",
            "error_description", "time", "next", "total", "c00", "c01", "c02", "c49", "c50",
            "0", "1", "operating_reset_at", "operating", "start", "finish", "duration",
        ][..]).prop_map(str::to_owned),
        1 => ".{0,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(serde_json::json!(1e300)),
        ".{0,10}".prop_map(Value::String),
        Just(Value::String(String::new())),
    ];
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// JSON text: generated values, and generated values cut or with a byte changed.
fn json_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => json().prop_map(|v| v.to_string()),
        1 => (json(), any::<prop::sample::Index>()).prop_map(|(v, i)| {
            let text = v.to_string();
            let cut = i.index(text.len() + 1);
            text.get(..cut).unwrap_or(&text).to_owned()
        }),
        1 => (json(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(v, i, b)| {
            let mut bytes = v.to_string().into_bytes();
            let at = i.index(bytes.len().max(1));
            if let Some(x) = bytes.get_mut(at) {
                *x = b;
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }),
        1 => (1..200usize).prop_map(|n| "[".repeat(n * 10)),
    ]
}

#[test]
#[ignore = "fuzzing: run by bench/fuzz.sh"]
fn fuzz_batch_reply_decoder() {
    use bitrix_api::__private::{decode_answer, decode_batch_reply};
    let statuses = proptest::sample::select(&[200u16, 400, 401, 429, 500, 503][..]);
    fuzz(
        "batch reply decoder",
        (json_text(), 0..60usize, statuses),
        |(text, commands, status)| {
            let _ = decode_batch_reply(text, *commands);
            let _ = decode_answer(*status, text.as_bytes());
            // As the `result` of a whole answer, too.
            let wrapped = format!(r#"{{"result": {text}}}"#);
            if let Ok(result) = decode_answer(*status, wrapped.as_bytes()) {
                let _ = decode_batch_reply(&result, *commands);
            }
        },
    );
}

/// Every spec with the shared types of its scope: what the mutations start from.
fn real_specs() -> Vec<(String, String, bitrix_spec::Types)> {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut specs = Vec::new();
    for path in bitrix_spec::spec_files(&dir).expect("specs/") {
        let rel = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).expect("a spec");
        let scope = path.parent().unwrap_or(&dir);
        let types = bitrix_spec::Types::read_dir(scope, &dir).expect("the scope's types");
        specs.push((rel, text, types));
    }
    assert!(!specs.is_empty());
    specs
}

/// YAML fragments a mutation inserts: structure, types and constraints, and YAML's own traps.
const YAML: &[&str] = &[
    "\n",
    "  ",
    "    ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "'",
    "\"",
    "#",
    "? ",
    "| ",
    "> ",
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "!!int ",
    "~",
    "null",
    "true",
    "yes",
    "0x1F",
    "1e999",
    "-1",
    "99999999999999999999",
    ".nan",
    "type: ",
    "integer",
    "string",
    "object",
    "array",
    "map",
    "boolean",
    "number",
    "url",
    "any",
    "required: true",
    "secret: true",
    "items:",
    "fields:",
    "params:",
    "result:",
    "errors:",
    "pattern: '('",
    "pattern: '(a+)+$'",
    "min_length: 5",
    "max_length: 0",
    "minimum: 10",
    "maximum: -10",
    "enum: []",
    "enum: [a, a]",
    "ref: Nothing",
    "name: X",
    "name: Fields",
    "when: { missing: x }",
    "rules:",
    "pagination:",
    "batch: false",
    "idempotent: true",
    "contexts: [nowhere]",
    "é",
    "🦀",
    "\u{0}",
    "\t",
    "\r\n",
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert(prop::sample::Index, String),
    Delete(prop::sample::Index, usize),
    DuplicateLine(prop::sample::Index),
    SwapLines(prop::sample::Index, prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let fragment = prop_oneof![
        4 => proptest::sample::select(YAML).prop_map(str::to_owned),
        1 => ".{0,8}",
    ];
    prop_oneof![
        4 => (any::<prop::sample::Index>(), fragment).prop_map(|(i, f)| Mutation::Insert(i, f)),
        2 => (any::<prop::sample::Index>(), 1..40usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::DuplicateLine),
        1 => (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
    ]
}

/// The nearest char boundary at or before `at`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut text = text.to_owned();
    for m in mutations {
        match m {
            Mutation::Insert(i, f) => {
                let at = boundary(&text, i.index(text.len() + 1));
                text.insert_str(at, f);
            }
            Mutation::Delete(i, n) => {
                let from = boundary(&text, i.index(text.len() + 1));
                let to = boundary(&text, from + n);
                text.replace_range(from..to, "");
            }
            Mutation::DuplicateLine(i) | Mutation::SwapLines(i, _) | Mutation::Truncate(i)
                if text.is_empty() =>
            {
                let _ = i;
            }
            Mutation::DuplicateLine(i) => {
                let mut lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let k = i.index(lines.len());
                    lines.insert(k, lines[k]);
                }
                text = lines.join("\n");
            }
            Mutation::SwapLines(a, b) => {
                let mut lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let (a, b) = (a.index(lines.len()), b.index(lines.len()));
                    lines.swap(a, b);
                }
                text = lines.join("\n");
            }
            Mutation::Truncate(i) => {
                let at = boundary(&text, i.index(text.len() + 1));
                text.truncate(at);
            }
        }
    }
    text
}

#[test]
#[ignore = "fuzzing: run by bench/fuzz.sh"]
fn fuzz_spec_loader() {
    let specs = real_specs();
    let n = specs.len();
    let case = prop_oneof![
        8 => (0..n, proptest::collection::vec(mutation(), 1..6)).prop_map(|(i, m)| (i, Some(m), String::new())),
        1 => (0..n, ".{0,300}").prop_map(|(i, t)| (i, None, t)),
    ];
    fuzz("spec loader", case, |(i, mutations, raw)| {
        let (file, text, types) = &specs[*i];
        let text = match mutations {
            Some(m) => mutate(text, m),
            None => raw.clone(),
        };
        if let Err(diags) = bitrix_spec::load_with(file, &text, types) {
            // Every diagnostic points into the file.
            for d in diags {
                assert!(d.line >= 1 && d.column >= 1, "{d:?}");
                let _ = d.to_string();
            }
        }
        let _ = bitrix_spec::load(file, &text);
    });
}

/// The worst forms for the decoder at [`Limits::default`] (1 MiB, 16 levels, 10,000 pairs): the
/// time each takes, decoded and read as a handler payload. Run under `/usr/bin/time -v` for the
/// peak memory (see bench/README.md).
#[test]
#[ignore = "a measurement: run by hand, see bench/README.md"]
fn hostile_forms_at_the_default_limits() {
    let limits = Limits::default();
    let deep = format!("a{}=1", "[]".repeat(limits.max_depth));
    let forms: Vec<(&str, String)> = vec![
        (
            "10,000 appends a[]=1",
            vec!["a[]=1"; limits.max_pairs].join("&"),
        ),
        (
            "10,000 keys 16 deep, an array per level",
            (0..limits.max_pairs)
                .map(|i| format!("k{i}{}=1", "[]".repeat(limits.max_depth)))
                .collect::<Vec<_>>()
                .join("&"),
        ),
        (
            "624 keys 16 deep: the array budget spent",
            (0..limits.max_pairs / limits.max_depth - 1)
                .map(|i| format!("k{i}{}=1", "[]".repeat(limits.max_depth)))
                .collect::<Vec<_>>()
                .join("&"),
        ),
        (
            "10,000 times the same 16-deep append",
            vec![deep.as_str(); limits.max_pairs].join("&"),
        ),
        (
            "1 MiB of one value",
            format!("a={}", "x".repeat(limits.max_bytes - 2)),
        ),
        (
            "a huge index then an append",
            "a[18446744073709551615]=1&a[]=2".to_owned(),
        ),
    ];
    for (name, form) in &forms {
        let started = Instant::now();
        let decoded = bitrix_wire::form::decode(form, &limits);
        let decode = started.elapsed();
        let started = Instant::now();
        let payload = from_form::<SmsHandlerRequest>(form, limits);
        let handler = started.elapsed();
        println!(
            "{name}: {} bytes; decode {decode:?} ({}), handler payload {handler:?} ({})",
            form.len(),
            if decoded.is_ok() { "ok" } else { "refused" },
            match &payload {
                Ok(_) => "ok".to_owned(),
                Err(e) => e.to_string().chars().take(60).collect(),
            },
        );
    }
}
