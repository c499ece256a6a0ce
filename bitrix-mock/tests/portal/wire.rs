//! The portal as third-party clients meet it: paths, parameter encodings, system methods, the
//! check order of providers, list queries and the control endpoint.

use super::*;

/// A raw request: status and body text.
async fn raw(request: reqwest::RequestBuilder) -> (u16, String) {
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

fn parsed((status, text): (u16, String)) -> (u16, Value) {
    (status, serde_json::from_str(&text).expect("a JSON answer"))
}

#[tokio::test]
async fn paths_are_read_as_the_portal_reads_them() {
    let p = Portal::start().await;
    let base = p.mock.base_url();
    // The JS SDK joins a `client_endpoint` ending in `/rest/` with `/<method>`.
    let url = format!("{base}/rest//messageservice.sender.add");
    let mut params = sender("joined");
    params["auth"] = json!(p.mock.access_token());
    assert_eq!(result(p.send(url, params).await), json!(true));
    let hook = p.mock.webhook_url();
    let doubled = format!("{}//{}/profile", hook.trim_end_matches('/'), "");
    assert_eq!(result(p.send(doubled, json!({})).await)["ID"], "1");
    let doubled = hook.replacen("/rest/", "//rest//", 1) + "/server.time.json";
    assert!(result(p.send(doubled, json!({})).await).is_string());
    for name in ["profile.json", "PROFILE.JSON", "Profile"] {
        assert_eq!(result(p.app(name, json!({})).await)["ID"], "1", "{name}");
    }
    p.mock.seed_crm_items(2, 2);
    for name in ["CRM.ITEM.LIST", "crm.Item.List"] {
        let items = result(p.app(name, json!({"entityTypeId": 2})).await);
        assert_eq!(items["items"].as_array().map(Vec::len), Some(2), "{name}");
    }
    assert_eq!(p.mock.received("crm.item.list"), 2);
}

#[tokio::test]
async fn operating_is_never_negative_zero() {
    let p = Portal::start().await;
    let url = format!("{}/rest/server.time", p.mock.base_url());
    let request = p
        .http
        .post(url)
        .json(&json!({"auth": p.mock.access_token()}));
    let (status, text) = raw(request).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        !text.contains("-0.0") && text.contains("\"operating\":0"),
        "{text}"
    );
}

#[tokio::test]
async fn system_methods_describe_the_caller_and_the_portal() {
    let p = Portal::start().await;
    let profile = result(p.app("profile", json!({})).await);
    assert_eq!(
        (&profile["ID"], &profile["ADMIN"]),
        (&json!("1"), &json!(true))
    );
    assert!(profile["NAME"].is_string() && profile["LAST_NAME"].is_string());
    let user = p.mock.user_access_token();
    let profile = result(p.oauth(&user, "profile", json!({})).await);
    assert_eq!(
        (&profile["ID"], &profile["ADMIN"]),
        (&json!("2"), &json!(false))
    );
    let current = result(p.oauth(&user, "user.current", json!({})).await);
    assert_eq!(current["ID"], "2");
    assert!(current["EMAIL"].as_str().is_some_and(|e| e.contains('@')));

    let time = result(p.webhook("server.time", json!({})).await);
    let time = time.as_str().expect("a string");
    assert_eq!(time.len(), 25, "{time}");
    assert!(
        time.as_bytes()[10] == b'T' && time.ends_with("+00:00"),
        "{time}"
    );

    let scopes = result(p.app("scope", json!({})).await);
    let scopes: Vec<&str> = scopes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for s in ["basic", "crm", "messageservice", "imbot", "user"] {
        assert!(scopes.contains(&s), "{s} in {scopes:?}");
    }
    let full = result(p.app("scope", json!({"full": true})).await);
    assert!(full.as_array().is_some_and(|a| a.len() >= scopes.len()));

    let all = result(p.app("methods", json!({})).await);
    let all: Vec<&str> = all
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert!(all.contains(&"crm.item.list") && all.contains(&"batch"));
    assert!(all.len() > 1000, "{}", all.len());
    let crm = result(p.app("methods", json!({"scope": "crm"})).await);
    let crm = crm.as_array().expect("a list");
    assert!(crm.contains(&json!("crm.item.list")) && !crm.contains(&json!("profile")));
    assert!(crm.len() < all.len());
    let basic = result(p.app("methods", json!({"scope": ""})).await);
    assert!(
        basic
            .as_array()
            .is_some_and(|b| b.contains(&json!("profile")) && b.contains(&json!("batch")))
    );
    // A webhook may not call application-only methods: they are not available to it.
    let hooked = result(p.webhook("methods", json!({})).await);
    assert!(
        !hooked
            .as_array()
            .is_some_and(|m| m.contains(&json!("messageservice.sender.add")))
    );
    let full = result(p.webhook("methods", json!({"full": true})).await);
    assert!(
        full.as_array()
            .is_some_and(|m| m.contains(&json!("messageservice.sender.add")))
    );

    let get = |name: &'static str| p.webhook("method.get", json!({"name": name}));
    let yes = json!({"isExisting": true, "isAvailable": true});
    assert_eq!(result(get("user.current").await), yes);
    assert_eq!(result(get("CRM.ITEM.LIST").await), yes);
    let app_only = json!({"isExisting": true, "isAvailable": false});
    assert_eq!(result(get("messageservice.sender.add").await), app_only);
    let no = json!({"isExisting": false, "isAvailable": false});
    assert_eq!(result(get("no.such.method").await), no);
    assert_eq!(result(p.webhook("method.get", json!({})).await), no);
}

