//! The serde model of a method spec: what a YAML file under `specs/` may say.

use indexmap::IndexMap;
use serde::Deserialize;

/// One Bitrix24 REST method, as described by its YAML spec.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Exact, case-sensitive REST name, e.g. `messageservice.sender.add`.
    pub method: String,
    /// The permission scope the method belongs to (also the cargo feature that enables it).
    pub scope: String,
    /// Scopes the call needs as well as `scope`, as the page names them
    /// (`imopenlines.bot.session.finish`: also `imbot`).
    #[serde(default)]
    pub also_scopes: Vec<String>,
    /// Scopes any one of which grants the call instead of `scope` (`user.search`: `user_brief`,
    /// `user_basic`).
    #[serde(default)]
    pub alternative_scopes: Vec<String>,
    /// One line: what the method does.
    pub summary: String,
    /// Longer prose for the rustdoc of the request type.
    #[serde(default)]
    pub description: Option<String>,
    /// Who may call it, in the words of its page (administrator, any user, bot owner, ...).
    pub access: String,
    /// The auth contexts in which the portal accepts the call.
    pub contexts: Vec<AuthContext>,
    /// May the method run inside `batch`?
    #[serde(default = "yes")]
    pub batch: bool,
    /// Is it safe to send the call again after an ambiguous network failure?
    pub idempotent: bool,
    /// Link to the method's documentation page.
    pub docs: String,
    /// Name of the generated request type; derived from `method` when absent.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// The parameters, in the order the page lists them (required ones become `new` arguments).
    #[serde(default)]
    pub params: IndexMap<String, Schema>,
    /// Cross-parameter rules the portal enforces.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Shape of the `result` member of a successful response.
    pub result: Schema,
    /// Every documented error: one entry per (code, description) pair of the page.
    #[serde(default)]
    pub errors: Vec<ErrorSpec>,
    /// The documented responses, whole envelopes; each must decode into the generated types.
    #[serde(default)]
    pub examples: Vec<Example>,
    /// How a list method pages through its results.
    #[serde(default)]
    pub pagination: Option<Pagination>,
    /// The page marks the method deprecated: `true`, or what replaces it and why.
    #[serde(default)]
    pub deprecated: Option<Deprecated>,
    /// The `yn` or `boolean` parameter that, given as `Y`, switches CRM user fields in the
    /// request and the reply from camelCase (`ufCrm2_1639669411830`) to their original names
    /// (`UF_CRM_2_1639669411830`): `useOriginalUfNames` of the `crm.item.*` methods.
    #[serde(default)]
    pub original_uf_names: Option<String>,
}

/// A deprecated method: the portal still answers it, but its page points elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "DeprecatedYaml")]
pub struct Deprecated {
    /// The method to use instead, e.g. `crm.item.list`.
    pub replacement: Option<String>,
    /// The page's words, e.g. "The method is deprecated; use crm.item.* instead".
    pub note: Option<String>,
}

impl Deprecated {
    /// The text of `#[deprecated(note = ..)]` and of the registry.
    pub fn note(&self) -> String {
        let mut out = String::from("deprecated by Bitrix24");
        if let Some(r) = &self.replacement {
            out.push_str(&format!("; use `{r}` instead"));
        }
        if let Some(n) = &self.note {
            out.push_str(&format!(" ({})", n.trim().trim_end_matches('.')));
        }
        out
    }
}

/// `deprecated: true` or `deprecated: {replacement: .., note: ..}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum DeprecatedYaml {
    Flag(bool),
    Info {
        #[serde(default)]
        replacement: Option<String>,
        #[serde(default)]
        note: Option<String>,
    },
}

impl TryFrom<DeprecatedYaml> for Deprecated {
    type Error = String;

    fn try_from(d: DeprecatedYaml) -> Result<Self, String> {
        match d {
            DeprecatedYaml::Flag(true) => Ok(Deprecated::default()),
            DeprecatedYaml::Flag(false) => {
                Err("leave `deprecated` out for a method that is not deprecated".into())
            }
            DeprecatedYaml::Info { replacement, note } => Ok(Deprecated { replacement, note }),
        }
    }
}

