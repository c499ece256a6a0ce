//! The one way a response body is read: chunk by chunk, up to a limit.

/// The default of [`ClientBuilder::max_body_size`](crate::ClientBuilder::max_body_size): 64 MiB,
/// far above any REST answer (a page holds 50 items, a batch 50 pages).
pub const DEFAULT_MAX_BODY_SIZE: usize = 64 << 20;

/// Why a body could not be read.
pub(crate) enum BodyError {
    /// More than `limit` bytes: reading stopped there.
    TooLarge(usize),
    /// The connection failed while reading.
    Http(reqwest::Error),
}

impl BodyError {
    /// The text of [`BodyError::TooLarge`]; a transport error's own text comes from reqwest.
    pub(crate) fn too_large(limit: usize) -> String {
        format!(
            "the answer's body is larger than the limit of {limit} bytes (ClientBuilder::max_body_size); reading stopped there"
        )
    }
}

/// Reads `response`'s body, refusing it as soon as it is known to exceed `limit` bytes: from
/// `Content-Length` before reading anything, otherwise at the chunk that crosses the limit.
pub(crate) async fn read(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let declared = response.content_length();
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge(limit));
    }
    let first = declared
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(8 << 10)
        .min(limit);
    let mut body = Vec::with_capacity(first);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Http)? {
        if chunk.len() > limit - body.len() {
            return Err(BodyError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