#[tokio::test]
async fn app_info_answers_the_calling_application() {
    let p = Portal::start().await;
    let info = result(p.app("app.info", json!({})).await);
    assert_eq!(info["ID"], 1);
    assert_eq!(info["CODE"], json!(p.mock.client_id()));
    for (key, value) in [
        ("STATUS", json!("L")),
        ("INSTALLED", json!(true)),
        ("PAYMENT_EXPIRED", json!("N")),
        ("DAYS", Value::Null),
        ("VERSION", json!(1)),
    ] {
        assert_eq!(info[key], value, "{key} in {info}");
    }
    assert!(info["LICENSE"].is_string());
    let other = result(
        p.oauth(&p.mock.other_app_access_token(), "app.info", json!({}))
            .await,
    );
    assert_eq!(other["ID"], 2);
    let answer = p.webhook("app.info", json!({})).await;
    let denied = "Access denied! Application context required";
    assert_error(&answer, 400, "ACCESS_DENIED", denied);
    // As the authorization server is asked for the trusted status: GET with the token.
    let url = format!(
        "{}/rest/app.info/?auth={}",
        p.mock.base_url(),
        p.mock.access_token()
    );
    let answer = parsed(raw(p.http.get(url)).await);
    assert_eq!(result(answer)["STATUS"], "L");
}

#[tokio::test]
async fn system_methods_run_inside_batch() {
    let p = Portal::start().await;
    let cmd = json!({
        "me": "profile",
        "now": "server.time",
        "has": "method.get?name=crm.item.list",
        "app": "app.info",
        "scopes": "scope",
    });
    let answer = result(p.app("batch", json!({"halt": 0, "cmd": cmd})).await);
    let results = &answer["result"];
    assert_eq!(results["me"]["ID"], "1");
    assert!(results["now"].is_string());
    assert_eq!(results["has"]["isExisting"], true);
    assert_eq!(results["app"]["STATUS"], "L");
    assert!(
        results["scopes"]
            .as_array()
            .is_some_and(|s| s.contains(&json!("crm")))
    );
    assert_eq!(answer["result_error"], json!([]));
}

