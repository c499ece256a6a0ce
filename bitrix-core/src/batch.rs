//! `batch`: many typed calls in one HTTP request, 50 at a time, each with its own typed outcome.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::client::{Client, Failure};
use crate::error::{
    ApiError, DecodeError, Error, TransportError, TransportKind, Untyped, ValidationError,
};
use crate::limits::RetryPolicy;
use crate::method::{Method, Validator};
use crate::raw::RawRequest;
use crate::types::{Secret, collect_secrets};

/// The most commands the portal runs in one `batch` call.
pub const MAX_COMMANDS: usize = 50;

/// A method that may run inside `batch` (its spec does not say `batch: false`). Implemented by
/// `bitrix_method!`, so putting any other method in a [`Batch`] does not compile.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot run inside `batch`",
    label = "its spec says `batch: false`",
    note = "call it on its own with `Client::call`"
)]
pub trait Batchable: Method {}

/// `batch` has no documented codes of its own: its failures are system errors, and
/// [`Batch::send`] returns the untyped [`Error`].
pub type BatchCode = Untyped;

/// Commands to send together. Build it with [`Client::batch`], add typed requests (and raw ones,
/// [`Batch::add_raw`], for methods without a spec), send.
///
/// ```no_run
/// # async fn demo(client: bitrix_api::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use bitrix_api::imbot::ImbotV2ChatMessageDelete;
///
/// let mut batch = client.batch();
/// let slots: Vec<_> = (1..=120).map(|id| batch.add(ImbotV2ChatMessageDelete::new(7, id))).collect::<Result<_, _>>()?;
/// let replies = batch.send().await?; // three `batch` calls: 50 + 50 + 20
/// for slot in &slots {
///     match replies.get(slot) {
///         Some(Ok(done)) => println!("deleted: {}", done.result),
///         Some(Err(e)) => println!("failed: {e}"),
///         None => println!("not run: an earlier command failed and `halt` was set"),
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Batch<'c> {
    client: &'c Client,
    commands: Vec<Command>,
    halt: bool,
    policy: Option<RetryPolicy>,
    assume_idempotent: bool,
}

#[derive(Debug)]
struct Command {
    method: &'static str,
    /// `method?params` in PHP query form.
    query: String,
    /// `None`: a raw command of a method the client knows nothing about.
    idempotent: Option<bool>,
    /// The request's own secrets (a `botToken`), redacted from what the portal echoes.
    secrets: Vec<Secret>,
}

/// Where a command's outcome will be, typed by its method.
pub struct Slot<M> {
    index: usize,
    _method: PhantomData<fn() -> M>,
}

impl<M> fmt::Debug for Slot<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Slot({})", self.index)
    }
}

impl<M> Clone for Slot<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for Slot<M> {}

impl<M> Slot<M> {
    /// The command's position in its batch.
    pub(crate) fn index(&self) -> usize {
        self.index
    }
}

impl Client {
    /// Starts a batch of commands sent with this client.
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            client: self,
            commands: Vec::new(),
            halt: false,
            policy: None,
            assume_idempotent: false,
        }
    }
}

