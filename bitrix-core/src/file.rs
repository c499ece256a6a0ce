//! Files sent to the portal: the `file` type of the specs.

use std::fmt;

use serde_json::Value;

use crate::params::{Param, ToParam};

/// A file for a parameter or member of type `file`: new content with its name, sent as
/// `[name, base64]` (or as `{fileData: [name, base64]}` where a method wants that form), or a
/// file the portal holds, by id.
///
/// ```
/// use bitrix_api::FileData;
/// let logo = FileData::new("logo.png", b"\x89PNG".to_vec());
/// assert_eq!(format!("{logo:?}"), "FileData(\"logo.png\", 4 bytes)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FileData(Form);

#[derive(Clone, PartialEq, Eq)]
enum Form {
    Upload {
        name: String,
        content: Vec<u8>,
        wrapped: bool,
    },
    Id(i64),
}

impl FileData {
    /// New content and its file name, sent as `[name, base64]`.
    pub fn new(name: impl Into<String>, content: impl Into<Vec<u8>>) -> Self {
        FileData(Form::Upload {
            name: name.into(),
            content: content.into(),
            wrapped: false,
        })
    }

    /// A file the portal holds, by its id.
    pub fn id(id: i64) -> Self {
        FileData(Form::Id(id))
    }

    /// The same content sent as `{fileData: [name, base64]}`, as the catalog methods take
    /// pictures.
    #[must_use]
    pub fn in_file_data(self) -> Self {
        match self.0 {
            Form::Upload { name, content, .. } => FileData(Form::Upload {
                name,
                content,
                wrapped: true,
            }),
            id => FileData(id),
        }
    }
}

/// The content is not printed: a name and a size say which file it is.
impl fmt::Debug for FileData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Form::Upload { name, content, .. } => {
                write!(f, "FileData({name:?}, {} bytes)", content.len())
            }
            Form::Id(id) => write!(f, "FileData(id {id})"),
        }
    }
}

impl FileData {
    /// The value the portal reads: `[name, base64]`, `{fileData: [name, base64]}`, or the id.
    pub(crate) fn wire(&self) -> Value {
        match &self.0 {
            Form::Id(id) => Value::from(*id),
            Form::Upload {
                name,
                content,
                wrapped,
            } => {
                let pair = Value::Array(vec![
                    Value::String(name.clone()),
                    Value::String(base64(content)),
                ]);
                if *wrapped {
                    let mut m = serde_json::Map::new();
                    m.insert("fileData".into(), pair);
                    Value::Object(m)
                } else {
                    pair
                }
            }
        }
    }
}

impl ToParam for FileData {
    fn to_param(self) -> Param {
        Param::File(self)
    }
}

/// Standard base64 with padding, as PHP's `base64_decode` reads it.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_the_standard_one() {
        for (raw, encoded) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
            (b"\xff\xfe\x00", "//4A"),
        ] {
            assert_eq!(base64(raw), encoded);
        }
    }

    #[test]
    fn a_file_is_sent_in_the_form_asked_for() {
        let json = |f: FileData| serde_json::to_value(f.to_param()).unwrap();
        let file = FileData::new("a.txt", b"hi".to_vec());
        assert_eq!(json(file.clone()), serde_json::json!(["a.txt", "aGk="]));
        assert_eq!(
            json(file.in_file_data()),
            serde_json::json!({"fileData": ["a.txt", "aGk="]})
        );
        assert_eq!(json(FileData::id(42)), serde_json::json!(42));
        assert_eq!(format!("{:?}", FileData::id(42)), "FileData(id 42)");
    }
}
