//! Reading the JSON examples of a page, which people write with comments, `...` for "and so on"
//! and trailing commas. Cleaning removes those and says what it removed.

use serde_json::Value;

/// What cleaning had to do to a JSON text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// Comments (`//`, `/* */`, `#`) removed.
    pub comments: usize,
    /// `...` / `…` placeholders removed (with the member they stood for, if any).
    pub ellipses: usize,
    /// Commas removed (trailing, doubled or left by a removed placeholder).
    pub commas: usize,
}

impl Cleaned {
    /// Did cleaning change anything?
    pub fn changed(&self) -> bool {
        self.comments + self.ellipses + self.commas > 0
    }

    /// What was removed, in words.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.comments > 0 {
            parts.push(format!("{} comment(s)", self.comments));
        }
        if self.ellipses > 0 {
            parts.push(format!("{} `...` placeholder(s)", self.ellipses));
        }
        if self.commas > 0 {
            parts.push(format!("{} stray comma(s)", self.commas));
        }
        parts.join(", ")
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Punct(char),
    Word(String),
    Ellipsis,
}

fn tokenize(text: &str, cleaned: &mut Cleaned) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            _ if c.is_whitespace() => i += 1,
            '"' => {
                let mut s = String::from('"');
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        s.push(chars[i]);
                        i += 1;
                    }
                    if chars[i] == '\n' {
                        return Err("a string runs past the end of its line".into());
                    }
                    s.push(chars[i]);
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("unterminated string".into());
                }
                s.push('"');
                i += 1;
                toks.push(Tok::Str(s));
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                cleaned.comments += 1;
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '#' => {
                cleaned.comments += 1;
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                cleaned.comments += 1;
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            '{' | '}' | '[' | ']' | ':' | ',' => {
                toks.push(Tok::Punct(c));
                i += 1;
            }
            '…' => {
                toks.push(Tok::Ellipsis);
                i += 1;
            }
            '.' if chars.get(i + 1) == Some(&'.') => {
                while i < chars.len() && chars[i] == '.' {
                    i += 1;
                }
                toks.push(Tok::Ellipsis);
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '{' | '}' | '[' | ']' | ':' | ',' | '"')
                {
                    if chars[i] == '.' && chars.get(i + 1) == Some(&'.') {
                        break;
                    }
                    i += 1;
                }
                toks.push(Tok::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(toks)
}

/// Removes placeholders (and a member whose value is one), then stray commas.
fn repair(toks: Vec<Tok>, cleaned: &mut Cleaned) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Ellipsis => {
                cleaned.ellipses += 1;
                // `"key": ...`: drop the key too.
                if matches!(out.last(), Some(Tok::Punct(':'))) {
                    out.pop();
                    out.pop();
                }
                // `"text"...` or `...` glued to a word stays removed alone.
            }
            t => out.push(t.clone()),
        }
        i += 1;
    }
    // Commas: none after `[`, `{` or another comma, none before `]` or `}`.
    let mut fixed: Vec<Tok> = Vec::with_capacity(out.len());
    for (k, t) in out.iter().enumerate() {
        if *t == Tok::Punct(',') {
            let prev = fixed.last();
            let next = out.get(k + 1);
            let stray = matches!(prev, None | Some(Tok::Punct('[' | '{' | ',')))
                || matches!(next, None | Some(Tok::Punct(']' | '}' | ',')));
            if stray {
                cleaned.commas += 1;
                continue;
            }
        }
        fixed.push(t.clone());
    }
    fixed
}

/// Parses a JSON example, cleaning it first when it does not parse as it is.
pub fn parse_example(text: &str) -> Result<(Value, Cleaned), String> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok((v, Cleaned::default()));
    }
    let mut cleaned = Cleaned::default();
    let toks = repair(tokenize(text, &mut cleaned)?, &mut cleaned);
    let mut s = String::with_capacity(text.len());
    for t in &toks {
        match t {
            Tok::Str(x) | Tok::Word(x) => s.push_str(x),
            Tok::Punct(c) => s.push(*c),
            Tok::Ellipsis => {}
        }
        s.push(' ');
    }
    match serde_json::from_str::<Value>(&s) {
        Ok(v) => Ok((v, cleaned)),
        Err(e) => Err(format!("not JSON even after cleaning: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn plain_json_is_untouched() {
        let (v, c) = parse_example(r#"{"result": true}"#).expect("parses");
        assert_eq!(v, json!({"result": true}));
        assert!(!c.changed());
    }

    #[test]
    fn comments_ellipses_and_trailing_commas_are_removed() {
        let text = r#"{
            "result": {
                "items": [ {"id": 1}, ... ], // the page
                "total": 10, /* more */
                "next": ...,
                "name": "a.b...c",
            },
            # shell-style
            "time": {...}
        }"#;
        let (v, c) = parse_example(text).expect("cleans");
        assert_eq!(
            v,
            json!({"result": {"items": [{"id": 1}], "total": 10, "name": "a.b...c"}, "time": {}})
        );
        assert_eq!(c.comments, 3);
        assert_eq!(c.ellipses, 3);
        assert!(c.commas >= 2);
        assert!(c.describe().contains("comment"));
    }

    #[test]
    fn broken_text_is_an_error() {
        assert!(parse_example("{\"a\": tru e}").is_err());
        assert!(parse_example("{\"a\": \"x").is_err());
    }
}
