//! The diagnostics of malformed specs: every problem of a spec is reported in one pass, each at
//! its key, and none is a consequence of another.

const HEAD: &str = "method: demo.thing.add
scope: demo
summary: Add a thing.
access: any user
contexts: [webhook]
idempotent: false
docs: https://example.com/demo.thing.add
";

/// The diagnostics of `HEAD` + `body`, as `line:col: key: message` (file name left out).
fn diags(body: &str) -> Vec<String> {
    // A body that sets `contexts` replaces the one of `HEAD` (the lines after it move up one).
    let head = if body.contains("contexts:") {
        HEAD.replace("contexts: [webhook]\n", "")
    } else {
        HEAD.to_owned()
    };
    let text = format!("{head}{body}");
    match bitrix_spec::load("demo.thing.add.yaml", &text) {
        Ok(_) => Vec::new(),
        Err(d) => d
            .iter()
            .map(|d| {
                d.to_string()
                    .trim_start_matches("demo.thing.add.yaml:")
                    .to_owned()
            })
            .collect(),
    }
}

fn keys(diags: &[String]) -> Vec<&str> {
    diags
        .iter()
        .map(|d| d.split('`').nth(1).unwrap_or_default())
        .collect()
}

#[test]
fn an_unknown_top_level_key_does_not_stop_the_other_checks() {
    let d = diags(
        "colour: red
params:
  CODE: { type: strin, required: true }
  NAME: { type: string, lenght: 5 }
  TAG: { type: string, pattern: '(' }
result: { type: boolean, required: true }
errors:
  - { code: 'NOT A CODE', status: 302, description: x }
",
    );
    assert_eq!(
        keys(&d),
        [
            "colour",
            "params.CODE.type",
            "params.NAME.lenght",
            "params.TAG.pattern",
            "errors[0].code",
            "errors[0].status"
        ],
        "{d:#?}"
    );
    assert!(d[0].starts_with("8:1: "), "{d:#?}");
}

#[test]
fn every_error_inside_a_parameter_and_its_fields_is_reported() {
    let d = diags(
        "params:
  CODE: { type: string, requred: true, pattern: '(', max_lenght: 3 }
  DATA:
    type: object
    fields:
      a: { type: strin, foo: 1 }
      b: { type: integer, bar: 2, items: { type: string, baz: 3 } }
result: { type: boolean, required: true }
",
    );
    assert_eq!(
        keys(&d),
        [
            "params.CODE.requred",
            "params.CODE.pattern",
            "params.CODE.max_lenght",
            "params.DATA.fields.a.type",
            "params.DATA.fields.a.foo",
            "params.DATA.fields.b.bar",
            "params.DATA.fields.b.items",
            "params.DATA.fields.b.items.baz",
        ],
        "{d:#?}"
    );
}

#[test]
fn a_parameter_that_does_not_read_is_still_known_by_name() {
    let d = diags(
        "params:
  fields:
    type: object
    fields:
      a: { type: string }
    descrption: x
  other: { type: strin }
  broken: string
rules:
  - at_least_one_of: [fields, other, broken]
result: { type: boolean, required: true }
errors:
  - { code: X, status: 400, description: x, when: { missing: fields } }
  - { code: Y, status: 400, description: x, when: { invalid: broken } }
",
    );
    assert_eq!(
        keys(&d),
        [
            "params.fields.descrption",
            "params.other.type",
            "params.broken"
        ],
        "{d:#?}"
    );
    assert!(d[2].contains("expected a mapping of schema keys"), "{d:#?}");
}

#[test]
fn a_key_that_is_replaced_causes_no_second_diagnostic() {
    // A bad `type` is replaced by the type the other keys suggest; a bad `values`, a context
    // left out, a status of the wrong type: each is reported once, and nothing follows from it.
    let d = diags(
        "contexts: [webhok, application, aplication]
params:
  CODE: { type: strng, pattern: '^[a-z]+$', max_length: 5 }
  KIND: { type: enum, values: { a: 1 } }
  LIST: { type: aray, items: { type: string } }
result: { type: boolean, required: true }
errors:
  - { code: X, status: high, description: x }
examples:
  - { status: 400, response: { error: X, error_description: x } }
",
    );
    assert_eq!(
        keys(&d),
        [
            "contexts[0]",
            "contexts[2]",
            "params.CODE.type",
            "params.KIND.values",
            "params.LIST.type",
            "errors[0].status"
        ],
        "{d:#?}"
    );
}

