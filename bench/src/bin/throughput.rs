//! Throughput under the portal's request-rate limit, against a peer library.
//!
//! A mock portal enforcing the limit (leaky bucket, `--rate` per second, `--burst`) is seeded
//! with `--deletes` bot messages and a `--items`-item CRM list (entity type 2). This SDK then
//! deletes the messages through `Client::batch` and reads the list with `list_batched` (and
//! `list_fast`). A fresh mock with the same limit and workload then serves the peer, the Python
//! library fast-bitrix24, run by `bench/peer.py` under `--python` (skipped without it).
//!
//! Each phase starts from an empty bucket on both ends (the mock's is reset, the client is
//! new), and is checked: every message gone, every item listed once. For each phase it prints
//! items/s, wall time, the HTTP requests the mock received, the share of the limit used and the
//! `QUERY_LIMIT_EXCEEDED` answers; raw numbers are appended to `--out`.
//!
//! With `--runs N` the whole comparison runs N times, the two sides taking turns, and the table
//! shows the median wall time of each phase with its range.
//!
//! `throughput [--rate 2] [--burst 50] [--deletes 2000] [--items 10000] [--runs 1]
//! [--python PATH] [--peer bench/peer.py] [--out FILE]`

use std::collections::BTreeSet;
use std::io::Write as _;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use bitrix_api::crm::CrmItemList;
use bitrix_api::imbot::ImbotV2ChatMessageDelete;
use bitrix_api::{Client, ClientBuilder, RateLimit};
use bitrix_bench::limit;
use bitrix_mock::{MockConfig, MockPortal};
use futures_util::TryStreamExt;
use serde_json::{Value, json};

/// The two sides, as the report names them.
const OURS: &str = "bitrix-api";
const PEER: &str = "fast-bitrix24";

/// CRM entity type of the list: deals.
const ENTITY: i64 = 2;

/// The peer gets this long per phase before it is stopped and counted as failed.
const PEER_TIMEOUT: Duration = Duration::from_secs(30 * 60);

type Failure = Box<dyn std::error::Error>;

#[derive(Debug, Clone)]
struct Args {
    rate: f64,
    burst: u32,
    deletes: usize,
    items: usize,
    runs: usize,
    python: Option<String>,
    peer: String,
    out: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        rate: 2.0,
        burst: 50,
        deletes: 2000,
        items: 10_000,
        runs: 1,
        python: None,
        peer: "bench/peer.py".into(),
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--rate" => a.rate = value.parse().map_err(|e| bad(&e))?,
            "--burst" => a.burst = value.parse().map_err(|e| bad(&e))?,
            "--deletes" => a.deletes = value.parse().map_err(|e| bad(&e))?,
            "--items" => a.items = value.parse().map_err(|e| bad(&e))?,
            "--runs" => a.runs = value.parse().map_err(|e| bad(&e))?,
            "--python" => a.python = Some(value),
            "--peer" => a.peer = value,
            "--out" => a.out = Some(value),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if !a.rate.is_finite() || a.rate <= 0.0 || a.burst == 0 || a.runs == 0 {
        return Err("--rate, --burst and --runs must be positive".into());
    }
    Ok(a)
}

/// One measured phase of one side.
#[derive(Debug)]
struct Phase {
    /// Which run of `--runs`, from 1.
    run: usize,
    side: &'static str,
    what: &'static str,
    items: usize,
    secs: f64,
    requests: u64,
    batch: u64,
    list_calls: u64,
    limited: u64,
    /// What the check found wrong, if anything.
    wrong: Option<String>,
}

/// A portal with the limit on and the workload seeded: the bot, the ids of its messages.
struct Workload {
    mock: MockPortal,
    bot: i64,
    bot_token: String,
    messages: Vec<i64>,
}

async fn workload(a: &Args) -> std::io::Result<Workload> {
    let mock = MockPortal::start_with(MockConfig {
        rate_limit: true,
        rate_per_sec: a.rate,
        burst: a.burst,
        ..Default::default()
    })
    .await?;
    let (bot, bot_token) = mock.bot();
    let chat = mock.create_chat();
    let messages = (0..a.deletes)
        .map(|_| mock.post_message(chat, bot))
        .collect();
    mock.seed_crm_items(ENTITY, a.items);
    Ok(Workload {
        mock,
        bot,
        bot_token,
        messages,
    })
}

/// The mock's counters at the start of a phase; the phase reports the difference.
struct Counters {
    requests: u64,
    batch: u64,
    list_calls: u64,
    limited: u64,
}

impl Counters {
    /// Reads the counters and empties the mock's bucket, so that every phase starts alike.
    fn start(w: &Workload, a: &Args) -> Counters {
        w.mock.set_rate_limit(Some((a.rate, a.burst)));
        Counters {
            requests: w.mock.requests(),
            batch: w.mock.received("batch"),
            list_calls: w.mock.received("crm.item.list"),
            limited: w.mock.rate_limited(),
        }
    }

