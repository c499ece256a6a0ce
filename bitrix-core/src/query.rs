//! The arguments of list methods that name fields at run time: [`Filter`] (field names with
//! operator prefixes), [`Order`], and [`Fields`], which sets members a spec cannot list (user
//! fields) on any request.

use std::fmt;

use serde_json::Value;

use crate::params::{Param, Params, ToParam};

/// A list method's `filter`: conditions on fields, each written the way the portal reads it,
/// as the field name with an operator prefix (`>=DATE_CREATE`, `!@STAGE_ID`, `%TITLE`).
///
/// Conditions are sent in the order they were added; adding one with the same key replaces it.
/// Field names are sent as written: the spelling a method expects (`STAGE_ID` for crm.deal.list,
/// `stageId` for crm.item.list) is the method's. When the spec lists the filterable fields, a
/// key naming none of them (nor a user field such as `UF_CRM_1700000000`) is refused before
/// sending, with the field named.
///
/// ```
/// use bitrix_api::Filter;
/// let filter = Filter::new()
///     .eq("TYPE_ID", "CALL")
///     .gte("DATE_CREATE", "2026-01-01T00:00:00+03:00")
///     .is_in("STAGE_ID", ["NEW", "PREPARATION"])
///     .like("TITLE", "offer")
///     .eq("UF_CRM_1700000000", 1);
/// assert_eq!(
///     serde_json::to_string(&filter).unwrap(),
///     r#"{"TYPE_ID":"CALL",">=DATE_CREATE":"2026-01-01T00:00:00+03:00","@STAGE_ID":["NEW","PREPARATION"],"%TITLE":"offer","UF_CRM_1700000000":1}"#
/// );
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Filter(Vec<(String, Value)>);

impl Filter {
    /// No conditions.
    pub fn new() -> Self {
        Filter(Vec::new())
    }

    /// Adds `key` (operator prefix included) with `value`, replacing an earlier `key`: for
    /// operators without a method of their own (`=%`, `!=%`, `!><`).
    #[must_use]
    pub fn key(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        let key = key.into();
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
        self
    }

    fn op(self, op: &str, field: &str, value: impl Into<Value>) -> Self {
        self.key(format!("{op}{field}"), value)
    }

    /// `field` equals `value` (no prefix: the portal's default).
    #[must_use]
    pub fn eq(self, field: &str, value: impl Into<Value>) -> Self {
        self.key(field, value)
    }

    /// `field` differs from `value` (`!=`).
    #[must_use]
    pub fn ne(self, field: &str, value: impl Into<Value>) -> Self {
        self.op("!=", field, value)
    }

    /// `field` is greater than `value` (`>`).
    #[must_use]
    pub fn gt(self, field: &str, value: impl Into<Value>) -> Self {
        self.op(">", field, value)
    }

    /// `field` is at least `value` (`>=`).
    #[must_use]
    pub fn gte(self, field: &str, value: impl Into<Value>) -> Self {
        self.op(">=", field, value)
    }

    /// `field` is less than `value` (`<`).
    #[must_use]
    pub fn lt(self, field: &str, value: impl Into<Value>) -> Self {
        self.op("<", field, value)
    }

    /// `field` is at most `value` (`<=`).
    #[must_use]
    pub fn lte(self, field: &str, value: impl Into<Value>) -> Self {
        self.op("<=", field, value)
    }

    /// `field` contains the text `value` anywhere (`%`, no wildcards in the value).
    #[must_use]
    pub fn like(self, field: &str, value: impl Into<Value>) -> Self {
        self.op("%", field, value)
    }

    /// `field` does not contain the text `value` (`!%`).
    #[must_use]
    pub fn not_like(self, field: &str, value: impl Into<Value>) -> Self {
        self.op("!%", field, value)
    }

    /// `field` is one of `values` (`@`).
    #[must_use]
    pub fn is_in<V: Into<Value>>(self, field: &str, values: impl IntoIterator<Item = V>) -> Self {
        let list: Vec<Value> = values.into_iter().map(Into::into).collect();
        self.op("@", field, list)
    }

    /// `field` is none of `values` (`!@`).
    #[must_use]
    pub fn not_in<V: Into<Value>>(self, field: &str, values: impl IntoIterator<Item = V>) -> Self {
        let list: Vec<Value> = values.into_iter().map(Into::into).collect();
        self.op("!@", field, list)
    }

