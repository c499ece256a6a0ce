//! Method behaviours: what a call does to the portal's state once its request is valid.
//!
//! A behaviour answers a `result` value or a [`Fail`] naming an error code; the server turns the
//! code into status and description from the method's spec, so no error text lives here.

mod crm;
mod imbot;
mod imconnector;
mod messageservice;
mod system;

use bitrix_spec::{AuthContext, Spec, Trigger, Violation};
use serde_json::{Map, Value};

use crate::auth::Caller;
use crate::params;
use crate::server::Portal;
use crate::state::State;

/// Why a call failed, in the terms of the method's spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fail {
    /// The documented error with this code; `text` picks one description when the spec lists
    /// several for the code, otherwise the entry without a request-validation trigger wins.
    Code {
        code: &'static str,
        text: Option<&'static str>,
    },
    /// The documented error of `code` whose description is `text`, a template naming its
    /// subject in quotes (`field 'field'`): each `'placeholder'` of `args` is replaced by the
    /// actual value, as the portal names the offending field.
    Worded {
        code: &'static str,
        text: &'static str,
        args: Vec<(&'static str, String)>,
    },
    /// The same answer as a call from an auth context the spec does not list.
    WrongContext,
    /// The request fails its spec: answered as the spec words that failure.
    Rejected(Violation),
}

impl Fail {
    pub(crate) fn code(code: &'static str) -> Self {
        Fail::Code { code, text: None }
    }
}

/// `total` and `next` of a classic list method, which the portal puts beside `result` (and a
/// batch into `result_total` and `result_next`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Page {
    pub total: Option<u64>,
    pub next: Option<u64>,
}

pub(crate) type Outcome = Result<Value, Fail>;

/// One call as a behaviour sees it.
pub(crate) struct Call<'a> {
    pub caller: &'a Caller,
    pub params: &'a Map<String, Value>,
    /// What the parsed parameters do not keep of the request (the order of `order`'s keys).
    pub written: &'a params::Written,
    pub state: &'a mut State,
    /// The portal itself, for what it knows beyond the state: its specs and applications.
    pub portal: &'a Portal,
    /// Set by list behaviours; the envelope carries it.
    pub page: Page,
}

impl Call<'_> {
    /// The calling application; methods for applications only are refused to webhooks before
    /// they get here, but a spec listing both contexts must not make this panic.
    fn app(&self) -> Result<&'static str, Fail> {
        self.caller.app.ok_or(Fail::WrongContext)
    }

    fn require_admin(&self) -> Result<(), Fail> {
        if self.caller.is_admin() {
            Ok(())
        } else {
            Err(Fail::code("ACCESS_DENIED"))
        }
    }

    fn text(&self, key: &str) -> Option<String> {
        params::text(self.params.get(key)).filter(|s| !s.is_empty())
    }

    fn int(&self, key: &str) -> Option<i64> {
        params::int(self.params.get(key))
    }
}

pub(crate) type Behaviour = fn(&mut Call<'_>) -> Outcome;

/// A method's own check of its request, for methods whose portal code checks parameters in
/// another order than their page lists them, or checks more than a spec can say.
pub(crate) type Checks = fn(&Spec, &Map<String, Value>, AuthContext) -> Result<(), Fail>;

/// The checks of a method that does not leave them to its spec alone.
pub(crate) fn checks(method: &str) -> Option<Checks> {
    Some(match method {
        "messageservice.sender.add" => messageservice::sender_add_checks,
        "messageservice.sender.update" => messageservice::sender_update_checks,
        _ => return None,
    })
}

/// The spec's answer to a request with none of its parameters, if it documents one.
fn no_params(spec: &Spec, params: &Map<String, Value>) -> Result<(), Fail> {
    let given = |k: &String| params.get(k).is_some_and(|v| !bitrix_spec::is_empty(v));
    let documented = spec.error_for(&Trigger::NoParams(true)).is_some();
    if documented && !spec.params.is_empty() && !spec.params.keys().any(given) {
        return Err(Fail::Rejected(Violation::NoParams));
    }
    Ok(())
}

/// The spec's checks of the parameters `names`, in that order.
fn check_params(
    spec: &Spec,
    params: &Map<String, Value>,
    context: AuthContext,
    names: &[&str],
) -> Result<(), Fail> {
    for &name in names {
        let Some(schema) = spec.params.get(name) else {
            continue;
        };
        bitrix_spec::check_param(name, schema, params.get(name), context)
            .map_err(Fail::Rejected)?;
    }
    Ok(())
}

/// The behaviour of a method, by lowercased name; methods without one answer their spec's
/// first success example.
pub(crate) fn find(method: &str) -> Option<Behaviour> {
    Some(match method {
        "messageservice.sender.add" => messageservice::sender_add,
        "messageservice.sender.update" => messageservice::sender_update,
        "messageservice.sender.delete" => messageservice::sender_delete,
        "messageservice.sender.list" => messageservice::sender_list,
        "messageservice.message.status.update" => messageservice::status_update,
        "imconnector.register" => imconnector::register,
        "imconnector.activate" => imconnector::activate,
        "imconnector.send.messages" => imconnector::send_messages,
        "imconnector.update.messages" => imconnector::update_messages,
        "imconnector.delete.messages" => imconnector::delete_messages,
        "imbot.v2.chat.message.send" => imbot::send,
        "imbot.v2.chat.message.update" => imbot::update,
        "imbot.v2.chat.message.delete" => imbot::delete,
        "imbot.v2.bot.list" => imbot::bot_list,
        "crm.item.list" => crm::item_list,
        "profile" => system::profile,
        "user.current" => system::user_current,
        "server.time" => system::server_time,
        "scope" => system::scope,
        "methods" => system::methods,
        "method.get" => system::method_get,
        "app.info" => system::app_info,
        _ => return None,
    })
}