impl<'c> Batch<'c> {
    /// Adds a command; it is validated now, as a direct call would be.
    pub fn add<M: Batchable>(&mut self, request: M) -> Result<Slot<M>, ValidationError> {
        let mut v = Validator::new(self.client.auth_context());
        request.validate(&mut v);
        let problems = v.finish();
        if !problems.is_empty() {
            return Err(ValidationError {
                method: M::NAME,
                problems,
            });
        }
        let (params, secrets) = collect_secrets(|| serde_json::to_value(&request));
        let params = match params {
            Ok(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        Ok(self.push(M::NAME, &params, Some(M::IDEMPOTENT), secrets))
    }

    /// Adds a command of any method by its REST name, beside typed ones; its outcome is read
    /// with [`BatchReplies::get_raw`]. The name is checked for shape and `params` must be a JSON
    /// object; nothing else is checked.
    ///
    /// The batch is sent again after an ambiguous failure only when every command is known to
    /// be idempotent: a raw command is when its method has a spec that says so, or when
    /// [`Batch::assume_idempotent`] is set.
    ///
    /// ```no_run
    /// # async fn demo(client: bitrix_api::Client) -> Result<(), bitrix_api::Error> {
    /// use bitrix_api::messageservice::MessageserviceSenderList;
    /// use serde_json::json;
    ///
    /// let mut batch = client.batch();
    /// let senders = batch.add(MessageserviceSenderList::new())?;
    /// let user = batch.add_raw("user.current", json!({}))?;
    /// let replies = batch.send().await?;
    /// println!("{:?} {:?}", replies.get(&senders), replies.get_raw(&user));
    /// # Ok(()) }
    /// ```
    pub fn add_raw(
        &mut self,
        method: &str,
        params: impl serde::Serialize,
    ) -> Result<Slot<Untyped>, ValidationError> {
        let raw = RawRequest::new(self.client, method, params)?;
        Ok(self.push(raw.method, &raw.params, raw.idempotent, Vec::new()))
    }

    /// Treats the raw commands of methods without a spec as idempotent (safe to run twice), so
    /// that the batch is sent again after an ambiguous failure, as a batch of reads should be.
    pub fn assume_idempotent(mut self, idempotent: bool) -> Self {
        self.assume_idempotent = idempotent;
        self
    }

    fn push<M>(
        &mut self,
        method: &'static str,
        params: &serde_json::Map<String, serde_json::Value>,
        idempotent: Option<bool>,
        secrets: Vec<Secret>,
    ) -> Slot<M> {
        let encoded = crate::form::encode(params);
        let query = if encoded.is_empty() {
            method.to_owned()
        } else {
            format!("{method}?{encoded}")
        };
        self.commands.push(Command {
            method,
            query,
            idempotent,
            secrets,
        });
        Slot {
            index: self.commands.len() - 1,
            _method: PhantomData,
        }
    }

    /// Stops at the first failing command (`halt=1`); the ones after it are not run.
    pub fn halt(mut self, halt: bool) -> Self {
        self.halt = halt;
        self
    }

    /// A retry policy for the `batch` calls (the client's own otherwise).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Commands added so far.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// Sends the commands, [`MAX_COMMANDS`] per `batch` call. A failure of a whole `batch` call
    /// (transport, auth, rate limit after retries) is returned as is; with `halt`, the chunks
    /// after a failed command are not sent.
    pub async fn send(self) -> Result<BatchReplies, Error> {
        let policy = self.policy.unwrap_or_else(|| self.client.retry_policy());
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(self.commands.len());
        let mut calls = 0;
        let secrets: Vec<Secret> = self
            .commands
            .iter()
            .flat_map(|c| c.secrets.iter().cloned())
            .collect();
        for chunk in self.commands.chunks(MAX_COMMANDS) {
            if self.halt && outcomes.iter().any(|o| matches!(o, Outcome::Failed(_))) {
                outcomes.extend(chunk.iter().map(|_| Outcome::NotRun));
                continue;
            }
            let cmd: serde_json::Map<String, serde_json::Value> = chunk
                .iter()
                .enumerate()
                .map(|(i, c)| (key(i), serde_json::Value::String(c.query.clone())))
                .collect();
            let body = serde_json::json!({ "halt": u8::from(self.halt), "cmd": cmd });
            let params = serde_json::to_vec(&body).map_err(|e| config_error(e.to_string()))?;
            // A retried `batch` runs every command again: only safe when all of them are.
            let idempotent = chunk
                .iter()
                .all(|c| c.idempotent.unwrap_or(self.assume_idempotent));
            let raw = self
                .client
                .run("batch", idempotent, &params, policy, &secrets)
                .await
                .map_err(Failure::into_untyped)?;
            calls += 1;
            let parsed: BatchResult = serde_json::from_str(raw.result.get()).map_err(|e| {
                Error::<Untyped>::Decode(DecodeError {
                    method: "batch",
                    status: 200,
                    message: "not a batch result".into(),
                    body_start: self.client.excerpt(raw.result.get(), &secrets),
                    cause: Some(self.client.cause(e, &secrets)),
                })
            })?;
            outcomes.extend(chunk.iter().enumerate().map(|(i, c)| {
                match parsed.outcome(i, chunk.len(), c.method) {
                    Outcome::Failed(mut api) => {
                        api.description = self.client.redact_with(api.description, &secrets);
                        Outcome::Failed(api)
                    }
                    other => other,
                }
            }));
        }
        Ok(BatchReplies {
            outcomes,
            calls,
            methods: self.commands.iter().map(|c| c.method).collect(),
            client: self.client.clone(),
            secrets,
        })
    }
}

fn config_error(message: String) -> Error {
    Error::Transport(TransportError {
        method: "batch",
        kind: TransportKind::Config,
        message,
        cause: None,
    })
}

/// Command keys are not numbers, so that the portal answers with objects, not lists; and they
/// are zero-padded, so that their text order (the order a JSON object is sent in) is their
/// numeric order, the order the portal runs them in.
fn key(i: usize) -> String {
    format!("c{i:02}")
}

#[derive(Debug)]
enum Outcome {
    Done(Box<RawValue>, Option<i64>, Option<i64>),
    Failed(ApiError),
    NotRun,
}

/// The outcome of every command of a sent [`Batch`]. Its `Debug` counts the outcomes without
/// showing them: the results are read through [`BatchReplies::get`].
pub struct BatchReplies {
    outcomes: Vec<Outcome>,
    calls: usize,
    /// The method of each command.
    methods: Vec<&'static str>,
    /// For its credentials: what the server echoes is redacted before an error shows it.
    client: Client,
    /// The commands' own secrets, redacted as well.
    secrets: Vec<Secret>,
}

impl fmt::Debug for BatchReplies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let done = self
            .outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Done(..)))
            .count();
        f.debug_struct("BatchReplies")
            .field("commands", &self.outcomes.len())
            .field("done", &done)
            .field("failed", &self.failures())
            .field("calls", &self.calls)
            .finish_non_exhaustive()
    }
}