/// A `multipart/form-data` body of text fields.
fn multipart(fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----mockboundary7MA4YWxk";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

#[tokio::test]
async fn parameters_read_alike_from_every_encoding() {
    let p = Portal::start().await;
    let token = p.mock.access_token();
    let url = format!("{}/rest/messageservice.sender.add", p.mock.base_url());
    let handler = "https://example.com/sms";
    // JSON, with the names in lower case and a number where the spec says string.
    let body =
        json!({"code": "json", "type": "SMS", "handler": handler, "name": 42, "auth": token});
    assert_eq!(result(p.send(url.clone(), body).await), json!(true));
    // An urlencoded form.
    let form = format!("code=form&Type=SMS&HANDLER={handler}&name=42&auth={token}");
    let request = p
        .http
        .post(url.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form);
    assert_eq!(result(parsed(raw(request).await)), json!(true));
    // The query string.
    let query = format!("{url}?CODE=query&TYPE=SMS&HANDLER={handler}&NAME=42&auth={token}");
    assert_eq!(result(parsed(raw(p.http.post(query)).await)), json!(true));
    // A multipart body.
    let (content_type, body) = multipart(&[
        ("CODE", "multi"),
        ("type", "SMS"),
        ("HANDLER", handler),
        ("NAME", "42"),
        ("auth", &token),
    ]);
    let request = p
        .http
        .post(url.clone())
        .header("content-type", content_type)
        .body(body);
    assert_eq!(result(parsed(raw(request).await)), json!(true));
    for code in ["json", "form", "query", "multi"] {
        let provider = p.mock.provider(MAIN_APP, code).expect("registered");
        assert_eq!(provider["TYPE"], "SMS", "{code}");
        assert_eq!(provider["HANDLER"], handler, "{code}");
        assert_eq!(provider["NAME"], "42", "{code}");
    }
    // A multipart batch runs its commands in order, as a form does.
    let (content_type, body) = multipart(&[
        ("cmd[b]", "profile"),
        ("cmd[a]", "method.get?name=profile"),
        ("auth", &token),
    ]);
    let batch = format!("{}/rest/batch", p.mock.base_url());
    let request = p
        .http
        .post(batch)
        .header("content-type", content_type)
        .body(body);
    let answer = result(parsed(raw(request).await));
    let keys: Vec<&String> = answer["result"]
        .as_object()
        .expect("keyed")
        .keys()
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(answer["result"]["a"]["isExisting"], true);
    // A body that claims multipart and is not is refused with a reason.
    let request = p
        .http
        .post(url)
        .header("content-type", "multipart/form-data")
        .body("x");
    let (status, body) = parsed(raw(request).await);
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("ERROR_ARGUMENT")),
        "{body}"
    );
}

#[tokio::test]
async fn provider_checks_follow_the_portal_order() {
    let p = Portal::start().await;
    let add = |params: Value| p.app("messageservice.sender.add", params);
    let wrong = "Wrong handler URL";
    assert_error(
        &add(json!({"CODE": "only"})).await,
        400,
        "ERROR_WRONG_HANDLER_URL",
        wrong,
    );
    for handler in [
        "not a url",
        "https://localhost/sms",
        "http:///x",
        "https://.com/x",
    ] {
        let mut params = sender("x");
        params["HANDLER"] = json!(handler);
        assert_error(&add(params).await, 400, "ERROR_WRONG_HANDLER_URL", wrong);
    }
    let mut params = sender("x");
    params["HANDLER"] = json!("ftp://example.com/sms");
    let answer = add(params).await;
    assert_error(
        &answer,
        400,
        "ERROR_UNSUPPORTED_PROTOCOL",
        "Unsupported handler protocol",
    );
    // With a good handler, the name is checked before the type.
    let answer = add(json!({"CODE": "x", "HANDLER": "https://example.com/sms"})).await;
    assert_error(
        &answer,
        400,
        "ERROR_SENDER_VALIDATION_FAILURE",
        "Empty sender NAME!",
    );
    let params = json!({"CODE": "x", "HANDLER": "https://example.com/sms", "NAME": "n"});
    let answer = add(params).await;
    assert_error(
        &answer,
        400,
        "ERROR_SENDER_VALIDATION_FAILURE",
        "Empty sender message TYPE!",
    );
    let mut params = sender("x");
    params["TYPE"] = json!("FAX");
    let answer = add(params).await;
    assert_error(
        &answer,
        400,
        "ERROR_SENDER_VALIDATION_FAILURE",
        "Unknown sender message TYPE!",
    );
    assert!(p.mock.providers(MAIN_APP).is_empty());
    // An update with a new handler meets the same check.
    assert_eq!(result(add(sender("x")).await), json!(true));
    let update = json!({"CODE": "x", "HANDLER": "https://localhost/sms"});
    let answer = p.app("messageservice.sender.update", update).await;
    assert_error(&answer, 400, "ERROR_WRONG_HANDLER_URL", wrong);
}

