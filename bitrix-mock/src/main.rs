//! `cargo run -p bitrix-mock -- [--port N] [--rate-limit RATE,BURST] [--seed NAME=COUNT ...]
//! [--token-ttl SECONDS] [--tls] [--json] [--families]`: a fake Bitrix24 portal for trying a client by hand or from
//! another language's tests.
//!
//! The port comes from `--port N`, else `BITRIX_MOCK_PORT`, else any free port. With `--json`
//! the only line on stdout is one JSON object with the base URL and every credential, for a
//! script to read; without it the same is printed for a person. `--tls` serves HTTPS with a
//! certificate made at start, whose PEM file is printed with the rest.

use std::process::ExitCode;
use std::time::Duration;

use bitrix_mock::{DEFAULT_LINE, MAIN_APP, MockConfig, MockPortal, OTHER_APP, Seed};
use serde_json::json;

const USAGE: &str = "usage: bitrix-mock [--port N] [--rate-limit RATE,BURST] \
                     [--seed NAME=COUNT ...] [--token-ttl SECONDS] [--tls] [--json] [--families]";

/// The command line, read.
#[derive(Debug, PartialEq)]
struct Options {
    port: u16,
    config: MockConfig,
    seeds: Vec<(Seed, usize)>,
    /// Seeds of entity families, checked against the specs once the portal runs.
    family_seeds: Vec<(String, usize)>,
    tls: bool,
    json: bool,
    help: bool,
    families: bool,
}

/// What `--help` prints.
const HELP: &str = "A fake Bitrix24 portal on 127.0.0.1, driven by the REST API's specs.

  --port N                  listen on port N (else BITRIX_MOCK_PORT, else a free port)
  --rate-limit RATE,BURST   enforce the request-rate limit (say 2,50); off by default
  --seed NAME=COUNT         fill a store: crm.item=120, crm.item:<entityTypeId>=10, bot=5,
                            or an entity family: crm.deal=60, tasks.task=10
  --token-ttl SECONDS       lifetime of access tokens (3600 by default)
  --tls                     serve HTTPS with a self-signed certificate made at start
  --json                    print the base URL and every credential as one JSON line
  --families                print the entity families found in the specs, one a line, and exit
  --help                    print this

Stops on Ctrl-C or SIGTERM. The control endpoint and the JSON line are described in the
crate's README.";

/// Reads the arguments (`--name value` or `--name=value`); the error names the argument.
fn options(
    args: impl IntoIterator<Item = String>,
    env_port: Option<String>,
) -> Result<Options, String> {
    let mut args = args.into_iter();
    let mut port = env_port.map(|p| ("BITRIX_MOCK_PORT", p));
    let mut options = Options {
        port: 0,
        config: MockConfig::default(),
        seeds: Vec::new(),
        family_seeds: Vec::new(),
        tls: false,
        json: false,
        help: false,
        families: false,
    };
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let flag = match name.as_str() {
            "--json" => Some(&mut options.json),
            "--tls" => Some(&mut options.tls),
            "--help" | "-h" => Some(&mut options.help),
            "--families" => Some(&mut options.families),
            _ => None,
        };
        if let Some(flag) = flag {
            if inline.is_some() {
                return Err(format!("{name} takes no value"));
            }
            *flag = true;
            continue;
        }
        if !matches!(
            name.as_str(),
            "--port" | "--rate-limit" | "--seed" | "--token-ttl"
        ) {
            return Err(format!("unknown argument `{arg}`"));
        }
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or(format!("{name} needs a value"))?,
        };
        match name.as_str() {
            "--port" => port = Some(("--port", value)),
            "--rate-limit" => {
                let bad = || format!("--rate-limit: `{value}` is not RATE,BURST (say 2,50)");
                let (rate, burst) = value.split_once(',').ok_or_else(bad)?;
                let rate: f64 = rate.trim().parse().map_err(|_| bad())?;
                let burst: u32 = burst.trim().parse().map_err(|_| bad())?;
                if !(rate.is_finite() && rate > 0.0) {
                    return Err(bad());
                }
                options.config.rate_limit = true;
                options.config.rate_per_sec = rate;
                options.config.burst = burst;
            }
            "--seed" => {
                let bad = |why: String| format!("--seed: {why}");
                let (what, count) = value
                    .split_once('=')
                    .ok_or_else(|| bad(format!("`{value}` is not NAME=COUNT")))?;
                let count = count
                    .trim()
                    .parse()
                    .map_err(|_| bad(format!("`{count}` is not a count")))?;
                match Seed::parse(what) {
                    Ok(what) => options.seeds.push((what, count)),
                    // A family is named by its method prefix, which always has a dot.
                    Err(_) if what.contains('.') => {
                        options.family_seeds.push((what.trim().to_owned(), count));
                    }
                    Err(why) => return Err(bad(why)),
                }
            }
            _ => {
                let secs: u64 = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("--token-ttl: `{value}` is not a number of seconds"))?;
                options.config.token_ttl = Duration::from_secs(secs);
            }
        }
    }
    if let Some((name, p)) = port {
        options.port = p
            .trim()
            .parse()
            .map_err(|_| format!("{name}: `{p}` is not a port number"))?;
    }
    Ok(options)
}

