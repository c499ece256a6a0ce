//! `cargo run -p bitrix-mock [-- --port N]`: a fake Bitrix24 portal for trying a client by hand.
//!
//! The port comes from `--port N`, else `BITRIX_MOCK_PORT`, else any free port.

use std::process::ExitCode;

use bitrix_mock::{DEFAULT_LINE, MAIN_APP, MockPortal, OTHER_APP};

fn port() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    let mut port = std::env::var("BITRIX_MOCK_PORT").ok();
    while let Some(arg) = args.next() {
        match arg.strip_prefix("--port") {
            Some("") => port = Some(args.next().ok_or("--port needs a value")?),
            Some(rest) if rest.starts_with('=') => port = Some(rest[1..].to_owned()),
            _ => {
                return Err(format!(
                    "unknown argument `{arg}`; usage: bitrix-mock [--port N]"
                ));
            }
        }
    }
    match port {
        Some(p) => p
            .trim()
            .parse()
            .map_err(|_| format!("`{p}` is not a port number")),
        None => Ok(0),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = match port() {
        Ok(port) => port,
        Err(e) => {
            eprintln!("bitrix-mock: {e}");
            return ExitCode::from(2);
        }
    };
    let portal = match MockPortal::start_on(port).await {
        Ok(portal) => portal,
        Err(e) => {
            eprintln!("bitrix-mock: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
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
    println!("Bot of {MAIN_APP}: id {bot_id}, token {bot_token}");
    println!("Bot of {OTHER_APP}: id {other_bot_id}, token {other_bot_token}");
    println!("Active open line: {DEFAULT_LINE}");
    println!("Press Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("bitrix-mock: cannot wait for Ctrl-C: {e}");
        return ExitCode::FAILURE;
    }
    drop(portal);
    ExitCode::SUCCESS
}