/// How a list method pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// `classic`: a `start` parameter, `next` and `total` beside `result`, 50 per page.
    /// `offset`: `limit` and `offset` parameters, `hasNextPage` in the result.
    pub style: PageStyle,
    /// The result member that holds the page's items; absent when `result` is the list.
    #[serde(default)]
    pub items: Option<String>,
    /// The item member holding its numeric id: enables the fast mode of classic lists (order by
    /// id, filter on `>id`, `start=-1`).
    #[serde(default)]
    pub id: Option<String>,
    /// The filter parameter the fast mode adds `>id` to.
    #[serde(default = "filter_param")]
    pub filter: String,
    /// The order parameter the fast mode sets to `{id: ASC}`.
    #[serde(default = "order_param")]
    pub order: String,
    /// Where a classic list's position goes: a parameter, or a member of an object parameter
    /// written as a dotted path (`PARAMS.start`). Default `start`.
    #[serde(default)]
    pub start: Option<String>,
    /// Where an offset list's position goes (`params.offset`). Default `offset`.
    #[serde(default)]
    pub offset: Option<String>,
    /// Where an offset list's page size goes (`pagination.limit`). Default `limit`.
    #[serde(default)]
    pub limit: Option<String>,
}

impl Pagination {
    /// The path of the position: `start` (classic) or `offset` (offset), or where the spec
    /// puts it.
    pub fn position_path(&self) -> &str {
        match self.style {
            PageStyle::Classic => self.start.as_deref().unwrap_or("start"),
            PageStyle::Offset => self.offset.as_deref().unwrap_or("offset"),
        }
    }

    /// The path of an offset list's page size (`limit`, or where the spec puts it).
    pub fn limit_path(&self) -> &str {
        self.limit.as_deref().unwrap_or("limit")
    }
}

fn filter_param() -> String {
    "filter".into()
}

fn order_param() -> String {
    "order".into()
}

/// The pagination styles of Bitrix24 list methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStyle {
    /// `start` / `next` / `total`.
    Classic,
    /// `limit` / `offset`, and `hasNextPage` (imbot.v2) or a short page at the end.
    Offset,
}

fn yes() -> bool {
    true
}

/// How a call is authenticated, as far as a method cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthContext {
    /// An OAuth 2 application (access token in the `auth` parameter).
    Application,
    /// An incoming webhook (`/rest/{user}/{code}/`).
    Webhook,
}

impl AuthContext {
    /// The spelling used in specs.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthContext::Application => "application",
            AuthContext::Webhook => "webhook",
        }
    }
}

