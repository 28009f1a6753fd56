//! Text normalisation shared by header matching and enumeration matching.
//!
//! `Study visit`, `study-visit`, `STUDY_VISIT` and `Étude` vs `etude` must compare
//! equal, so both headers and values are reduced to lower-case ASCII-ish words
//! separated by single spaces before any lookup.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}").expect("valid regex"));
static PHONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\+?\d[\d\s().\-/]{6,}\d").expect("valid regex"));
/// A phone number written internationally (`+32 2 555 01 23`): the only form masked
/// in data-quality messages, where dates and ids must stay readable.
static INTERNATIONAL_PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+\d[\d\s().\-/]{6,}\d").expect("valid regex"));

/// Replace e-mail addresses and phone numbers (free text: comments, titles).
pub fn mask(text: &str) -> String {
    let text = EMAIL.replace_all(text, "[e-mail removed]");
    PHONE.replace_all(&text, "[phone removed]").to_string()
}

/// Replace e-mail addresses and international phone numbers, leaving dates and
/// numbers as they are (data-quality messages and values).
pub fn mask_contacts(text: &str) -> String {
    if !text.contains('@') && !text.contains('+') {
        return text.to_string();
    }
    let text = EMAIL.replace_all(text, "[e-mail removed]");
    INTERNATIONAL_PHONE.replace_all(&text, "[phone removed]").to_string()
}

/// Lower-case, strip accents, turn every run of punctuation and whitespace into one
/// space, trim. `"  Type of Activity: "` → `"type of activity"`.
pub fn normalise(text: &str) -> String {
    // ASCII has nothing to decompose: skip the Unicode decomposition (same result).
    if text.is_ascii() {
        fold(text.chars(), text.len())
    } else {
        fold(text.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)), text.len())
    }
}

/// Lower-case letters and digits; every run of anything else one space; `&` → `and`.
fn fold(chars: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    let mut pending_space = false;
    for ch in chars {
        if ch.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            if ch.is_ascii() {
                out.push(ch.to_ascii_lowercase());
            } else {
                out.extend(ch.to_lowercase());
            }
        } else if ch == '&' {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("and");
            pending_space = true;
        } else {
            pending_space = true;
        }
    }
    out
}

/// [`normalise`] for headers: also drops a leading question number such as
/// `Q3.`, `3)`, `3.` or `Q3 -`.
pub fn normalise_header(text: &str) -> String {
    let trimmed = text.trim_start();
    let bytes = trimmed.as_bytes();
    let mut i = 0;
    if i < bytes.len() && (bytes[i] == b'Q' || bytes[i] == b'q') && bytes.get(1).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let digits_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    if i > digits_start {
        // Only a number followed by a separator is a question number.
        let rest = &trimmed[i..];
        let sep = rest.chars().next();
        if matches!(sep, Some('.') | Some(')') | Some(':') | Some('-') | Some(' ')) {
            let candidate = normalise(rest);
            if !candidate.is_empty() {
                return candidate;
            }
        }
    }
    normalise(text)
}

/// The closest of `choices` to `value` (normalised edit distance), when close enough
/// to be a plausible typo.
pub fn closest<'a>(value: &str, choices: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = normalise(value);
    if wanted.is_empty() {
        return None;
    }
    let wanted_len = wanted.chars().count();
    let mut best: Option<(f64, &str)> = None;
    for choice in choices {
        let normalised = normalise(choice);
        // The score is at most shorter / longer length: skip what cannot reach 0.6
        // (a pasted paragraph in a header cell would otherwise cost seconds).
        let len = normalised.chars().count();
        if (wanted_len.min(len) as f64) < 0.6 * wanted_len.max(len) as f64 {
            continue;
        }
        let score = strsim::normalized_damerau_levenshtein(&wanted, &normalised);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, choice));
        }
    }
    best.filter(|(score, _)| *score >= 0.6).map(|(_, choice)| choice)
}

/// A country's English name for an ISO code; other keys as they are.
pub fn country_name(key: &str) -> String {
    match isocountry::CountryCode::for_alpha2(key) {
        Ok(code) => {
            let name = code.name();
            match key {
                "GB" => "United Kingdom".to_string(),
                "US" => "United States".to_string(),
                _ => name.split(" (").next().unwrap_or(name).to_string(),
            }
        }
        Err(_) => key.to_string(),
    }
}

/// Whether Excel could read `text` as a formula or a command.
pub fn needs_quote_prefix(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[cfg(test)]
mod tests {
    #[test]
    fn risky_text_gets_a_quote_prefix() {
        for risky in ["=HYPERLINK(\"x\")", "+1-1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(needs_quote_prefix(risky), "{risky:?}");
        }
        for safe in ["Study visit", "1+1", "e-mail"] {
            assert!(!needs_quote_prefix(safe), "{safe:?}");
        }
    }

    use super::*;

    #[test]
    fn the_ascii_path_agrees_with_the_unicode_one() {
        for text in ["  Type of Activity: ", "R000-0000001", "Q3. Overall & more", "a&b", "&x", "__x__y__", "", " - "] {
            let unicode = fold(text.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)), 0);
            assert_eq!(normalise(text), unicode, "{text:?}");
        }
    }

    #[test]
    fn normalise_folds_case_accents_and_punctuation() {
        assert_eq!(normalise("Study visit"), "study visit");
        assert_eq!(normalise("study-visit"), "study visit");
        assert_eq!(normalise("STUDY_VISIT"), "study visit");
        assert_eq!(normalise("  Type of Activity: "), "type of activity");
        assert_eq!(normalise("Évaluation générale"), "evaluation generale");
        assert_eq!(normalise("Identification & referral"), "identification and referral");
        assert_eq!(normalise("No. of participants"), "no of participants");
    }

    #[test]
    fn header_question_numbers_are_dropped() {
        assert_eq!(normalise_header("Q3. Overall satisfaction"), "overall satisfaction");
        assert_eq!(normalise_header("3) Overall satisfaction"), "overall satisfaction");
        assert_eq!(normalise_header("q12 - Recommend"), "recommend");
        assert_eq!(normalise_header("2019"), "2019");
        assert_eq!(normalise_header("1"), "1");
    }

    #[test]
    fn closest_suggests_typo_fixes_only() {
        let choices = ["study_visit", "thematic_workshop", "training"];
        assert_eq!(closest("Study vist", choices), Some("study_visit"));
        assert_eq!(closest("trainig", choices), Some("training"));
        assert_eq!(closest("banana bread", choices), None);
        assert_eq!(closest(&"study visit ".repeat(100_000), choices), None);
    }
}
