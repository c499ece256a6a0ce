//! Synthetic method specs for the compile-time benchmark, shaped like the real ones in `specs/`.
//!
//! Spec `i` is `synthetic.thingNNNN.<verb>` with the verb cycling through `add`, `update`,
//! `get`, `list` and `delete`, so that N specs mix the shapes of a real scope: nested objects,
//! arrays of objects with required ids, enums, localized texts, a rule, a secret parameter
//! required under webhooks (even `i`) or an application-only method (odd `i`), about ten errors
//! with `when` triggers, a classic paged list, and documented examples that conform to `result`.
//! Every nested type is named after the spec (`ThingNNNN...`), so that N specs can share one
//! scope module without clashing.
//!
//! The N specs are spread over scopes (`synth01`, `synth02`, ...) whose sizes follow those of
//! the scopes of the REST reference (one of about 600 methods, most of a few dozen), since each
//! scope is a crate of its own and the build's parallelism depends on how they divide.

use std::io;
use std::path::{Path, PathBuf};

/// The prefix of the synthetic scopes' names (`synth01`, ...), and of the method names.
pub const SCOPE: &str = "synthetic";

/// How many methods each scope of the REST reference has (by the scope its pages name), largest
/// first: the shape the synthetic scopes are cut to.
const REFERENCE_SCOPES: [usize; 46] = [
    598, 194, 167, 159, 120, 82, 78, 63, 60, 54, 41, 39, 38, 37, 32, 28, 27, 27, 26, 24, 24, 23,
    23, 22, 21, 21, 15, 15, 12, 11, 11, 10, 10, 10, 8, 7, 7, 7, 6, 6, 6, 6, 4, 3, 2, 1,
];

/// The scope of spec `i` of `n`: the specs are cut into runs in the proportions of
/// `REFERENCE_SCOPES` (a scope whose share rounds to nothing gets none).
pub fn scope(i: usize, n: usize) -> String {
    let total: usize = REFERENCE_SCOPES.iter().sum();
    let mut upto = 0;
    let mut k = 0;
    for (j, size) in REFERENCE_SCOPES.iter().enumerate() {
        upto += size;
        k = j;
        if i < (upto * n).div_ceil(total) {
            break;
        }
    }
    format!("synth{:02}", k + 1)
}

/// The verbs spec `i` cycles through.
pub const VERBS: [&str; 5] = ["add", "update", "get", "list", "delete"];

/// The method name of spec `i`, e.g. `synthetic.thing0042.get`.
pub fn method_name(i: usize) -> String {
    format!("{SCOPE}.thing{i:04}.{}", VERBS[i % VERBS.len()])
}

/// Which specs the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shapes {
    /// Every spec uses the full template of its verb (nested objects, arrays of objects, enums,
    /// a rule, about ten errors): 2.2 times the schema nodes, 3.6 times the objects and 3.3 times
    /// the errors of the average spec in `specs/`.
    Dense,
    /// One spec in eleven uses the full template (so every construct still appears), the others
    /// a light one, so that the averages per spec are those of `specs/` (schema nodes, objects,
    /// enums, errors, examples; `bench/shapes.py` prints both).
    Reference,
}

impl Shapes {
    /// `BENCH_SHAPES=dense` or the default, `reference`.
    pub fn from_env() -> Result<Shapes, String> {
        match std::env::var("BENCH_SHAPES").as_deref() {
            Err(_) | Ok("reference") => Ok(Shapes::Reference),
            Ok("dense") => Ok(Shapes::Dense),
            Ok(other) => Err(format!(
                "BENCH_SHAPES is `dense` or `reference`, not `{other}`"
            )),
        }
    }
}

/// The YAML text of spec `i` in scope `scope`, in the reference's mix of shapes.
pub fn spec(i: usize, scope: &str) -> String {
    spec_with(i, scope, Shapes::Reference)
}