/// The type of a parameter, a response field, or an item.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// The type name (see [`TypeName`]).
    #[serde(rename = "type")]
    pub ty: TypeName,
    /// Must the value be present (and, for strings, non-empty)?
    #[serde(default)]
    pub required: bool,
    /// Required only when the call is made in one of these auth contexts.
    #[serde(default)]
    pub required_in: Vec<AuthContext>,
    /// Human description, copied into rustdoc.
    #[serde(default)]
    pub description: Option<String>,
    /// Rust name override: the field name for a member, the type name for an object or enum.
    #[serde(default)]
    pub name: Option<String>,
    /// Allowed values of an `enum` (strings), or of an `integer` or `id` (numbers, kept here as
    /// their text).
    #[serde(default, deserialize_with = "values_text")]
    pub values: Option<Vec<String>>,
    /// Regular expression a string value must match (whole value; anchor it).
    #[serde(default)]
    pub pattern: Option<String>,
    /// Minimum length of a string, in characters.
    #[serde(default)]
    pub min_length: Option<usize>,
    /// Maximum length of a string, in characters.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// Smallest value of an `integer`, `id` or `number`.
    #[serde(default)]
    pub minimum: Option<f64>,
    /// Largest value of an `integer`, `id` or `number` (a page size up to 50, say).
    #[serde(default)]
    pub maximum: Option<f64>,
    /// Minimum number of items of an array (entries of a map).
    #[serde(default)]
    pub min_items: Option<usize>,
    /// Maximum number of items of an array (entries of a map).
    #[serde(default)]
    pub max_items: Option<usize>,
    /// Members of an `object`, in order.
    #[serde(default)]
    pub fields: Option<IndexMap<String, Schema>>,
    /// Families of members of an `object` that no spec can list one by one, by name prefix:
    /// user fields `ufCrm…`, parent links `parentId…`, each with the schema of its values.
    #[serde(default)]
    pub dynamic: Option<IndexMap<String, Schema>>,
    /// Rules across the `fields` of an `object` (see [`Rule`]).
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Item type of an `array`, value type of a `map`.
    #[serde(default)]
    pub items: Option<Box<Schema>>,
    /// The shapes a `one_of` value may take, by variant name, tried in order.
    #[serde(default)]
    pub variants: Option<IndexMap<String, Schema>>,
    /// The value is a credential: never printed by Debug, logs or errors.
    #[serde(default)]
    pub secret: bool,
    /// The value the portal assumes when the parameter is left out (documentation only).
    #[serde(default)]
    pub default: Option<serde_yaml::Value>,
    /// In responses: the value may be `null`.
    #[serde(default)]
    pub nullable: bool,
    /// The portal also takes, and may send, the value as a JSON text of it (an `ATTACH` block
    /// given as `"[{\"MESSAGE\": \"Hi\"}]"`): requests and responses read such a string as
    /// the value it encodes.
    #[serde(default)]
    pub json_string: bool,
    /// `ref: Name`: the shared type `specs/<scope>/types/Name.yaml`. Loading puts its shape in
    /// and keeps the name here, so that the generator refers to the one generated type.
    #[serde(default, rename = "ref")]
    pub shared: Option<String>,
}

/// `values` written as strings or numbers (a YAML document reads `1` as text when asked for a
/// string; a `serde_yaml::Value` does not).
fn values_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Str(String),
        Int(i64),
        Float(f64),
        Bool(bool),
    }
    let list: Option<Vec<Text>> = Option::deserialize(d)?;
    Ok(list.map(|l| {
        l.into_iter()
            .map(|t| match t {
                Text::Str(s) => s,
                Text::Int(n) => n.to_string(),
                Text::Float(f) => f.to_string(),
                Text::Bool(b) => b.to_string(),
            })
            .collect()
    }))
}

impl Schema {
    /// The schema of the member `name` that `fields` does not list, from the first `dynamic`
    /// family whose prefix it starts with.
    pub fn dynamic_member(&self, name: &str) -> Option<&Schema> {
        self.dynamic
            .iter()
            .flatten()
            .find(|(prefix, _)| name.starts_with(prefix.as_str()) && name.len() > prefix.len())
            .map(|(_, s)| s)
    }

    /// `type: any` and nothing else: what stands for a member that does not read at all.
    pub(crate) fn placeholder() -> Schema {
        Schema {
            ty: TypeName::Any,
            required: false,
            required_in: Vec::new(),
            description: None,
            name: None,
            values: None,
            pattern: None,
            min_length: None,
            max_length: None,
            minimum: None,
            maximum: None,
            min_items: None,
            max_items: None,
            fields: None,
            dynamic: None,
            rules: Vec::new(),
            items: None,
            variants: None,
            secret: false,
            default: None,
            nullable: false,
            json_string: false,
            shared: None,
        }
    }
}

