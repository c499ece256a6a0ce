//! The tour: register an SMS provider, update and delete it, delete a bot message, register a
//! connector and delete its messages, then show one typed error of each layer.
//!
//! `cargo run --example quickstart` runs it against the embedded mock portal. To run it against
//! a real portal, set either `BITRIX24_WEBHOOK_URL` (`https://portal/rest/{user}/{code}/`) or
//! `BITRIX24_PORTAL` + `BITRIX24_ACCESS_TOKEN` (an installed application). The bot and
//! connector steps also need `BITRIX24_BOT_ID`, `BITRIX24_BOT_TOKEN`, `BITRIX24_MESSAGE_ID` and
//! `BITRIX24_LINE`; they are skipped when those are not set.

use std::error::Error as StdError;

use bitrix_api::imbot::ImbotV2ChatMessageDelete;
use bitrix_api::imopenlines::{
    ConnectorIcon, DeleteMessageChat, DeleteMessageItem, DeleteMessageMessage, DeleteMessageUser,
    ImconnectorActivate, ImconnectorDeleteMessages, ImconnectorRegister, ImconnectorSendMessages,
    SendMessageChat, SendMessageItem, SendMessageMessage, SendMessageUser,
};
use bitrix_api::messageservice::{
    MessageserviceSenderAdd, MessageserviceSenderAddError, MessageserviceSenderDelete,
    MessageserviceSenderDeleteError, MessageserviceSenderUpdate, SenderType,
};
use bitrix_api::{Client, ClientBuilder, Error, RetryPolicy};
use bitrix_mock::MockPortal;