impl BatchReplies {
    /// The typed outcome of one command, or `None` if it was not run (`halt` after a failure).
    pub fn get<M: Method>(&self, slot: &Slot<M>) -> Option<Result<M::Output, Error<M::Error>>> {
        match self.outcomes.get(slot.index)? {
            Outcome::NotRun => None,
            Outcome::Failed(api) => Some(Err(Error::from_api(api.clone()))),
            Outcome::Done(raw, ..) => Some(self.client.output::<M>(raw.get(), &self.secrets)),
        }
    }

    /// The outcome of a raw command ([`Batch::add_raw`]): its `result` as JSON, or `None` if it
    /// was not run.
    pub fn get_raw(&self, slot: &Slot<Untyped>) -> Option<Result<serde_json::Value, Error>> {
        self.raw(slot.index).map(|outcome| {
            let raw = outcome.map_err(Error::untyped_api)?;
            let method = self.method(slot.index);
            serde_json::from_str(raw.get()).map_err(|e| {
                Error::Decode(self.client.mismatch(method, raw.get(), e, &self.secrets))
            })
        })
    }

    /// The commands' own secrets, for redacting what a list stream reports.
    pub(crate) fn secrets(&self) -> &[Secret] {
        &self.secrets
    }

    /// The unparsed outcome of command `index`, for the list streams.
    pub(crate) fn raw(&self, index: usize) -> Option<Result<&RawValue, ApiError>> {
        match self.outcomes.get(index)? {
            Outcome::NotRun => None,
            Outcome::Failed(api) => Some(Err(api.clone())),
            Outcome::Done(raw, ..) => Some(Ok(&**raw)),
        }
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    fn method(&self, index: usize) -> &'static str {
        self.methods.get(index).copied().unwrap_or("batch")
    }

    /// `result_total` of a list command: how many records match.
    pub fn total<M>(&self, slot: &Slot<M>) -> Option<i64> {
        match self.outcomes.get(slot.index)? {
            Outcome::Done(_, total, _) => *total,
            _ => None,
        }
    }

    /// `result_next` of a list command: the `start` of the next page.
    pub fn next<M>(&self, slot: &Slot<M>) -> Option<i64> {
        match self.outcomes.get(slot.index)? {
            Outcome::Done(_, _, next) => *next,
            _ => None,
        }
    }

    /// How many `batch` HTTP calls were made.
    pub fn calls(&self) -> usize {
        self.calls
    }

    /// How many commands failed.
    pub fn failures(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Failed(_)))
            .count()
    }
}

/// The `result` of a `batch` call, each part keyed by command.
#[derive(Deserialize)]
struct BatchResult {
    #[serde(default)]
    result: Keyed,
    #[serde(default)]
    result_error: Keyed,
    #[serde(default)]
    result_total: Keyed,
    #[serde(default)]
    result_next: Keyed,
}