#[tokio::test]
async fn crm_item_list_filters_orders_and_selects_any_field() {
    let p = Portal::start().await;
    p.mock.seed_crm_items(2, 120);
    let list = |q: Value| p.app("crm.item.list", q);
    let q = json!({"entityTypeId": 2, "filter": {">=opportunity": 11_000, "%TITLE": "item 11"},
        "order": {"opportunity": "desc"}, "select": ["title"]});
    let answer = list(q).await;
    assert_eq!(answer.1["total"], 10, "{answer:?}");
    let items = result(answer);
    let items = items["items"].as_array().expect("items");
    assert_eq!(
        items.first(),
        Some(&json!({"id": 119, "title": "Item 119"}))
    );
    assert_eq!(items.last(), Some(&json!({"id": 110, "title": "Item 110"})));
    let q = json!({"entityTypeId": 2, "filter": {"@stageId": ["NEW"], "><id": [3, 5]},
        "select": ["*"]});
    let answer = list(q).await;
    assert_eq!(ids(&answer.1), [3, 4, 5]);
    assert!(answer.1["result"]["items"][0]["createdTime"].is_string());
    let q =
        json!({"entityTypeId": 2, "filter": {"!@id": [1, 2], "<id": 5}, "order": {"ID": "Desc"}});
    assert_eq!(ids(&list(q).await.1), [4, 3]);
    // Several order fields apply in the order the request wrote them, in JSON and in forms.
    // Written as text: a `Value` would sort the keys before sending.
    let body = format!(
        r#"{{"entityTypeId": 2, "filter": {{"<=id": 12}}, "order": {{"title": "ASC", "id": "DESC"}},
            "auth": "{}"}}"#,
        p.mock.access_token()
    );
    let url = format!("{}/rest/crm.item.list", p.mock.base_url());
    let request = p.http.post(&url).header("content-type", "application/json");
    let by_title = [1, 10, 11, 12, 2, 3, 4, 5, 6, 7, 8, 9];
    assert_eq!(ids(&parsed(raw(request.body(body)).await).1), by_title);
    let form = format!(
        "entityTypeId=2&filter[%3C%3Did]=12&order[title]=asc&order[id]=desc&auth={}",
        p.mock.access_token()
    );
    let request = p
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded");
    assert_eq!(ids(&parsed(raw(request.body(form)).await).1), by_title);
    let batch = json!({"cmd": {"a": "crm.item.list?entityTypeId=2&filter[%3C%3Did]=3&order[title]=DESC&order[id]=ASC"}});
    let answer = result(p.app("batch", batch).await);
    let titles: Vec<&str> = answer["result"]["a"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["title"].as_str())
        .collect();
    assert_eq!(titles, ["Item 3", "Item 2", "Item 1"]);
}

