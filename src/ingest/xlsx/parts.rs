//! The workbook's shared parts: the zip's part names, `_rels`, `workbook.xml`
//! (sheets and the date system), shared strings and number formats.

use super::*;

/// Why this part of the reader hands the workbook or sheet back to calamine.
const PARTS: Fallback = Fallback("the workbook's parts are not where Excel puts them");

/// The zip's part names by their lower-case form: calamine finds parts regardless
/// of case, and so must this reader.
#[derive(Debug)]
pub(super) struct Parts(FxHashMap<String, String>);

impl Parts {
    /// The names, unless two differ only by case or use backslashes (left to calamine).
    pub(super) fn of(archive: &Archive) -> Result<Parts, Fallback> {
        let mut names = FxHashMap::default();
        for name in archive.file_names() {
            let name = name.map_err(|_| PARTS)?;
            if name.contains('\\') || names.insert(name.to_ascii_lowercase(), name.to_string()).is_some() {
                return Err(PARTS);
            }
        }
        Ok(Parts(names))
    }

    /// The tokens of a part, `None` when it does not exist.
    pub(super) fn open<'a, 'b>(
        &self,
        archive: &'a mut Archive<'b>,
        path: &str,
    ) -> Result<Option<Tokens<PartReader<'a, 'b>>>, Fallback> {
        let Some(name) = self.0.get(&path.to_ascii_lowercase()) else { return Ok(None) };
        archive.by_name(name).map(|file| Some(Tokens::new(file))).map_err(|_| PARTS)
    }
}

/// Tokens up to the end tag of `root` (any prefix), each given to `each`; the part
/// ending first is left to calamine, which refuses it. The loops below follow
/// calamine's, so a damaged part is read the same way or not at all.
pub(super) fn until_end<R: Read>(
    tokens: &mut Tokens<R>,
    root: &[u8],
    mut each: impl FnMut(&mut Tokens<R>, Token) -> Result<(), Fallback>,
) -> Result<(), Fallback> {
    loop {
        let token = tokens.next()?.ok_or(PARTS)?;
        match token {
            // An empty element is its own end tag, as quick-xml expands it for calamine.
            Token::End(name) | Token::Start { name, empty: true, .. } if tokens.local_name(name).1 == root => {
                return Ok(())
            }
            Token::Start { attrs, .. } => check_attributes(tokens.bytes(attrs))?,
            Token::Text(span) => check_text(tokens.bytes(span))?,
            Token::End(_) => {}
        }
        each(tokens, token)?;
    }
}

/// Skip the rest of element `name`, whose start tag was just read; every element
/// inside must close in order (calamine parses these, and refuses them otherwise).
pub(super) fn skip_balanced<R: Read>(tokens: &mut Tokens<R>, name: &[u8]) -> Result<(), Fallback> {
    let mut open = vec![name.to_vec()];
    while let Some(top) = open.last() {
        match tokens.next()?.ok_or(PARTS)? {
            Token::Start { name, attrs, empty } => {
                check_attributes(tokens.bytes(attrs))?;
                if !empty {
                    open.push(tokens.local_name(name).1.to_vec());
                }
            }
            Token::End(end) if tokens.local_name(end).1 == top.as_slice() => {
                open.pop();
            }
            Token::End(_) => return Err(PARTS),
            Token::Text(span) => check_text(tokens.bytes(span))?,
        }
    }
    Ok(())
}

/// Text quick-xml would read without an error: UTF-8, its references closed.
pub(super) fn check_text(text: &[u8]) -> Result<(), Fallback> {
    if text.iter().fold(0u8, |high, &b| high | b) >= 0x80 && std::str::from_utf8(text).is_err() {
        return Err(PARTS);
    }
    if text.contains(&b'&') {
        decode(text, &mut String::new())?;
    }
    Ok(())
}

/// Skip to the start tag of `root` (any prefix).
pub(super) fn skip_to_start<R: Read>(tokens: &mut Tokens<R>, root: &[u8]) -> Result<(), Fallback> {
    loop {
        if let Token::Start { name, attrs, empty } = tokens.next()?.ok_or(PARTS)? {
            check_attributes(tokens.bytes(attrs))?;
            if tokens.local_name(name).1 == root {
                // An empty root holds nothing, and calamine sees its end at once.
                return if empty { Err(PARTS) } else { Ok(()) };
            }
        }
    }
}

