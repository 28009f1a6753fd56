//! Text inside the XML: entities and character references, Excel's `_xHHHH_`
//! escapes, and attributes, decoded and checked as quick-xml (under calamine) does.

use super::*;

/// Why this part of the reader hands the workbook or sheet back to calamine.
const TEXT: Fallback = Fallback(
    "text or an attribute the direct reader does not decode (an entity, encoding or quoting it does not handle)",
);

/// Append XML text to `out`: UTF-8, the five named entities and character references.
/// A carriage return (which XML folds into a line feed) is left to calamine.
pub(super) fn decode(raw: &[u8], out: &mut String) -> Result<(), Fallback> {
    let special = raw.iter().fold(false, |any, &b| any | (b >= 0x80) | (b == b'&') | (b == b'\r'));
    if !special {
        // Plain ASCII.
        out.push_str(std::str::from_utf8(raw).map_err(|_| TEXT)?);
        return Ok(());
    }
    let text = std::str::from_utf8(raw).map_err(|_| TEXT)?;
    if raw.contains(&b'\r') {
        return Err(TEXT);
    }
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        // The longest reference is `&#x10FFFF;`: looking no further keeps a text
        // of a million `&` linear.
        let window = &rest.as_bytes()[at..rest.len().min(at + 12)];
        let end = memchr(b';', window).ok_or(TEXT)? + at;
        out.push(entity(&rest[at + 1..end])?);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(())
}

pub(super) fn entity(name: &str) -> Result<char, Fallback> {
    let code = match name {
        "amp" => return Ok('&'),
        "lt" => return Ok('<'),
        "gt" => return Ok('>'),
        "quot" => return Ok('"'),
        "apos" => return Ok('\''),
        _ => match name.strip_prefix("#x") {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => name.strip_prefix('#').ok_or(TEXT)?.parse(),
        },
    };
    code.ok().filter(|&c| c != 0).and_then(char::from_u32).ok_or(TEXT)
}

/// Excel's `_xHHHH_` escapes of UTF-16 code units, read as calamine's `unescape_xml`
/// reads them: a lone surrogate becomes U+FFFD.
pub(super) fn unescape_excel(text: &str, out: &mut String) {
    let unit_at = |at: usize| -> Option<u16> {
        let bytes = text.as_bytes().get(at..at + 7)?;
        if bytes[0] != b'_' || bytes[1] != b'x' || bytes[6] != b'_' || !bytes[2..6].iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&bytes[2..6]).ok()?, 16).ok()
    };
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = text[at..].find('_') {
        at += offset;
        let Some(unit) = unit_at(at) else {
            at += 1;
            continue;
        };
        out.push_str(&text[copied..at]);
        at += 7;
        let decoded = match unit {
            0xD800..=0xDBFF => match unit_at(at) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    at += 7;
                    char::from_u32(0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00))
                }
                _ => None,
            },
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(u32::from(unit)),
        };
        out.push(decoded.unwrap_or(char::REPLACEMENT_CHARACTER));
        copied = at;
    }
    out.push_str(&text[copied..]);
}

/// Call `each(key, raw value)` for every attribute of a tag.
pub(super) fn for_each_attribute<'a>(
    attrs: &'a [u8],
    mut each: impl FnMut(&'a [u8], &'a [u8]) -> Result<(), Fallback>,
) -> Result<(), Fallback> {
    let n = attrs.len();
    let blank = |i: usize| attrs[i].is_ascii_whitespace();
    let mut i = 0;
    loop {
        while i < n && blank(i) {
            i += 1;
        }
        if i == n {
            return Ok(());
        }
        let key_start = i;
        while i < n && attrs[i] != b'=' && !blank(i) {
            i += 1;
        }
        let key = &attrs[key_start..i];
        while i < n && blank(i) {
            i += 1;
        }
        if i == n || attrs[i] != b'=' || key.is_empty() {
            return Err(TEXT);
        }
        i += 1;
        while i < n && blank(i) {
            i += 1;
        }
        let quote = *attrs.get(i).ok_or(TEXT)?;
        if quote != b'"' && quote != b'\'' {
            return Err(TEXT);
        }
        i += 1;
        let value_start = i;
        while i < n && attrs[i] != quote {
            i += 1;
        }
        if i == n {
            return Err(TEXT);
        }
        each(key, &attrs[value_start..i])?;
        i += 1;
        if i < n && !blank(i) {
            return Err(TEXT);
        }
    }
}

/// Attributes quick-xml would read without an error (calamine reads those of the
/// tags it uses, and refuses the file when they are malformed).
pub(super) fn check_attributes(attrs: &[u8]) -> Result<(), Fallback> {
    if attrs.is_empty() {
        return Ok(());
    }
    for_each_attribute(attrs, |_, value| check_text(value))
}

/// The raw value of attribute `key`, if present.
pub(super) fn attribute<'a>(attrs: &'a [u8], key: &[u8]) -> Result<Option<&'a [u8]>, Fallback> {
    let mut found = None;
    for_each_attribute(attrs, |k, v| {
        if k == key && found.is_none() {
            found = Some(v);
        }
        Ok(())
    })?;
    Ok(found)
}

/// An attribute value as text, entities decoded.
pub(super) fn attribute_text(value: &[u8]) -> Result<String, Fallback> {
    let mut text = String::new();
    decode(value, &mut text)?;
    Ok(text)
}

pub(super) fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    &bytes[..end]
}