/// The types a spec can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeName {
    /// A JSON string.
    String,
    /// An integer; responses may carry it as a numeric string.
    Integer,
    /// Any JSON number.
    Number,
    /// A JSON boolean; responses may carry `"Y"`/`"N"`, `"1"`/`"0"`.
    Boolean,
    /// A boolean sent as the string `"Y"` or `"N"`.
    Yn,
    /// An absolute http(s) URL.
    Url,
    /// An identifier sent as a number; responses may carry it as a string.
    Id,
    /// A string, or a map of language code to string.
    LocalizedText,
    /// A string restricted to `values`.
    Enum,
    /// A JSON object with the members in `fields`.
    Object,
    /// A JSON array of `items`.
    Array,
    /// A JSON object of arbitrary keys with values of type `items` (`[]` when empty).
    Map,
    /// Any JSON value, passed through untyped.
    Any,
    /// A value of one of several shapes (`variants`): a keyboard that is a list of buttons or
    /// the string `"N"`, a value that is a string or `false`.
    OneOf,
    /// A list method's filter: field names with operator prefixes (`>=DATE_CREATE`), built with
    /// `bitrix_api::Filter`; `fields` lists the fields it may name. Parameters only.
    Filter,
    /// A list method's sort order: field names to `ASC`/`DESC`, built with `bitrix_api::Order`;
    /// `fields` lists the fields it may name. Parameters only.
    Order,
    /// A file: sent as `[name, base64]` (or `{fileData: [name, base64]}`, or the id of a file
    /// the portal holds), built with `bitrix_api::FileData`; read as the JSON the portal sends
    /// (an id, or an object with its URLs).
    File,
}

impl TypeName {
    /// Every type name, in the order the format documents them.
    pub const ALL: [TypeName; 17] = [
        TypeName::String,
        TypeName::Integer,
        TypeName::Number,
        TypeName::Boolean,
        TypeName::Yn,
        TypeName::Url,
        TypeName::Id,
        TypeName::LocalizedText,
        TypeName::Enum,
        TypeName::Object,
        TypeName::Array,
        TypeName::Map,
        TypeName::Any,
        TypeName::OneOf,
        TypeName::Filter,
        TypeName::Order,
        TypeName::File,
    ];

    /// The spelling used in specs.
    pub fn as_str(self) -> &'static str {
        match self {
            TypeName::String => "string",
            TypeName::Integer => "integer",
            TypeName::Number => "number",
            TypeName::Boolean => "boolean",
            TypeName::Yn => "yn",
            TypeName::Url => "url",
            TypeName::Id => "id",
            TypeName::LocalizedText => "localized_text",
            TypeName::Enum => "enum",
            TypeName::Object => "object",
            TypeName::Array => "array",
            TypeName::Map => "map",
            TypeName::Any => "any",
            TypeName::OneOf => "one_of",
            TypeName::Filter => "filter",
            TypeName::Order => "order",
            TypeName::File => "file",
        }
    }

    /// Scalar types and `any`: what generates no type of its own, and so what a `dynamic`
    /// family of members may hold (alone, or as the items of an array).
    pub fn is_plain(self) -> bool {
        matches!(
            self,
            TypeName::String
                | TypeName::Url
                | TypeName::Integer
                | TypeName::Id
                | TypeName::Number
                | TypeName::Boolean
                | TypeName::Yn
                | TypeName::Any
        )
    }

    /// Types whose values are strings on the wire (where `pattern` and lengths apply).
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            TypeName::String | TypeName::Url | TypeName::Enum | TypeName::LocalizedText
        )
    }
}

/// A rule across several members of one object: the method's parameters (`rules` at the top)
/// or the fields of an object parameter (`rules` beside its `fields`). Exactly one kind per rule.
/// "B is required unless A is given" is `at_least_one_of: [A, B]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// At least one of these must be given.
    #[serde(default)]
    pub at_least_one_of: Vec<String>,
    /// At most one of these may be given (they exclude each other).
    #[serde(default)]
    pub at_most_one_of: Vec<String>,
    /// All of these, or none of them.
    #[serde(default)]
    pub all_or_none: Vec<String>,
    /// With `then_required`: the member whose presence (or, with `equals`, whose value) makes
    /// others required.
    #[serde(default)]
    pub if_given: Option<String>,
    /// With `if_given`: the value that makes the others required.
    #[serde(default)]
    pub equals: Option<serde_json::Value>,
    /// With `if_given`: the members it makes required.
    #[serde(default)]
    pub then_required: Vec<String>,
    /// The rule in words, for rustdoc and validation messages.
    #[serde(default)]
    pub description: Option<String>,
}

