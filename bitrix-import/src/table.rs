//! Diplodoc (YFM) tables: `#|` opens, `|#` closes, rows start and end with `||`, cells are split
//! by `|`. Cells may hold several lines, code (inline and fenced) and whole nested tables; none of
//! their `|` split anything.

use crate::page::Line;

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The text, lines joined with `\n`, trimmed.
    pub text: String,
    /// Page line where the cell starts.
    pub line: usize,
}

/// One row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The cells, in order.
    pub cells: Vec<Cell>,
    /// Page line where the row starts.
    pub line: usize,
}

/// A table; the first row is its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// All rows, the header included.
    pub rows: Vec<Row>,
    /// Page line of `#|`.
    pub line: usize,
    /// The table comes from an included fragment.
    pub included: bool,
}

impl Table {
    /// The header cells, lowercased, without emphasis marks.
    pub fn header(&self) -> Vec<String> {
        self.rows.first().map_or_else(Vec::new, |r| {
            r.cells
                .iter()
                .map(|c| c.text.replace(['*', '`'], "").to_lowercase())
                .collect()
        })
    }

    /// The rows after the header.
    pub fn body(&self) -> &[Row] {
        self.rows.get(1..).unwrap_or(&[])
    }
}

/// Parses the table whose `#|` is `lines[start]`; returns it and the index after its `|#`.
pub fn parse_table(lines: &[Line], start: usize) -> (Table, usize) {
    let mut rows = Vec::new();
    let mut cells: Vec<Cell> = Vec::new();
    let mut cur = String::new();
    let mut cur_line = lines[start].no;
    let mut row_line = cur_line;
    let mut depth = 0usize;
    let mut fence: Option<String> = None;
    let mut closed = false;
    let mut i = start;
    let finish_row = |cells: &mut Vec<Cell>, rows: &mut Vec<Row>, row_line: usize| {
        if cells.iter().any(|c| !c.text.is_empty()) {
            rows.push(Row {
                cells: std::mem::take(cells),
                line: row_line,
            });
        } else {
            cells.clear();
        }
    };
    while i < lines.len() {
        let line = &lines[i];
        let mut text: &str = &line.text;
        let trimmed = text.trim_start();
        i += 1;
        if let Some(f) = &fence {
            if trimmed.starts_with(f.as_str()) {
                fence = None;
            }
            push_text(&mut cur, &mut cur_line, line.no, text);
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(trimmed[..3].to_owned());
            push_text(&mut cur, &mut cur_line, line.no, text);
            continue;
        }
        if i - 1 == start {
            // The opening `#|` itself; anything after it on the line is content.
            text = trimmed.trim_start_matches("#|");
            depth = 1;
        } else if trimmed.starts_with("#|") {
            depth += 1;
            push_text(&mut cur, &mut cur_line, line.no, text);
            continue;
        } else if trimmed.starts_with("|#") {
            depth -= 1;
            if depth == 0 {
                break;
            }
            push_text(&mut cur, &mut cur_line, line.no, text);
            continue;
        }
        if depth > 1 {
            push_text(&mut cur, &mut cur_line, line.no, text);
            continue;
        }
        // Split at `||` and `|` outside inline code.
        if !cur.is_empty() {
            cur.push('\n');
        }
        let mut in_code = false;
        let chars: Vec<char> = text.chars().collect();
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k];
            if c == '`' {
                in_code = !in_code;
                cur.push(c);
            } else if !in_code && c == '#' && chars.get(k + 1) == Some(&'|') {
                // A nested table opens inside the cell: the rest of the line is its text.
                depth += 1;
                cur.extend(&chars[k..]);
                break;
            } else if !in_code && c == '|' && chars.get(k + 1) == Some(&'#') {
                finish_row(&mut cells, &mut rows, row_line);
                closed = true;
                break;
            } else if c == '\\' && chars.get(k + 1) == Some(&'|') {
                cur.push('|');
                k += 1;
            } else if c == '|' && !in_code {
                let double = chars.get(k + 1) == Some(&'|');
                if cur.trim().is_empty() {
                    cur_line = line.no;
                }
                cells.push(Cell {
                    text: cur.trim().to_owned(),
                    line: cur_line,
                });
                cur.clear();
                cur_line = line.no;
                if double {
                    // Row boundary: drop the empty cell that opened the segment.
                    if cells.first().is_some_and(|c| c.text.is_empty()) {
                        cells.remove(0);
                    }
                    finish_row(&mut cells, &mut rows, row_line);
                    row_line = line.no;
                    k += 1;
                }
            } else {
                if cur.trim().is_empty() && !c.is_whitespace() {
                    cur_line = line.no;
                    if cells.is_empty() {
                        row_line = line.no;
                    }
                }
                cur.push(c);
            }
            k += 1;
        }
        if closed {
            break;
        }
    }
    let table = Table {
        rows,
        line: lines[start].no,
        included: lines[start].included,
    };
    (table, i)
}

fn push_text(cur: &mut String, cur_line: &mut usize, no: usize, text: &str) {
    if cur.trim().is_empty() {
        *cur_line = no;
    }
    if !cur.is_empty() {
        cur.push('\n');
    }
    cur.push_str(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Line> {
        text.lines()
            .enumerate()
            .map(|(i, t)| Line {
                no: i + 1,
                text: t.to_owned(),
                included: false,
            })
            .collect()
    }

    #[test]
    fn rows_span_lines_and_ignore_pipes_in_code() {
        let ls = lines(
            "#|\n|| **Name**\n`type` | **Description** ||\n|| **ID***\n[`integer`](x.md) | Uses `a|b`.\n\nMore ||\n|| **X** | Shape:\n```\n{ a | b }\n```\n||\n|#\nafter",
        );
        let (t, next) = parse_table(&ls, 0);
        assert_eq!(next, 13);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.header(), ["name\ntype", "description"]);
        assert_eq!(t.rows[1].cells[0].text, "**ID***\n[`integer`](x.md)");
        assert_eq!(t.rows[1].cells[1].text, "Uses `a|b`.\n\nMore");
        assert_eq!(t.rows[1].line, 4);
        assert!(t.rows[2].cells[1].text.contains("{ a | b }"));
    }

    #[test]
    fn nested_tables_stay_in_their_cell() {
        let ls = lines("#|\n|| A | B ||\n|| x | #|\n|| i | j ||\n|#\n||\n|#");
        let (t, _) = parse_table(&ls, 0);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].cells.len(), 2);
        assert!(t.rows[1].cells[1].text.contains("|| i | j ||"));
    }
}
