//! List methods as streams of typed items, in both pagination styles of the portal, plus the
//! fast mode for large classic lists and page fetching through `batch`.

use std::collections::VecDeque;

use std::future::Future;

use futures_util::Stream;
use futures_util::stream;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::batch::{Batch, BatchReplies, Batchable};
use crate::client::Client;
use crate::error::{DecodeError, Error, Untyped, ValidationError};
use crate::method::Method;
use crate::raw::RawRequest;

/// Classic pages hold 50 items; the portal ignores other sizes.
pub(crate) const CLASSIC_PAGE: i64 = 50;

/// How a list method pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyle {
    /// `start` in the request; `next` and `total` beside `result`.
    Classic,
    /// `limit` and `offset` in the request; `hasNextPage` in the result, or a short page at
    /// the end.
    Offset,
}

/// A list method. Implemented by `bitrix_method!` for specs with `pagination`.
pub trait Paged: Method + Clone + 'static {
    /// One listed item.
    type Item: 'static;
    /// The method's pagination style.
    const STYLE: PageStyle;
    /// Whether the spec names the items' `id`, which the fast mode needs.
    const FAST: bool = false;
    /// The items of a page, and `hasNextPage` where the style has it.
    fn split(output: Self::Output) -> (Vec<Self::Item>, Option<bool>);
    /// Where the position goes: `start` (classic) or `offset`, or a member of an object
    /// parameter as a dotted path (`params.offset`).
    const POSITION: &'static str;
    /// Where an offset list's page size goes (`limit`, or a dotted path).
    const LIMIT: &'static str = "limit";
    /// Whether an offset list's result says `hasNextPage`; without it, a page shorter than the
    /// page size is the last one.
    const HAS_NEXT: bool = true;
    /// The page size an offset list without `hasNextPage` asks for when the request sets none
    /// (50, or less where the spec's `maximum` says so).
    const DEFAULT_LIMIT: i64 = 50;
    /// For the fast mode: the `filter` and `order` parameters (or dotted paths) and the items'
    /// id key.
    const FAST_KEYS: (&'static str, &'static str, &'static str) = ("", "", "");
    /// The numeric id of an item, for the fast mode (`None` when the spec names no `id`).
    fn item_id(_item: &Self::Item) -> Option<i64> {
        None
    }

    /// Points the request at a position; an offset list that ends on a short page also gets a
    /// page size, so that a short page means the end.
    fn at(&mut self, position: i64) {
        self.params_mut().set_path(Self::POSITION, position);
        if Self::STYLE == PageStyle::Offset
            && !Self::HAS_NEXT
            && self.params().get_i64(Self::LIMIT).is_none()
        {
            self.params_mut().set_path(Self::LIMIT, Self::DEFAULT_LIMIT);
        }
    }

    /// Items per page: 50 for classic lists, `limit` (or its default) for offset lists.
    fn page_size(&self) -> i64 {
        match Self::STYLE {
            PageStyle::Classic => CLASSIC_PAGE,
            PageStyle::Offset => self
                .params()
                .get_i64(Self::LIMIT)
                .unwrap_or(Self::DEFAULT_LIMIT),
        }
    }

    /// Prepares a fast-mode page: order by id, only ids above `after`, no counting.
    fn fast(&mut self, after: Option<i64>) {
        if Self::FAST {
            let (filter, order, id) = Self::FAST_KEYS;
            self.params_mut().fast(filter, order, id, after);
        }
    }
}

/// One fetched page: its items, and what the answer says about the rest.
struct Page<T> {
    items: Vec<T>,
    /// `next` beside a classic list's result.
    next: Option<i64>,
    /// `total` beside a classic list's result.
    total: Option<i64>,
    /// `hasNextPage` in an offset list's result.
    has_next: Option<bool>,
}