/// The YAML text of spec `i` in scope `scope`.
pub fn spec_with(i: usize, scope: &str, shapes: Shapes) -> String {
    let light = shapes == Shapes::Reference && i % 11 != 0;
    let template = match VERBS[i % VERBS.len()] {
        _ if light => light_template(VERBS[i % VERBS.len()]),
        "add" => ADD,
        "update" => UPDATE,
        "get" => GET,
        "list" => LIST,
        _ => DELETE,
    };
    // Even specs take a bot token under webhooks; odd ones are application-only, so both
    // `required_in` and `wrong_context` appear in the mix.
    let (contexts, secret, context_error) = if i % 2 == 0 {
        ("[application, webhook]", SECRET_PARAM, BOT_TOKEN_ERROR)
    } else {
        ("[application]", "", WRONG_CONTEXT_ERROR)
    };
    let head = HEAD
        .replace("%CONTEXTS%", contexts)
        .replace("%IDEMPOTENT%", if i % 5 == 0 { "false" } else { "true" });
    let text = format!("{head}{template}{TAIL}")
        .replace("%SECRET%\n", secret)
        .replace("%CONTEXT_ERROR%\n", context_error);
    text.replace("%S%", scope)
        .replace("%M%", &method_name(i))
        .replace("%T%", &format!("Thing{i:04}"))
        .replace("%t%", &format!("thing{i:04}"))
        .replace("%V%", VERBS[i % VERBS.len()])
        .replace("%N%", &i.to_string())
        .replace("%ID%", &(i + 1).to_string())
}

/// Writes specs `0..n` into `<specs_dir>/<scope>/` (created if missing), one `<method>.yaml`
/// each, and returns their paths.
pub fn write(n: usize, specs_dir: &Path, shapes: Shapes) -> io::Result<Vec<PathBuf>> {
    (0..n)
        .map(|i| {
            let dir = specs_dir.join(scope(i, n));
            std::fs::create_dir_all(&dir)?;
            let path = dir.join(format!("{}.yaml", method_name(i)));
            std::fs::write(&path, spec_with(i, &scope(i, n), shapes))?;
            Ok(path)
        })
        .collect()
}

/// The light template of a verb: what most specs of the reference are, a few scalar
/// parameters (and for `add`/`update` a `fields` object of scalars), a result that is a
/// scalar or an object of scalars, three errors and one success example.
fn light_template(verb: &str) -> &'static str {
    match verb {
        "add" | "update" => LIGHT_WRITE,
        "list" => LIGHT_LIST,
        _ => LIGHT_READ,
    }
}

const LIGHT_WRITE: &str = r#"
params:
  id: { type: integer, description: Thing ID (update only). }
  fields:
    type: object
    name: %T%Fields
    required: true
    description: Values to set.
    fields:
      TITLE: { type: string, required: true, description: Title. }
      SORT: { type: integer, description: Sort index. }
      ACTIVE: { type: yn, description: Whether the thing is active. }
      COMMENT: { type: string, description: Comment. }
%SECRET%
  lang: { type: string, description: Language of the texts. }

result:
  type: integer
  required: true
  description: ID of the thing.

errors:
  - { code: ERROR_CORE, status: 400, description: "Required fields are not filled", meaning: fields not provided, when: { missing: fields } }
%CONTEXT_ERROR%
  - { code: ACCESS_DENIED, status: 403, description: "Access denied!", meaning: Not allowed }

examples:
  - title: Thing saved
    response:
      result: %ID%
      time: { start: 1742895600, finish: 1742895600.1402, duration: 0.1402289867401123, processing: 0.1402289867401123, date_start: "2025-03-25T10:00:00+01:00", date_finish: "2025-03-25T10:00:00+01:00" }
"#;

const LIGHT_READ: &str = r#"
params:
  id: { type: integer, required: true, description: Thing ID. }
%SECRET%
  lang: { type: string, description: Language of the texts. }

result:
  type: object
  name: %T%Light
  required: true
  description: The thing.
  fields:
    ID: { type: integer, required: true, description: Thing ID. }
    TITLE: { type: string, description: Title. }
    SORT: { type: integer, description: Sort index. }
    ACTIVE: { type: yn, description: Whether the thing is active. }
    DATE_CREATE: { type: string, description: Creation time. }

