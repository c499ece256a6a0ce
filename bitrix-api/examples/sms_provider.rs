//! An SMS provider application: it registers itself as a message provider, serves the HANDLER
//! Bitrix24 POSTs each message to, refuses payloads without the application's token, and reports
//! delivery (queued, sent, delivered) with `messageservice.message.status.update`.
//!
//! `cargo run --example sms_provider --features axum` plays the whole loop against the mock
//! portal: the mock "sends an SMS", POSTs it to this handler and records the statuses. Against a
//! real portal set `BITRIX24_PORTAL`, `BITRIX24_ACCESS_TOKEN`, `BITRIX24_APPLICATION_TOKEN` and
//! `SMS_PROVIDER_PUBLIC_URL` (where the portal can reach this handler), and the app serves until
//! stopped.

use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use bitrix_api::events::SmsHandlerRequest;
use bitrix_api::handler::{Verified, Verifier};
use bitrix_api::messageservice::{
    MessageStatus, MessageserviceMessageStatusUpdate, MessageserviceSenderAdd,
    MessageserviceSenderAddError, SenderType,
};
use bitrix_api::{Client, Error};
use bitrix_mock::{MAIN_APP, MockPortal};

const CODE: &str = "example_sms";

#[derive(Clone)]
struct App {
    client: Client,
    verifier: Verifier,
}

impl FromRef<App> for Verifier {
    fn from_ref(app: &App) -> Verifier {
        app.verifier.clone()
    }
}

/// Bitrix24 calls this for every message. The payload is verified before this code runs.
async fn handle_sms(
    State(app): State<App>,
    Verified(sms): Verified<SmsHandlerRequest>,
) -> StatusCode {
    let (Some(code), Some(id)) = (sms.code.clone(), sms.message_id.clone()) else {
        return StatusCode::BAD_REQUEST;
    };
    println!(
        "handler: SMS {id} to {} : {:?}",
        sms.message_to.as_deref().unwrap_or("?"),
        sms.message_body.as_deref().unwrap_or("")
    );
    // Answer at once; the gateway's progress is reported back as it happens.
    tokio::spawn(async move {
        for status in [
            MessageStatus::Queued,
            MessageStatus::Sent,
            MessageStatus::Delivered,
        ] {
            let update = MessageserviceMessageStatusUpdate::new(code.as_str(), id.as_str(), status);
            match app.client.call(update).await {
                Ok(_) => println!("handler: reported {status:?} for {id}"),
                Err(e) => eprintln!("handler: could not report {status:?}: {e}"),
            }
        }
    });
    StatusCode::OK
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let real = match (
        env("BITRIX24_PORTAL"),
        env("BITRIX24_ACCESS_TOKEN"),
        env("BITRIX24_APPLICATION_TOKEN"),
    ) {
        (Some(portal), Some(token), Some(app_token)) => Some((portal, token, app_token)),
        _ => None,
    };
    let mock = if real.is_none() {
        Some(MockPortal::start().await?)
    } else {
        None
    };
    let (client, app_token) = match (&real, &mock) {
        (Some((portal, token, app_token)), _) => (
            Client::with_access_token(portal, token.as_str())?,
            app_token.clone(),
        ),
        (None, Some(m)) => (
            Client::with_access_token(&m.base_url(), m.access_token())?,
            m.application_token(MAIN_APP),
        ),
        (None, None) => unreachable!("a mock is started when no portal is configured"),
    };

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let local = format!("http://{}/sms", listener.local_addr()?);
    let handler_url = env("SMS_PROVIDER_PUBLIC_URL").unwrap_or(local);
    let app = App {
        client: client.clone(),
        verifier: Verifier::new(app_token),
    };
    let router = Router::new()
        .route("/sms", post(handle_sms))
        .with_state(app);
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let register =
        MessageserviceSenderAdd::new(CODE, SenderType::Sms, handler_url.as_str(), "Example SMS");
    match client.call(register).await {
        Ok(_) => println!("registered provider `{CODE}` with HANDLER {handler_url}"),
        Err(Error::Method {
            code: MessageserviceSenderAddError::ErrorSenderAlreadyInstalled,
            ..
        }) => {
            println!("provider `{CODE}` was registered already")
        }
        Err(e) => return Err(e.into()),
    }

    let Some(mock) = mock else {
        println!("serving {handler_url}; stop with Ctrl-C");
        server.await??;
        return Ok(());
    };
    let sent = mock
        .deliver_sms(MAIN_APP, CODE, "+49 30 1234567", "Your code is 4711")
        .await?;
    println!(
        "portal: sent SMS {} through `{CODE}`; the handler answered HTTP {}",
        sent.message_id, sent.handler_status
    );
    for _ in 0..100 {
        if mock.message_statuses(&sent.message_id).len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "portal: statuses recorded for {}: {:?}",
        sent.message_id,
        mock.message_statuses(&sent.message_id)
    );

    let forged = "code=example_sms&message_id=1&auth[application_token]=guessed";
    let status = mock
        .post_to_handler(&handler_url, forged.to_owned())
        .await?;
    println!("portal: a forged payload got HTTP {status}");
    Ok(())
}