/// What the list streams page through, written once for typed list methods and for raw ones:
/// how to point a request at a page, fetch it, and fetch many through `batch`.
trait Source: Clone + 'static {
    type Item: 'static;
    type Code: 'static;
    /// The REST method, for errors.
    fn name(&self) -> &'static str;
    /// Whether the fast mode can run: a classic list whose items' id is known.
    fn fast_ready(&self) -> bool;
    /// Points the request at a position (`start`, or `offset`).
    fn at(&mut self, position: i64);
    /// Prepares a fast-mode page: order by id, only ids above `after`, no counting.
    fn fast(&mut self, after: Option<i64>);
    /// The numeric id of an item, for the fast mode.
    fn item_id(&self, item: &Self::Item) -> Option<i64>;
    /// Fetches the page the request points at.
    fn page(
        &self,
        client: &Client,
    ) -> impl Future<Output = Result<Page<Self::Item>, Error<Self::Code>>>;
    /// Where the page after one at `position` that brought `count` items starts, if there is
    /// one; a source that learns its style from the answers records it here.
    fn next_position(
        &mut self,
        position: i64,
        count: i64,
        next: Option<i64>,
        has_next: Option<bool>,
    ) -> Option<i64>;
}

/// The items of one page, or why there are none.
type Items<S> = Result<Vec<<S as Source>::Item>, Error<<S as Source>::Code>>;

/// A [`Source`] whose pages may be fetched through `batch`.
trait BatchSource: Source {
    /// Adds the page the request points at to a batch; the command's index.
    fn add_to(&self, batch: &mut Batch<'_>) -> Result<usize, ValidationError>;
    /// The items of command `index` of a sent batch; `None` when it was not run.
    fn take(&self, replies: &BatchReplies, index: usize) -> Option<Items<Self>>;
    /// An untyped error (of a `batch` call) typed as this source's.
    fn lift(e: Error) -> Error<Self::Code>;
}

/// A typed list method as a [`Source`].
#[derive(Clone)]
struct Typed<M>(M);

impl<M: Paged> Source for Typed<M> {
    type Item = M::Item;
    type Code = M::Error;

    fn name(&self) -> &'static str {
        M::NAME
    }
    fn fast_ready(&self) -> bool {
        M::STYLE == PageStyle::Classic && M::FAST
    }
    fn at(&mut self, position: i64) {
        self.0.at(position);
    }
    fn fast(&mut self, after: Option<i64>) {
        self.0.fast(after);
    }
    fn item_id(&self, item: &M::Item) -> Option<i64> {
        M::item_id(item)
    }
    async fn page(&self, client: &Client) -> Result<Page<M::Item>, Error<M::Error>> {
        let reply = client.call_with_time(self.0.clone()).await?;
        let (items, has_next) = M::split(reply.result);
        Ok(Page {
            items,
            next: reply.next,
            total: reply.total,
            has_next,
        })
    }
    fn next_position(
        &mut self,
        position: i64,
        count: i64,
        next: Option<i64>,
        has_next: Option<bool>,
    ) -> Option<i64> {
        match (M::STYLE, next, has_next) {
            (PageStyle::Classic, Some(n), _) if n > position => Some(n),
            (PageStyle::Offset, _, Some(true)) if count > 0 => Some(position + count),
            (PageStyle::Offset, _, None) if !M::HAS_NEXT && count >= self.0.page_size().max(1) => {
                Some(position + count)
            }
            _ => None,
        }
    }
}

impl<M: Paged + Batchable> BatchSource for Typed<M> {
    fn add_to(&self, batch: &mut Batch<'_>) -> Result<usize, ValidationError> {
        batch.add(self.0.clone()).map(|slot| slot.index())
    }
    fn take(&self, replies: &BatchReplies, index: usize) -> Option<Items<Self>> {
        Some(match replies.raw(index)? {
            Err(api) => Err(Error::from_api(api)),
            Ok(raw) => replies
                .client()
                .output::<M>(raw.get(), replies.secrets())
                .map(|output| M::split(output).0),
        })
    }
    fn lift(e: Error) -> Error<M::Error> {
        e.retype()
    }
}

/// A list method called by name, as a [`Source`]: its items are `result` when that is an array,
/// or the one array in `result` (`items`, `tasks`, `bots`, ...) when it is an object. Its paging
/// style is learned from the answers: `next` beside the result is a classic list (`start`),
/// `hasNextPage` in it an offset list (`offset`).
#[derive(Clone)]
struct Raw {
    request: RawRequest,
    /// The items' id field, for the fast mode.
    id: Option<String>,
    /// The member of `result` that holds the items, when the caller named it.
    items: Option<String>,
    style: Option<PageStyle>,
}

