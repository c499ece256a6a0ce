//! `messageservice.*`: SMS providers, registered per application.

use bitrix_spec::{AuthContext, Spec};
use serde_json::{Map, Value};

use super::{Call, Fail, Outcome, check_params, no_params};
use crate::params;
use crate::state::Provider;

/// The portal's order: the data at all, the code, the handler, then name and type; the page
/// lists type before handler.
pub(crate) fn sender_add_checks(
    spec: &Spec,
    params: &Map<String, Value>,
    context: AuthContext,
) -> Result<(), Fail> {
    no_params(spec, params)?;
    check_params(spec, params, context, &["CODE"])?;
    handler_url(params.get("HANDLER"))?;
    check_params(spec, params, context, &["NAME", "TYPE"])?;
    bitrix_spec::validate_request(spec, params, context).map_err(Fail::Rejected)
}

/// As for adding, with the handler checked only when a new one is given.
pub(crate) fn sender_update_checks(
    spec: &Spec,
    params: &Map<String, Value>,
    context: AuthContext,
) -> Result<(), Fail> {
    no_params(spec, params)?;
    check_params(spec, params, context, &["CODE"])?;
    if params
        .get("HANDLER")
        .is_some_and(|v| !bitrix_spec::is_empty(v))
    {
        handler_url(params.get("HANDLER"))?;
    }
    bitrix_spec::validate_request(spec, params, context).map_err(Fail::Rejected)
}

/// The portal's check of a handler address: a URL whose host has a dot after its first
/// character (so neither `localhost` nor a bare name), over http or https.
fn handler_url(value: Option<&Value>) -> Result<(), Fail> {
    let wrong = || Fail::code("ERROR_WRONG_HANDLER_URL");
    let url = params::text(value).unwrap_or_default();
    let (scheme, rest) = url.split_once("://").ok_or_else(wrong)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    if scheme.is_empty() || host.find('.').is_none_or(|at| at == 0) {
        return Err(wrong());
    }
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return Err(Fail::code("ERROR_UNSUPPORTED_PROTOCOL"));
    }
    Ok(())
}

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