fn print_for_people(portal: &MockPortal) {
    let (bot_id, bot_token) = portal.bot();
    let (other_bot_id, other_bot_token) = portal.other_app_bot();
    println!("Fake Bitrix24 portal at {}", portal.base_url());
    println!(
        "Webhook URL of the administrator (user 1): {}",
        portal.webhook_url()
    );
    println!(
        "Access token of {MAIN_APP}, administrator (user 1): {}",
        portal.access_token()
    );
    println!(
        "Access token of {MAIN_APP}, ordinary user 2: {}",
        portal.user_access_token()
    );
    println!(
        "Access token of {OTHER_APP}, administrator (user 1): {}",
        portal.other_app_access_token()
    );
    println!(
        "Token endpoint: {} (client_id {}, client_secret {}, refresh token of user 1 {})",
        portal.token_endpoint(),
        portal.client_id(),
        portal.client_secret(),
        portal.refresh_token()
    );
    println!(
        "Authorization server's app.info: {}?auth=<access token>",
        portal.app_info_endpoint()
    );
    println!("Bot of {MAIN_APP}: id {bot_id}, token {bot_token}");
    println!("Bot of {OTHER_APP}: id {other_bot_id}, token {other_bot_token}");
    println!("Active open line: {DEFAULT_LINE}");
    if let Some(path) = portal.certificate_path() {
        println!("Certificate to trust (PEM): {}", path.display());
    }
    println!(
        "Control endpoint: POST {}<action> with Authorization: Bearer {}",
        portal.control_url(),
        portal.control_token()
    );
    println!("Press Ctrl-C to stop.");
}