/// What the bot and connector steps need to know about the portal.
struct Fixtures {
    bot: Option<(i64, String, i64)>,
    line: Option<i64>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn StdError>> {
    // The mock must outlive the calls, so it is kept here even when unused.
    let (client, fixtures, _mock) = connect().await?;
    println!(
        "Talking to {} ({:?} auth).\n",
        client.portal(),
        client.auth_context()
    );

    let code = "quickstart_sms";
    let add = MessageserviceSenderAdd::new(
        code,
        SenderType::Sms,
        "https://sms.example.com/bitrix-handler",
        [("en", "Quickstart SMS"), ("de", "Schnellstart-SMS")],
    )
    .description("Sends SMS through example.com");
    match client.call_with_time(add).await {
        Ok(reply) => {
            let took = reply.time.and_then(|t| t.duration).unwrap_or_default();
            println!(
                "1. Registered SMS provider `{code}`: {} (the portal took {took:.3} s).",
                reply.result
            );
        }
        Err(Error::Method {
            code: MessageserviceSenderAddError::ErrorSenderAlreadyInstalled,
            ..
        }) => {
            println!("1. SMS provider `{code}` was already registered; going on.");
        }
        Err(e) => return Err(e.into()),
    }

    let update = MessageserviceSenderUpdate::new(code).name("Quickstart SMS (renamed)");
    println!("2. Renamed the provider: {}.", client.call(update).await?);

    println!(
        "3. Deleted the provider: {}.",
        client.call(MessageserviceSenderDelete::new(code)).await?
    );

    match fixtures.bot {
        Some((bot_id, bot_token, message_id)) => {
            let delete = ImbotV2ChatMessageDelete::new(bot_id, message_id).bot_token(bot_token);
            let done = client.call(delete).await?;
            println!(
                "4. Bot {bot_id} deleted its message {message_id}: {}.",
                done.result
            );
        }
        None => println!(
            "4. Skipped the bot message (set BITRIX24_BOT_ID, BITRIX24_BOT_TOKEN, BITRIX24_MESSAGE_ID)."
        ),
    }

    match fixtures.line {
        Some(line) => {
            let connector = "quickstart_connector";
            let icon = ConnectorIcon::new("data:image/svg+xml;charset=US-ASCII,%3Csvg%2F%3E");
            let register = ImconnectorRegister::new(
                connector,
                "Quickstart connector",
                icon,
                "https://connector.example.com/placement",
            );
            let registered = client.call(register).await?;
            println!(
                "5. Registered connector `{connector}`: {}.",
                registered.result
            );
            let active = client
                .call(ImconnectorActivate::new(connector, line, "1"))
                .await?;
            println!("   Activated it on open line {line}: {active}.");
            let incoming = SendMessageItem::new(
                SendMessageUser::new("ext-user-1"),
                SendMessageMessage::new()
                    .id("ext-msg-1")
                    .text("Hello from the outside"),
                SendMessageChat::new("ext-chat-1"),
            );
            let sent = client
                .call(ImconnectorSendMessages::new(
                    connector,
                    line,
                    vec![incoming],
                ))
                .await?;
            println!(
                "   Passed one external message into the open line: {}.",
                sent.success
            );
            let item = DeleteMessageItem::new(
                DeleteMessageUser::new("ext-user-1"),
                DeleteMessageMessage::new("ext-msg-1"),
                DeleteMessageChat::new("ext-chat-1"),
            );
            let deleted = client
                .call(ImconnectorDeleteMessages::new(connector, line, vec![item]))
                .await?;
            for r in deleted.data.result {
                let outcome = if r.success {
                    "deleted".to_owned()
                } else {
                    format!("not deleted ({})", r.errors.unwrap_or_default().join("; "))
                };
                println!(
                    "   Connector message {}: {outcome}.",
                    r.message.and_then(|m| m.id).unwrap_or_default()
                );
            }
        }
        None => println!("5. Skipped the connector messages (set BITRIX24_LINE)."),
    }

    println!("\nAnd the errors, one of each layer:");
    match client
        .call(MessageserviceSenderDelete::new("no_such_provider"))
        .await
    {
        Err(Error::Method {
            code: MessageserviceSenderDeleteError::ErrorSenderNotFound,
            detail,
        }) => {
            println!("- documented method error: {detail}");
        }
        other => println!("- documented method error expected, got {other:?}"),
    }
    let intruder = ClientBuilder::access_token(&client.portal(), "not-a-valid-token").build()?;
    match intruder.call(MessageserviceSenderDelete::new(code)).await {
        Err(Error::System { code, detail }) => println!("- system error {code:?}: {detail}"),
        other => println!("- system error expected, got {other:?}"),
    }
    match client
        .call(MessageserviceSenderDelete::new("no spaces allowed!"))
        .await
    {
        Err(Error::Validation(e)) => println!("- refused before sending: {e}"),
        other => println!("- validation error expected, got {other:?}"),
    }
    // Nothing listens on port 9; without retries the failure is immediate.
    let unreachable = ClientBuilder::access_token("http://127.0.0.1:9", "token")
        .retry(RetryPolicy::NONE)
        .build()?;
    match unreachable
        .call(MessageserviceSenderDelete::new(code))
        .await
    {
        Err(Error::Transport(e)) => println!("- transport error: {e}"),
        other => println!("- transport error expected, got {other:?}"),
    }
    Ok(())
}

/// A client for the portal in the environment, or for a freshly started mock portal.
async fn connect() -> Result<(Client, Fixtures, Option<MockPortal>), Box<dyn StdError>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let real = if let Some(url) = env("BITRIX24_WEBHOOK_URL") {
        Some(Client::from_webhook(&url)?)
    } else if let (Some(portal), Some(token)) =
        (env("BITRIX24_PORTAL"), env("BITRIX24_ACCESS_TOKEN"))
    {
        Some(Client::with_access_token(&portal, token)?)
    } else {
        None
    };
    if let Some(client) = real {
        let num = |k: &str| env(k).and_then(|v| v.parse::<i64>().ok());
        let bot = match (
            num("BITRIX24_BOT_ID"),
            env("BITRIX24_BOT_TOKEN"),
            num("BITRIX24_MESSAGE_ID"),
        ) {
            (Some(id), Some(token), Some(message)) => Some((id, token, message)),
            _ => None,
        };
        return Ok((
            client,
            Fixtures {
                bot,
                line: num("BITRIX24_LINE"),
            },
            None,
        ));
    }

    println!(
        "No BITRIX24_WEBHOOK_URL or BITRIX24_PORTAL/BITRIX24_ACCESS_TOKEN set: starting the mock portal."
    );
    let mock = MockPortal::start().await?;
    let client = Client::with_access_token(&mock.base_url(), mock.access_token())?;
    let (bot_id, bot_token) = mock.bot();
    let chat = mock.create_chat();
    let message = mock.post_message(chat, bot_id);
    let line = mock.add_open_line(true);
    Ok((
        client,
        Fixtures {
            bot: Some((bot_id, bot_token, message)),
            line: Some(line),
        },
        Some(mock),
    ))
}
