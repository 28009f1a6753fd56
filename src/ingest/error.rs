//! Why a file could not be read: the reader's typed errors, each with the plain
//! message staff see in the `unreadable_file` issue.

use thiserror::Error;

/// A file the readers could not turn into sheets.
#[derive(Debug, Error)]
pub enum ReadError {
    #[error("cannot open the file: {0}")]
    Open(#[source] std::io::Error),
    #[error("cannot read the file: {0}")]
    Read(#[source] std::io::Error),
    #[error("the file is {mb} MB, over the limit of {limit} MB (limits.max_file_mb)")]
    TooLarge { mb: u64, limit: u64 },
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error("`.{0}` files are not read")]
    Unsupported(String),
    /// An OLE container where a zip was expected: encrypted xlsx, or an `.xls` renamed.
    #[error(
        "the workbook is encrypted (password-protected) or is a legacy .xls renamed to .xlsx; save an unprotected .xlsx copy"
    )]
    EncryptedOrLegacy,
    /// calamine's error, kept with its variants (password-protected, zip, XML…).
    #[error("{}", calamine_message(.sheet.as_deref(), .source))]
    Calamine {
        sheet: Option<String>,
        #[source]
        source: calamine::Error,
    },
    #[error("the CSV file cannot be parsed: {0}")]
    Csv(#[source] csv::Error),
    /// A reader panicked (caught: one bad file never stops the run).
    #[error("the spreadsheet reader failed on this file ({0}); it is probably damaged")]
    Crashed(String),
    /// A limit of `[limits]` (cells, decompressed size, shared strings, memory,
    /// time), or the damage the zip directory shows; the message names it.
    #[error("{0}")]
    Limit(String),
    /// The child process reading a legacy file (`.xls`, `.ods`) reported this.
    #[error("{0}")]
    InChild(String),
}

impl ReadError {
    /// calamine's error while reading `sheet` (or the whole workbook).
    pub fn calamine(sheet: Option<&str>, source: impl Into<calamine::Error>) -> ReadError {
        ReadError::Calamine { sheet: sheet.map(str::to_string), source: source.into() }
    }

    /// Whether the workbook is password-protected (calamine's `Password` variants).
    pub fn is_password(&self) -> bool {
        use calamine::{Error, OdsError, XlsError, XlsxError};
        matches!(
            self,
            ReadError::EncryptedOrLegacy
                | ReadError::Calamine {
                    source: Error::Xlsx(XlsxError::Password)
                        | Error::Xls(XlsError::Password)
                        | Error::Ods(OdsError::Password),
                    ..
                }
        )
    }
}

impl From<String> for ReadError {
    fn from(message: String) -> ReadError {
        ReadError::Limit(message)
    }
}

impl From<&str> for ReadError {
    fn from(message: &str) -> ReadError {
        ReadError::Limit(message.to_string())
    }
}

/// calamine's error in words for staff, by its variant.
fn calamine_message(sheet: Option<&str>, error: &calamine::Error) -> String {
    use calamine::{Error, OdsError, XlsError, XlsxError};
    let text = match error {
        Error::Xlsx(XlsxError::Password) | Error::Xls(XlsError::Password) | Error::Ods(OdsError::Password) => {
            "the workbook is password-protected; save an unprotected copy".to_string()
        }
        Error::Io(_)
        | Error::Xlsx(XlsxError::Io(_) | XlsxError::Zip(_) | XlsxError::Xml(_))
        | Error::Xls(XlsError::Io(_) | XlsError::Cfb(_) | XlsError::EoStream(_))
        | Error::Ods(OdsError::Io(_) | OdsError::Zip(_) | OdsError::Xml(_) | OdsError::Eof(_)) => {
            format!("the file is damaged or truncated ({error})")
        }
        _ => format!("the file cannot be read as a spreadsheet ({error})"),
    };
    match sheet {
        Some(name) => format!("sheet `{name}`: {text}"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calamine_errors_are_told_by_their_variant() {
        let password = ReadError::calamine(None, calamine::XlsxError::Password);
        assert!(password.is_password());
        assert_eq!(password.to_string(), "the workbook is password-protected; save an unprotected copy");
        let io = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "early end");
        let truncated = ReadError::calamine(Some("Data"), calamine::XlsxError::Io(io));
        assert!(!truncated.is_password());
        assert!(truncated.to_string().starts_with("sheet `Data`: the file is damaged or truncated ("), "{truncated}");
        let other = ReadError::calamine(None, calamine::XlsxError::Unexpected("a sheet without rows"));
        assert!(other.to_string().starts_with("the file cannot be read as a spreadsheet ("), "{other}");
        assert!(ReadError::EncryptedOrLegacy.is_password());
    }
}
