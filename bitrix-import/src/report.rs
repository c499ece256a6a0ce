//! `import-report.json`: what happened to each page.

use serde::Serialize;

/// A fact of a page that its spec does not carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lost {
    /// Page line (1-based; included fragments count as the line of their directive).
    pub line: usize,
    /// The fact, in words.
    pub fact: String,
}

impl Lost {
    /// A lost fact at `line`.
    pub fn new(line: usize, fact: impl Into<String>) -> Lost {
        Lost {
            line,
            fact: fact.into(),
        }
    }
}

/// How a page came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A spec was written and carries everything the importer read.
    Ok,
    /// A spec was written; `lost` lists what it does not carry.
    Partial,
    /// No spec was written; `reason` says why.
    Failed,
    /// The method has a curated spec (one without the importer's marker line), named in
    /// `spec`; the page was not imported.
    Curated,
}

/// One page of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The REST method (empty when the page could not be read at all).
    pub method: String,
    /// Path of the page under `api-reference/`.
    pub page: String,
    /// `ok`, `partial`, `failed` or `curated`.
    pub status: Status,
    /// Why no spec was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The spec written (for `curated`: the curated spec), relative to the output directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    /// Facts of the page the spec does not carry.
    pub lost: Vec<Lost>,
}

/// One event page of the report.
#[derive(Debug, Clone, Serialize)]
pub struct EventEntry {
    /// The event, as its spec names it (empty when the page names none).
    pub event: String,
    /// Path of the page under `api-reference/`.
    pub page: String,
    /// `ok`, `partial`, `failed` or `curated`.
    pub status: Status,
    /// Why no spec was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The event spec written (for `curated`: the curated one), relative to the output
    /// directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    /// Facts of the page the spec does not carry.
    pub lost: Vec<Lost>,
}

/// Figures of one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Markdown files read under `api-reference/`.
    pub pages: usize,
    /// Method pages among them.
    pub method_pages: usize,
    /// Event pages among them.
    pub event_pages: usize,
    /// Event specs written.
    pub events_written: usize,
    /// Event entries with status `ok`.
    pub events_ok: usize,
    /// Event entries with status `partial`.
    pub events_partial: usize,
    /// Event entries with status `failed`.
    pub events_failed: usize,
    /// Event entries with status `curated`.
    pub events_curated: usize,
    /// Other pages (overviews, data types, fragments, JavaScript SDK functions), skipped.
    pub other_pages: usize,
    /// Specs written.
    pub specs_written: usize,
    /// Entries with status `ok`.
    pub ok: usize,
    /// Entries with status `partial`.
    pub partial: usize,
    /// Entries with status `failed`.
    pub failed: usize,
    /// Entries with status `curated`.
    pub curated: usize,
    /// Type names given to nested types of imported specs so that the types of a scope folder
    /// do not clash.
    pub clashes_resolved: usize,
    /// JSON examples found (responses and requests).
    pub examples_found: usize,
    /// Examples that read as JSON (after cleaning).
    pub examples_parsed: usize,
    /// Examples that validate against the spec built from the tables, as documented.
    pub examples_valid_as_documented: usize,
    /// Examples that validate against the spec written (after the repairs).
    pub examples_valid_in_specs: usize,
    /// Wall time of the run in seconds (printed, not written: the report is deterministic).
    #[serde(skip)]
    pub seconds: f64,
}

/// A page that names a method but does not document a REST method (counted in
/// `other_pages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotMethod {
    /// The name the page documents.
    pub name: String,
    /// Path of the page under `api-reference/`.
    pub page: String,
    /// Why it is not a REST method page.
    pub reason: String,
}

/// The whole report file.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The figures.
    pub summary: Summary,
    /// One entry per method page (and per page that could not be read), by page.
    pub pages: Vec<Entry>,
    /// One entry per event page, by page.
    pub events: Vec<EventEntry>,
    /// Pages that name a method that is not a REST method (JavaScript SDK functions, names
    /// that are not REST names), by page.
    pub not_methods: Vec<NotMethod>,
}
