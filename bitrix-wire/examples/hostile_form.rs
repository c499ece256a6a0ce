//! The cost of hostile form bodies at the decoder's limits: time to decode (and to turn lists
//! into arrays), and, run under `/usr/bin/time -v`, the peak memory.
//!
//! ```sh
//! cargo build --release -p bitrix-wire --example hostile_form
//! for case in baseline appends appends-100k containers worst wide shared-prefix percent one-key refused-late mock-worst; do
//!     /usr/bin/time -f "$case: %M KiB max RSS" target/release/examples/hostile_form $case
//! done
//! ```

use std::time::Instant;

use bitrix_wire::form::{Limits, decode};
use serde_json::Value;

/// A body of at most `limits.max_bytes` bytes and `limits.max_pairs` pairs, each pair made by
/// `pair(i)` and padded with a value to share the bytes out evenly.
fn fill(limits: &Limits, pad: bool, pair: impl Fn(usize) -> String) -> String {
    let per_pair = limits.max_bytes / limits.max_pairs;
    let mut body = String::with_capacity(limits.max_bytes);
    for i in 0..limits.max_pairs {
        let mut p = pair(i);
        if pad && p.len() + 1 < per_pair {
            p.push_str(&"v".repeat(per_pair - p.len() - 1));
        }
        if body.len() + p.len() + 1 > limits.max_bytes {
            break;
        }
        body.push_str(&p);
        body.push('&');
    }
    body
}

/// Pair `i` of a body that opens `limits.max_pairs` arrays, `limits.max_depth` per pair, and
/// then only appends to the deepest array of the first pair.
fn most_arrays(limits: &Limits, i: usize) -> String {
    let depth = limits.max_depth;
    if i < limits.max_pairs / depth {
        format!("k{i}{}=", "[]".repeat(depth))
    } else {
        format!("k0{}[]=", "[0]".repeat(depth - 1))
    }
}

/// Counts a value's objects, arrays and strings, with a stack of its own.
fn census(value: &Value) -> (usize, usize) {
    let (mut containers, mut strings) = (0, 0);
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                containers += 1;
                stack.extend(m.values());
            }
            Value::Array(a) => {
                containers += 1;
                stack.extend(a.iter());
            }
            Value::String(_) => strings += 1,
            _ => {}
        }
    }
    (containers, strings)
}

fn main() {
    let case = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "worst".to_owned());
    let default = Limits::default();
    let depth = default.max_depth;
    let (limits, body) = match case.as_str() {
        // The body alone, for the baseline memory.
        "baseline" => (default, fill(&default, true, |i| format!("k{i}="))),
        // Every pair appends to one array.
        "appends" => (default, fill(&default, true, |_| "a[]=".to_owned())),
        // As many arrays as may be opened (`max_pairs`), `max_depth` per pair, then as many pairs
        // as may be sent appending to the deepest: the most maps and strings per body.
        "containers" => (default, fill(&default, false, |i| most_arrays(&default, i))),
        // The same, with the bytes left over spent on values: every limit reached at once.
        "worst" => (default, fill(&default, true, |i| most_arrays(&default, i))),
        // 100 000 appends to one array, the limits raised to let them in.
        "appends-100k" => {
            let raised = Limits {
                max_bytes: 8 << 20,
                max_pairs: 100_000,
                ..default
            };
            (raised, fill(&raised, false, |_| "a[]=".to_owned()))
        }
        // One array with as many long distinct keys as there may be pairs.
        "wide" => (default, fill(&default, false, |i| format!("a[{i:0>90}]="))),
        // Every pair walks the same `max_depth` levels, then appends.
        "shared-prefix" => (
            default,
            fill(&default, true, |_| {
                format!("a{}[]=", "[x]".repeat(depth - 1))
            }),
        ),
        // One value of nothing but escapes.
        "percent" => (
            default,
            format!("a={}", "%41".repeat((default.max_bytes - 2) / 3)),
        ),
        // One key as long as the body may be.
        "one-key" => (default, "k".repeat(default.max_bytes - 2) + "=v"),
        // The worst body, but its last pair opens one array too many: refused after all the
        // work.
        "refused-late" => {
            let mut body = fill(&default, false, |i| most_arrays(&default, i));
            let last = body.trim_end_matches('&').rfind('&').map_or(0, |at| at + 1);
            body.truncate(last);
            body.push_str("z[x]=1");
            (default, body)
        }
        // The mock portal's limits (PHP's: 64 levels, 10 000 pairs, its 16 MiB body limit).
        "mock-worst" => {
            let php = Limits::php(16 << 20);
            (php, fill(&php, true, |i| most_arrays(&php, i)))
        }
        other => {
            eprintln!("unknown case {other}");
            std::process::exit(2);
        }
    };
    let pairs = body.split('&').filter(|p| !p.is_empty()).count();
    if case == "baseline" {
        println!("{case}: {} bytes, {pairs} pairs, not decoded", body.len());
        return;
    }
    let started = Instant::now();
    let decoded = decode(&body, &limits);
    let decode_time = started.elapsed();
    match decoded {
        Ok(map) => {
            let started = Instant::now();
            let value = bitrix_wire::lists(Value::Object(map));
            let lists_time = started.elapsed();
            let (containers, strings) = census(&value);
            println!(
                "{case}: {} bytes, {pairs} pairs -> {containers} objects/arrays, {strings} strings; \
                 decode {decode_time:.1?}, lists {lists_time:.1?}",
                body.len()
            );
            let started = Instant::now();
            drop(value);
            println!("{case}: drop {:.1?}", started.elapsed());
        }
        Err(e) => println!(
            "{case}: {} bytes, {pairs} pairs -> refused in {decode_time:.1?}: {e}",
            body.len()
        ),
    }
}
