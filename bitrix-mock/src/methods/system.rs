//! The methods every portal answers about itself and its caller: `profile`, `user.current`,
//! `server.time`, `scope`, `methods`, `method.get` and `app.info`.
//!
//! What they list comes from the specs: the methods the mock serves are the methods the portal
//! has, and their scopes are its scopes.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{Call, Fail, Outcome};
use crate::auth::person;
use crate::{batch, clock, params};

/// The scope of the methods every application may call, whatever it was granted.
const BASIC: &str = "basic";

pub(crate) fn profile(call: &mut Call<'_>) -> Outcome {
    let user = call.caller.user;
    let person = person(user).ok_or(Fail::code("ACCESS_DENIED"))?;
    Ok(json!({
        "ID": user.to_string(),
        "ADMIN": call.caller.is_admin(),
        "NAME": person.name,
        "LAST_NAME": person.last_name,
        "PERSONAL_GENDER": "",
        "PERSONAL_PHOTO": "",
        "TIME_ZONE": "",
        "TIME_ZONE_OFFSET": 0,
    }))
}

pub(crate) fn user_current(call: &mut Call<'_>) -> Outcome {
    let user = call.caller.user;
    let person = person(user).ok_or(Fail::code("ACCESS_DENIED"))?;
    let registered = clock::rfc3339(clock::unix_secs() - 86_400 * 30);
    Ok(json!({
        "ID": user.to_string(),
        "XML_ID": "",
        "ACTIVE": true,
        "NAME": person.name,
        "LAST_NAME": person.last_name,
        "SECOND_NAME": "",
        "EMAIL": person.email,
        "LAST_LOGIN": clock::rfc3339(clock::unix_secs()),
        "DATE_REGISTER": registered,
        "IS_ONLINE": "Y",
        "TIME_ZONE": "",
        "TIME_ZONE_OFFSET": "0",
        "PERSONAL_GENDER": "",
        "PERSONAL_BIRTHDAY": "",
        "PERSONAL_PHOTO": "",
        "WORK_POSITION": person.position,
        "UF_DEPARTMENT": [1],
        "UF_EMPLOYMENT_DATE": "",
        "USER_TYPE": "employee",
    }))
}

/// `YYYY-MM-DDThh:mm:ss±hh:mm`, as the page gives it; the mock's server runs on UTC.
pub(crate) fn server_time(_: &mut Call<'_>) -> Outcome {
    Ok(Value::String(clock::rfc3339(clock::unix_secs())))
}

/// Every scope a method of the specs belongs to.
fn all_scopes(call: &Call<'_>) -> BTreeSet<String> {
    call.portal
        .specs
        .values()
        .map(|s| s.scope.clone())
        .collect()
}

/// The scopes of the caller. Both applications and the webhook are granted every scope the
/// portal has, so `full=true` answers the same list; it is kept apart for when they are not.
pub(crate) fn scope(call: &mut Call<'_>) -> Outcome {
    let scopes = all_scopes(call);
    Ok(scopes.into_iter().map(Value::String).collect())
}

/// Names of methods, lowercased as the portal lists them: without parameters those the caller
/// may call, with `full=true` all of them, with `scope=x` those of scope `x`, and with an empty
/// `scope` those of no particular permission (the basic ones).
pub(crate) fn methods(call: &mut Call<'_>) -> Outcome {
    let full = params::flag(call.params.get("full"));
    let wanted = match call.params.get("scope") {
        _ if full => None,
        Some(value) => Some(params::text(Some(value)).unwrap_or_default()),
        None => None,
    };
    let wanted = wanted.map(|s| if s.is_empty() { BASIC.to_owned() } else { s });
    let context = call.caller.context;
    let mut names: Vec<String> = call
        .portal
        .specs
        .iter()
        .filter(|(_, spec)| wanted.as_deref().is_none_or(|w| spec.scope == w))
        .filter(|(_, spec)| full || spec.contexts.contains(&context))
        .map(|(name, _)| name.clone())
        .collect();
    // `batch` is the portal's own and has no spec; it belongs with the basic methods.
    if wanted.as_deref().is_none_or(|w| w == BASIC) {
        names.push(batch::METHOD.to_owned());
        names.sort();
    }
    Ok(names.into_iter().map(Value::String).collect())
}

/// `isExisting`: the portal has the method; `isAvailable`: this caller may call it.
pub(crate) fn method_get(call: &mut Call<'_>) -> Outcome {
    let name = call.text("name").map(|n| crate::server::method_key(&n));
    let (existing, available) = match name.as_deref() {
        Some(batch::METHOD) => (true, true),
        Some(name) => match call.portal.specs.get(name) {
            Some(spec) => (true, spec.contexts.contains(&call.caller.context)),
            None => (false, false),
        },
        None => (false, false),
    };
    Ok(json!({"isExisting": existing, "isAvailable": available}))
}

/// The calling application as its card in the portal shows it: a local application, installed,
/// on a paid plan that has not run out.
pub(crate) fn app_info(call: &mut Call<'_>) -> Outcome {
    let app = call.caller.app.ok_or(Fail::code("ACCESS_DENIED"))?;
    let (index, keys) = call
        .portal
        .oauth
        .apps
        .iter()
        .enumerate()
        .find(|(_, k)| k.app == app)
        .ok_or(Fail::code("ACCESS_DENIED"))?;
    Ok(json!({
        "ID": index + 1,
        "CODE": keys.client_id,
        "VERSION": 1,
        "STATUS": "L",
        "INSTALLED": true,
        "PAYMENT_EXPIRED": "N",
        "DAYS": null,
        "LANGUAGE_ID": "en",
        "LICENSE": "en_project",
        "LICENSE_TYPE": "project",
        "LICENSE_FAMILY": "project",
    }))
}