    /// `field` lies between `from` and `to`, both included (`><`).
    #[must_use]
    pub fn between(self, field: &str, from: impl Into<Value>, to: impl Into<Value>) -> Self {
        self.op("><", field, vec![from.into(), to.into()])
    }

    /// The conditions as sent: (key with operator prefix, value).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Whether there are no conditions.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl serde::Serialize for Filter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl ToParam for Filter {
    fn to_param(self) -> Param {
        Param::Map(
            self.0
                .into_iter()
                .map(|(k, v)| (k, Param::Value(v)))
                .collect(),
        )
    }
}

/// A list method's `order`: fields to sort by, first one first, each ascending or descending.
///
/// ```
/// use bitrix_api::Order;
/// let order = Order::new().desc("DATE_CREATE").asc("ID");
/// assert_eq!(
///     serde_json::to_string(&order).unwrap(),
///     r#"{"DATE_CREATE":"DESC","ID":"ASC"}"#
/// );
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Order(Vec<(String, &'static str)>);

impl Order {
    /// No sorting: the portal's default order.
    pub fn new() -> Self {
        Order(Vec::new())
    }

    fn by(mut self, field: String, direction: &'static str) -> Self {
        self.0.retain(|(k, _)| *k != field);
        self.0.push((field, direction));
        self
    }

    /// Then by `field`, ascending (`ASC`).
    #[must_use]
    pub fn asc(self, field: impl Into<String>) -> Self {
        self.by(field.into(), "ASC")
    }

    /// Then by `field`, descending (`DESC`).
    #[must_use]
    pub fn desc(self, field: impl Into<String>) -> Self {
        self.by(field.into(), "DESC")
    }

    /// The fields and their directions, in the order they apply.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.0.iter().map(|(k, d)| (k.as_str(), *d))
    }
}

impl fmt::Debug for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl serde::Serialize for Order {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl ToParam for Order {
    fn to_param(self) -> Param {
        Param::Map(
            self.0
                .into_iter()
                .map(|(k, d)| (k, Param::Str(d)))
                .collect(),
        )
    }
}

/// Members a spec cannot list, set by name on any generated request or request object: user
/// fields (`UF_CRM_1700000000`, `ufCrm2_1700000000`), catalog properties (`PROPERTY_42`), and
/// whatever a portal accepts beyond its reference.
///
/// ```
/// use bitrix_api::Fields;
/// use bitrix_api::crm::CrmDealAddFields;
/// let fields = CrmDealAddFields::new()
///     .title("Offer")
///     .field("UF_CRM_1700000000", "blue");
/// assert!(format!("{fields:?}").contains("UF_CRM_1700000000"));
/// ```
pub trait Fields: Sized {
    /// The request's parameters; generated.
    #[doc(hidden)]
    fn __params(&mut self) -> &mut Params;

    /// Sets the member `key` to `value`, replacing an earlier value of `key` (a typed setter's
    /// included).
    #[must_use]
    fn field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.__params()
            .set_named(key.into(), Param::Value(value.into()));
        self
    }
}

// Every method's request has its parameters already; nested request objects implement the trait
// themselves (one generated impl each).
impl<M: crate::Method> Fields for M {
    fn __params(&mut self) -> &mut Params {
        self.params_mut()
    }
}

/// A user field of a decoded record's `extra` members, found under either of its spellings: the
/// original `UF_CRM_2_1639669411830` or the camelCase `ufCrm2_1639669411830` the `crm.item.*`
/// methods answer unless `useOriginalUfNames` is `Y`. Any other name is looked up as written.
///
/// ```
/// use std::collections::BTreeMap;
/// use bitrix_api::user_field;
/// use serde_json::json;
///
/// let extra = BTreeMap::from([("ufCrm2_1639669411830".to_owned(), json!("blue"))]);
/// assert_eq!(user_field(&extra, "UF_CRM_2_1639669411830"), Some(&json!("blue")));
/// assert_eq!(user_field(&extra, "ufCrm2_1639669411830"), Some(&json!("blue")));
/// assert_eq!(user_field(&extra, "UF_CRM_3_OTHER"), None);
/// ```
pub fn user_field<'a>(
    extra: &'a std::collections::BTreeMap<String, serde_json::Value>,
    name: &str,
) -> Option<&'a serde_json::Value> {
    extra.get(name).or_else(|| {
        let other = bitrix_wire::uf::other_spelling(name)?;
        extra.get(&other)
    })
}
