//! Event specs: what Bitrix24 POSTs to a handler bound to an event (`event.bind`), one file per
//! event in `specs/<scope>/events/<eventName>.yaml`. The envelope (`event`, `event_handler_id`,
//! `ts`, `auth`) is the same for every event and lives in the runtime; a spec describes the
//! event's name and its `data`, the one part that differs.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::check::check_schema;
use crate::model::{AuthContext, Schema, TypeName, pascal_case};
use crate::parse::{Damage, Diagnostic, Seg, Source};
use crate::validate::{Mode, conforms};

/// One event, as its spec describes it.
#[derive(Debug, Clone)]
pub struct EventSpec {
    /// The spec file, as given to [`load_event`].
    pub file: String,
    /// The event's name as the reference writes it (`onCrmDealAdd`); the portal sends it in
    /// upper case ([`EventSpec::code`]) and takes it in any case.
    pub name: String,
    /// The page title, as the summary of the generated type.
    pub summary: String,
    /// Who may subscribe to it.
    pub access: Option<String>,
    /// The reference page.
    pub docs: String,
    /// `Some(note)` when the reference marks the event deprecated.
    pub deprecated: Option<String>,
    /// The shape of the payload's `data`.
    pub data: Schema,
    /// Documented payloads, whole (`event`, `data`, `ts`, `auth`).
    pub examples: Vec<Value>,
}

impl EventSpec {
    /// The name as the portal sends it in `event`: `ONCRMDEALADD`.
    pub fn code(&self) -> String {
        self.name.to_ascii_uppercase()
    }

    /// The generated type of its `data`: `onCrmDealAdd` -> `OnCrmDealAdd`,
    /// `onImbotV2MessageAdd` -> `OnImbotV2MessageAdd` (a capital after a digit starts a word).
    pub fn type_name(&self) -> String {
        let mut spaced = String::with_capacity(self.name.len() + 4);
        let mut prev_digit = false;
        for c in self.name.chars() {
            if prev_digit && c.is_ascii_uppercase() {
                spaced.push('_');
            }
            prev_digit = c.is_ascii_digit();
            spaced.push(c);
        }
        pascal_case(&spaced)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    event: String,
    summary: String,
    #[serde(default)]
    access: Option<String>,
    docs: String,
    #[serde(default)]
    deprecated: Option<String>,
    data: Schema,
    #[serde(default)]
    examples: Vec<Value>,
}

/// Reads and checks one event spec, reporting every problem at its line.
pub fn load_event(file: &str, text: &str) -> Result<EventSpec, Vec<Diagnostic>> {
    let src = Source { file, text };
    let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        vec![Diagnostic {
            file: file.to_owned(),
            line,
            column,
            key: String::new(),
            message: format!("YAML syntax error: {e}"),
        }]
    })?;
    let mut diags = Vec::new();
    let mut damage = Damage::default();
    let Some(f) = src.read::<File>(&doc, &[], &mut diags, &mut damage) else {
        if diags.is_empty() {
            diags.push(src.at(
                &[],
                "an event spec is a mapping with `event`, `summary`, `docs` and `data`",
            ));
        }
        return Err(diags);
    };
    let key = |k: &str| vec![Seg::Key(k.into())];
    let valid_name = f.event.starts_with(|c: char| c.is_ascii_alphabetic())
        && f.event
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if !valid_name && !damage.at(&key("event")) {
        diags.push(src.at(
            &key("event"),
            format!(
                "`{}` is not an event name: letters, digits, `_` and `.`, as the reference writes it (`onCrmDealAdd`, `CATALOG.PRICE.ON.ADD`)",
                f.event
            ),
        ));
    }
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if valid_name && stem != f.event {
        diags.push(src.at(
            &key("event"),
            format!(
                "the file of the event `{}` is named `{}.yaml`, not `{stem}.yaml`",
                f.event, f.event
            ),
        ));
    }
    if f.data.ty != TypeName::Object && !damage.at(&key("data")) {
        diags.push(src.at(
            &[Seg::Key("data".into()), Seg::Key("type".into())],
            format!(
                "an event's `data` is an `object`, not `{}`",
                f.data.ty.as_str()
            ),
        ));
    } else {
        let mut found = Vec::new();
        let all = [AuthContext::Application, AuthContext::Webhook];
        check_schema(&src, &f.data, &key("data"), &all, false, &mut found);
        damage.filter(&mut found);
        diags.extend(found);
    }
    let code = f.event.to_ascii_uppercase();
    for (i, ex) in f.examples.iter().enumerate() {
        let at = vec![Seg::Key("examples".into()), Seg::Index(i)];
        let Some(o) = ex.as_object() else {
            diags.push(src.at(
                &at,
                "an example is a whole payload: an object with `event` and `data`",
            ));
            continue;
        };
        if let Some(sent) = o.get("event").and_then(Value::as_str) {
            if !sent.eq_ignore_ascii_case(&code) {
                diags.push(src.at(
                    &at,
                    format!("the example is of the event `{sent}`, not `{code}`"),
                ));
            }
        }
        if let Some(data) = o.get("data") {
            if let Err(e) = conforms(&f.data, data, Mode::Response) {
                diags.push(src.at(
                    &at,
                    format!("the example's `data` does not fit `data`: {e}"),
                ));
            }
        }
    }
    if !diags.is_empty() {
        diags.sort_by_key(|d| (d.line, d.column));
        return Err(diags);
    }
    Ok(EventSpec {
        file: file.to_owned(),
        name: f.event,
        summary: f.summary,
        access: f.access,
        docs: f.docs,
        deprecated: f.deprecated,
        data: f.data,
        examples: f.examples,
    })
}