impl Raw {
    fn items(&self, client: &Client, result: Value) -> Result<(Vec<Value>, Option<bool>), Error> {
        match result {
            Value::Array(items) => Ok((items, None)),
            Value::Object(mut map) => {
                let has_next = map.get("hasNextPage").and_then(loose_bool);
                if let Some(key) = &self.items {
                    return match map.remove(key) {
                        Some(Value::Array(items)) => Ok((items, has_next)),
                        None | Some(Value::Null) => Ok((Vec::new(), has_next)),
                        Some(other) => Err(self.shape_error(client, &other)),
                    };
                }
                let arrays: Vec<String> = map
                    .iter()
                    .filter(|(_, v)| v.is_array())
                    .map(|(k, _)| k.clone())
                    .collect();
                match &arrays[..] {
                    [key] => match map.remove(key) {
                        Some(Value::Array(items)) => Ok((items, has_next)),
                        _ => Ok((Vec::new(), has_next)),
                    },
                    // An empty list sent as `{}` or `[]`-less object: no items.
                    [] if map.values().all(|v| !v.is_object()) => Ok((Vec::new(), has_next)),
                    _ => Err(self.shape_error(client, &Value::Object(map))),
                }
            }
            other => Err(self.shape_error(client, &other)),
        }
    }

    fn shape_error(&self, client: &Client, result: &Value) -> Error {
        Error::Decode(DecodeError {
            method: self.request.method,
            status: 200,
            message: match &self.items {
                Some(key) => format!("`result.{key}` is not an array of items"),
                None => "a list's `result` is an array of items or an object with one array of items; name the member that holds them with `list_raw_items`".into(),
            },
            body_start: client.excerpt(&result.to_string(), &[]),
            cause: None,
        })
    }
}

impl Source for Raw {
    type Item = Value;
    type Code = Untyped;

    fn name(&self) -> &'static str {
        self.request.method
    }
    fn fast_ready(&self) -> bool {
        self.id.is_some() && self.style != Some(PageStyle::Offset)
    }
    fn at(&mut self, position: i64) {
        let key = match self.style {
            Some(PageStyle::Offset) => "offset",
            _ => "start",
        };
        self.request
            .params
            .insert(key.to_owned(), Value::from(position));
    }
    fn fast(&mut self, after: Option<i64>) {
        let Some(id) = self.id.as_deref() else { return };
        let params = &mut self.request.params;
        let (mut filter, mut order) = (params.remove("filter"), params.remove("order"));
        fast_filter(&mut filter, &mut order, id, after);
        params.extend(
            [("filter", filter), ("order", order)]
                .into_iter()
                .filter_map(|(k, v)| Some((k.to_owned(), v?))),
        );
    }
    fn item_id(&self, item: &Value) -> Option<i64> {
        let id = item.get(self.id.as_deref()?)?;
        id.as_i64()
            .or_else(|| id.as_str().and_then(|s| s.trim().parse().ok()))
    }
    async fn page(&self, client: &Client) -> Result<Page<Value>, Error> {
        let reply = self.request.send(client, client.retry_policy()).await?;
        let (items, has_next) = self.items(client, reply.result)?;
        Ok(Page {
            items,
            next: reply.next,
            total: reply.total,
            has_next,
        })
    }
    fn next_position(
        &mut self,
        position: i64,
        count: i64,
        next: Option<i64>,
        has_next: Option<bool>,
    ) -> Option<i64> {
        match (next, has_next) {
            (Some(n), _) if n > position && self.style != Some(PageStyle::Offset) => {
                self.style = Some(PageStyle::Classic);
                Some(n)
            }
            (_, Some(true)) if count > 0 && self.style != Some(PageStyle::Classic) => {
                self.style = Some(PageStyle::Offset);
                Some(position + count)
            }
            _ => None,
        }
    }
}

impl BatchSource for Raw {
    fn add_to(&self, batch: &mut Batch<'_>) -> Result<usize, ValidationError> {
        let r = &self.request;
        batch.add_raw(r.method, &r.params).map(|slot| slot.index())
    }
    fn take(&self, replies: &BatchReplies, index: usize) -> Option<Items<Self>> {
        let client = replies.client();
        Some(match replies.raw(index)? {
            Err(api) => Err(Error::untyped_api(api)),
            Ok(raw) => serde_json::from_str(raw.get())
                .map_err(|e| Error::Decode(client.mismatch(self.request.method, raw.get(), e, &[])))
                .and_then(|result| self.items(client, result).map(|(items, _)| items)),
        })
    }
    fn lift(e: Error) -> Error {
        e
    }
}

