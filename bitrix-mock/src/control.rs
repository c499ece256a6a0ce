//! The control endpoint: `POST /_mock/<action>` with `Authorization: Bearer <control token>`,
//! for a test in any language to drive the portal the way [`MockPortal`](crate::MockPortal)'s
//! methods do.
//!
//! Actions, each answering `{"result": true}` or `{"error", "error_description"}`:
//! - `seed`: `{"name": "crm.item", "count": 120}`, see [`Seed`], or an entity family's
//!   name (`{"name": "crm.deal", "count": 60}`);
//! - `expire-tokens`: every access token issued so far expires;
//! - `rate-limit`: `{"rate": 2, "burst": 50}` turns the limit on, `{}` or `null` off;
//! - `fault`: `{"kind": "html500", "method": "crm.item.list", "times": 1}` with the kind's own
//!   members (`delay_ms`; `code`, `description`; `status`, `body`; `location`; `bytes`);
//! - `reset`: the state of a fresh portal (same credentials and bots), no faults, no limit.
//!
//! Requests here are not REST requests: they count for nothing and no limit or fault applies.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::faults::Fault;
use crate::server::Portal;

/// Where the actions live.
pub(crate) const PREFIX: &str = "/_mock/";

/// What the portal can be filled with: `crm.item` (deals, entity type 2), `crm.item:<type>` (items
/// of that entity type), `bot` (bots of the main application).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// CRM items of an entity type, for `crm.item.list`.
    CrmItems(i64),
    /// More bots of the main application, for `imbot.v2.Bot.list`.
    Bots,
}

impl Seed {
    /// Reads a seed name: `crm.item`, `crm.item:<entityTypeId>` or `bot`.
    pub fn parse(name: &str) -> Result<Seed, String> {
        let name = name.trim();
        match name.split_once(':') {
            None if name.eq_ignore_ascii_case("crm.item") => Ok(Seed::CrmItems(2)),
            None if name.eq_ignore_ascii_case("bot") => Ok(Seed::Bots),
            Some((kind, id)) if kind.eq_ignore_ascii_case("crm.item") => id
                .trim()
                .parse()
                .map(Seed::CrmItems)
                .map_err(|_| format!("`{id}` is not an entity type id")),
            _ => Err(format!(
                "unknown seed `{name}`; known: crm.item, crm.item:<entityTypeId>, bot"
            )),
        }
    }
}

/// Compares in time that depends only on the lengths, so that the answer time tells nothing
/// about how much of a guessed token was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn answer(status: StatusCode, body: Value) -> Response {
    let body = serde_json::to_vec(&body).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn refuse(status: StatusCode, code: &str, description: &str) -> Response {
    answer(
        status,
        json!({"error": code, "error_description": description}),
    )
}

/// One control request: the token first, then the action.
pub(crate) fn handle(portal: &Portal, path: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same(
        given.trim().as_bytes(),
        portal.creds.control_token.as_bytes(),
    ) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "A valid control token is required (Authorization: Bearer <token>)",
        );
    }
    let action = path
        .strip_prefix(PREFIX)
        .unwrap_or_default()
        .trim_matches('/');
    let args: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                let text = format!("the body is not valid JSON: {e}");
                return refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", &text);
            }
        }
    };
    let done = match action {
        "seed" => seed(portal, &args),
        "expire-tokens" => {
            portal.oauth.expire_all();
            Ok(())
        }
        "rate-limit" => rate_limit(portal, &args),
        "fault" => fault(portal, &args),
        "reset" => {
            portal.reset();
            Ok(())
        }
        _ => {
            let text = format!(
                "unknown action `{action}`; known: seed, expire-tokens, rate-limit, fault, reset"
            );
            return refuse(StatusCode::NOT_FOUND, "UNKNOWN_ACTION", &text);
        }
    };
    match done {
        Ok(()) => answer(StatusCode::OK, json!({"result": true})),
        Err(text) => refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", &text),
    }
}

fn count(args: &Value, key: &str) -> Result<Option<u64>, String> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or(format!("`{key}` must be a non-negative integer")),
    }
}

fn seed(portal: &Portal, args: &Value) -> Result<(), String> {
    let name = args
        .get("name")
        .and_then(Value::as_str)
        .ok_or("`name` is required: crm.item, crm.item:<entityTypeId>, bot or a family")?;
    let count = count(args, "count")?.ok_or("`count` is required")?;
    let count = usize::try_from(count).map_err(|_| "`count` is too large".to_owned())?;
    match Seed::parse(name) {
        Ok(what) => {
            portal.seed(what, count);
            Ok(())
        }
        // Any other name is an entity family's, known only from the specs.
        Err(why) if !name.contains('.') => Err(why),
        Err(_) => portal.seed_family(name, count),
    }
}

fn rate_limit(portal: &Portal, args: &Value) -> Result<(), String> {
    let rate = args.get("rate").and_then(Value::as_f64);
    let burst = count(args, "burst")?;
    match (rate, burst) {
        (None, None) => portal.bucket.set(None),
        (Some(rate), Some(burst)) if rate.is_finite() && rate > 0.0 => {
            let burst = u32::try_from(burst).map_err(|_| "`burst` is too large".to_owned())?;
            portal.bucket.set(Some((rate, burst)));
        }
        _ => return Err("`rate` (a positive number) and `burst` go together".to_owned()),
    }
    Ok(())
}

fn fault(portal: &Portal, args: &Value) -> Result<(), String> {
    let text = |key: &str| args.get(key).and_then(Value::as_str).map(str::to_owned);
    let kind = text("kind").ok_or("`kind` is required")?;
    let fault = match kind.as_str() {
        "html500" => Fault::Html500,
        "truncated_json" => Fault::TruncatedJson,
        "drop_connection" => Fault::DropConnection,
        "delay" => Fault::Delay(Duration::from_millis(
            count(args, "delay_ms")?.ok_or("`delay_ms` is required")?,
        )),
        "error_with_200" => Fault::ErrorWith200 {
            code: text("code").ok_or("`code` is required")?,
            description: text("description").unwrap_or_default(),
        },
        "status" => Fault::Status {
            status: count(args, "status")?
                .and_then(|s| u16::try_from(s).ok())
                .ok_or("`status` is required")?,
            body: text("body").unwrap_or_default(),
        },
        "redirect" => Fault::Redirect {
            location: text("location").ok_or("`location` is required")?,
        },
        "huge_body" => Fault::HugeBody {
            bytes: count(args, "bytes")?.unwrap_or(u64::MAX),
        },
        _ => {
            return Err(format!(
                "unknown fault kind `{kind}`; known: html500, truncated_json, drop_connection, \
                 delay, error_with_200, status, redirect, huge_body"
            ));
        }
    };
    let times = count(args, "times")?.unwrap_or(1);
    let times = u32::try_from(times).map_err(|_| "`times` is too large".to_owned())?;
    let method = text("method");
    if method.is_some_and(|m| m.eq_ignore_ascii_case("token")) {
        portal
            .token_faults
            .inject(Some(crate::server::TOKEN_FAULTS), fault, times);
    } else {
        portal
            .faults
            .inject(text("method").as_deref(), fault, times);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_and_tokens() {
        assert_eq!(Seed::parse("crm.item"), Ok(Seed::CrmItems(2)));
        assert_eq!(Seed::parse("CRM.ITEM:1036"), Ok(Seed::CrmItems(1036)));
        assert_eq!(Seed::parse("bot"), Ok(Seed::Bots));
        assert!(Seed::parse("crm.item:x").is_err());
        assert!(Seed::parse("deal").is_err());
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
