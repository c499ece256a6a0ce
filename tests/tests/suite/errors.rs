//! Errors a Rust user can work with: the cause behind `source()`, with no credential anywhere in
//! the chain, and typed errors that turn untyped so that `?` gathers them.

use std::error::Error as _;

use bitrix_api::crm::CrmItemList;
use bitrix_api::messageservice::{
    MessageserviceSenderDelete, MessageserviceSenderDeleteError, MessageserviceSenderList,
};
use bitrix_api::{
    AuthErrorKind, Client, ClientBuilder, Error, OAuthApp, RetryPolicy, SystemError, TransportKind,
};
use bitrix_mock::{Fault, MockPortal};
use serde_json::json;

/// Every level of the chain, as `Display` and as `Debug`.
fn chain(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = Vec::new();
    let mut level = Some(err);
    while let Some(e) = level {
        out.push(format!("{e}"));
        out.push(format!("{e:?}"));
        level = e.source();
    }
    out
}

fn assert_clean(err: &(dyn std::error::Error + 'static), secrets: &[&str]) {
    for text in chain(err) {
        for secret in secrets {
            assert!(!text.contains(secret), "a secret in the chain: {text}");
        }
    }
}

/// A port nothing listens on.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_transport_error_has_the_http_error_as_its_source_without_the_webhook_code() {
    let port = closed_port().await;
    let code = "webhook-code-0123456789";
    let client = ClientBuilder::webhook(&format!("http://127.0.0.1:{port}/rest/1/{code}/"))
        .unwrap()
        .rate_limit(None)
        .retry(RetryPolicy::NONE)
        .build()
        .unwrap();
    let err = client.call(CrmItemList::new(2)).await.unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("expected a transport error, got {err:?}");
    };
    assert_eq!(t.kind, TransportKind::Connect);
    let source = err.source().expect("the HTTP stack's error");
    let http = source
        .downcast_ref::<reqwest::Error>()
        .expect("a reqwest::Error, to downcast to");
    assert!(http.is_connect(), "{http:?}");
    assert!(
        http.url().is_none(),
        "the URL, which holds the code, is removed"
    );
    assert!(
        chain(&err).len() >= 4,
        "the cause has causes: {:?}",
        chain(&err)
    );
    assert_clean(&err, &[code]);
    // The message field keeps the whole chain on one line, for a log; Display does not repeat it.
    assert!(t.message.contains("error sending request"), "{}", t.message);
    assert!(!err.to_string().contains(&t.message), "{err}");
}

#[tokio::test]
async fn a_body_that_is_not_json_has_the_json_error_as_its_source() {
    let mock = MockPortal::start().await.unwrap();
    let client = ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .rate_limit(None)
        .build()
        .unwrap();
    mock.inject_fault(Some("messageservice.sender.list"), Fault::TruncatedJson, 1);
    let err = client
        .call(MessageserviceSenderList::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    let json = err
        .source()
        .and_then(|s| s.downcast_ref::<serde_json::Error>())
        .expect("the JSON error");
    assert!(json.is_eof(), "{json}");
    assert_clean(&err, &[&mock.access_token()]);
}

/// serde_json quotes the value it could not read: an echoed token would be in its text. Then
/// the cause is a redacted copy of the chain, not the original error.
#[tokio::test]
async fn a_json_error_that_quotes_a_token_is_redacted_in_the_chain() {
    let mock = MockPortal::start().await.unwrap();
    let token = mock.access_token();
    let client = ClientBuilder::access_token(&mock.base_url(), token.clone())
        .rate_limit(None)
        .build()
        .unwrap();
    let body = json!({"result": true, "time": format!("echo {token}")}).to_string();
    mock.inject_fault(
        Some("messageservice.sender.list"),
        Fault::Status { status: 200, body },
        1,
    );
    let err = client
        .call(MessageserviceSenderList::new())
        .await
        .unwrap_err();
    let source = err.source().expect("a cause");
    assert!(source.to_string().contains("***"), "{source}");
    assert!(source.downcast_ref::<serde_json::Error>().is_none());
    assert_clean(&err, &[&token]);
}

#[tokio::test]
async fn a_failed_refresh_has_its_cause_without_the_refresh_token_or_client_secret() {
    let mock = MockPortal::start().await.unwrap();
    let port = closed_port().await;
    let (refresh, secret) = ("refresh-token-0123456789", "client-secret-0123456789");
    let app = OAuthApp::new(mock.client_id(), secret)
        .token_endpoint(format!("http://127.0.0.1:{port}/oauth/token/"));
    let client = ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .refresh(refresh, app)
        .rate_limit(None)
        .build()
        .unwrap();
    mock.expire_access_tokens();
    let err = client
        .call(MessageserviceSenderList::new())
        .await
        .unwrap_err();
    let Error::Auth(auth) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert_eq!(auth.kind, AuthErrorKind::Failed);
    let http = err
        .source()
        .and_then(|s| s.downcast_ref::<reqwest::Error>())
        .expect("the HTTP error of the refresh");
    assert!(http.url().is_none());
    assert_clean(&err, &[refresh, secret, &mock.access_token()]);
}

#[tokio::test]
async fn api_and_validation_errors_have_no_source() {
    let mock = MockPortal::start().await.unwrap();
    let client = ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .rate_limit(None)
        .build()
        .unwrap();
    let err = client
        .call(MessageserviceSenderDelete::new("no_such"))
        .await
        .unwrap_err();
    assert!(err.source().is_none());
    let err = client
        .call(MessageserviceSenderDelete::new("not valid!"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)) && err.source().is_none());
}

/// Typed calls of two methods and a raw call, in one function returning the untyped `Error`.
async fn overview(client: &Client, code: &str) -> Result<usize, Error> {
    let senders = client.call(MessageserviceSenderList::new()).await?;
    client.call(MessageserviceSenderDelete::new(code)).await?;
    let items = client
        .call_raw("crm.item.list", json!({"entityTypeId": 2}))
        .await?;
    Ok(senders.len() + items["items"].as_array().map_or(0, Vec::len))
}

#[tokio::test]
async fn errors_of_different_methods_leave_one_function_with_the_question_mark() {
    let mock = MockPortal::start().await.unwrap();
    let client = ClientBuilder::access_token(&mock.base_url(), mock.access_token())
        .rate_limit(None)
        .build()
        .unwrap();
    let err = overview(&client, "no_such").await.unwrap_err();
    // The documented code of `messageservice.sender.delete`, untyped: kept as text.
    match &err {
        Error::Other(detail) => {
            assert_eq!(detail.code, "ERROR_SENDER_NOT_FOUND");
            assert_eq!(detail.method, "messageservice.sender.delete");
        }
        other => panic!("expected an undocumented-code error, got {other:?}"),
    }
    // And back: typed again for the method, the code is the method's variant.
    let typed: Error<MessageserviceSenderDeleteError> = err.retype();
    assert_eq!(
        typed.method_error(),
        Some(MessageserviceSenderDeleteError::ErrorSenderNotFound)
    );
    // A system error stays one.
    let fault = Fault::ErrorWith200 {
        code: "INVALID_CREDENTIALS".into(),
        description: "no".into(),
    };
    mock.inject_fault(Some("messageservice.sender.list"), fault, 1);
    let err = client
        .call(MessageserviceSenderList::new())
        .await
        .unwrap_err()
        .into_untyped();
    assert_eq!(
        err.system_error(),
        Some(SystemError::InvalidCredentials),
        "{err:?}"
    );
}
