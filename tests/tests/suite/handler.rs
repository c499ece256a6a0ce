//! The handler side against the mock portal playing Bitrix24: a provider registers, the portal
//! POSTs it an SMS as the documented form payload, the provider reports delivery; and forged
//! payloads never reach the application's code.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::post;
use bitrix_api::Client;
use bitrix_api::events::SmsHandlerRequest;
use bitrix_api::form::Limits;
use bitrix_api::handler::{HandlerError, Verified, Verifier, from_form};
use bitrix_api::messageservice::{
    MessageStatus, MessageserviceMessageStatusUpdate, MessageserviceSenderAdd, SenderType,
};
use bitrix_mock::{MAIN_APP, MockPortal};
use proptest::prelude::*;

#[derive(Clone)]
struct App {
    client: Client,
    verifier: Verifier,
    reached: Arc<AtomicUsize>,
}

impl FromRef<App> for Verifier {
    fn from_ref(app: &App) -> Verifier {
        app.verifier.clone()
    }
}

async fn handle(State(app): State<App>, Verified(sms): Verified<SmsHandlerRequest>) -> StatusCode {
    app.reached.fetch_add(1, Ordering::SeqCst);
    let (code, id) = (
        sms.code.unwrap_or_default(),
        sms.message_id.unwrap_or_default(),
    );
    for status in [
        MessageStatus::Queued,
        MessageStatus::Sent,
        MessageStatus::Delivered,
    ] {
        if app
            .client
            .call(MessageserviceMessageStatusUpdate::new(
                code.as_str(),
                id.as_str(),
                status,
            ))
            .await
            .is_err()
        {
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    StatusCode::OK
}

/// Starts the provider's HANDLER and registers it; returns its URL and the hit counter.
async fn provider(mock: &MockPortal) -> (String, Arc<AtomicUsize>) {
    let client = Client::with_access_token(&mock.base_url(), mock.access_token()).unwrap();
    let reached = Arc::new(AtomicUsize::new(0));
    let app = App {
        client: client.clone(),
        verifier: Verifier::new(mock.application_token(MAIN_APP)),
        reached: reached.clone(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    let router = Router::new().route("/sms", post(handle)).with_state(app);
    tokio::spawn(async move { axum::serve(listener, router).await });
    client
        .call(MessageserviceSenderAdd::new(
            "loop_sms",
            SenderType::Sms,
            url.as_str(),
            "Loop",
        ))
        .await
        .unwrap();
    (url, reached)
}

#[tokio::test]
async fn an_sms_goes_round_the_loop_and_ends_delivered() {
    let mock = MockPortal::start().await.unwrap();
    let (_, reached) = provider(&mock).await;
    let sent = mock
        .deliver_sms(
            MAIN_APP,
            "loop_sms",
            "+49 30 1234567",
            "Your code: 4711 & more",
        )
        .await
        .unwrap();
    assert_eq!(sent.handler_status, 200);
    assert_eq!(reached.load(Ordering::SeqCst), 1);
    assert_eq!(
        mock.message_statuses(&sent.message_id),
        ["queued", "sent", "delivered"]
    );
}

#[tokio::test]
async fn a_forged_payload_is_refused_before_the_application_sees_it() {
    let mock = MockPortal::start().await.unwrap();
    let (url, reached) = provider(&mock).await;
    let real = mock.application_token(MAIN_APP);
    let forged = [
        "code=loop_sms&message_id=1&auth[application_token]=guessed".to_owned(),
        "code=loop_sms&message_id=1".to_owned(),
        // The right length, one character off.
        format!(
            "code=loop_sms&message_id=1&auth[application_token]={}x",
            &real[..real.len() - 1]
        ),
    ];
    for body in forged {
        let status = mock.post_to_handler(&url, body.clone()).await.unwrap();
        assert_eq!(status, 401, "{body}");
    }
    let malformed = mock
        .post_to_handler(
            &url,
            "a[b][c][d][e][f][g][h][i][j][k][l][m][n][o][p][q][r]=1".into(),
        )
        .await
        .unwrap();
    assert_eq!(malformed, 400);
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "no forged payload reached the handler"
    );
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[test]
fn the_verifier_names_no_secret_when_it_refuses() {
    let v = Verifier::new("app-token-0123456789");
    let err = v
        .parse::<SmsHandlerRequest>("auth[application_token]=app-token-0123456780")
        .unwrap_err();
    assert_eq!(err, HandlerError::Forged);
    assert!(!format!("{err} {err:?} {v:?}").contains("app-token-0123456789"));
}

proptest! {
    // The parser meets arbitrary bodies: it may refuse them, never panic.
    #[test]
    fn typed_payloads_never_panic_on_any_body(body in "\\PC{0,200}|([a-z_]{1,8}(\\[[a-z0-9_]{0,6}\\]){0,4}=[^&]{0,12}&){0,12}") {
        let _ = from_form::<SmsHandlerRequest>(&body, Limits::default());
        let _ = Verifier::new("t0k3n-long-enough").parse::<SmsHandlerRequest>(&body);
    }
}
