//! `messageservice.*`: SMS providers, registered per application.

use serde_json::Value;

use super::{Call, Fail, Outcome};
use crate::state::Provider;

pub(crate) fn sender_add(call: &mut Call<'_>) -> Outcome {
    let app = call.app()?;
    call.require_admin()?;
    let provider = Provider {
        code: call.text("CODE").unwrap_or_default(),
        kind: call.text("TYPE").unwrap_or_default(),
        handler: call.text("HANDLER").unwrap_or_default(),
        name: call.params.get("NAME").cloned().unwrap_or(Value::Null),
        description: call.params.get("DESCRIPTION").cloned(),
    };
    let providers = call.state.providers.entry(app.to_owned()).or_default();
    if providers.iter().any(|p| p.code == provider.code) {
        return Err(Fail::code("ERROR_SENDER_ALREADY_INSTALLED"));
    }
    providers.push(provider);
    Ok(Value::Bool(true))
}

pub(crate) fn sender_update(call: &mut Call<'_>) -> Outcome {
    let app = call.app()?;
    call.require_admin()?;
    let code = call.text("CODE").unwrap_or_default();
    let handler = call.text("HANDLER");
    let given = |key| {
        call.params
            .get(key)
            .filter(|v| !bitrix_spec::is_empty(v))
            .cloned()
    };
    let (name, description) = (given("NAME"), given("DESCRIPTION"));
    let provider = call
        .state
        .providers
        .get_mut(app)
        .and_then(|ps| ps.iter_mut().find(|p| p.code == code))
        .ok_or(Fail::code("ERROR_SENDER_NOT_FOUND"))?;
    if let Some(handler) = handler {
        provider.handler = handler;
    }
    if let Some(name) = name {
        provider.name = name;
    }
    if description.is_some() {
        provider.description = description;
    }
    Ok(Value::Bool(true))
}

pub(crate) fn sender_delete(call: &mut Call<'_>) -> Outcome {
    let app = call.app()?;
    call.require_admin()?;
    let code = call.text("CODE").unwrap_or_default();
    let providers = call.state.providers.entry(app.to_owned()).or_default();
    let before = providers.len();
    providers.retain(|p| p.code != code);
    if providers.len() == before {
        return Err(Fail::code("ERROR_SENDER_NOT_FOUND"));
    }
    Ok(Value::Bool(true))
}

pub(crate) fn sender_list(call: &mut Call<'_>) -> Outcome {
    let app = call.app()?;
    call.require_admin()?;
    let codes = call.state.providers.get(app).into_iter().flatten();
    Ok(codes.map(|p| Value::String(p.code.clone())).collect())
}

pub(crate) fn status_update(call: &mut Call<'_>) -> Outcome {
    let app = call.app()?;
    let (code, id) = (call.text("CODE"), call.text("MESSAGE_ID"));
    let status = call.text("STATUS").unwrap_or_default();
    let (caller_is_admin, user) = (call.caller.is_admin(), call.caller.user);
    let sms = id
        .and_then(|id| call.state.sms.get_mut(&id))
        .filter(|sms| sms.app == app && Some(&sms.code) == code.as_ref())
        .ok_or(Fail::code("ERROR_MESSAGE_NOT_FOUND"))?;
    // "Message sender or administrator", in the page's words.
    if !caller_is_admin && sms.author != user {
        return Err(Fail::code("ACCESS_DENIED"));
    }
    sms.statuses.push(status);
    Ok(Value::Bool(true))
}