fn print_json(portal: &MockPortal) {
    let (bot_id, bot_token) = portal.bot();
    let (other_bot_id, other_bot_token) = portal.other_app_bot();
    let all = json!({
        "base_url": portal.base_url(),
        "webhook_url": portal.webhook_url(),
        "rest_url": format!("{}/rest/", portal.base_url()),
        "access_token": portal.access_token(),
        "user_access_token": portal.user_access_token(),
        "other_app_access_token": portal.other_app_access_token(),
        "refresh_token": portal.refresh_token(),
        "client_id": portal.client_id(),
        "client_secret": portal.client_secret(),
        "token_endpoint": portal.token_endpoint(),
        "app_info_endpoint": portal.app_info_endpoint(),
        "bot": {"id": bot_id, "token": bot_token},
        "other_app_bot": {"id": other_bot_id, "token": other_bot_token},
        "open_line": DEFAULT_LINE,
        "control_url": portal.control_url(),
        "control_token": portal.control_token(),
        "certificate_path": portal.certificate_path().map(|p| p.display().to_string()),
    });
    println!("{all}");
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match options(
        std::env::args().skip(1),
        std::env::var("BITRIX_MOCK_PORT").ok(),
    ) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("bitrix-mock: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if options.help {
        println!("{USAGE}\n\n{HELP}");
        return ExitCode::SUCCESS;
    }
    let started = if options.tls {
        MockPortal::start_tls(options.port, options.config).await
    } else {
        MockPortal::start_on_with(options.port, options.config).await
    };
    let portal = match started {
        Ok(portal) => portal,
        Err(e) => {
            eprintln!("bitrix-mock: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    if options.families {
        for family in portal.families() {
            println!("{family}");
        }
        return ExitCode::SUCCESS;
    }
    let stop = match stop_signal() {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("bitrix-mock: cannot listen for signals to stop: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (what, count) in options.seeds {
        portal.seed(what, count);
    }
    for (family, count) in &options.family_seeds {
        if let Err(why) = portal.seed_family(family, *count) {
            eprintln!("bitrix-mock: --seed: {why}");
            return ExitCode::from(2);
        }
    }
    if options.json {
        print_json(&portal);
    } else {
        print_for_people(&portal);
    }
    stop.await;
    // Dropped before exiting, so that the certificate file of `--tls` goes with it.
    drop(portal);
    ExitCode::SUCCESS
}

/// Ctrl-C, or the `SIGTERM` a script's `kill` sends. Listening starts when this is called,
/// not when the answer is awaited: a script may stop the portal as soon as it has read its line.
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            // Without a way to wait for Ctrl-C there is nothing to stop on: run until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(args: &[&str]) -> Result<Options, String> {
        options(args.iter().map(|a| (*a).to_owned()), None)
    }

    #[test]
    fn arguments_are_read_or_named_when_wrong() {
        let o = read(&[
            "--port=8080",
            "--rate-limit",
            "2,50",
            "--seed",
            "crm.item=120",
            "--seed=bot=3",
            "--token-ttl",
            "60",
            "--tls",
            "--json",
        ])
        .expect("reads");
        assert_eq!(o.port, 8080);
        assert!(o.config.rate_limit && o.config.burst == 50 && o.config.rate_per_sec == 2.0);
        assert_eq!(o.seeds, vec![(Seed::CrmItems(2), 120), (Seed::Bots, 3)]);
        let families = read(&["--seed", "crm.deal=60", "--seed=Tasks.Task=2"]).expect("reads");
        let expected = vec![("crm.deal".to_owned(), 60), ("Tasks.Task".to_owned(), 2)];
        assert_eq!(families.family_seeds, expected);
        assert_eq!(o.config.token_ttl, Duration::from_secs(60));
        assert!(o.json && o.tls && !o.help);
        assert!(read(&["--help"]).is_ok_and(|o| o.help));
        for (args, named) in [
            (&["--port", "x"][..], "--port"),
            (&["--port"][..], "--port"),
            (&["--rate-limit", "2"][..], "--rate-limit"),
            (&["--rate-limit", "-1,5"][..], "--rate-limit"),
            (&["--seed", "deal=1"][..], "--seed"),
            (&["--seed", "crm.item=many"][..], "--seed"),
            (&["--seed", "crm.deal=-1"][..], "--seed"),
            (&["--token-ttl", "soon"][..], "--token-ttl"),
            (&["--verbose"][..], "--verbose"),
            (&["--tls=yes"][..], "--tls"),
        ] {
            let e = read(args).expect_err("refused");
            assert!(e.contains(named), "{e}");
        }
        let env = options(Vec::new(), Some("nope".into())).expect_err("refused");
        assert!(env.contains("BITRIX_MOCK_PORT"), "{env}");
    }
}