    fn finish(
        self,
        w: &Workload,
        side: &'static str,
        what: &'static str,
        items: usize,
        secs: f64,
        wrong: Option<String>,
    ) -> Phase {
        Phase {
            run: 0,
            side,
            what,
            items,
            secs,
            requests: w.mock.requests() - self.requests,
            batch: w.mock.received("batch") - self.batch,
            list_calls: w.mock.received("crm.item.list") - self.list_calls,
            limited: w.mock.rate_limited() - self.limited,
            wrong,
        }
    }
}

/// A client with its own, empty bucket at the portal's limit.
fn new_client(w: &Workload, a: &Args) -> Result<Client, Failure> {
    Ok(
        ClientBuilder::access_token(&w.mock.base_url(), w.mock.access_token())
            .rate_limit(Some(RateLimit {
                rate: a.rate,
                burst: a.burst,
            }))
            .build()?,
    )
}

/// Whether the messages are gone from the portal.
fn check_deleted(w: &Workload) -> Option<String> {
    let left = w
        .messages
        .iter()
        .filter(|&&id| w.mock.message_exists(id))
        .count();
    (left > 0).then(|| format!("{left} message(s) not deleted"))
}

/// Whether `ids` are exactly `1..=n`, each once.
fn check_listed(ids: &[i64], n: usize) -> Option<String> {
    let distinct: BTreeSet<i64> = ids.iter().copied().collect();
    let in_range = distinct.iter().all(|&id| (1..=n as i64).contains(&id));
    if ids.len() == n && distinct.len() == n && in_range {
        None
    } else {
        Some(format!(
            "{} item(s), {} distinct, all in 1..={n}: {in_range}",
            ids.len(),
            distinct.len()
        ))
    }
}

async fn ours(a: &Args) -> Result<Vec<Phase>, Failure> {
    let w = workload(a).await?;
    let mut phases = Vec::new();

    let counters = Counters::start(&w, a);
    let client = new_client(&w, a)?;
    let started = Instant::now();
    let mut batch = client.batch();
    let slots = w
        .messages
        .iter()
        .map(|&id| batch.add(ImbotV2ChatMessageDelete::new(w.bot, id)))
        .collect::<Result<Vec<_>, _>>()?;
    let replies = batch.send().await?;
    let secs = started.elapsed().as_secs_f64();
    let refused = slots
        .iter()
        .filter(|slot| !matches!(replies.get(slot), Some(Ok(r)) if r.result))
        .count();
    let wrong = match (refused, check_deleted(&w)) {
        (0, None) => None,
        (n, left) => Some(format!(
            "{n} delete(s) not confirmed; {}",
            left.unwrap_or_default()
        )),
    };
    phases.push(counters.finish(&w, OURS, "delete (batch)", w.messages.len(), secs, wrong));

    for fast in [false, true] {
        let counters = Counters::start(&w, a);
        let client = new_client(&w, a)?;
        let started = Instant::now();
        let request = CrmItemList::new(ENTITY);
        let items: Vec<_> = if fast {
            client.list_fast(request).try_collect().await?
        } else {
            client.list_batched(request).try_collect().await?
        };
        let secs = started.elapsed().as_secs_f64();
        let ids: Vec<i64> = items.iter().map(|i| i.id.unwrap_or(-1)).collect();
        let wrong = check_listed(&ids, a.items);
        let what = if fast {
            "list (list_fast)"
        } else {
            "list (list_batched)"
        };
        phases.push(counters.finish(&w, OURS, what, items.len(), secs, wrong));
    }
    Ok(phases)
}