/// What a [`Rule`] says, once its kind is known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RuleKind<'a> {
    /// `at_least_one_of`.
    AtLeastOne(&'a [String]),
    /// `at_most_one_of`.
    AtMostOne(&'a [String]),
    /// `all_or_none`.
    AllOrNone(&'a [String]),
    /// `if_given` (with `equals`) and `then_required`.
    Requires {
        /// The member that triggers the rule.
        given: &'a str,
        /// The value it must have, if any.
        equals: Option<&'a serde_json::Value>,
        /// The members that become required.
        then: &'a [String],
    },
}

impl Rule {
    /// The kind of the rule, or why it has none (or several).
    pub fn kind(&self) -> Result<RuleKind<'_>, String> {
        let mut kinds = Vec::new();
        if !self.at_least_one_of.is_empty() {
            kinds.push(RuleKind::AtLeastOne(&self.at_least_one_of));
        }
        if !self.at_most_one_of.is_empty() {
            kinds.push(RuleKind::AtMostOne(&self.at_most_one_of));
        }
        if !self.all_or_none.is_empty() {
            kinds.push(RuleKind::AllOrNone(&self.all_or_none));
        }
        match (&self.if_given, self.then_required.is_empty()) {
            (Some(given), false) => kinds.push(RuleKind::Requires {
                given,
                equals: self.equals.as_ref(),
                then: &self.then_required,
            }),
            (Some(_), true) => {
                return Err(
                    "`if_given` needs `then_required`: the members it makes required".into(),
                );
            }
            (None, false) => {
                return Err(
                    "`then_required` needs `if_given`: the member that makes them required".into(),
                );
            }
            (None, true) if self.equals.is_some() => {
                return Err("`equals` goes with `if_given` and `then_required`".into());
            }
            (None, true) => {}
        }
        match kinds.len() {
            1 => Ok(kinds[0]),
            0 => Err("a rule takes one of `at_least_one_of`, `at_most_one_of`, `all_or_none`, or `if_given` with `then_required`".into()),
            _ => Err("a rule says one thing: split it into several rules".into()),
        }
    }

    /// Every member the rule names.
    pub fn members(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .at_least_one_of
            .iter()
            .chain(&self.at_most_one_of)
            .chain(&self.all_or_none)
            .chain(&self.then_required)
            .map(String::as_str)
            .collect();
        out.extend(self.if_given.as_deref());
        out
    }

    /// The rule in words: its `description`, or one written from what it says.
    pub fn describe(&self) -> String {
        if let Some(d) = &self.description {
            return d.clone();
        }
        match self.kind() {
            Ok(RuleKind::AtLeastOne(m)) => format!("At least one of {}", m.join(", ")),
            Ok(RuleKind::AtMostOne(m)) => format!("At most one of {}", m.join(", ")),
            Ok(RuleKind::AllOrNone(m)) => format!("All of {} or none", m.join(", ")),
            Ok(RuleKind::Requires {
                given,
                equals: Some(v),
                then,
            }) => {
                format!("{} required when {given} is {v}", then.join(", "))
            }
            Ok(RuleKind::Requires {
                given,
                equals: None,
                then,
            }) => {
                format!("{} required when {given} is given", then.join(", "))
            }
            Err(_) => "A rule of the method".into(),
        }
    }

    /// Whether the members given (`given`) and their values (`value`) keep the rule; when not,
    /// what is wrong, naming the members. The client checks the same way
    /// ([`bitrix_wire::rules`]).
    pub fn check<'v>(
        &self,
        given: impl Fn(&str) -> bool,
        value: impl Fn(&str) -> Option<&'v serde_json::Value>,
    ) -> Result<(), String> {
        use bitrix_wire::rules::{Rule as Wire, check};
        let rule = match self.kind() {
            Ok(RuleKind::AtLeastOne(m)) => Wire::AtLeastOne(m),
            Ok(RuleKind::AtMostOne(m)) => Wire::AtMostOne(m),
            Ok(RuleKind::AllOrNone(m)) => Wire::AllOrNone(m),
            Ok(RuleKind::Requires {
                given,
                equals,
                then,
            }) => Wire::Requires {
                given,
                equals,
                then,
            },
            Err(_) => return Ok(()),
        };
        check(rule, given, |k| value(k).cloned()).map_err(|b| b.message)
    }
}