/// What the fast mode does to a request's `filter` and `order`, written once for typed and raw
/// lists: `order = {id: "ASC"}`, `filter[">id"] = after`, the rest of the filter kept.
pub(crate) fn fast_filter(
    filter: &mut Option<Value>,
    order: &mut Option<Value>,
    id: &str,
    after: Option<i64>,
) {
    let mut f = match filter.take() {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let key = format!(">{id}");
    match after {
        Some(after) => {
            f.insert(key, Value::from(after));
        }
        None => {
            f.remove(&key);
        }
    }
    *filter = Some(Value::Object(f));
    let mut o = Map::new();
    o.insert(id.to_owned(), Value::from("ASC"));
    *order = Some(Value::Object(o));
}

enum Cursor {
    /// Next position to ask for (classic `start` or `offset`).
    Position(i64),
    /// Fast mode: the last id seen, `None` before the first page.
    After(Option<i64>),
    Done,
}

impl Client {
    /// Streams every item of a list, fetching pages as the stream is read: classic lists by
    /// `start`/`next`, imbot.v2 lists by `offset`/`hasNextPage`.
    pub fn list<M: Paged>(
        &self,
        request: M,
    ) -> impl Stream<Item = Result<M::Item, Error<M::Error>>> + '_ {
        self.pages(Typed(request), Cursor::Position(0))
    }

    /// Streams a classic list in the portal's fast mode for large data: ordered by id, each page
    /// filtered to ids above the last one seen, `start=-1` (no counting), until a short page.
    /// Needs a spec whose `pagination` names the items' `id`; otherwise it pages normally.
    pub fn list_fast<M: Paged>(
        &self,
        request: M,
    ) -> impl Stream<Item = Result<M::Item, Error<M::Error>>> + '_ {
        self.fast_pages(Typed(request))
    }

    /// Streams a classic list by fetching the first page, then every other page through
    /// `batch`, 50 pages per call: far fewer requests for long lists.
    pub fn list_batched<M: Paged + Batchable>(
        &self,
        request: M,
    ) -> impl Stream<Item = Result<M::Item, Error<M::Error>>> + '_ {
        self.batched_pages(Typed(request))
    }

    /// [`Client::list`] for a method called by name: every item of the list as JSON. The items
    /// are `result` when it is an array, or the one array in it (`items`, `bots`, ...) when it
    /// is an object; pages follow `next` (classic lists, `start`) or `hasNextPage` (offset
    /// lists, `offset`), whichever the answers carry. Retries, limits and the rest are those of
    /// [`Client::call_raw`].
    ///
    /// ```no_run
    /// # async fn demo(client: bitrix_api::Client) -> Result<(), bitrix_api::Error> {
    /// use futures_util::TryStreamExt;
    /// use serde_json::json;
    ///
    /// let filter = json!({"filter": {"STATUS_ID": "NEW"}, "select": ["ID", "TITLE"]});
    /// let leads: Vec<serde_json::Value> = client.list_raw("crm.lead.list", &filter).try_collect().await?;
    /// // The fast mode orders by the given id field and filters on it: no counting.
    /// let all: Vec<_> = client.list_raw_fast("crm.lead.list", &filter, "ID").try_collect().await?;
    /// // The first page, then the others 50 to a `batch` call.
    /// let again: Vec<_> = client.list_raw_batched("crm.lead.list", &filter).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_raw(
        &self,
        method: &str,
        params: impl Serialize,
    ) -> impl Stream<Item = Result<Value, Error>> + '_ {
        let source = self.raw_source(method, params, None, None);
        self.raw_stream(source, |client, source| {
            Box::pin(client.pages(source, Cursor::Position(0)))
        })
    }

    /// [`Client::list_raw`] for a list whose `result` holds more than one array: `items` names
    /// the member that holds the items (`bots` in `imbot.v2.Bot.list`, which sends `users`
    /// beside them).
    ///
    /// ```no_run
    /// # async fn demo(client: bitrix_api::Client) -> Result<(), bitrix_api::Error> {
    /// use futures_util::TryStreamExt;
    ///
    /// let params = serde_json::json!({"limit": 50});
    /// let bots: Vec<_> = client.list_raw_items("imbot.v2.Bot.list", params, "bots").try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_raw_items(
        &self,
        method: &str,
        params: impl Serialize,
        items: &str,
    ) -> impl Stream<Item = Result<Value, Error>> + '_ {
        let source = self.raw_source(method, params, None, Some(items));
        self.raw_stream(source, |client, source| {
            Box::pin(client.pages(source, Cursor::Position(0)))
        })
    }

    /// [`Client::list_fast`] for a method called by name: `id` names the items' id field (`ID`
    /// in `crm.lead.list`, `id` in `crm.item.list`), used for the order, the `>id` filter and the
    /// cursor. A list that turns out to page by offset is paged normally.
    pub fn list_raw_fast(
        &self,
        method: &str,
        params: impl Serialize,
        id: &str,
    ) -> impl Stream<Item = Result<Value, Error>> + '_ {
        let source = self.raw_source(method, params, Some(id), None);
        self.raw_stream(source, |client, source| Box::pin(client.fast_pages(source)))
    }

    /// [`Client::list_batched`] for a method called by name: the first page, then the rest
    /// through `batch`, 50 pages per call (classic lists).
    pub fn list_raw_batched(
        &self,
        method: &str,
        params: impl Serialize,
    ) -> impl Stream<Item = Result<Value, Error>> + '_ {
        let source = self.raw_source(method, params, None, None);
        self.raw_stream(source, |client, source| {
            Box::pin(client.batched_pages(source))
        })
    }

    fn raw_source(
        &self,
        method: &str,
        params: impl Serialize,
        id: Option<&str>,
        items: Option<&str>,
    ) -> Result<Raw, ValidationError> {
        Ok(Raw {
            request: RawRequest::new(self, method, params)?,
            id: id.map(str::to_owned),
            items: items.map(str::to_owned),
            style: None,
        })
    }

    /// A raw list stream, or the one error that its name or parameters were refused with.
    fn raw_stream<'c, S>(
        &'c self,
        source: Result<Raw, ValidationError>,
        start: impl FnOnce(&'c Client, Raw) -> std::pin::Pin<Box<S>>,
    ) -> impl Stream<Item = Result<Value, Error>> + 'c
    where
        S: Stream<Item = Result<Value, Error>> + 'c,
    {
        use futures_util::StreamExt;
        match source {
            Ok(source) => start(self, source).left_stream(),
            Err(e) => stream::once(async move { Err(Error::Validation(e)) }).right_stream(),
        }
    }

    fn fast_pages<S: Source>(
        &self,
        source: S,
    ) -> impl Stream<Item = Result<S::Item, Error<S::Code>>> + '_ {
        let cursor = if source.fast_ready() {
            Cursor::After(None)
        } else {
            Cursor::Position(0)
        };
        self.pages(source, cursor)
    }

    fn pages<S: Source>(
        &self,
        source: S,
        cursor: Cursor,
    ) -> impl Stream<Item = Result<S::Item, Error<S::Code>>> + '_ {
        let state = (source, cursor, VecDeque::new(), None);
        stream::unfold(
            state,
            move |(mut source, mut cursor, mut buffer, mut failed)| async move {
                loop {
                    if let Some(item) = buffer.pop_front() {
                        return Some((Ok(item), (source, cursor, buffer, failed)));
                    }
                    if let Some(e) = failed.take() {
                        return Some((Err(e), (source, Cursor::Done, buffer, None)));
                    }
                    let mut page = source.clone();
                    match cursor {
                        Cursor::Done => return None,
                        Cursor::Position(p) => page.at(p),
                        Cursor::After(after) => {
                            page.fast(after);
                            page.at(-1);
                        }
                    }
                    let reply = match page.page(self).await {
                        Ok(r) => r,
                        Err(e) => return Some((Err(e), (source, Cursor::Done, buffer, None))),
                    };
                    let (next, has_next) = (reply.next, reply.has_next);
                    let mut items = reply.items;
                    let count = items.len() as i64;
                    if let Cursor::After(Some(after)) = cursor {
                        // Ids at or below the cursor were streamed already: a portal that ignores
                        // the `>id` filter must not make the stream repeat itself.
                        items.retain(|item| source.item_id(item).is_none_or(|id| id > after));
                    }
                    cursor = match cursor {
                        Cursor::After(_) if count < CLASSIC_PAGE => Cursor::Done,
                        Cursor::After(after) => {
                            let last = items.iter().filter_map(|i| source.item_id(i)).max();
                            match (last, after) {
                                (Some(last), Some(after)) if last > after => {
                                    Cursor::After(Some(last))
                                }
                                (Some(last), None) => Cursor::After(Some(last)),
                                // A full page that does not move the cursor would be asked for again
                                // and again: the portal did not apply the filter.
                                _ => {
                                    failed = Some(Error::Decode(DecodeError {
                                        method: source.name(),
                                        status: 200,
                                        message: format!(
                                            "fast list: a full page brought no id above {}; the portal ignored the `>id` filter, stopped instead of repeating it",
                                            after.map_or_else(
                                                || "the start".to_owned(),
                                                |a| a.to_string()
                                            )
                                        ),
                                        body_start: String::new(),
                                        cause: None,
                                    }));
                                    Cursor::Done
                                }
                            }
                        }
                        Cursor::Position(p) => source
                            .next_position(p, count, next, has_next)
                            .map_or(Cursor::Done, Cursor::Position),
                        Cursor::Done => Cursor::Done,
                    };
                    buffer.extend(items);
                    if buffer.is_empty() && failed.is_none() && matches!(cursor, Cursor::Done) {
                        return None;
                    }
                }
            },
        )
    }

    fn batched_pages<S: BatchSource>(
        &self,
        source: S,
    ) -> impl Stream<Item = Result<S::Item, Error<S::Code>>> + '_ {
        let state = Batched {
            source,
            start: Some(0),
            total: None,
            buffer: VecDeque::new(),
            pending: None,
        };
        stream::unfold(state, move |mut st| async move {
            loop {
                if let Some(item) = st.buffer.pop_front() {
                    return Some((Ok(item), st));
                }
                // Items fetched before a failure come out first, then the failure ends the stream.
                if let Some(e) = st.pending.take() {
                    return Some((Err(e), st));
                }
                let first = st.start?;
                let Some(total) = st.total else {
                    // The first page tells how many items there are.
                    let mut page = st.source.clone();
                    page.at(first);
                    match page.page(self).await {
                        Ok(reply) => {
                            st.total = Some(reply.total.unwrap_or(0));
                            st.start = reply.next;
                            st.buffer.extend(reply.items);
                        }
                        Err(e) => (st.start, st.pending) = (None, Some(e)),
                    }
                    continue;
                };
                let mut batch = self.batch().halt(true);
                let mut slots = Vec::new();
                let mut s = first;
                while s < total && slots.len() < crate::batch::MAX_COMMANDS {
                    let mut page = st.source.clone();
                    page.at(s);
                    match page.add_to(&mut batch) {
                        Ok(slot) => slots.push(slot),
                        Err(e) => {
                            st.pending = Some(Error::Validation(e));
                            break;
                        }
                    }
                    s += CLASSIC_PAGE;
                }
                st.start = (s < total && st.pending.is_none()).then_some(s);
                if slots.is_empty() {
                    continue;
                }
                match batch.send().await {
                    Ok(replies) => {
                        for &slot in &slots {
                            match st.source.take(&replies, slot) {
                                Some(Ok(items)) => st.buffer.extend(items),
                                Some(Err(e)) => {
                                    (st.start, st.pending) = (None, Some(e));
                                    break;
                                }
                                None => {
                                    // With `halt`, a command runs unless one before it failed,
                                    // which ended the loop above: an answer with neither its
                                    // result nor its error is malformed, not the end of the list.
                                    let e = Error::Decode(crate::error::DecodeError {
                                        method: "batch",
                                        status: 200,
                                        message: "the answer has neither a result nor an error for a page command".into(),
                                        body_start: String::new(),
                                        cause: None,
                                    });
                                    (st.start, st.pending) = (None, Some(S::lift(e)));
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) => (st.start, st.pending) = (None, Some(S::lift(e))),
                }
            }
        })
    }
}

struct Batched<S: BatchSource> {
    source: S,
    /// The `start` of the next page to fetch; `None` when done.
    start: Option<i64>,
    /// `total` from the first page; `None` before it.
    total: Option<i64>,
    buffer: VecDeque<S::Item>,
    pending: Option<Error<S::Code>>,
}

/// A flag as the portal sends it: `true`, `"Y"`, `1`, `"1"`, `"true"`.
fn loose_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.as_str() {
            "Y" | "y" | "1" | "true" => Some(true),
            "N" | "n" | "0" | "false" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}