/// Runs one phase of `peer.py` with `job` on its standard input; answers its JSON report.
fn run_peer(python: &str, script: &str, job: &Value) -> Result<Value, String> {
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {python} {script}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(job.to_string().as_bytes())
            .map_err(|e| format!("cannot write the job: {e}"))?;
    }
    let deadline = Instant::now() + PEER_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                return Err(format!("the peer ran longer than {PEER_TIMEOUT:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("waiting for the peer: {e}")),
        }
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("reading the peer: {e}"))?;
    if !out.status.success() {
        return Err(format!("the peer failed ({})", out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // The report is the last line: anything the library printed before it is not ours.
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    serde_json::from_str(last).map_err(|e| format!("the peer's report {last:?}: {e}"))
}

async fn peer(a: &Args, python: &str) -> Result<Vec<Phase>, Failure> {
    let w = workload(a).await?;
    let mut phases = Vec::new();
    let base = json!({
        "webhook": w.mock.webhook_url(),
        "rate": a.rate,
        "burst": a.burst,
    });

    let mut job = base.clone();
    job["phase"] = json!("delete");
    job["bot_id"] = json!(w.bot);
    job["bot_token"] = json!(w.bot_token);
    job["message_ids"] = json!(w.messages);
    let counters = Counters::start(&w, a);
    let (python_, script) = (python.to_owned(), a.peer.clone());
    let report = tokio::task::spawn_blocking(move || run_peer(&python_, &script, &job)).await??;
    let secs = report["seconds"].as_f64().unwrap_or(f64::NAN);
    let answered = report["results"].as_u64().unwrap_or(0) as usize;
    let wrong = match (answered == w.messages.len(), check_deleted(&w)) {
        (true, None) => None,
        (_, left) => Some(format!(
            "{answered} result(s) for {} deletes; {}",
            w.messages.len(),
            left.unwrap_or_default()
        )),
    };
    phases.push(counters.finish(&w, PEER, "delete (call)", w.messages.len(), secs, wrong));

    let mut job = base;
    job["phase"] = json!("list");
    job["entity_type_id"] = json!(ENTITY);
    let counters = Counters::start(&w, a);
    let (python_, script) = (python.to_owned(), a.peer.clone());
    let report = tokio::task::spawn_blocking(move || run_peer(&python_, &script, &job)).await??;
    let secs = report["seconds"].as_f64().unwrap_or(f64::NAN);
    let ids: Vec<i64> = report["ids"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let wrong = check_listed(&ids, a.items);
    phases.push(counters.finish(&w, PEER, "list (get_all)", ids.len(), secs, wrong));
    Ok(phases)
}

/// The summary over all runs: one row per side and phase, with the median wall time.
fn print(a: &Args, phases: &[Phase]) {
    println!(
        "Mock portal limit: {}/s, burst {}; {} deletes, {}-item list; {} run(s), median wall time.\n",
        a.rate, a.burst, a.deletes, a.items, a.runs
    );
    println!(
        "| side | phase | items | wall s | range s | items/s | HTTP requests | batch | crm.item.list | limit used | limit binds | 503s | check |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for p in phases {
        if !keys.contains(&(p.side, p.what)) {
            keys.push((p.side, p.what));
        }
    }
    for (side, what) in keys {
        let mut runs: Vec<&Phase> = phases
            .iter()
            .filter(|p| p.side == side && p.what == what)
            .collect();
        runs.sort_by(|x, y| x.secs.total_cmp(&y.secs));
        let (first, last) = (runs[0], runs[runs.len() - 1]);
        let p = runs[runs.len() / 2];
        let u = limit::usage(p.requests, p.secs, a.rate, a.burst);
        let limited: u64 = runs.iter().map(|r| r.limited).sum();
        let wrong = runs.iter().find_map(|r| r.wrong.as_deref());
        println!(
            "| {side} | {what} | {} | {:.3} | {:.3}-{:.3} | {:.0} | {} | {} | {} | {:.1}% | {} | {limited} | {} |",
            p.items,
            p.secs,
            first.secs,
            last.secs,
            p.items as f64 / p.secs,
            p.requests,
            p.batch,
            p.list_calls,
            u.share * 100.0,
            if u.bound {
                format!("yes (least {:.1} s)", u.ideal)
            } else {
                "no".to_owned()
            },
            wrong.unwrap_or("ok"),
        );
    }
}

fn record(a: &Args, phases: &[Phase]) -> std::io::Result<()> {
    let Some(path) = &a.out else { return Ok(()) };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    for p in phases {
        let u = limit::usage(p.requests, p.secs, a.rate, a.burst);
        let line = json!({
            "run": p.run, "rate": a.rate, "burst": a.burst, "side": p.side, "phase": p.what, "items": p.items,
            "seconds": p.secs, "items_per_s": p.items as f64 / p.secs, "requests": p.requests,
            "batch": p.batch, "crm_item_list": p.list_calls, "limit_share": u.share,
            "limit_binds": u.bound, "least_seconds": u.ideal, "query_limit_exceeded": p.limited,
            "check": p.wrong.as_deref().unwrap_or("ok"),
        });
        writeln!(file, "{line}")?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut phases = Vec::new();
    let mut failed = false;
    if a.python.is_none() {
        eprintln!("no --python: the peer (fast-bitrix24) is not run");
    }
    for run in 1..=a.runs {
        match ours(&a).await {
            Ok(p) => phases.extend(p.into_iter().map(|p| Phase { run, ..p })),
            Err(e) => {
                eprintln!("bitrix-api run {run} failed: {e}");
                failed = true;
            }
        }
        if let Some(python) = &a.python {
            match peer(&a, python).await {
                Ok(p) => phases.extend(p.into_iter().map(|p| Phase { run, ..p })),
                Err(e) => {
                    eprintln!("fast-bitrix24 run {run} failed: {e}");
                    failed = true;
                }
            }
        }
    }
    print(&a, &phases);
    if let Err(e) = record(&a, &phases) {
        eprintln!("cannot append to {:?}: {e}", a.out);
        failed = true;
    }
    // A wrong result of this SDK is a failed program, not a missed target; the peer's is
    // reported in its row.
    if failed || phases.iter().any(|p| p.side == OURS && p.wrong.is_some()) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