/// One documented error of a method.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    /// The `error` code the portal answers with: letters, digits and `_`, a number (`100`), or
    /// empty (`""`) where the page documents only that.
    #[serde(deserialize_with = "text_or_number")]
    pub code: String,
    /// HTTP status of the answer: 400 to 599, or 200 for an error the portal answers with a
    /// success status (an error envelope, or inside `result` with `in_result`).
    pub status: u16,
    /// The error comes inside a successful answer's `result`:
    /// `{"result": {"result": false, "error": "CODE", "error_description": "..."}}`.
    #[serde(default)]
    pub in_result: bool,
    /// The `error_description` the portal sends.
    pub description: String,
    /// What it means, in the words of the page.
    #[serde(default)]
    pub meaning: Option<String>,
    /// Which request-validation failure makes the portal answer this (used by the mock portal).
    #[serde(default)]
    pub when: Option<Trigger>,
}

/// A string, or a number written without quotes (`code: 100`), as its text.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Code {
        Text(String),
        Number(u64),
    }
    Ok(match Code::deserialize(d)? {
        Code::Text(t) => t,
        Code::Number(n) => n.to_string(),
    })
}

/// The Rust variant of an error code: the code in PascalCase, `EmptyCode` for `""`, and
/// `Code100` for a code that starts with a digit.
pub fn error_variant(code: &str) -> String {
    if code.is_empty() {
        "EmptyCode".into()
    } else if code.starts_with(|c: char| c.is_ascii_digit()) {
        format!(
            "Code{}",
            pascal_case(&format!("x{code}")).trim_start_matches('X')
        )
    } else {
        pascal_case(code)
    }
}

/// The request-validation failure an error answers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "When")]
pub enum Trigger {
    /// The request has no parameters at all.
    NoParams(bool),
    /// This parameter is missing or empty.
    Missing(String),
    /// This parameter has a value the method does not accept. A path narrows it to where the
    /// value fails: `MESSAGES[]` (an item), `MESSAGES[].message` (a member of an item),
    /// `MESSAGES[].*` (any member of an item); the most specific entry that covers the failure
    /// answers it.
    Invalid(String),
    /// The rule with this index (0-based) in `rules` is violated.
    Rule(usize),
    /// The call is made in an auth context the method does not accept.
    WrongContext(bool),
    /// The record this parameter names (a path like those of `Invalid`) does not exist.
    NotFound(String),
    /// The caller is not a portal administrator.
    NotAdmin(bool),
}

impl Trigger {
    /// Does it depend on the portal's state (what exists, who calls) rather than on the
    /// request's shape?
    pub fn is_state(&self) -> bool {
        matches!(self, Trigger::NotFound(_) | Trigger::NotAdmin(_))
    }
}

/// The YAML form of [`Trigger`]: a mapping with exactly one key.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct When {
    #[serde(default)]
    no_params: bool,
    missing: Option<String>,
    invalid: Option<String>,
    rule: Option<usize>,
    #[serde(default)]
    wrong_context: bool,
    not_found: Option<String>,
    #[serde(default)]
    not_admin: bool,
}

