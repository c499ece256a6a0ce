//! `multipart/form-data` bodies, read into the same `name=value` pairs a urlencoded form carries,
//! so that every way of sending parameters ends in one decoder (PHP fills `$_POST` from both).

use crate::params::percent_encode;

/// Is this the content type of a multipart form?
pub(crate) fn is_multipart(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| {
        c.trim_start()
            .to_ascii_lowercase()
            .starts_with("multipart/form-data")
    })
}

/// The body as an urlencoded form: each field part becomes `name=value`, in order. Parts with a
/// `filename` are uploads, which PHP keeps out of `$_POST` (the portal takes files as base64 in
/// parameters), so they are left out. `Err` says what is wrong with the body.
pub(crate) fn to_form(content_type: &str, body: &[u8]) -> Result<String, String> {
    let boundary = content_type
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty())
        .ok_or("the multipart body has no boundary")?;
    let delimiter = format!("--{boundary}");
    let mut pairs = Vec::new();
    let mut parts = split(body, delimiter.as_bytes()).into_iter();
    // What precedes the first delimiter is the preamble, which carries nothing.
    parts.next();
    for part in parts {
        if part.starts_with(b"--") {
            break;
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(at) = find(part, b"\r\n\r\n") else {
            return Err("a part of the multipart body has no header end".to_owned());
        };
        let (head, value) = (&part[..at], &part[at + 4..]);
        let value = value.strip_suffix(b"\r\n").unwrap_or(value);
        let head = String::from_utf8_lossy(head);
        let Some(disposition) = head.split("\r\n").find_map(|line| {
            let (name, rest) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-disposition")
                .then_some(rest)
        }) else {
            continue;
        };
        let attribute = |wanted: &str| {
            disposition
                .split(';')
                .filter_map(|p| p.trim().split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(wanted))
                .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        };
        let Some(name) = attribute("name") else {
            continue;
        };
        if attribute("filename").is_some() {
            continue;
        }
        let value = std::str::from_utf8(value)
            .map_err(|_| format!("the multipart field '{name}' is not UTF-8"))?;
        pairs.push(format!(
            "{}={}",
            percent_encode(&name),
            percent_encode(value)
        ));
    }
    Ok(pairs.join("&"))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut body: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    while let Some(at) = find(body, delimiter) {
        out.push(&body[..at]);
        body = &body[at + delimiter.len()..];
    }
    out.push(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_form_pairs_and_files_are_left_out() {
        let body = "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"CODE\"\r\n\r\na b\r\n\
            --XyZ\r\ncontent-disposition: form-data; name=\"NAME[en]\"\r\nContent-Type: text/plain\r\n\r\nHi&=\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n\r\n\x01\x02\r\n\
            --XyZ--\r\n";
        let form = to_form("multipart/form-data; boundary=\"XyZ\"", body.as_bytes());
        assert_eq!(form.as_deref(), Ok("CODE=a+b&NAME%5Ben%5D=Hi%26%3D"));
        assert!(to_form("multipart/form-data", body.as_bytes()).is_err());
        let broken = to_form("multipart/form-data; boundary=XyZ", b"--XyZ\r\nno end");
        assert!(broken.is_err());
        assert!(is_multipart(Some("Multipart/Form-Data; boundary=a")));
        assert!(!is_multipart(Some("application/json")));
    }
}
