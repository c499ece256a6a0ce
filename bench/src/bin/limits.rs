//! How close to the portal's limits the client runs, against the mock portal enforcing them:
//!
//! - `burst`: N calls from T concurrent tasks through one client; the wall time against the
//!   least the leaky bucket allows, and the 503 answers seen on the wire.
//! - `deletes`: N bot message deletes one call each, then through `batch`.
//! - `list`: an N-item classic list page by page, in fast mode, and through `batch`.
//!
//! `cargo run --release -p bitrix-bench --bin limits -- [burst|deletes|list|all] [--rate R]
//! [--burst B] [--calls N] [--tasks T] [--items N]`; the defaults are the portal's standard
//! limits (2/s, burst 50), 500 calls from 20 tasks, 1,000 deletes and 10,000 items.

use std::time::Instant;

use bitrix_api::crm::CrmItemList;
use bitrix_api::imbot::ImbotV2ChatMessageDelete;
use bitrix_api::messageservice::MessageserviceSenderList;
use bitrix_api::{Client, ClientBuilder, RateLimit};
use bitrix_mock::{MockConfig, MockPortal};
use futures_util::TryStreamExt;

struct Args {
    what: String,
    rate: f64,
    burst: u32,
    calls: usize,
    tasks: usize,
    deletes: usize,
    items: usize,
}

fn args() -> Args {
    let mut a = Args {
        what: "all".into(),
        rate: 2.0,
        burst: 50,
        calls: 500,
        tasks: 20,
        deletes: 1000,
        items: 10_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().and_then(|v| v.parse::<f64>().ok());
        match arg.as_str() {
            "--rate" => a.rate = value().unwrap_or(a.rate),
            "--burst" => a.burst = value().map_or(a.burst, |v| v as u32),
            "--calls" => a.calls = value().map_or(a.calls, |v| v as usize),
            "--tasks" => a.tasks = value().map_or(a.tasks, |v| v as usize),
            "--deletes" => a.deletes = value().map_or(a.deletes, |v| v as usize),
            "--items" => a.items = value().map_or(a.items, |v| v as usize),
            other => a.what = other.to_owned(),
        }
    }
    a
}

async fn portal(a: &Args) -> std::io::Result<(MockPortal, Client)> {
    let config = MockConfig {
        rate_limit: true,
        rate_per_sec: a.rate,
        burst: a.burst,
        ..MockConfig::default()
    };
    let mock = MockPortal::start_with(config).await?;
    let client = ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .rate_limit(Some(RateLimit {
            rate: a.rate,
            burst: a.burst,
        }))
        .build()
        .map_err(std::io::Error::other)?;
    Ok((mock, client))
}

/// The least time `requests` take under the bucket: the burst at once, the rest at the rate.
fn least_time(a: &Args, requests: u64) -> f64 {
    (requests as f64 - f64::from(a.burst)).max(0.0) / a.rate
}

fn report(a: &Args, what: &str, mock: &MockPortal, requests: u64, secs: f64) {
    let least = least_time(a, requests);
    let fraction = if secs > 0.0 && least > 0.0 {
        least / secs * 100.0
    } else {
        100.0
    };
    println!(
        "| {what} | {requests} | {secs:.1} | {least:.1} | {fraction:.1}% | {} |",
        mock.rate_limited()
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = args();
    println!("Mock portal limit: {}/s, burst {}.\n", a.rate, a.burst);
    println!(
        "| workload | HTTP requests | wall s | least s the limit allows | of the allowed rate | 503 answers |"
    );
    println!("|---|---|---|---|---|---|");
    if matches!(a.what.as_str(), "burst" | "all") {
        let (mock, client) = portal(&a).await?;
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        let per_task = a.calls / a.tasks.max(1);
        for _ in 0..a.tasks {
            let client = client.clone();
            tasks.spawn(async move {
                for _ in 0..per_task {
                    client.call(MessageserviceSenderList::new()).await?;
                }
                Ok::<_, bitrix_api::Error>(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        let what = format!("{} calls from {} tasks", per_task * a.tasks, a.tasks);
        report(
            &a,
            &what,
            &mock,
            mock.received("messageservice.sender.list"),
            started.elapsed().as_secs_f64(),
        );
    }
    if matches!(a.what.as_str(), "deletes" | "all") {
        for batched in [false, true] {
            let (mock, client) = portal(&a).await?;
            let (bot, _) = mock.bot();
            let chat = mock.create_chat();
            let ids: Vec<i64> = (0..a.deletes)
                .map(|_| mock.post_message(chat, bot))
                .collect();
            let started = Instant::now();
            if batched {
                let mut batch = client.batch();
                for &id in &ids {
                    batch.add(ImbotV2ChatMessageDelete::new(bot, id))?;
                }
                batch.send().await?;
            } else {
                for &id in &ids {
                    client.call(ImbotV2ChatMessageDelete::new(bot, id)).await?;
                }
            }
            let secs = started.elapsed().as_secs_f64();
            assert!(
                ids.iter().all(|&id| !mock.message_exists(id)),
                "every message deleted"
            );
            let what = format!(
                "{} deletes {}",
                a.deletes,
                if batched {
                    "through batch"
                } else {
                    "one by one"
                }
            );
            report(&a, &what, &mock, mock.requests(), secs);
        }
    }
    if matches!(a.what.as_str(), "list" | "all") {
        for mode in ["paged", "fast", "batched"] {
            let (mock, client) = portal(&a).await?;
            mock.seed_crm_items(2, a.items);
            let started = Instant::now();
            let request = CrmItemList::new(2);
            let items: Vec<_> = match mode {
                "paged" => client.list(request).try_collect().await?,
                "fast" => client.list_fast(request).try_collect().await?,
                _ => client.list_batched(request).try_collect().await?,
            };
            let secs = started.elapsed().as_secs_f64();
            assert_eq!(items.len(), a.items, "every item listed");
            report(
                &a,
                &format!("{}-item list, {mode}", a.items),
                &mock,
                mock.requests(),
                secs,
            );
        }
    }
    Ok(())
}