#[test]
fn a_comma_in_an_unquoted_flow_value_is_explained() {
    let d = diags(
        "params:
  CODE: { type: string, description: a, b, c, required: true }
  KIND: { type: enum, values: a, b }
result: { type: boolean, required: true }
",
    );
    assert_eq!(
        d,
        [
            "9:41: `params.CODE.b`: unknown field `b`: a `,` inside an unquoted flow-map value splits it; quote the value: `description: \"a, b, c\"`",
            "9:44: `params.CODE.c`: unknown field `c`: a `,` inside an unquoted flow-map value splits it; quote the value: `description: \"a, b, c\"`",
            "10:23: `params.KIND.values`: invalid type: string \"a\", expected a sequence; write the list in brackets: `values: [a, b]`",
            "10:34: `params.KIND.b`: unknown field `b`: a `,` inside an unquoted flow-map value splits it; write the list in brackets: `values: [a, b]`",
        ]
    );
    let d = diags(
        "params:\n  CODE: { type: string, description: Note: this }\nresult: { type: any }\n",
    );
    assert!(
        d[0].contains("a `: ` inside an unquoted flow-map value is read as a key; quote the value"),
        "{d:#?}"
    );
}

#[test]
fn a_list_of_types_says_a_type_is_one_name() {
    let d = diags("params:\n  CODE: { type: [string, object] }\nresult: { type: any }\n");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].starts_with("9:11: `params.CODE.type`: a type is one name, not a list; expected one of `string`, `integer`"),
        "{d:#?}"
    );
    assert!(
        d[0].contains("`type: one_of` with its `variants`"),
        "{d:#?}"
    );
    let d = diags("contexts: [[webhook]]\nresult: { type: any }\n");
    assert_eq!(
        d,
        ["7:12: `contexts[0]`: expected one name (`application` or `webhook`), not a list"]
    );
}

#[test]
fn case_insensitive_and_unicode_patterns_are_accepted_and_applied() {
    let text = format!(
        "{HEAD}params:\n  CODE: {{ type: string, required: true, pattern: '(?i)^[a-z]+$' }}\n  \
         NAME: {{ type: string, pattern: '^\\p{{L}}+$' }}\nresult: {{ type: any }}\n"
    );
    let spec = bitrix_spec::load("demo.thing.add.yaml", &text).expect("the spec loads");
    let check = |code: &str, name: &str| {
        let params = serde_json::json!({ "CODE": code, "NAME": name });
        bitrix_spec::validate_request(
            &spec,
            params.as_object().unwrap(),
            bitrix_spec::AuthContext::Webhook,
        )
    };
    assert_eq!(check("abc", "Zoë"), Ok(()));
    assert_eq!(check("ABC", "Жук"), Ok(()));
    assert!(check("a1", "x").is_err());
    assert!(check("abc", "x1").is_err());
}

#[test]
fn every_problem_of_a_shared_type_is_reported() {
    let bad = bitrix_spec::Types::parse([(
        "demo/types/Deal.yaml",
        "type: object\ncolour: red\nfields:\n  ID: {type: id, requred: true}\n  KIND: {type: enum, values: []}\n",
    )])
    .unwrap_err();
    let text: Vec<String> = bad.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 3, "{text:#?}");
}

