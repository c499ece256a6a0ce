//! The `bitrix-mock` binary as a script in another language starts it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use super::*;

const BIN: &str = env!("CARGO_BIN_EXE_bitrix-mock");

/// Kills the child on drop, so that a failed assertion leaves no server behind.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn json_line_names_every_credential_and_seeds_apply() {
    let child = Command::new(BIN)
        .args([
            "--json",
            "--seed",
            "crm.item=120",
            "--seed=bot=2",
            "--seed",
            "crm.company=7",
            "--token-ttl",
            "600",
        ])
        .env_remove("BITRIX_MOCK_PORT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("joined")
    .expect("a line");
    let creds: Value = serde_json::from_str(&line).expect("one JSON object");
    for key in [
        "base_url",
        "webhook_url",
        "access_token",
        "user_access_token",
        "other_app_access_token",
        "refresh_token",
        "client_id",
        "client_secret",
        "token_endpoint",
        "app_info_endpoint",
        "control_url",
        "control_token",
    ] {
        assert!(
            creds[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key} in {creds}"
        );
    }
    assert!(creds["bot"]["id"].is_i64() && creds["bot"]["token"].is_string());
    let http = reqwest::Client::new();
    let url = format!(
        "{}crm.item.list",
        creds["webhook_url"].as_str().unwrap_or_default()
    );
    let answer: Value = http
        .post(url)
        .json(&json!({"entityTypeId": 2}))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer["total"], 120, "{answer}");
    let url = format!(
        "{}crm.company.list",
        creds["webhook_url"].as_str().unwrap_or_default()
    );
    let answer: Value = http
        .post(url)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer["total"], 7, "{answer}");
}

#[test]
fn bad_arguments_exit_with_2_and_name_the_argument() {
    for (args, named) in [
        (&["--port", "seventy"][..], "--port"),
        (&["--seed", "nothing"][..], "--seed"),
        (&["--seed", "crm.nothing=3"][..], "crm.nothing"),
        (&["--rate-limit", "fast"][..], "--rate-limit"),
        (&["--frobnicate"][..], "--frobnicate"),
    ] {
        let out = Command::new(BIN).args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(named) && !stderr.contains("panicked"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn tls_puts_the_certificate_into_the_json_line() {
    let child = Command::new(BIN)
        .args(["--tls", "--json"])
        .env_remove("BITRIX_MOCK_PORT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("a line");
    let creds: Value = serde_json::from_str(&line).expect("one JSON object");
    assert!(
        creds["base_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
    );
    let path = creds["certificate_path"].as_str().expect("a path");
    let pem = std::fs::read_to_string(path).expect("the certificate file");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    // Stopped as a script stops it, the portal removes its certificate file.
    let stopped = Command::new("kill")
        .arg(running.0.id().to_string())
        .status();
    assert!(stopped.is_ok_and(|s| s.success()));
    let waited = running.0.wait().expect("exits");
    assert!(waited.success(), "{waited:?}");
    assert!(
        !std::path::Path::new(path).exists(),
        "{path} is left behind"
    );
}

#[test]
fn help_lists_every_argument() {
    let out = Command::new(BIN).arg("--help").output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for arg in [
        "--port",
        "--rate-limit",
        "--seed",
        "--token-ttl",
        "--tls",
        "--json",
        "--families",
    ] {
        assert!(text.contains(arg), "{arg} in {text}");
    }
}

#[test]
fn families_are_listed_one_a_line() {
    let out = Command::new(BIN).arg("--families").output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let families: Vec<&str> = text.lines().collect();
    for family in ["crm.deal", "crm.contact", "department", "tasks.task"] {
        assert!(families.contains(&family), "{family} in {families:?}");
    }
    // Families with behaviour of their own stay out.
    for family in ["crm.item", "messageservice.sender"] {
        assert!(!families.contains(&family), "{family} in {families:?}");
    }
}