impl BatchResult {
    /// The error of command `i` of `n`, if it failed.
    fn error(&self, i: usize, n: usize) -> Option<&RawValue> {
        let errors = &self.result_error.0;
        let listed = !errors.is_empty() && errors.iter().all(|(k, _)| k.is_none());
        if !(listed && errors.len() < n) {
            // A full-length list has `null` for the commands that did not fail.
            return self
                .result_error
                .get(&key(i), i)
                .filter(|r| r.get() != "null");
        }
        // A list shorter than the batch holds only the failed commands, in order: the k-th
        // error is the k-th command that has no result, not command k.
        let failed = |j: usize| {
            self.result
                .get(&key(j), j)
                .is_none_or(|r| r.get() == "null")
        };
        if !failed(i) {
            return None;
        }
        let rank = (0..i).filter(|&j| failed(j)).count();
        errors.get(rank).map(|(_, v)| &**v)
    }

    fn outcome(&self, i: usize, n: usize, method: &'static str) -> Outcome {
        let k = key(i);
        if let Some(raw) = self.error(i, n) {
            #[derive(Deserialize)]
            struct SubError {
                #[serde(default, deserialize_with = "crate::de::lenient")]
                error: Option<String>,
                #[serde(default, deserialize_with = "crate::de::lenient")]
                error_description: Option<String>,
            }
            let e: SubError = serde_json::from_str(raw.get()).unwrap_or(SubError {
                error: None,
                error_description: Some(raw.get().to_owned()),
            });
            return Outcome::Failed(ApiError {
                method,
                code: e.error.unwrap_or_default(),
                description: e.error_description.unwrap_or_default(),
                status: 200,
            });
        }
        let number = |keyed: &Keyed| {
            keyed
                .get(&k, i)
                .and_then(|r| crate::de::decode_lenient::<i64>(r.get()).ok())
        };
        match self.result.get(&k, i) {
            Some(raw) => Outcome::Done(
                raw.to_owned(),
                number(&self.result_total),
                number(&self.result_next),
            ),
            None => Outcome::NotRun,
        }
    }
}

/// The batch reply decoder alone, for fuzzing: the outcome of each of `commands` commands read
/// from a `batch` call's `result` (`"done"`, `"not run"` or the error code), or why it is not a
/// batch result.
#[doc(hidden)]
pub fn decode_reply(result: &str, commands: usize) -> Result<Vec<String>, String> {
    let parsed: BatchResult = serde_json::from_str(result).map_err(|e| e.to_string())?;
    Ok((0..commands)
        .map(|i| match parsed.outcome(i, commands, "m") {
            Outcome::Failed(e) => e.code,
            Outcome::Done(..) => "done".into(),
            Outcome::NotRun => "not run".into(),
        })
        .collect())
}

/// A part of the batch result: an object keyed by command, a list in command order (when the
/// commands were sent as a list), or `[]` when empty.
#[derive(Default)]
struct Keyed(Vec<(Option<String>, Box<RawValue>)>);

impl Keyed {
    fn get(&self, key: &str, index: usize) -> Option<&RawValue> {
        let by_key = self.0.iter().find(|(k, _)| k.as_deref() == Some(key));
        let found = by_key.or_else(|| self.0.iter().filter(|(k, _)| k.is_none()).nth(index));
        found.map(|(_, v)| &**v)
    }
}

impl<'de> Deserialize<'de> for Keyed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keyed;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object or a list")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keyed, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push((Some(k), v));
                }
                Ok(Keyed(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Keyed, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<Box<RawValue>>()? {
                    out.push((None, v));
                }
                Ok(Keyed(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Keyed, E> {
                Ok(Keyed::default())
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(json: &str, n: usize) -> Vec<String> {
        let parsed: BatchResult = serde_json::from_str(json).expect("a batch result");
        (0..n)
            .map(|i| match parsed.outcome(i, n, "m") {
                Outcome::Failed(e) => e.code,
                Outcome::Done(..) => "done".into(),
                Outcome::NotRun => "not run".into(),
            })
            .collect()
    }

    #[test]
    fn a_list_of_only_the_failed_commands_is_matched_to_them() {
        let json = r#"{"result": {"c00": true, "c02": true},
                       "result_error": [{"error": "E1", "error_description": "one"},
                                        {"error": "E3", "error_description": "three"}]}"#;
        assert_eq!(codes(json, 4), ["done", "E1", "done", "E3"]);
        // Keyed errors and full-length lists keep matching by key and by position.
        let keyed = r#"{"result": {"c00": true}, "result_error": {"c01": {"error": "E1"}}}"#;
        assert_eq!(codes(keyed, 2), ["done", "E1"]);
        let full = r#"{"result": [true, null], "result_error": [null, {"error": "E1"}]}"#;
        assert_eq!(codes(full, 2), ["done", "E1"]);
    }
}