/// The `*.yaml` files of `scope_dir/events`, sorted; empty when there is no such folder.
pub fn event_files(scope_dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    crate::types::yaml_files(&scope_dir.join("events"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "event: onCrmDealAdd
summary: Deal created
access: any user
docs: https://example.com/on-crm-deal-add.html
data:
  type: object
  fields:
    FIELDS:
      type: object
      fields:
        ID: { type: integer }
examples:
  - event: ONCRMDEALADD
    data: { FIELDS: { ID: \"6641\" } }
    ts: \"1735374081\"
";

    #[test]
    fn an_event_spec_loads_with_its_code_and_type_name() {
        let ev = load_event("crm/events/onCrmDealAdd.yaml", SPEC).expect("valid");
        assert_eq!(ev.code(), "ONCRMDEALADD");
        assert_eq!(ev.type_name(), "OnCrmDealAdd");
        let v2 = EventSpec {
            name: "onImbotV2MessageAdd".into(),
            ..ev.clone()
        };
        assert_eq!(v2.type_name(), "OnImbotV2MessageAdd");
        assert_eq!(ev.examples.len(), 1);
    }

    #[test]
    fn every_problem_is_reported_at_its_line() {
        let text = SPEC
            .replace("event: ONCRMDEALADD", "event: ONCRMDEALUPDATE")
            .replace("ID: \"6641\"", "ID: [1]")
            .replace("access: any user", "acess: any user");
        let diags = load_event("crm/events/onCrmDealAdd.yaml", &text).unwrap_err();
        let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert_eq!(diags.len(), 3, "{text:#?}");
        assert!(
            text[0].starts_with("crm/events/onCrmDealAdd.yaml:3:1: `acess`"),
            "{text:#?}"
        );
        assert!(
            text[1].contains("`examples[0]`") && text[1].contains("ONCRMDEALUPDATE"),
            "{text:#?}"
        );
        assert!(text[2].contains("does not fit `data`"), "{text:#?}");
    }

    #[test]
    fn the_file_is_named_after_the_event() {
        let diags = load_event("crm/events/deal.yaml", SPEC).unwrap_err();
        assert!(
            diags[0].to_string().contains("named `onCrmDealAdd.yaml`"),
            "{diags:?}"
        );
    }
}
