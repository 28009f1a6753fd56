//! A tokenizer over a zip part read in blocks: start and end tags, text, and the
//! two cell shapes read in one step. It refuses what quick-xml would refuse.

use super::*;

/// Why this part of the reader hands the workbook or sheet back to calamine.
const XML: Fallback = Fallback("XML the direct reader does not tokenize (a declaration, comment or CDATA inside a part, or tags that do not balance)");

/// A byte range of the tokenizer's buffer, valid until the next token is read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span(usize, usize);

#[derive(Debug, Clone, Copy)]
pub(super) enum Token {
    Start { name: Span, attrs: Span, empty: bool },
    End(Span),
    Text(Span),
}

/// A pull tokenizer over an XML part, read in blocks. Processing instructions are
/// skipped; comments, CDATA and document types are left to calamine.
pub(super) struct Tokens<R> {
    source: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    done: bool,
    /// Elements open; an end tag with none open is an error to quick-xml.
    depth: usize,
}

pub(super) const BLOCK: usize = 64 * 1024;

impl<R: Read> Tokens<R> {
    pub(super) fn new(source: R) -> Tokens<R> {
        Tokens { source, buf: vec![0; BLOCK], pos: 0, end: 0, done: false, depth: 0 }
    }

    /// When the unread input is `open`, a text without markup, then `close` (which
    /// ends the element whose start tag was just read), consume it all and return
    /// the text's span. Otherwise, or when it is not all in the buffer yet, `None`,
    /// having consumed nothing.
    pub(super) fn whole(&mut self, open: &[u8], close: &[u8]) -> Option<Span> {
        let rest = self.buf[self.pos..self.end].strip_prefix(open)?;
        let len = memchr(b'<', rest)?;
        if !rest[len..].starts_with(close) {
            return None;
        }
        let start = self.pos + open.len();
        self.pos = start + len + close.len();
        self.depth -= 1;
        Some(Span(start, start + len))
    }

    pub(super) fn bytes(&self, span: Span) -> &[u8] {
        &self.buf[span.0..span.1]
    }

    /// An element's name, which must carry no namespace prefix.
    pub(super) fn name(&self, span: Span) -> Result<&[u8], Fallback> {
        let name = self.bytes(span);
        if name.contains(&b':') {
            return Err(XML);
        }
        Ok(name)
    }

    /// An element's (prefix, local name).
    pub(super) fn local_name(&self, span: Span) -> (&[u8], &[u8]) {
        let name = self.bytes(span);
        match name.iter().position(|&b| b == b':') {
            Some(colon) => (&name[..colon], &name[colon + 1..]),
            None => (b"", name),
        }
    }

    /// Read more of the part, keeping the unread bytes. False at its end.
    pub(super) fn fill(&mut self) -> Result<bool, Fallback> {
        if self.done {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        // Fill the free space whole (the zip reader returns a little at a time), so a
        // token longer than the buffer is found after doubling it a few times, not
        // after rescanning it once per small read.
        let before = self.end;
        while self.end < self.buf.len() {
            let read = self.source.read(&mut self.buf[self.end..]).map_err(|_| XML)?;
            if read == 0 {
                self.done = true;
                break;
            }
            self.end += read;
        }
        Ok(self.end > before)
    }

    /// The next token, `None` at the end of the part.
    pub(super) fn next(&mut self) -> Result<Option<Token>, Fallback> {
        loop {
            let available = &self.buf[self.pos..self.end];
            if available.is_empty() {
                if !self.fill()? {
                    return Ok(None);
                }
                continue;
            }
            if available[0] != b'<' {
                match memchr(b'<', available) {
                    Some(len) => {
                        let span = Span(self.pos, self.pos + len);
                        self.pos += len;
                        return Ok(Some(Token::Text(span)));
                    }
                    None if self.done => {
                        let span = Span(self.pos, self.end);
                        self.pos = self.end;
                        return Ok(Some(Token::Text(span)));
                    }
                    None => {
                        self.fill()?;
                        continue;
                    }
                }
            }
            if available.starts_with(b"<?") {
                // A processing instruction (the XML declaration) ends at `?>`.
                // quick-xml refuses one that starts `<?>`.
                if available.get(2) == Some(&b'>') {
                    return Err(XML);
                }
                match memchr::memmem::find(&available[2..], b"?>") {
                    Some(close) => {
                        check_text(&available[2..close + 2])?;
                        self.pos += close + 4;
                        continue;
                    }
                    None if self.fill()? => continue,
                    None => return Err(XML),
                }
            }
            let Some((close, ascii)) = tag_end(available) else {
                if !self.fill()? {
                    return Err(XML);
                }
                continue;
            };
            let (start, end) = (self.pos + 1, self.pos + close);
            self.pos += close + 1;
            let tag = &self.buf[start..end];
            if !ascii && std::str::from_utf8(tag).is_err() {
                return Err(XML);
            }
            match tag.first() {
                Some(b'!' | b'?') | None => return Err(XML),
                Some(b'/') => {
                    self.depth = self.depth.checked_sub(1).ok_or(XML)?;
                    return Ok(Some(Token::End(Span(
                        start + 1,
                        start + 1 + trim_end(&self.buf[start + 1..end]).len(),
                    ))));
                }
                Some(_) => {
                    let empty = tag.last() == Some(&b'/');
                    self.depth += usize::from(!empty);
                    let tag_len = tag.len() - usize::from(empty);
                    let name_len = tag[..tag_len].iter().position(u8::is_ascii_whitespace).unwrap_or(tag_len);
                    return Ok(Some(Token::Start {
                        name: Span(start, start + name_len),
                        attrs: Span(start + name_len, start + tag_len),
                        empty,
                    }));
                }
            }
        }
    }
}

/// The index of the `>` closing the tag that `bytes` starts with, outside quoted
/// values, and whether the tag is plain ASCII (found in the same pass).
pub(super) fn tag_end(bytes: &[u8]) -> Option<(usize, bool)> {
    let close = memchr(b'>', bytes)?;
    let (mut double, mut single, mut high) = (0u32, 0u32, 0u8);
    for &b in &bytes[..close] {
        double += u32::from(b == b'"');
        single += u32::from(b == b'\'');
        high |= b;
    }
    if single == 0 && double % 2 == 0 {
        return Some((close, high < 0x80));
    }
    let mut at = 1;
    loop {
        at += memchr3(b'>', b'"', b'\'', &bytes[at..])?;
        let quote = bytes[at];
        if quote == b'>' {
            return Some((at, bytes[..at].is_ascii()));
        }
        at += 1;
        at += memchr(quote, &bytes[at..])? + 1;
    }
}
