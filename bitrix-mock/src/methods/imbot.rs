//! `imbot.v2.Chat.Message.*`: messages on behalf of a bot.

use serde_json::{Map, Value, json};

use super::{Call, Fail, Outcome};
use crate::params;
use crate::state::State;

/// Longer texts are cut to this many characters and marked, as the send page describes.
const MAX_TEXT: usize = 20_000;

/// The bot the call acts as: it must exist and belong to the calling application, or, under a
/// webhook (which has no application), the call must carry the bot's own token.
fn bot(call: &Call<'_>) -> Result<i64, Fail> {
    let id = call.int("botId").ok_or(Fail::code("BOT_ID_REQUIRED"))?;
    let bot = call
        .state
        .bots
        .get(&id)
        .ok_or(Fail::code("BOT_NOT_FOUND"))?;
    let owned = match call.caller.app {
        Some(app) => bot.app == app,
        // The portal derives a webhook bot's owner from its token, so a wrong token names
        // another owner.
        None => {
            call.text("botToken")
                .ok_or(Fail::code("BOT_TOKEN_NOT_SPECIFIED"))?
                == bot.token
        }
    };
    if owned {
        Ok(id)
    } else {
        Err(Fail::code("BOT_OWNERSHIP_ERROR"))
    }
}

fn fields<'a>(call: &Call<'a>) -> Option<&'a Map<String, Value>> {
    call.params.get("fields").and_then(Value::as_object)
}

fn truncate(text: String) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        Some((cut, _)) => format!("{} (...)", &text[..cut]),
        None => text,
    }
}

/// The chat behind `dialogId` (`chat{id}` or a user id), if the bot may write there.
fn dialog_chat(state: &mut State, bot: i64, dialog: &str) -> Option<i64> {
    match dialog.strip_prefix("chat") {
        Some(id) => {
            let id = id.parse().ok()?;
            let chat = state.chats.get(&id)?;
            chat.members.contains(&bot).then_some(id)
        }
        None => {
            let user = dialog.parse().ok()?;
            (user != bot && state.user_exists(user)).then(|| state.private_chat(bot, user))
        }
    }
}

pub(crate) fn send(call: &mut Call<'_>) -> Outcome {
    let bot = bot(call)?;
    let dialog = call.text("dialogId").unwrap_or_default();
    let fields = fields(call);
    let field = |key| fields.and_then(|f| f.get(key));
    let text = params::text(field("message")).unwrap_or_default();
    let attach = field("attach").is_some_and(|a| !bitrix_spec::is_empty(a));
    let forwards = field("forwardIds").and_then(Value::as_object);
    if text.trim().is_empty() && !attach && forwards.is_none_or(Map::is_empty) {
        return Err(Fail::code("EMPTY_MESSAGE"));
    }
    // System messages have no author (`authorId = 0`), so the bot does not own them.
    let author = if params::flag(field("system")) {
        0
    } else {
        bot
    };
    let state = &mut *call.state;
    let chat = dialog_chat(state, bot, &dialog).ok_or(Fail::code("ACCESS_DENIED"))?;

    let mut id =
        (!text.trim().is_empty() || attach).then(|| state.post(chat, author, truncate(text)));
    let mut uuid_map = Map::new();
    for (uuid, original) in forwards.into_iter().flatten() {
        let Some(original) = params::int(Some(original)).and_then(|o| state.messages.get(&o))
        else {
            continue;
        };
        // Only messages from chats the bot takes part in can be forwarded.
        let readable = state
            .chats
            .get(&original.chat)
            .is_some_and(|c| c.members.contains(&bot));
        if readable {
            let copy = state.post(chat, author, original.text.clone());
            uuid_map.insert(uuid.clone(), json!(copy));
            id.get_or_insert(copy);
        }
    }
    let id = id.ok_or(Fail::code("SENDING_FAILED"))?;
    Ok(json!({"id": id, "uuidMap": uuid_map}))
}