#[tokio::test]
async fn control_endpoint_drives_the_portal() {
    let p = Portal::start().await;
    let control = |action: &str, token: &str, body: Value| {
        let url = format!("{}{action}", p.mock.control_url());
        let request = p.http.post(url).bearer_auth(token).json(&body);
        async move { parsed(raw(request).await) }
    };
    let token = p.mock.control_token();
    let (status, body) = control("seed", "wrong-token", json!({})).await;
    assert_eq!(status, 401);
    assert!(!body.to_string().contains(&token) && !body.to_string().contains("wrong-token"));
    let bare = p
        .http
        .post(format!("{}seed", p.mock.control_url()))
        .send()
        .await
        .expect("sent");
    assert_eq!(bare.status().as_u16(), 401);

    let ok = (200, json!({"result": true}));
    let seeded = control("seed", &token, json!({"name": "crm.item", "count": 70})).await;
    assert_eq!(seeded, ok);
    assert_eq!(
        p.app("crm.item.list", json!({"entityTypeId": 2})).await.1["total"],
        70
    );
    let (status, body) = control("seed", &token, json!({"name": "deal", "count": 1})).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("deal"))
    );

    let fault =
        json!({"kind": "status", "status": 502, "body": "bad gateway", "method": "profile"});
    assert_eq!(control("fault", &token, fault).await, ok);
    let url = format!("{}profile", p.mock.webhook_url());
    assert_eq!(
        raw(p.http.post(url.clone())).await,
        (502, "bad gateway".to_owned())
    );
    assert_eq!(raw(p.http.post(url)).await.0, 200);

    let limit = json!({"rate": 0.001, "burst": 1});
    assert_eq!(control("rate-limit", &token, limit).await, ok);
    assert_eq!(p.webhook("profile", json!({})).await.0, 200);
    assert_eq!(p.webhook("profile", json!({})).await.0, 503);
    assert_eq!(control("rate-limit", &token, json!({})).await, ok);
    assert_eq!(p.webhook("profile", json!({})).await.0, 200);

    assert_eq!(control("expire-tokens", &token, Value::Null).await, ok);
    let answer = p.app("profile", json!({})).await;
    assert_eq!(answer.1["error"], "expired_token");

    let (bot, bot_token) = p.mock.bot();
    assert_eq!(control("reset", &token, Value::Null).await, ok);
    assert_eq!(p.mock.bot(), (bot, bot_token));
    let answer = p.webhook("crm.item.list", json!({"entityTypeId": 2})).await;
    assert_eq!(answer.1["total"], 0);
    let (status, _) = control("nothing", &token, Value::Null).await;
    assert_eq!(status, 404);
    // Control requests are no REST requests.
    assert_eq!(p.mock.received("seed"), 0);
}

#[tokio::test]
async fn tls_portal_serves_https_with_its_own_certificate() {
    let mock = MockPortal::start_tls(0, bitrix_mock::MockConfig::default())
        .await
        .expect("the portal starts");
    assert!(mock.base_url().starts_with("https://127.0.0.1:"));
    assert!(mock.webhook_url().starts_with("https://"));
    let pem = mock.certificate_pem().expect("a certificate");
    let path = mock.certificate_path().expect("a file");
    assert_eq!(std::fs::read_to_string(&path).expect("written"), pem);
    let trusted = reqwest::Certificate::from_pem(pem.as_bytes()).expect("PEM");
    let http = reqwest::Client::builder()
        .add_root_certificate(trusted)
        .build()
        .expect("a client");
    let url = format!("{}profile", mock.webhook_url());
    let answer: Value = http
        .post(&url)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer["result"]["ID"], "1", "{answer}");
    // A client that does not trust the certificate is refused at the handshake.
    assert!(reqwest::Client::new().post(&url).send().await.is_err());
    // Plain HTTP on the same port gets no answer it could read as the portal's.
    let plain = url.replacen("https://", "http://", 1);
    let plain = reqwest::Client::new().post(plain).send().await;
    assert!(plain.is_err() || plain.is_ok_and(|r| !r.status().is_success()));
    drop(mock);
    assert!(!path.exists(), "the certificate file goes with the portal");
}

#[tokio::test]
async fn nested_names_fold_and_scalars_read_as_text() {
    let p = Portal::start().await;
    let (bot, _) = p.mock.bot();
    // `dialogId` a number (a personal chat with user 1), `FIELDS.MESSAGE` in another case and
    // a number where the spec says string.
    let send = json!({"BOTID": bot, "dialogId": 1, "FIELDS": {"MESSAGE": 12345}});
    let sent = result(p.app("imbot.v2.Chat.Message.send", send).await);
    let id = sent["id"].as_i64().expect("a message id");
    assert_eq!(p.mock.message_text(id).as_deref(), Some("12345"));
    // A name the spec does not know stays as it is: nothing is folded onto it.
    let send = json!({"botId": bot, "dialogId": 1, "fields": {"text": "x"}});
    let answer = p.app("imbot.v2.Chat.Message.send", send).await;
    assert_eq!(answer.0, 400, "{answer:?}");
}
