//! Rules across the members of one object ("at least one of", "both or neither", "B is required
//! when A is given"), evaluated the same way by the client before sending and by the mock portal
//! on receipt.

use serde_json::Value;

/// What a rule says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule<'a, S: AsRef<str>> {
    /// At least one of the members must be given.
    AtLeastOne(&'a [S]),
    /// At most one of the members may be given.
    AtMostOne(&'a [S]),
    /// All of the members, or none.
    AllOrNone(&'a [S]),
    /// When `given` is given (or, with `equals`, has that value), `then` are required.
    Requires {
        /// The member that triggers the rule.
        given: &'a str,
        /// The value it must have, if any.
        equals: Option<&'a Value>,
        /// The members it makes required.
        then: &'a [S],
    },
}

/// A broken rule: the members to name and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The members concerned: all of the rule's for the group kinds, the missing ones for
    /// `Requires`.
    pub members: Vec<String>,
    /// What is wrong, in words.
    pub message: String,
}

/// Checks `rule`, given which members are present (`given`: not null, `""`, `[]` or `{}`) and
/// their values (`value`, for `equals`).
pub fn check<S: AsRef<str>>(
    rule: Rule<'_, S>,
    given: impl Fn(&str) -> bool,
    value: impl Fn(&str) -> Option<Value>,
) -> Result<(), Broken> {
    let names = |m: &[S]| m.iter().map(|k| k.as_ref().to_owned()).collect::<Vec<_>>();
    let present = |m: &[S]| {
        m.iter()
            .map(AsRef::as_ref)
            .filter(|k| given(k))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // A rule that holds allocates nothing; only a broken one is described.
    let count = |m: &[S]| m.iter().filter(|k| given(k.as_ref())).count();
    match rule {
        Rule::AtLeastOne(m) if !m.iter().any(|k| given(k.as_ref())) => Err(Broken {
            message: format!("give at least one of {}", names(m).join(", ")),
            members: names(m),
        }),
        Rule::AtMostOne(m) if count(m) > 1 => Err(Broken {
            message: format!(
                "give at most one of {}; given: {}",
                names(m).join(", "),
                present(m).join(", ")
            ),
            members: names(m),
        }),
        Rule::AllOrNone(m) => {
            let n = count(m);
            if n == 0 || n == m.len() {
                return Ok(());
            }
            let p = present(m);
            let missing: Vec<String> = names(m).into_iter().filter(|k| !p.contains(k)).collect();
            Err(Broken {
                message: format!(
                    "give all of {} or none; missing: {}",
                    names(m).join(", "),
                    missing.join(", ")
                ),
                members: names(m),
            })
        }
        Rule::Requires {
            given: g,
            equals,
            then,
        } => {
            let triggered = match equals {
                Some(want) => value(g).is_some_and(|v| loosely_equal(&v, want)),
                None => given(g),
            };
            if !triggered || count(then) == then.len() {
                return Ok(());
            }
            let missing: Vec<String> = names(then).into_iter().filter(|k| !given(k)).collect();
            let when = match equals {
                Some(v) => format!("{g} is {v}"),
                None => format!("{g} is given"),
            };
            Err(Broken {
                message: format!("{} required when {when}", missing.join(", ")),
                members: missing,
            })
        }
        _ => Ok(()),
    }
}

/// Values compared the way PHP compares a parameter with a constant: `"1"` equals `1`, `"Y"`
/// equals `true`.
pub fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(s), Value::Number(n)) | (Value::Number(n), Value::String(s)) => {
            s.trim() == n.to_string()
        }
        (Value::Bool(x), Value::String(s)) | (Value::String(s), Value::Bool(x)) => matches!(
            (x, s.as_str()),
            (true, "Y" | "1" | "true") | (false, "N" | "0" | "false")
        ),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(present: &[&str]) -> impl Fn(&str) -> bool {
        let present: Vec<String> = present.iter().map(|s| s.to_string()).collect();
        move |k| present.iter().any(|p| p == k)
    }

    #[test]
    fn each_kind_holds_and_breaks() {
        let ab = ["A", "B"];
        let none = |_: &str| None;
        assert!(check(Rule::AtLeastOne(&ab), keys(&["B"]), none).is_ok());
        let e = check(Rule::AtLeastOne(&ab), keys(&[]), none).unwrap_err();
        assert_eq!(e.message, "give at least one of A, B");
        assert!(check(Rule::AtMostOne(&ab), keys(&["A"]), none).is_ok());
        let e = check(Rule::AtMostOne(&ab), keys(&["A", "B"]), none).unwrap_err();
        assert_eq!(e.message, "give at most one of A, B; given: A, B");
        assert!(check(Rule::AllOrNone(&ab), keys(&[]), none).is_ok());
        assert!(check(Rule::AllOrNone(&ab), keys(&["A", "B"]), none).is_ok());
        let e = check(Rule::AllOrNone(&ab), keys(&["B"]), none).unwrap_err();
        assert_eq!(e.message, "give all of A, B or none; missing: A");
        let then = ["URL"];
        let r = Rule::Requires {
            given: "MODE",
            equals: None,
            then: &then,
        };
        assert!(check(r, keys(&[]), none).is_ok());
        let e = check(r, keys(&["MODE"]), none).unwrap_err();
        assert_eq!(
            (e.members, e.message.as_str()),
            (vec!["URL".to_owned()], "URL required when MODE is given")
        );
        let url = json!("url");
        let r = Rule::Requires {
            given: "MODE",
            equals: Some(&url),
            then: &then,
        };
        assert!(check(r, keys(&["MODE"]), |_| Some(json!("text"))).is_ok());
        let e = check(r, keys(&["MODE"]), |_| Some(json!("url"))).unwrap_err();
        assert_eq!(e.message, "URL required when MODE is \"url\"");
    }

    #[test]
    fn values_compare_as_php_compares_them() {
        assert!(loosely_equal(&json!("1"), &json!(1)));
        assert!(loosely_equal(&json!("Y"), &json!(true)));
        assert!(!loosely_equal(&json!("2"), &json!(1)));
    }
}