pub(crate) fn update(call: &mut Call<'_>) -> Outcome {
    let bot = bot(call)?;
    let id = call.int("messageId").unwrap_or_default();
    let text = params::text(fields(call).and_then(|f| f.get("message")));
    let message = call
        .state
        .messages
        .get_mut(&id)
        .filter(|m| m.author == bot)
        .ok_or(Fail::code("ACCESS_DENIED"))?;
    if let Some(text) = text {
        message.text = truncate(text);
    }
    Ok(json!({"result": true}))
}

pub(crate) fn delete(call: &mut Call<'_>) -> Outcome {
    let bot = bot(call)?;
    let id = call.int("messageId").unwrap_or_default();
    let state = &mut *call.state;
    let message = state.messages.get(&id).ok_or(Fail::code("ACCESS_DENIED"))?;
    let chat_admin = state
        .chats
        .get(&message.chat)
        .is_some_and(|c| c.admins.contains(&bot));
    if message.author != bot && !chat_admin {
        return Err(Fail::code("ACCESS_DENIED"));
    }
    // Soft and complete deletion look the same from outside: the message is gone.
    state.messages.remove(&id);
    Ok(json!({"result": true}))
}

/// Bots per page when `limit` is absent; also the most the mock answers in one page, as the
/// portal's other list methods do (the page names a default but no maximum).
const BOT_PAGE: i64 = 50;

/// `imbot.v2.Bot.list`: the calling application's bots, or under a webhook the bots of the
/// given `botToken` (the token is the webhook bot's owner), by id, `limit` per page from
/// `offset`.
pub(crate) fn bot_list(call: &mut Call<'_>) -> Outcome {
    let token = match call.caller.app {
        Some(_) => None,
        None => Some(
            call.text("botToken")
                .ok_or(Fail::code("BOT_TOKEN_NOT_SPECIFIED"))?,
        ),
    };
    let state = &*call.state;
    let mut ids: Vec<i64> = state
        .bots
        .iter()
        .filter(|(_, b)| match (&token, call.caller.app) {
            (Some(token), _) => b.token == *token,
            (None, Some(app)) => b.app == app,
            (None, None) => false,
        })
        .map(|(&id, _)| id)
        .collect();
    ids.sort_unstable();
    // Every bot of the mock is of type `bot`; an unknown type lists nothing, as on the portal.
    let filter = call.params.get("filter");
    let kind = params::text(filter.and_then(|f| f.get("type")));
    if kind.is_some_and(|k| !k.is_empty() && k != "bot") {
        ids.clear();
    }
    let limit = call
        .int("limit")
        .filter(|&l| l > 0)
        .unwrap_or(BOT_PAGE)
        .min(BOT_PAGE);
    let offset = call.int("offset").unwrap_or(0).max(0);
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(0);
    let page: Vec<i64> = ids.iter().copied().skip(skip).take(take).collect();
    let has_next = skip.saturating_add(page.len()) < ids.len();
    let bots: Vec<Value> = page
        .iter()
        .map(|&id| {
            let messages = state.messages.values().filter(|m| m.author == id).count();
            let chats = state
                .chats
                .values()
                .filter(|c| c.members.contains(&id))
                .count();
            json!({
                "id": id,
                "code": format!("bot{id}"),
                "type": "bot",
                "isHidden": false,
                "isSupportOpenline": false,
                "isReactionsEnabled": true,
                "backgroundId": null,
                "language": "en",
                "moduleId": "rest",
                "eventMode": "fetch",
                "countMessage": messages,
                "countCommand": 0,
                "countChat": chats,
                "countUser": 0,
            })
        })
        .collect();
    let users: Vec<Value> = page
        .iter()
        .map(|&id| json!({"id": id, "active": true, "name": format!("Bot {id}"), "bot": true, "type": "bot"}))
        .collect();
    Ok(json!({"bots": bots, "users": users, "hasNextPage": has_next}))
}
