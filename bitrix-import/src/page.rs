//! A reference page as a list of blocks: headings, tables, code blocks and text lines, each with
//! the line of the page it comes from. `{% include %}` fragments are expanded in place; their
//! lines carry the line number of the directive.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::table::{Table, parse_table};

/// One line of a page after include expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line of the page (for included lines: the line of the directive).
    pub no: usize,
    /// The text, without the line break.
    pub text: String,
    /// The line comes from an included fragment.
    pub included: bool,
}

/// A piece of a page.
#[derive(Debug, Clone)]
pub enum Block {
    /// `## Title {#anchor}`.
    Heading {
        /// 1 for `#`, 2 for `##`, ...
        level: usize,
        /// The text, without the anchor.
        text: String,
        /// The `{#anchor}`, if any.
        anchor: Option<String>,
        /// Page line.
        line: usize,
    },
    /// A `#| ... |#` table.
    Table(Table),
    /// A fenced code block.
    Code {
        /// The info string (`json`, `bash`, ...), lowercased.
        lang: String,
        /// The content, with the fence's indentation removed.
        text: String,
        /// Page line of the opening fence.
        line: usize,
    },
    /// Any other line.
    Text(Line),
}

/// A page split into blocks.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path under `api-reference/`, with `/` separators.
    pub path: String,
    /// The blocks, in page order.
    pub blocks: Vec<Block>,
    /// Includes that could not be read: (page line, target).
    pub missing_includes: Vec<(usize, String)>,
}

static INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{%\s*include\s+(?:notitle\s+)?\[[^\]]*\]\(([^)\s]+)\)\s*%\}").expect("valid")
});
static HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(#{1,6})\s+(.*?)\s*(?:\{#([^}]*)\})?\s*$").expect("valid"));

/// Expands the includes of `text` (the file `file`), up to a few levels deep.
pub fn expand(text: &str, file: &Path, missing: &mut Vec<(usize, String)>) -> Vec<Line> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        expand_line(raw, i + 1, false, file, 0, &mut out, missing);
    }
    out
}

fn expand_line(
    raw: &str,
    no: usize,
    included: bool,
    file: &Path,
    depth: usize,
    out: &mut Vec<Line>,
    missing: &mut Vec<(usize, String)>,
) {
    let Some(caps) = INCLUDE.captures(raw).filter(|_| depth < 4) else {
        out.push(Line {
            no,
            text: raw.to_owned(),
            included,
        });
        return;
    };
    let whole = caps.get(0).map_or(0..0, |m| m.range());
    let target = caps.get(1).map_or("", |m| m.as_str());
    let target_path = file
        .parent()
        .unwrap_or(Path::new("."))
        .join(target.split('#').next().unwrap_or(target));
    let before = &raw[..whole.start];
    let after = &raw[whole.end..];
    match std::fs::read_to_string(&target_path) {
        Ok(content) => {
            let mut lines: Vec<String> = content.lines().map(str::to_owned).collect();
            if lines.is_empty() {
                lines.push(String::new());
            }
            let last = lines.len() - 1;
            lines[0] = format!("{before}{}", lines[0]);
            lines[last] = format!("{}{after}", lines[last]);
            for l in lines {
                expand_line(&l, no, true, &target_path, depth + 1, out, missing);
            }
        }
        Err(_) => {
            missing.push((no, target.to_owned()));
            out.push(Line {
                no,
                text: format!("{before}{after}"),
                included,
            });
        }
    }
}

fn fence_of(text: &str) -> Option<(usize, &str, String)> {
    let trimmed = text.trim_start();
    let indent = text.len() - trimmed.len();
    for mark in ["```", "~~~"] {
        if let Some(rest) = trimmed.strip_prefix(mark) {
            let info = rest.trim_start_matches(mark.chars().next().unwrap_or('`'));
            return Some((indent, mark, info.trim().to_lowercase()));
        }
    }
    None
}

/// Splits expanded lines into blocks.
pub fn blocks(lines: &[Line]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let trimmed = line.text.trim();
        if let Some((indent, mark, lang)) = fence_of(&line.text) {
            let mut body = Vec::new();
            let mut j = i + 1;
            while j < lines.len() && !lines[j].text.trim_start().starts_with(mark) {
                let t = &lines[j].text;
                let cut = t
                    .char_indices()
                    .take_while(|(k, c)| *k < indent && c.is_whitespace())
                    .count();
                body.push(t[cut..].to_owned());
                j += 1;
            }
            out.push(Block::Code {
                lang,
                text: body.join("\n"),
                line: line.no,
            });
            i = j + 1;
            continue;
        }
        if trimmed.starts_with("#|") {
            let (table, next) = parse_table(lines, i);
            out.push(Block::Table(table));
            i = next;
            continue;
        }
        if let Some(c) = HEADING.captures(&line.text) {
            out.push(Block::Heading {
                level: c.get(1).map_or(1, |m| m.as_str().len()),
                text: c.get(2).map_or("", |m| m.as_str()).trim().to_owned(),
                anchor: c.get(3).map(|m| m.as_str().trim().to_owned()),
                line: line.no,
            });
        } else {
            out.push(Block::Text(line.clone()));
        }
        i += 1;
    }
    out
}

/// Reads the page `rel` (path under `api-reference`) of the docs directory `docs`.
pub fn read(docs: &Path, rel: &str) -> Result<Page, String> {
    let file = docs.join("api-reference").join(rel);
    let bytes = std::fs::read(&file).map_err(|e| format!("cannot read the page: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| format!("the page is not UTF-8: {e}"))?;
    Ok(parse(rel, &text, &file))
}

/// Parses page text; includes are looked up relative to `file`.
pub fn parse(rel: &str, text: &str, file: &Path) -> Page {
    let mut missing = Vec::new();
    let lines = expand(text, file, &mut missing);
    Page {
        path: rel.to_owned(),
        blocks: blocks(&lines),
        missing_includes: missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_code_and_tables_are_told_apart() {
        let text = "# Title a.b\n\n## Method Parameters {#params}\n\n#|\n|| **A** | d ||\n|#\n\n    ```json\n    {\"x\": 1}\n    ```\ntext\n";
        let page = parse("a/b.md", text, Path::new("/nonexistent/a/b.md"));
        let kinds: Vec<&str> = page
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { .. } => Some("h"),
                Block::Table(_) => Some("t"),
                Block::Code { .. } => Some("c"),
                Block::Text(l) if !l.text.trim().is_empty() => Some("x"),
                Block::Text(_) => None,
            })
            .collect();
        assert_eq!(kinds, ["h", "h", "t", "c", "x"]);
        let Block::Heading { anchor, text, .. } = &page.blocks[2] else {
            unreachable!()
        };
        assert_eq!(anchor.as_deref(), Some("params"));
        assert_eq!(text, "Method Parameters");
        let code = page.blocks.iter().find_map(|b| match b {
            Block::Code { text, line, .. } => Some((text.clone(), *line)),
            _ => None,
        });
        assert_eq!(code, Some(("{\"x\": 1}".to_owned(), 9)));
    }
}
