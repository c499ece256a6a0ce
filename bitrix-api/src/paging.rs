//! List methods as streams of typed items, in both pagination styles of the portal, plus the
//! fast mode for large classic lists and page fetching through `batch`.

use std::collections::VecDeque;

use futures_util::Stream;
use futures_util::stream;

use crate::batch::Batchable;
use crate::client::Client;
use crate::error::{DecodeError, Error};
use crate::method::Method;

/// Classic pages hold 50 items; the portal ignores other sizes.
pub(crate) const CLASSIC_PAGE: i64 = 50;

/// How a list method pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyle {
    /// `start` in the request; `next` and `total` beside `result`.
    Classic,
    /// `limit` and `offset` in the request; `hasNextPage` in the result.
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
    /// The parameter that holds the position: `start` (classic) or `offset`.
    const POSITION: &'static str;
    /// The page-size parameter of an offset list.
    const LIMIT: &'static str = "limit";
    /// For the fast mode: the `filter` and `order` parameters and the items' id key.
    const FAST_KEYS: (&'static str, &'static str, &'static str) = ("", "", "");
    /// The numeric id of an item, for the fast mode (`None` when the spec names no `id`).
    fn item_id(_item: &Self::Item) -> Option<i64> {
        None
    }

    /// Points the request at a position.
    fn at(&mut self, position: i64) {
        self.params_mut().set(Self::POSITION, position);
    }

    /// Items per page: 50 for classic lists, `limit` (or 50) for offset lists.
    fn page_size(&self) -> i64 {
        match Self::STYLE {
            PageStyle::Classic => CLASSIC_PAGE,
            PageStyle::Offset => self.params().get_i64(Self::LIMIT).unwrap_or(50),
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
        self.pages(request, Cursor::Position(0))
    }

    /// Streams a classic list in the portal's fast mode for large data: ordered by id, each page
    /// filtered to ids above the last one seen, `start=-1` (no counting), until a short page.
    /// Needs a spec whose `pagination` names the items' `id`; otherwise it pages normally.
    pub fn list_fast<M: Paged>(
        &self,
        request: M,
    ) -> impl Stream<Item = Result<M::Item, Error<M::Error>>> + '_ {
        let fast = M::STYLE == PageStyle::Classic && M::FAST;
        let cursor = if fast {
            Cursor::After(None)
        } else {
            Cursor::Position(0)
        };
        self.pages(request, cursor)
    }

    fn pages<M: Paged>(
        &self,
        request: M,
        cursor: Cursor,
    ) -> impl Stream<Item = Result<M::Item, Error<M::Error>>> + '_ {
        let state = (request, cursor, VecDeque::new(), None);
        stream::unfold(
            state,
            move |(request, mut cursor, mut buffer, mut failed)| async move {
                loop {
                    if let Some(item) = buffer.pop_front() {
                        return Some((Ok(item), (request, cursor, buffer, failed)));
                    }
                    if let Some(e) = failed.take() {
                        return Some((Err(e), (request, Cursor::Done, buffer, None)));
                    }
                    let mut page = request.clone();
                    match cursor {
                        Cursor::Done => return None,
                        Cursor::Position(p) => page.at(p),
                        Cursor::After(after) => {
                            page.fast(after);
                            page.at(-1);
                        }
                    }
                    let reply = match self.call_with_time(page).await {
                        Ok(r) => r,
                        Err(e) => return Some((Err(e), (request, Cursor::Done, buffer, None))),
                    };
                    let next = reply.next;
                    let (items, has_next) = M::split(reply.result);
                    let count = items.len() as i64;
                    let mut items = items;
                    if let Cursor::After(Some(after)) = cursor {
                        // Ids at or below the cursor were streamed already: a portal that ignores
                        // the `>id` filter must not make the stream repeat itself.
                        items.retain(|item| M::item_id(item).is_none_or(|id| id > after));
                    }
                    cursor = match cursor {
                        Cursor::After(_) if count < CLASSIC_PAGE => Cursor::Done,
                        Cursor::After(after) => {
                            let last = items.iter().filter_map(M::item_id).max();
                            match (last, after) {
                                (Some(last), Some(after)) if last > after => {
                                    Cursor::After(Some(last))
                                }
                                (Some(last), None) => Cursor::After(Some(last)),
                                // A full page that does not move the cursor would be asked for again
                                // and again: the portal did not apply the filter.
                                _ => {
                                    failed = Some(Error::Decode(DecodeError {
                                        method: M::NAME,
                                        status: 200,
                                        message: format!(
                                            "fast list: a full page brought no id above {}; the portal ignored the `>id` filter, stopped instead of repeating it",
                                            after.map_or_else(
                                                || "the start".to_owned(),
                                                |a| a.to_string()
                                            )
                                        ),
                                        body_start: String::new(),
                                    }));
                                    Cursor::Done
                                }
                            }
                        }
                        Cursor::Position(p) => match (M::STYLE, next, has_next) {
                            (PageStyle::Classic, Some(n), _) if n > p => Cursor::Position(n),
                            (PageStyle::Offset, _, Some(true)) if count > 0 => {
                                Cursor::Position(p + count)
                            }
                            _ => Cursor::Done,
                        },
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

    /// Streams a classic list by fetching the first page, then every other page through
    /// `batch`, 50 pages per call: far fewer requests for long lists.
    pub fn list_batched<M: Paged + Batchable>(
        &self,
        request: M,
    ) -> impl Stream<Item = Result<M::Item, Error<M::Error>>> + '_ {
        let state = Batched {
            request,
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
                    let mut page = st.request.clone();
                    page.at(first);
                    match self.call_with_time(page).await {
                        Ok(reply) => {
                            st.total = Some(reply.total.unwrap_or(0));
                            st.start = reply.next;
                            st.buffer.extend(M::split(reply.result).0);
                        }
                        Err(e) => (st.start, st.pending) = (None, Some(e)),
                    }
                    continue;
                };
                let mut batch = self.batch().halt(true);
                let mut slots = Vec::new();
                let mut s = first;
                while s < total && slots.len() < crate::batch::MAX_COMMANDS {
                    let mut page = st.request.clone();
                    page.at(s);
                    match batch.add(page) {
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
                        for slot in &slots {
                            match replies.get(slot) {
                                Some(Ok(output)) => st.buffer.extend(M::split(output).0),
                                Some(Err(e)) => {
                                    (st.start, st.pending) = (None, Some(e));
                                    break;
                                }
                                None => {
                                    st.start = None;
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) => (st.start, st.pending) = (None, Some(e.retype())),
                }
            }
        })
    }
}

struct Batched<M: Paged> {
    request: M,
    /// The `start` of the next page to fetch; `None` when done.
    start: Option<i64>,
    /// `total` from the first page; `None` before it.
    total: Option<i64>,
    buffer: VecDeque<M::Item>,
    pending: Option<Error<M::Error>>,
}