errors:
  - { code: ERROR_NOT_FOUND, status: 400, description: "Not found", meaning: No thing with this ID }
%CONTEXT_ERROR%
  - { code: ACCESS_DENIED, status: 403, description: "Access denied!", meaning: Not allowed }

examples:
  - title: A thing
    response:
      result: { ID: "%ID%", TITLE: Thing, SORT: "500", ACTIVE: "Y", DATE_CREATE: "2025-03-25T10:00:00+01:00" }
      time: { start: 1742895600, finish: 1742895600.1402, duration: 0.1402289867401123, processing: 0.1402289867401123, date_start: "2025-03-25T10:00:00+01:00", date_finish: "2025-03-25T10:00:00+01:00" }
"#;

const LIGHT_LIST: &str = r#"
params:
  order: { type: any, description: Sort order. }
  filter: { type: any, description: Filter. }
  status:
    type: enum
    name: %T%Status
    values: [active, archived, all]
    description: Which things to list.
  start: { type: integer, description: Offset of the page. }
%SECRET%

result:
  type: array
  required: true
  description: The things.
  items:
    type: object
    name: %T%Row
    description: One thing.
    fields:
      ID: { type: integer, required: true, description: Thing ID. }
      TITLE: { type: string, description: Title. }
      ACTIVE: { type: yn, description: Whether the thing is active. }

errors:
  - { code: ERROR_ARGUMENT, status: 400, description: "Invalid filter", meaning: The filter names an unknown field }
%CONTEXT_ERROR%
  - { code: ACCESS_DENIED, status: 403, description: "Access denied!", meaning: Not allowed }

examples:
  - title: Things
    response:
      result: [{ ID: "%ID%", TITLE: Thing, ACTIVE: "Y" }]
      total: 1
      time: { start: 1742895600, finish: 1742895600.1402, duration: 0.1402289867401123, processing: 0.1402289867401123, date_start: "2025-03-25T10:00:00+01:00", date_finish: "2025-03-25T10:00:00+01:00" }
"#;

const HEAD: &str = r#"method: %M%
scope: %S%
summary: Synthetic method %N% (%V%) of the compile-time benchmark.
description: |
  Generated by bench/src/bin/gen_specs.rs. Shaped like the specs of a real scope: nested
  objects, arrays of objects, enums, localized texts and documented errors.
access: administrator
contexts: %CONTEXTS%
batch: true
idempotent: %IDEMPOTENT%
docs: https://apidocs.bitrix24.com/api-reference/synthetic/%t%-%V%.html
"#;

const SECRET_PARAM: &str = r#"  botToken:
    type: string
    secret: true
    required_in: [webhook]
    description: Token of the bot that owns the thing; required for webhook authorization, not needed for OAuth.
"#;

const BOT_TOKEN_ERROR: &str = r#"  - { code: BOT_TOKEN_NOT_SPECIFIED, status: 400, description: "Bot token is not specified", meaning: botToken is required for webhook authorization, when: { missing: botToken } }
"#;

const WRONG_CONTEXT_ERROR: &str = r#"  - { code: WRONG_AUTH_TYPE, status: 403, description: "Current authorization type is denied for this method Application context required", meaning: Called outside an application context, when: { wrong_context: true } }
"#;

const TAIL: &str = r#"  - title: Access denied
    status: 403
    response: { error: ACCESS_DENIED, error_description: Access denied! }
"#;

const ADD: &str = r#"
params:
  CODE:
    type: string
    required: true
    pattern: '^[a-zA-Z0-9._-]+$'
    max_length: 64
    description: "Thing code. Allowed characters: a-z, A-Z, 0-9, `.`, `-`, `_`."
  TYPE:
    type: enum
    name: %T%Type
    values: [SMS, EMAIL, PUSH]
    required: true
    description: Thing type.
  NAME:
    type: localized_text
    required: true
    max_length: 100
    description: Name, a string or a map of language code to text.
