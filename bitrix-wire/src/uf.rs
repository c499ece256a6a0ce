//! The two spellings of CRM user fields: the original `UF_CRM_3_1747309727` and the camelCase
//! `ufCrm3_1747309727` the `crm.item.*` methods use unless `useOriginalUfNames` is `Y`.
//!
//! The portal converts by two rules. The regular one applies when only digits or only letters
//! follow `UF_CRM_` and the object number: numeric blocks keep the underscores between them,
//! words are capitalized and joined (`UF_CRM_10_DIGIT` is `ufCrm10Digit`). Any other name (mixed
//! letters and digits, no object number) keeps its rest and changes only the prefix
//! (`UF_CRM_10_DIGIT10` is `ufCrm_10_DIGIT10`), so that every conversion can be undone.

/// Which spelling a user field's name has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UfStyle {
    /// `UF_CRM_2_1639669411830`.
    Original,
    /// `ufCrm2_1639669411830`.
    Camel,
}

/// The spelling of a CRM user field's name, `None` for any other name.
///
/// ```
/// use bitrix_wire::uf::{UfStyle, style};
/// assert_eq!(style("UF_CRM_2_1639669411830"), Some(UfStyle::Original));
/// assert_eq!(style("ufCrm2_1639669411830"), Some(UfStyle::Camel));
/// assert_eq!(style("TITLE"), None);
/// ```
pub fn style(name: &str) -> Option<UfStyle> {
    if name.strip_prefix("UF_CRM_").is_some_and(|r| !r.is_empty()) {
        Some(UfStyle::Original)
    } else if name
        .strip_prefix("ufCrm")
        .is_some_and(|r| r.starts_with(|c: char| c == '_' || c.is_ascii_alphanumeric()))
    {
        Some(UfStyle::Camel)
    } else {
        None
    }
}

/// The camelCase name of an original one (`UF_CRM_3_DIGIT` → `ufCrm3Digit`); `None` when
/// `original` is no `UF_CRM_` name.
///
/// ```
/// use bitrix_wire::uf::camel;
/// assert_eq!(camel("UF_CRM_3_DIGIT").as_deref(), Some("ufCrm3Digit"));
/// assert_eq!(camel("UF_CRM_3_1747309727").as_deref(), Some("ufCrm3_1747309727"));
/// assert_eq!(camel("UF_CRM_3_DIGIT10").as_deref(), Some("ufCrm_3_DIGIT10"));
/// assert_eq!(camel("UF_CRM_1747309879").as_deref(), Some("ufCrm_1747309879"));
/// ```
pub fn camel(original: &str) -> Option<String> {
    let rest = original.strip_prefix("UF_CRM_").filter(|r| !r.is_empty())?;
    let parts: Vec<&str> = rest.split('_').collect();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let letters = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphabetic());
    let tail = parts.get(1..).unwrap_or_default();
    let regular = parts.len() > 1
        && digits(parts[0])
        && (tail.iter().all(|p| digits(p)) || tail.iter().all(|p| letters(p)));
    if !regular {
        return Some(format!("ufCrm_{rest}"));
    }
    let mut out = format!("ufCrm{}", parts[0]);
    for p in tail {
        if digits(p) {
            out.push('_');
            out.push_str(p);
        } else {
            let mut chars = p.chars();
            out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            out.push_str(&chars.as_str().to_ascii_lowercase());
        }
    }
    Some(out)
}

/// The original name of a camelCase one (`ufCrm3Digit` → `UF_CRM_3_DIGIT`); `None` when `name`
/// is no `ufCrm` name.
///
/// ```
/// use bitrix_wire::uf::original;
/// assert_eq!(original("ufCrm3Digit").as_deref(), Some("UF_CRM_3_DIGIT"));
/// assert_eq!(original("ufCrm3_1747309727").as_deref(), Some("UF_CRM_3_1747309727"));
/// assert_eq!(original("ufCrm_3_DIGIT10").as_deref(), Some("UF_CRM_3_DIGIT10"));
/// ```
pub fn original(name: &str) -> Option<String> {
    let rest = name.strip_prefix("ufCrm").filter(|r| !r.is_empty())?;
    if let Some(simplified) = rest.strip_prefix('_') {
        return Some(format!("UF_CRM_{simplified}"));
    }
    // The object number, then numeric blocks (`_123`) or words (`Digit`).
    let number_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let mut out = format!("UF_CRM_{}", &rest[..number_end]);
    let mut word = String::new();
    for c in rest[number_end..].chars() {
        if c == '_' || c.is_ascii_uppercase() {
            if !word.is_empty() {
                out.push('_');
                out.push_str(&word.to_ascii_uppercase());
                word.clear();
            }
            if c != '_' {
                word.push(c);
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push('_');
        out.push_str(&word.to_ascii_uppercase());
    }
    Some(out)
}

/// `name` in the other spelling: the original of a camelCase name, the camelCase of an
/// original one; `None` for a name that is no CRM user field.
pub fn other_spelling(name: &str) -> Option<String> {
    match style(name)? {
        UfStyle::Original => camel(name),
        UfStyle::Camel => original(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's table, both ways.
    #[test]
    fn the_documented_conversions_go_both_ways() {
        for (upper, lower) in [
            ("UF_CRM_3_DIGIT", "ufCrm3Digit"),
            ("UF_CRM_3_1747309727", "ufCrm3_1747309727"),
            ("UF_CRM_3_DIGIT10", "ufCrm_3_DIGIT10"),
            ("UF_CRM_3_DIGIT_10", "ufCrm_3_DIGIT_10"),
            ("UF_CRM_1747309879", "ufCrm_1747309879"),
            ("UF_CRM_10_5186744711", "ufCrm10_5186744711"),
            ("UF_CRM_2_1639669411830", "ufCrm2_1639669411830"),
            ("UF_CRM_10_DIGIT_NAME", "ufCrm10DigitName"),
        ] {
            assert_eq!(camel(upper).as_deref(), Some(lower), "{upper}");
            assert_eq!(original(lower).as_deref(), Some(upper), "{lower}");
            assert_eq!(other_spelling(upper).as_deref(), Some(lower));
            assert_eq!(other_spelling(lower).as_deref(), Some(upper));
        }
        assert_eq!(other_spelling("TITLE"), None);
        assert_eq!(other_spelling("UF_DEPARTMENT"), None);
    }
}