impl TryFrom<When> for Trigger {
    type Error = String;

    fn try_from(w: When) -> Result<Self, String> {
        let mut found = Vec::new();
        if w.no_params {
            found.push(Trigger::NoParams(true));
        }
        if let Some(p) = w.missing {
            found.push(Trigger::Missing(p));
        }
        if let Some(p) = w.invalid {
            found.push(Trigger::Invalid(p));
        }
        if let Some(r) = w.rule {
            found.push(Trigger::Rule(r));
        }
        if w.wrong_context {
            found.push(Trigger::WrongContext(true));
        }
        if let Some(p) = w.not_found {
            found.push(Trigger::NotFound(p));
        }
        if w.not_admin {
            found.push(Trigger::NotAdmin(true));
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            n => Err(format!(
                "`when` takes exactly one of `no_params: true`, `missing: PARAM`, `invalid: PARAM`, \
                 `rule: N`, `wrong_context: true`, `not_found: PARAM`, `not_admin: true`; found {n}"
            )),
        }
    }
}

/// A documented response.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// What the example shows.
    #[serde(default)]
    pub title: Option<String>,
    /// HTTP status of the response.
    #[serde(default = "ok_status")]
    pub status: u16,
    /// The whole JSON envelope: `{result, time}` or `{error, error_description}`.
    pub response: serde_json::Value,
}

fn ok_status() -> u16 {
    200
}

impl Spec {
    /// Name of the generated request type: `rust_name`, or the method name in PascalCase.
    pub fn type_name(&self) -> String {
        self.rust_name
            .clone()
            .unwrap_or_else(|| pascal_case(&self.method))
    }

    /// The first documented error that answers `trigger`.
    pub fn error_for(&self, trigger: &Trigger) -> Option<&ErrorSpec> {
        self.errors
            .iter()
            .find(|e| e.when.as_ref() == Some(trigger))
    }

    /// The first documented error with this code (case-insensitive).
    pub fn error_by_code(&self, code: &str) -> Option<&ErrorSpec> {
        self.errors
            .iter()
            .find(|e| e.code.eq_ignore_ascii_case(code))
    }
}

/// `imbot.v2.Chat.Message.delete` -> `ImbotV2ChatMessageDelete`; `ERROR_SENDER` -> `ErrorSender`.
pub fn pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in split_words(s) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.extend(chars.flat_map(char::to_lowercase));
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `botToken` -> `bot_token`; `CODE` -> `code`; `DATA` -> `data`.
pub fn snake_case(s: &str) -> String {
    let words: Vec<String> = split_words(s).map(|w| w.to_lowercase()).collect();
    let mut out = words.join("_");
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Splits on non-alphanumerics and on lower-to-upper case changes (`botToken` -> bot, Token).
fn split_words(s: &str) -> impl Iterator<Item = &str> {
    let mut words = Vec::new();
    for part in s.split(|c: char| !c.is_ascii_alphanumeric()) {
        let bytes = part.as_bytes();
        let mut start = 0;
        for i in 1..bytes.len() {
            if bytes[i].is_ascii_uppercase() && bytes[i - 1].is_ascii_lowercase() {
                words.push(&part[start..i]);
                start = i;
            }
        }
        if start < part.len() {
            words.push(&part[start..]);
        }
    }
    words.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            pascal_case("imbot.v2.Chat.Message.delete"),
            "ImbotV2ChatMessageDelete"
        );
        assert_eq!(pascal_case("ERROR_SENDER_NOT_FOUND"), "ErrorSenderNotFound");
        assert_eq!(pascal_case("expired_token"), "ExpiredToken");
        assert_eq!(snake_case("botToken"), "bot_token");
        assert_eq!(snake_case("CODE"), "code");
        assert_eq!(snake_case("messageId"), "message_id");
        assert_eq!(pascal_case("SMS"), "Sms");
        assert_eq!(pascal_case("undelivered"), "Undelivered");
    }
}