/// A relationship's attributes, raw as calamine keeps them.
pub(super) struct Relationship<'a> {
    id: Option<&'a [u8]>,
    target: &'a [u8],
    kind: &'a [u8],
}

impl Relationship<'_> {
    pub(super) fn parse(attrs: &[u8]) -> Result<Relationship<'_>, Fallback> {
        let text = |key: &[u8]| attribute(attrs, key).map(Option::unwrap_or_default);
        Ok(Relationship { id: attribute(attrs, b"Id")?, target: text(b"Target")?, kind: text(b"Type")? })
    }
}

/// The target of the package's office-document relationship (`_rels/.rels`).
pub(super) fn office_document<R: Read>(mut tokens: Tokens<R>) -> Result<String, Fallback> {
    skip_to_start(&mut tokens, b"Relationships")?;
    let mut target = None;
    until_end(&mut tokens, b"Relationships", |tokens, token| {
        if let Token::Start { name, attrs, .. } = token {
            if tokens.local_name(name).1 == b"Relationship" {
                let relationship = Relationship::parse(tokens.bytes(attrs))?;
                if relationship.kind.ends_with(b"/relationships/officeDocument") {
                    target = Some(attribute_text(relationship.target)?);
                }
            }
        }
        Ok(())
    })?;
    let target = target.ok_or(PARTS)?;
    Ok(target.strip_prefix('/').unwrap_or(&target).to_string())
}

/// The workbook's relationships: id → (target, type).
pub(super) fn relationships<R: Read>(mut tokens: Tokens<R>) -> Result<FxHashMap<String, (String, String)>, Fallback> {
    let mut map = FxHashMap::default();
    until_end(&mut tokens, b"Relationships", |tokens, token| {
        if let Token::Start { name, attrs, .. } = token {
            if tokens.local_name(name).1 == b"Relationship" {
                let relationship = Relationship::parse(tokens.bytes(attrs))?;
                if let Some(id) = relationship.id {
                    let raw = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).map_err(|_| PARTS);
                    map.insert(raw(id)?, (raw(relationship.target)?, raw(relationship.kind)?));
                }
            }
        }
        Ok(())
    })?;
    Ok(map)
}

/// The worksheets in workbook order, and whether dates count from 1904.
pub(super) fn sheets<R: Read>(
    mut tokens: Tokens<R>,
    relationships: &FxHashMap<String, (String, String)>,
) -> Result<(Vec<SheetPart>, bool), Fallback> {
    let mut sheets = Vec::new();
    let mut is_1904 = false;
    until_end(&mut tokens, b"workbook", |tokens, token| {
        let Token::Start { name, attrs, empty } = token else { return Ok(()) };
        let full_name = tokens.bytes(name).to_vec();
        let attrs = tokens.bytes(attrs);
        match tokens.local_name(name) {
            (b"", b"sheet") => {
                let mut sheet_name = None;
                let mut id = None;
                for_each_attribute(attrs, |key, value| {
                    match key {
                        b"name" => sheet_name = Some(attribute_text(value)?),
                        b"state" if !matches!(value, b"visible" | b"hidden" | b"veryHidden") => return Err(PARTS),
                        _ if key.ends_with(b":id") || key == b"id" => id = Some(attribute_text(value)?),
                        _ => {}
                    }
                    Ok(())
                })?;
                let (target, kind) = relationships.get(&id.unwrap_or_default()).ok_or(PARTS)?;
                if !kind.ends_with("/worksheet") || target.contains("..") || target.contains('&') {
                    return Err(PARTS);
                }
                let path = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("xl/{target}"),
                };
                sheets.push(SheetPart { name: sheet_name.unwrap_or_default(), path });
            }
            (_, b"sheet") => return Err(PARTS),
            (_, b"workbookPr") => {
                if let Some(value) = attribute(attrs, b"date1904")? {
                    is_1904 = value == b"1" || value == b"true";
                }
            }
            // calamine reads a defined name's text up to its end tag, sheets and all.
            (_, b"definedName") if !empty && attribute(attrs, b"name")?.is_some() => loop {
                if let Token::End(end) = tokens.next()?.ok_or(PARTS)? {
                    if tokens.bytes(end) == full_name.as_slice() {
                        break;
                    }
                }
            },
            _ => {}
        }
        Ok(())
    })?;
    Ok((sheets, is_1904))
}