%SECRET%
  HANDLER:
    type: url
    description: Handler URL called when the thing changes.
  DESCRIPTION:
    type: localized_text
    description: Description, a string or a map of language code to text.
  OWNER:
    type: object
    name: %T%Owner
    description: Who owns the thing.
    fields:
      id: { type: id, required: true, description: User ID. }
      name: { type: string, description: Display name. }
      address:
        type: object
        name: %T%OwnerAddress
        description: Postal address.
        fields:
          city: { type: string, required: true, description: City. }
          zip: { type: string, pattern: '^[0-9]{5}$', description: Postal code. }
  ITEMS:
    type: array
    min_items: 1
    max_items: 50
    description: Line items.
    items:
      type: object
      name: %T%Item
      description: One line item.
      fields:
        id: { type: string, required: true, description: External item ID. }
        quantity: { type: integer, description: Quantity. }
        price: { type: number, description: Unit price. }
        unit: { type: enum, name: %T%ItemUnit, values: [pcs, kg, m], description: Unit. }
        tags: { type: array, description: Tags., items: { type: string, description: A tag. } }
  OPTIONS:
    type: map
    description: Free-form options.
    items: { type: string, description: Option value. }
  ACTIVE:
    type: yn
    default: "Y"
    description: Whether the thing is active.

rules:
  - at_least_one_of: [HANDLER, OWNER, ITEMS]
    description: A thing needs a handler, an owner or items.

result:
  type: object
  name: %T%AddResult
  required: true
  description: The registered thing.
  fields:
    id: { type: id, required: true, description: Thing ID. }
    code: { type: string, required: true, description: Thing code. }
    active: { type: yn, description: Whether the thing is active. }
    owner:
      type: object
      name: %T%AddedOwner
      description: The owner.
      fields:
        id: { type: id, required: true, description: User ID. }
        name: { type: string, nullable: true, description: Display name. }
    items:
      type: array
      description: The stored items.
      items:
        type: object
        name: %T%AddedItem
        description: One stored item.
        fields:
          id: { type: id, required: true, description: Item ID. }
          externalId: { type: string, description: External item ID. }
          status: { type: enum, name: %T%AddedItemStatus, values: [new, stored, failed], description: Status. }
    warnings:
      type: array
      description: Warnings.
      items: { type: string, description: A warning. }
    extra:
      type: map
      description: Extra data.
      items: { type: string, description: A value. }

errors:
  - { code: ERROR_VALIDATION_FAILURE, status: 400, description: "Empty data!", meaning: No parameters, when: { no_params: true } }
  - { code: ERROR_VALIDATION_FAILURE, status: 400, description: "Empty code!", meaning: CODE not provided, when: { missing: CODE } }
  - { code: ERROR_VALIDATION_FAILURE, status: 400, description: "Wrong code!", meaning: CODE contains invalid characters, when: { invalid: CODE } }
  - { code: ERROR_VALIDATION_FAILURE, status: 400, description: "Empty type!", meaning: TYPE not provided, when: { missing: TYPE } }
  - { code: ERROR_VALIDATION_FAILURE, status: 400, description: "Unknown type!", meaning: Unsupported TYPE, when: { invalid: TYPE } }
  - { code: ERROR_VALIDATION_FAILURE, status: 400, description: "Empty name!", meaning: NAME not provided, when: { missing: NAME } }
  - { code: ERROR_ARGUMENT, status: 400, description: "Argument 'ITEMS' is invalid", meaning: An item lacks its id, when: { invalid: ITEMS } }
  - { code: ERROR_OTHER_PARAMS_REQUIRED, status: 400, description: "A handler, an owner or items are required!", meaning: "None of HANDLER, OWNER or ITEMS given", when: { rule: 0 } }
%CONTEXT_ERROR%
  - { code: ERROR_ALREADY_EXISTS, status: 400, description: "Thing already exists!", meaning: A thing with this CODE exists }
  - { code: ACCESS_DENIED, status: 403, description: "Access denied!", meaning: Not an administrator }

