//! Value types shared by the generated methods.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A credential (webhook code, access token, bot token): sent as is, never printed.
///
/// A request's own secrets (parameters a spec marks `secret: true`, such as `botToken`) are
/// typed `Secret` too: the client notes them while it serializes the request and removes them
/// from any text the server echoes back into an error.
///
/// ```
/// use bitrix_api::Secret;
///
/// let token = Secret::new("s3cr3t");
/// assert_eq!(format!("{token:?}"), "Secret(***)");
/// assert_eq!(token.expose(), "s3cr3t");
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

thread_local! {
    /// The secrets serialized on this thread since [`collect_secrets`] began, if it did.
    static SERIALIZED: std::cell::RefCell<Option<Vec<Secret>>> =
        const { std::cell::RefCell::new(None) };
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SERIALIZED.with(|seen| {
            if let Some(seen) = seen.borrow_mut().as_mut() {
                if !self.0.is_empty() && !seen.contains(self) {
                    seen.push(self.clone());
                }
            }
        });
        serializer.serialize_str(&self.0)
    }
}

/// Runs `serialize` (which serializes a request) and answers its outcome with every
/// [`Secret`] it serialized, for the client to redact from what the server says.
pub(crate) fn collect_secrets<T>(serialize: impl FnOnce() -> T) -> (T, Vec<Secret>) {
    let outer = SERIALIZED.with(|seen| seen.replace(Some(Vec::new())));
    let out = serialize();
    let mut seen = SERIALIZED
        .with(|seen| seen.replace(outer))
        .unwrap_or_default();
    // A collection around this one sees these secrets too.
    SERIALIZED.with(|outer| {
        if let Some(outer) = outer.borrow_mut().as_mut() {
            outer.extend(seen.iter().cloned());
        }
    });
    seen.shrink_to_fit();
    (out, seen)
}

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself, for sending it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl<T: Into<String>> From<T> for Secret {
    fn from(value: T) -> Self {
        Secret(value.into())
    }
}

/// A text given once for all languages, or per language code (`{"en": .., "de": ..}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LocalizedText {
    /// One text for every language.
    Text(String),
    /// Texts by language code.
    Localized(BTreeMap<String, String>),
}

impl LocalizedText {
    /// Every text it holds, for validation.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let (one, many) = match self {
            LocalizedText::Text(t) => (Some(t.as_str()), None),
            LocalizedText::Localized(m) => (None, Some(m.values().map(String::as_str))),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

impl From<&str> for LocalizedText {
    fn from(value: &str) -> Self {
        LocalizedText::Text(value.to_owned())
    }
}

impl From<String> for LocalizedText {
    fn from(value: String) -> Self {
        LocalizedText::Text(value)
    }
}

impl<K: Into<String>, V: Into<String>, const N: usize> From<[(K, V); N]> for LocalizedText {
    fn from(pairs: [(K, V); N]) -> Self {
        // Inserted one by one: collecting would sort through a temporary `Vec`, one allocation
        // more for the two or three languages a caller writes out.
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            map.insert(k.into(), v.into());
        }
        LocalizedText::Localized(map)
    }
}

impl From<BTreeMap<String, String>> for LocalizedText {
    fn from(map: BTreeMap<String, String>) -> Self {
        LocalizedText::Localized(map)
    }
}

/// The `time` block of a successful answer: how long the call took and how much of the
/// method's execution-time budget is used.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Time {
    /// Unix time the portal started the call.
    #[serde(default, deserialize_with = "crate::de::figure")]
    pub start: Option<f64>,
    /// Unix time the portal finished the call.
    #[serde(default, deserialize_with = "crate::de::figure")]
    pub finish: Option<f64>,
    /// Seconds the call took.
    #[serde(default, deserialize_with = "crate::de::figure")]
    pub duration: Option<f64>,
    /// Seconds of processing.
    #[serde(default, deserialize_with = "crate::de::figure")]
    pub processing: Option<f64>,
    /// Start as RFC 3339 text.
    #[serde(default)]
    pub date_start: Option<String>,
    /// Finish as RFC 3339 text.
    #[serde(default)]
    pub date_finish: Option<String>,
    /// Seconds of execution time this method used in the current window (limit: 480 per 10 min).
    #[serde(default, deserialize_with = "crate::de::figure")]
    pub operating: Option<f64>,
    /// Unix time at which the method's execution-time window resets.
    #[serde(default, deserialize_with = "crate::de::figure")]
    pub operating_reset_at: Option<f64>,
}

/// A successful answer: the typed `result` and the `time` block.
///
/// ```no_run
/// # async fn demo(client: bitrix_api::Client) -> Result<(), bitrix_api::Error> {
/// use bitrix_api::crm::CrmItemList;
///
/// let page = client.call_with_time(CrmItemList::new(2)).await?;
/// let used = page.time.and_then(|t| t.operating).unwrap_or_default();
/// println!("{} of {:?} deals; {used} s of the method's budget used", page.result.items.len(), page.total);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Reply<T> {
    /// The method's result.
    pub result: T,
    /// The `time` block, when the portal sent one.
    pub time: Option<Time>,
    /// `next` beside the result of a classic list: the `start` of the next page.
    pub next: Option<i64>,
    /// `total` beside the result of a classic list: how many items match.
    pub total: Option<i64>,
}

/// How the client authenticates, as far as a method's spec cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthContext {
    /// OAuth 2 application (access token).
    Application,
    /// Incoming webhook.
    Webhook,
}