/// The shared strings, in order.
pub(super) fn shared_strings<R: Read>(mut tokens: Tokens<R>) -> Result<Vec<String>, Fallback> {
    skip_to_start(&mut tokens, b"sst")?;
    let mut strings = Vec::new();
    let mut piece = String::new();
    until_end(&mut tokens, b"sst", |tokens, token| {
        if let Token::Start { name, empty, .. } = token {
            match tokens.local_name(name) {
                (b"", b"si") if empty => strings.push(String::new()),
                (b"", b"si") => {
                    let mut text = String::new();
                    rich_text(tokens, b"si", &mut text, &mut piece)?;
                    strings.push(text);
                }
                (_, b"si") => return Err(PARTS),
                _ => {}
            }
        }
        Ok(())
    })?;
    Ok(strings)
}

/// For each cell style (`<cellXfs>`), how its number format shows numbers.
pub(super) fn formats<R: Read>(mut tokens: Tokens<R>) -> Result<Vec<NumberKind>, Fallback> {
    let mut custom: FxHashMap<Vec<u8>, String> = FxHashMap::default();
    let mut formats = Vec::new();
    until_end(&mut tokens, b"styleSheet", |tokens, token| {
        let Token::Start { name, empty, .. } = token else { return Ok(()) };
        match tokens.local_name(name) {
            (b"", b"numFmts") if !empty => until_end(tokens, b"numFmts", |tokens, token| {
                if let Token::Start { name, attrs, .. } = token {
                    match tokens.local_name(name) {
                        (b"", b"numFmt") => {
                            let attrs = tokens.bytes(attrs);
                            if let (Some(id), Some(code)) =
                                (attribute(attrs, b"numFmtId")?, attribute(attrs, b"formatCode")?)
                            {
                                custom.insert(id.to_vec(), attribute_text(code)?);
                            }
                        }
                        (_, b"numFmt") => return Err(PARTS),
                        _ => {}
                    }
                }
                Ok(())
            }),
            (b"", b"cellXfs") if !empty => until_end(tokens, b"cellXfs", |tokens, token| {
                if let Token::Start { name, attrs, empty } = token {
                    match tokens.local_name(name) {
                        (b"", b"xf") => {
                            formats.push(match attribute(tokens.bytes(attrs), b"numFmtId")? {
                                None => NumberKind::Plain,
                                Some(id) => match custom.get(id) {
                                    Some(code) => custom_format(code),
                                    None => builtin_format(id),
                                },
                            });
                            if !empty {
                                // Up to the first `</xf>`, as calamine reads it, even
                                // past another `<xf>` inside.
                                until_end(tokens, b"xf", |_, _| Ok(()))?;
                            }
                        }
                        (_, b"xf") => return Err(PARTS),
                        _ => {}
                    }
                }
                Ok(())
            }),
            // calamine parses every font, fill and border up to its end tag.
            (b"", section @ (b"fonts" | b"fills" | b"borders")) if !empty => {
                let (section, item): (&[u8], &[u8]) = match section {
                    b"fonts" => (b"fonts", b"font"),
                    b"fills" => (b"fills", b"fill"),
                    _ => (b"borders", b"border"),
                };
                until_end(tokens, section, |tokens, token| match token {
                    Token::Start { name, empty: false, .. } if tokens.local_name(name) == (b"", item) => {
                        skip_balanced(tokens, item)
                    }
                    _ => Ok(()),
                })
            }
            (p, b"numFmts" | b"cellXfs" | b"fonts" | b"fills" | b"borders") if !p.is_empty() => Err(PARTS),
            _ => Ok(()),
        }
    })?;
    Ok(formats)
}

/// Excel's built-in number formats that show dates or durations (calamine's
/// `builtin_format_by_id`).
pub(super) fn builtin_format(id: &[u8]) -> NumberKind {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"47" => NumberKind::DateTime,
        b"27" | b"28" | b"29" | b"30" | b"31" | b"32" | b"33" | b"34" | b"35" | b"36" => NumberKind::DateTime,
        b"50" | b"51" | b"52" | b"53" | b"54" | b"55" | b"56" | b"57" | b"58" => NumberKind::DateTime,
        b"46" => NumberKind::Duration,
        _ => NumberKind::Plain,
    }
}

/// Whether a custom number format shows a date or a duration: calamine's
/// `detect_custom_number_format`, rule for rule (calamine is MIT-licensed,
/// © Johann Tuffe).
pub(super) fn custom_format(format: &str) -> NumberKind {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return NumberKind::Plain,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return NumberKind::Duration,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumberKind::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => return NumberKind::DateTime,
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    NumberKind::Plain
}