examples:
  - title: Thing registered
    response:
      result:
        id: "%ID%"
        code: %t%
        active: "Y"
        owner: { id: 1, name: null }
        items:
          - { id: 11, externalId: ext-1, status: stored }
          - { id: "12", externalId: ext-2, status: new }
        warnings: []
        extra: []
      time: { start: 1742895600, finish: 1742895600.845505, duration: 0.845505952835083, processing: 0, date_start: "2025-03-25T10:00:00+02:00", date_finish: "2025-03-25T10:00:00+02:00", operating_reset_at: 1742896200, operating: 0 }
  - title: Already exists
    status: 400
    response: { error: ERROR_ALREADY_EXISTS, error_description: Thing already exists! }
"#;

const UPDATE: &str = r#"
params:
  CODE:
    type: string
    required: true
    pattern: '^[a-zA-Z0-9._-]+$'
    description: Code of the thing to update.
%SECRET%
  HANDLER:
    type: url
    description: New handler URL.
  NAME:
    type: localized_text
    max_length: 100
    description: New name, a string or a map of language code to text.
  DESCRIPTION:
    type: localized_text
    description: New description.
  OWNER:
    type: object
    name: %T%NewOwner
    description: New owner.
    fields:
      id: { type: id, required: true, description: User ID. }
      email: { type: string, pattern: '^[^ ]+$', description: E-mail. }
  FIELDS:
    type: array
    max_items: 20
    description: Custom field values.
    items:
      type: object
      name: %T%FieldValue
      description: One custom field value.
      fields:
        code: { type: string, required: true, pattern: '^UF_[A-Z0-9_]+$', description: Field code. }
        value: { type: any, description: Field value. }

rules:
  - at_least_one_of: [HANDLER, NAME, DESCRIPTION, OWNER, FIELDS]
    description: Something to update must be given besides CODE.

result:
  type: object
  name: %T%UpdateResult
  required: true
  description: Outcome of the update.
  fields:
    updated: { type: boolean, required: true, description: Whether anything changed. }
    thing:
      type: object
      name: %T%Updated
      required: true
      description: The thing after the update.
      fields:
        id: { type: id, required: true, description: Thing ID. }
        code: { type: string, required: true, description: Thing code. }
        changed:
          type: array
          description: Names of the changed parameters.
          items: { type: string, description: A parameter name. }
        owner:
          type: object
          name: %T%UpdatedOwner
          description: The owner.
          fields:
            id: { type: id, required: true, description: User ID. }
            email: { type: string, description: E-mail. }

errors:
  - { code: ERROR_CODE_REQUIRED, status: 400, description: "CODE is required!", meaning: CODE not provided, when: { missing: CODE } }
  - { code: ERROR_CODE_INVALID, status: 400, description: "Wrong code!", meaning: CODE contains invalid characters, when: { invalid: CODE } }
  - { code: ERROR_OTHER_PARAMS_REQUIRED, status: 400, description: "At least one other parameter is required!", meaning: Nothing to update, when: { rule: 0 } }
  - { code: ERROR_ARGUMENT, status: 400, description: "Argument 'HANDLER' is invalid", meaning: HANDLER is not an absolute URL, when: { invalid: HANDLER } }
  - { code: ERROR_ARGUMENT, status: 400, description: "Argument 'OWNER' is invalid", meaning: OWNER lacks its id, when: { invalid: OWNER } }
  - { code: ERROR_ARGUMENT, status: 400, description: "Argument 'FIELDS' is invalid", meaning: A field code is malformed, when: { invalid: FIELDS } }
%CONTEXT_ERROR%
  - { code: ERROR_NOT_FOUND, status: 400, description: "Thing not found!", meaning: No thing with this CODE }
  - { code: ERROR_UPDATE_FAILURE, status: 400, description: "Thing update error!", meaning: The update failed }
  - { code: ACCESS_DENIED, status: 403, description: "Access denied!", meaning: Not an administrator }