#[test]
fn trigger_paths_are_followed_through_the_schemas() {
    let d = diags(
        r#"params:
  MESSAGES:
    type: array
    required: true
    items:
      type: object
      fields:
        user: { type: object, fields: { id: { type: string } } }
        chat: { type: string }
  CODE: { type: string }
result: { type: boolean, required: true }
errors:
  - { code: A, status: 400, description: a, when: { invalid: "MESSAGES[].user.id" } }
  - { code: B, status: 400, description: b, when: { invalid: "MESSAGES[].*" } }
  - { code: C, status: 400, description: c, when: { invalid: "MESSAGES[0]" } }
  - { code: D, status: 400, description: d, when: { invalid: "MESSAGES[].usr" } }
  - { code: E, status: 400, description: e, when: { invalid: "CODE[]" } }
  - { code: F, status: 400, description: f, when: { invalid: "MESSAGES[].*.id" } }
  - { code: G, status: 400, description: g, when: { not_found: "MESSAGES..x" } }
  - { code: H, status: 400, description: h, when: { not_found: CHAT } }
  - { code: I, status: 403, description: i, when: { not_admin: true } }
  - { code: J, status: 400, description: j, when: { missing: "MESSAGES[]" } }
"#,
    );
    let messages: Vec<&str> = d
        .iter()
        .map(|l| l.split_once(": ").map_or("", |x| x.1))
        .collect();
    assert_eq!(d.len(), 7, "{d:#?}");
    assert!(
        messages[0].contains("write `MESSAGES[]` for any item"),
        "{d:#?}"
    );
    assert!(
        messages[1].contains("`MESSAGES[]` has no member `usr`; it has `user`, `chat`"),
        "{d:#?}"
    );
    assert!(
        messages[2].contains("`CODE` is of type `string`, and `[]` needs"),
        "{d:#?}"
    );
    assert!(
        messages[3].contains("`*` (any member) can only end a path"),
        "{d:#?}"
    );
    assert!(messages[4].contains("is not a path"), "{d:#?}");
    assert!(messages[5].contains("`CHAT` is not a parameter"), "{d:#?}");
    assert!(
        messages[6].contains("a required member left out is `invalid: PATH`"),
        "{d:#?}"
    );
    // Each at its entry's line.
    assert!(d[0].starts_with("22:"), "{d:#?}");
}

#[test]
fn other_scopes_are_scope_names_named_once() {
    let d = diags(
        "also_scopes: [imbot, Bad-Name, demo]
alternative_scopes: [imbot]
result: { type: boolean, required: true }
",
    );
    assert_eq!(
        keys(&d),
        ["also_scopes[1]", "also_scopes[2]", "alternative_scopes[0]"],
        "{d:#?}"
    );
    assert!(d[0].contains("`Bad-Name` is not a scope name"), "{d:#?}");
    assert!(d[1].contains("the scope `demo` is named twice"), "{d:#?}");
    assert!(d[2].contains("the scope `imbot` is named twice"), "{d:#?}");
}

#[test]
fn json_string_goes_on_a_structured_member() {
    let d = diags(
        "params:
  A: { type: string, json_string: true }
  B: { type: array, items: { type: array, json_string: true, items: { type: any } } }
  C: { type: one_of, json_string: true, variants: { x: { type: object, fields: {} }, y: { type: array, items: { type: any } } } }
result: { type: object, json_string: true, fields: {} }
",
    );
    assert_eq!(d.len(), 3, "{d:#?}");
    assert!(
        d[0].starts_with("9:22: `params.A.json_string`: `json_string` applies to `object`, `array`, `map` and `one_of`, not to `string`"),
        "{d:#?}"
    );
    assert!(
        d[1].starts_with("10:43: `params.B.items.json_string`: `json_string` applies to parameters and object members"),
        "{d:#?}"
    );
    assert!(d[2].starts_with("12:"), "{d:#?}");
    assert!(d[2].contains("`result.json_string`"), "{d:#?}");
}

#[test]
fn original_uf_names_names_an_optional_switch() {
    let d = diags(
        "params:
  useOriginalUfNames: { type: string }
original_uf_names: useOriginalUfNames
result: { type: any }
",
    );
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].starts_with("10:1: `original_uf_names`: `useOriginalUfNames` must be an optional `yn` or `boolean` parameter"),
        "{d:#?}"
    );
    assert!(
        diags("params:\n  uf: { type: yn }\noriginal_uf_names: uf\nresult: { type: any }\n")
            .is_empty()
    );
}

#[test]
fn a_family_of_members_has_a_prefix_and_a_simple_schema() {
    let d = diags(
        "params:
  fields:
    type: object
    fields: {}
    dynamic:
      'uf crm': { type: any }
      parentId: { type: object, fields: {} }
      UF_: { type: string, required: true }
  NAME: { type: string, dynamic: { x: { type: any } } }
result: { type: any }
",
    );
    let keys = keys(&d);
    assert_eq!(
        keys,
        [
            "params.fields.dynamic.uf crm",
            "params.fields.dynamic.parentId",
            "params.fields.dynamic.UF_",
            "params.NAME.dynamic"
        ],
        "{d:#?}"
    );
    assert!(
        d[1].contains("a scalar, `any`, or an array of them, not `object`"),
        "{d:#?}"
    );
    assert!(d[2].contains("cannot be `required`"), "{d:#?}");
}