examples:
  - title: Thing updated
    response:
      result:
        updated: true
        thing:
          id: %ID%
          code: %t%
          changed: [NAME, OWNER]
          owner: { id: "7", email: owner@example.com }
      time: { start: 1742895600, finish: 1742895600.1402, duration: 0.1402289867401123, processing: 0.1402289867401123, date_start: "2025-03-25T10:00:00+01:00", date_finish: "2025-03-25T10:00:00+01:00" }
  - title: Nothing to update
    status: 400
    response: { error: ERROR_OTHER_PARAMS_REQUIRED, error_description: At least one other parameter is required! }
"#;

const GET: &str = r#"
params:
  id:
    type: id
    required: true
    description: Thing ID.
%SECRET%
  select:
    type: array
    description: Fields to return; all when left out.
    items: { type: string, description: A field name. }
  withItems:
    type: boolean
    default: false
    description: Also return the items.

result:
  type: object
  name: %T%GetResult
  required: true
  description: The thing.
  fields:
    thing:
      type: object
      name: %T%Info
      required: true
      description: The thing's data.
      fields:
        id: { type: id, required: true, description: Thing ID. }
        code: { type: string, required: true, description: Thing code. }
        kind: { type: enum, name: %T%Kind, values: [SMS, EMAIL, PUSH], description: Thing type. }
        title: { type: localized_text, description: Name. }
        active: { type: yn, description: Whether the thing is active. }
        createdTime: { type: string, description: Creation time (ISO 8601). }
        owner:
          type: object
          name: %T%InfoOwner
          description: The owner.
          fields:
            id: { type: id, required: true, description: User ID. }
            name: { type: string, nullable: true, description: Display name. }
            address:
              type: object
              name: %T%InfoAddress
              description: Postal address.
              fields:
                city: { type: string, description: City. }
                zip: { type: string, description: Postal code. }
        items:
          type: array
          description: Items, with `withItems`.
          items:
            type: object
            name: %T%InfoItem
            description: One item.
            fields:
              id: { type: id, required: true, description: Item ID. }
              quantity: { type: integer, description: Quantity. }
              price: { type: number, description: Unit price. }
        options:
          type: map
          description: Options.
          items: { type: string, description: Option value. }
    permissions:
      type: object
      name: %T%Permissions
      description: What the caller may do with it.
      fields:
        read: { type: boolean, required: true, description: May read. }
        write: { type: boolean, required: true, description: May change. }

errors:
  - { code: ERROR_ARGUMENT, status: 400, description: "No parameters given", meaning: Empty request, when: { no_params: true } }
  - { code: ERROR_ARGUMENT, status: 400, description: "Argument 'id' is null or empty", meaning: id not provided, when: { missing: id } }
  - { code: ERROR_ARGUMENT, status: 400, description: "Argument 'id' must be a number", meaning: id is not a number, when: { invalid: id } }
  - { code: ERROR_ARGUMENT, status: 400, description: "Argument 'select' must be an array", meaning: select is not a list, when: { invalid: select } }
  - { code: ERROR_ARGUMENT, status: 400, description: "Argument 'withItems' must be a boolean", meaning: withItems is not a boolean, when: { invalid: withItems } }
%CONTEXT_ERROR%
  - { code: NOT_FOUND, status: 404, description: "Thing not found", meaning: No thing with this id }
  - { code: BOT_NOT_FOUND, status: 400, description: "Bot not found", meaning: The token names no bot }
  - { code: BOT_OWNERSHIP_ERROR, status: 400, description: "Bot is registered by another application", meaning: Another application's bot }
  - { code: ACCESS_DENIED, status: 403, description: "Access denied!", meaning: No read access }

examples:
  - title: One thing
    response:
      result:
        thing:
          id: %ID%
          code: %t%
          kind: SMS
          title: { en: Thing, de: Ding }
          active: "Y"
          createdTime: "2025-03-25T10:00:00+01:00"
          owner: { id: 1, name: Admin, address: { city: Berlin, zip: "10115" } }
          items:
            - { id: 1, quantity: 2, price: 9.5 }
            - { id: "2", quantity: "1", price: "19.90" }
          options: []
        permissions: { read: true, write: "N" }
      time: { start: 1728626400.123, finish: 1728626400.234, duration: 0.111, processing: 0.045, date_start: "2024-10-11T10:00:00+02:00", date_finish: "2024-10-11T10:00:00+02:00" }
"#;

const LIST: &str = r#"
pagination:
  style: classic
  items: items
  id: id

params:
  filter:
    type: any
    description: "Filter object `{field: value}`."
  order:
    type: any
    description: "Sort object `{field: ASC|DESC}`."
  select:
    type: array
    description: Fields to return.
    items: { type: string, description: A field name. }
  start:
    type: integer
    description: Position of the first item; `-1` skips counting.
  kind:
    type: enum
    name: %T%ListKind
    values: [SMS, EMAIL, PUSH]
    description: Only things of this type.
%SECRET%

result:
  type: object
  name: %T%ListResult
  required: true
  description: A page of things.
  fields:
    items:
      type: array
      required: true
      description: The things of the page.
      items:
        type: object
        name: %T%ListItem
        description: One thing.
        fields:
          id: { type: integer, required: true, description: Thing ID. }
          title: { type: string, description: Title. }
          stageId: { type: string, description: Stage. }
          opportunity: { type: number, description: Amount. }
          isManual: { type: boolean, description: Entered by hand. }
          assignedBy:
            type: object
            name: %T%ListAssignee
            description: The responsible user.
            fields:
              id: { type: id, required: true, description: User ID. }
              name: { type: string, nullable: true, description: Name. }

errors:
  - { code: INVALID_ARG_VALUE, status: 400, description: "Invalid filter", meaning: The filter is malformed, when: { invalid: filter } }
  - { code: INVALID_ARG_VALUE, status: 400, description: "Invalid order", meaning: The order is malformed, when: { invalid: order } }
  - { code: INVALID_ARG_VALUE, status: 400, description: "Invalid select", meaning: select is not a list, when: { invalid: select } }
  - { code: INVALID_ARG_VALUE, status: 400, description: "Invalid start", meaning: start is not a number, when: { invalid: start } }
  - { code: INVALID_ARG_VALUE, status: 400, description: "Invalid kind", meaning: Unknown kind, when: { invalid: kind } }
%CONTEXT_ERROR%
  - { code: INVALID_ARG_VALUE, status: 400, description: "Invalid filter: field 'field' is not allowed in filter", meaning: The field cannot be filtered on }
  - { code: INVALID_ARG_VALUE, status: 400, description: "Invalid order: field 'field' is not allowed in order", meaning: The field cannot be sorted on }
  - { code: allowed_only_intranet_user, status: 403, description: "Action is allowed for intranet users only", meaning: Not an intranet user }
  - { code: ACCESS_DENIED, status: 403, description: "Access denied!", meaning: No read access }

examples:
  - title: Two things
    response:
      result:
        items:
          - { id: 253, title: "Thing #253", stageId: NEW, opportunity: 19000, isManual: "Y", assignedBy: { id: 6, name: Admin } }
          - { id: 255, title: "Thing #255", stageId: NEW, opportunity: "19600.50", isManual: "N", assignedBy: { id: "1", name: null } }
      total: 2
      time: { start: 1721724354.214286, finish: 1721724354.805263, duration: 0.5909769535064697, processing: 0.24513697624206543, date_start: "2024-07-23T10:45:54+02:00", date_finish: "2024-07-23T10:45:54+02:00", operating: 0 }
"#;

const DELETE: &str = r#"
params:
  id:
    type: id
    required: true
    description: ID of the thing to delete.
%SECRET%
  complete:
    type: boolean
    default: false
    description: "Delete from the database; `false` (default) moves it to the recycle bin."
  reason:
    type: enum
    name: %T%DeleteReason
    values: [duplicate, obsolete, other]
    description: Why it is deleted.

result:
  type: object
  name: %T%DeleteResult
  required: true
  description: Outcome of the deletion.
  fields:
    result: { type: boolean, required: true, description: "`true` if the thing was deleted." }
    deleted:
      type: object
      name: %T%Deleted
      description: What was deleted.
      fields:
        id: { type: id, required: true, description: Thing ID. }
        code: { type: string, description: Thing code. }
        items: { type: integer, description: Items deleted with it. }

errors:
  - { code: ERROR_ARGUMENT, status: 400, description: "No parameters given", meaning: Empty request, when: { no_params: true } }
  - { code: ID_REQUIRED, status: 400, description: "ID is required", meaning: id not provided, when: { missing: id } }
  - { code: ERROR_ARGUMENT, status: 400, description: "Argument 'id' must be a number", meaning: id is not a number, when: { invalid: id } }
  - { code: ERROR_ARGUMENT, status: 400, description: "Argument 'complete' must be a boolean", meaning: complete is not a boolean, when: { invalid: complete } }
  - { code: ERROR_ARGUMENT, status: 400, description: "Unknown reason", meaning: reason is not one of the values, when: { invalid: reason } }
%CONTEXT_ERROR%
  - { code: NOT_FOUND, status: 400, description: "Thing not found", meaning: No thing with this id }
  - { code: ALREADY_DELETED, status: 400, description: "Thing already deleted", meaning: The thing is in the recycle bin }
  - { code: BOT_OWNERSHIP_ERROR, status: 400, description: "Bot is registered by another application", meaning: Another application's bot }
  - { code: ACCESS_DENIED, status: 403, description: "Access denied!", meaning: No delete access }

examples:
  - title: Thing deleted
    response:
      result:
        result: true
        deleted: { id: "%ID%", code: %t%, items: 2 }
      time: { start: 1728626400.123, finish: 1728626400.234, duration: 0.111, processing: 0.045, date_start: "2024-10-11T10:00:00+02:00", date_finish: "2024-10-11T10:00:00+02:00" }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_loads_without_a_diagnostic() {
        // Each verb, full and light, with and without the webhook token.
        for shapes in [Shapes::Dense, Shapes::Reference] {
            for i in 0..22 {
                let file = format!("synth01/{}.yaml", method_name(i));
                if let Err(diags) = bitrix_spec::load(&file, &spec_with(i, "synth01", shapes)) {
                    let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
                    panic!("{file}:\n{}", text.join("\n"));
                }
            }
        }
    }

    #[test]
    fn names_follow_the_index() {
        assert_eq!(method_name(40), "synthetic.thing0040.add");
        assert_eq!(method_name(1503), "synthetic.thing1503.list");
        assert!(spec_with(40, "synth01", Shapes::Dense).contains("name: Thing0040Owner"));
    }

    #[test]
    fn one_spec_in_eleven_is_full_in_the_reference_mix() {
        assert!(spec(55, "synth01").contains("name: Thing0055Owner"));
        assert!(spec(40, "synth01").contains("name: Thing0040Fields"));
        assert!(!spec(40, "synth01").contains("Owner"));
    }

    #[test]
    fn scopes_follow_the_reference_in_proportion() {
        let n = 1500;
        let mut sizes = std::collections::BTreeMap::<String, usize>::new();
        for i in 0..n {
            *sizes.entry(scope(i, n)).or_default() += 1;
        }
        assert_eq!(sizes.values().sum::<usize>(), n);
        // The largest scope holds about 600 / 2,185 of the methods, as crm does.
        assert_eq!(sizes["synth01"], (598 * n).div_ceil(2185));
        assert!(sizes.len() > 40, "{sizes:?}");
        // Runs are contiguous: the scope never goes back.
        let order: Vec<String> = (0..n).map(|i| scope(i, n)).collect();
        assert!(order.windows(2).all(|w| w[0] <= w[1]));
    }
}
