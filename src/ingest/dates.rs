//! Text dates as people write them (SPEC §4 and §12.4): ISO dates and
//! date-times, slash and dot dates in either order, year first, two-digit years,
//! month names in eight languages, ordinals, survey-tool date-times, and ranges
//! in one cell.

use chrono::{Datelike, NaiveDate};

use crate::config::DateOrder;
use crate::text::normalise;

/// Month names and abbreviations in English, French, German, Spanish, Italian,
/// Dutch, Portuguese and Swedish, compared without accents or case.
const MONTHS: [&[&str]; 12] = [
    &["january", "jan", "janvier", "janv", "januar", "janner", "enero", "ene", "gennaio", "gen", "januari", "janeiro"],
    &["february", "feb", "fevrier", "fevr", "fev", "februar", "febrero", "febbraio", "februari", "fevereiro"],
    &["march", "mar", "mars", "marz", "mrz", "mar", "marzo", "maart", "mrt", "marco"],
    &["april", "apr", "avril", "avr", "abril", "abr", "aprile"],
    &["may", "mai", "mayo", "maggio", "mag", "mei", "maio", "maj"],
    &["june", "jun", "juin", "juni", "junio", "giugno", "giu", "junho"],
    &["july", "jul", "juillet", "juil", "juli", "julio", "luglio", "lug", "julho"],
    &["august", "aug", "aout", "agosto", "ago", "augustus", "augusti"],
    &["september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set", "setembro"],
    &["october", "oct", "octobre", "oktober", "okt", "octubre", "ottobre", "ott", "outubro", "out"],
    &["november", "nov", "novembre", "noviembre", "novembro"],
    &["december", "dec", "decembre", "dezember", "dez", "diciembre", "dic", "dicembre", "dezembro"],
];

/// Words that may stand between the parts of a written date.
const FILLERS: [&str; 12] = ["de", "del", "of", "the", "den", "le", "st", "nd", "rd", "th", "er", "o"];

/// How a slash or dot date with the year last can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Only day first (its first number is over 12).
    DayFirst,
    /// Only month first (its second number is over 12).
    MonthFirst,
    /// Either way.
    Either,
}

/// How `text` can be read, when it is a numeric date with the year last.
pub fn reading(text: &str) -> Option<Reading> {
    let (a, b, _) = numeric_parts(date_part(text))?;
    if a.len() == 4 {
        return None;
    }
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    Some(match (a > 12, b > 12) {
        (true, false) => Reading::DayFirst,
        (false, true) => Reading::MonthFirst,
        _ => Reading::Either,
    })
}

/// One date written as text, slash and dot dates read in `order` unless they
/// can be read only one way.
pub fn parse(text: &str, order: DateOrder) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() || text.len() > 100 {
        return None;
    }
    let head = date_part(text);
    if let Ok(date) = NaiveDate::parse_from_str(head, "%Y-%m-%d") {
        return Some(date);
    }
    if let Some(date) = numeric(head, order) {
        return Some(date);
    }
    written(text)
}

/// A range in one cell: two dates joined by a dash (`3 March – 5 April 2019`,
/// `03/03/2019 - 05/03/2019`), or a day range before a month and year
/// (`3–5 March 2019`, `20–21/06/2019`, `18-19.09.2019`).
pub fn parse_range(text: &str, order: DateOrder) -> Option<(NaiveDate, NaiveDate)> {
    let text = text.trim();
    if text.len() > 100 {
        return None;
    }
    // A day range: `3–5 March 2019`.
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let rest = text[digits..].trim_start();
        if let Some(dash) = rest.chars().next().filter(|c| "-–—".contains(*c)) {
            let end_text = rest[dash.len_utf8()..].trim_start();
            let end_digits = end_text.chars().take_while(char::is_ascii_digit).count();
            let after = &end_text[end_digits..];
            if (1..=2).contains(&end_digits) && after.starts_with([' ', '/', '.']) {
                if let Some(end) = parse(end_text, order) {
                    let day: u32 = text[..digits].parse().ok()?;
                    if let Some(start) = end.with_day(day).filter(|s| *s <= end) {
                        return Some((start, end));
                    }
                }
            }
        }
    }
    // Two dates joined by a dash; the first may leave out the year (or month and year).
    for (at, dash) in text.char_indices().filter(|(_, c)| "-–—".contains(*c)) {
        let (left, right) = (text[..at].trim(), text[at + dash.len_utf8()..].trim());
        if left.is_empty() || right.is_empty() {
            continue;
        }
        let Some(end) = parse(right, order) else { continue };
        let start = parse(left, order).or_else(|| {
            let with_year = format!("{left} {}", end.year());
            written(&with_year).map(|s| if s > end { s.with_year(end.year() - 1).unwrap_or(s) } else { s })
        });
        if let Some(start) = start.filter(|s| *s <= end) {
            return Some((start, end));
        }
    }
    None
}

/// The date part of a date-time: text before `T` (ISO) or the first space,
/// when what follows looks like a time.
fn date_part(text: &str) -> &str {
    if let Some((date, time)) = text.split_once('T') {
        if time.starts_with(|c: char| c.is_ascii_digit()) && date.len() == 10 {
            return date;
        }
    }
    match text.split_once(' ') {
        Some((date, time)) if time.trim_start().chars().take(3).any(|c| c == ':') => date,
        Some((date, time)) if time.contains(':') && time.trim_start().starts_with(|c: char| c.is_ascii_digit()) => date,
        _ => text,
    }
}

/// `a/b/c` or `a.b.c` (or `a-b-c`) with numbers only.
fn numeric_parts(text: &str) -> Option<(&str, &str, &str)> {
    let separator = text.chars().find(|c| ['/', '.', '-'].contains(c))?;
    let mut parts = text.split(separator);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || [a, b, c].iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    Some((a, b, c))
}

fn numeric(text: &str, order: DateOrder) -> Option<NaiveDate> {
    let (a, b, c) = numeric_parts(text)?;
    if a.len() == 4 {
        // Year first: 2019/03/03.
        return NaiveDate::from_ymd_opt(a.parse().ok()?, b.parse().ok()?, c.parse().ok()?);
    }
    let year = year_of(c)?;
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    let (day, month) = match (a > 12, b > 12, order) {
        (true, false, _) | (false, false, DateOrder::DayFirst) => (a, b),
        (false, true, _) | (false, false, DateOrder::MonthFirst) => (b, a),
        (true, true, _) => return None,
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A four-digit year, or two digits as 2000 + yy.
fn year_of(text: &str) -> Option<i32> {
    match text.len() {
        4 => text.parse().ok(),
        2 => text.parse::<i32>().ok().map(|y| 2000 + y),
        _ => None,
    }
}

fn month_of(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.');
    MONTHS.iter().position(|names| names.contains(&word)).map(|i| i as u32 + 1)
}

/// A date with a month name: day, month and year in either order, with
/// ordinals (`3rd`, `1er`, `3.`) and filler words (`de`, `of`).
fn written(text: &str) -> Option<NaiveDate> {
    // Drop a time of day: everything from the first `h:mm`.
    let text = match text.find(':') {
        Some(at) => text[..at].trim_end_matches(|c: char| c.is_ascii_digit()),
        None => text,
    };
    let normalised = normalise(text);
    let mut day = None;
    let mut month = None;
    let mut year = None;
    let mut numbers = Vec::new();
    for token in normalised.split(' ') {
        let digits: String = token.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            let suffix = &token[digits.len()..];
            if !(suffix.is_empty() || FILLERS.contains(&suffix)) {
                return None;
            }
            numbers.push(digits);
        } else if let Some(m) = month_of(token) {
            if month.replace(m).is_some() {
                return None;
            }
            // The numbers before the month are its day (`3 March`), or none.
            if numbers.len() == 1 {
                day = Some(numbers.remove(0));
            }
        } else if !FILLERS.contains(&token) && !is_weekday(token) {
            return None;
        }
    }
    let month = month?;
    let mut rest = numbers.into_iter();
    if day.is_none() {
        day = rest.next();
    }
    if let Some(y) = rest.next() {
        year = Some(y);
    }
    if rest.next().is_some() {
        return None;
    }
    let (day, year) = (day?, year?);
    if day.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year_of(&year)?, month, day.parse().ok()?)
}

fn is_weekday(word: &str) -> bool {
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ]
    .contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_names_in_eight_languages() {
        let march3 = d(2019, 3, 3);
        for text in [
            "3 March 2019",
            "3 mars 2019",
            "3. März 2019",
            "3 de marzo de 2019",
            "3 marzo 2019",
            "3 maart 2019",
            "3 de março de 2019",
            "3 mars 2019",
            "3-Mar-19",
            "Mar 3, 2019",
            "March 3rd, 2019",
            "3rd March 2019",
            "1er mars 2019",
            "Sunday, March 3, 2019",
        ] {
            let expected = if text.starts_with("1er") { d(2019, 3, 1) } else { march3 };
            assert_eq!(parse(text, DateOrder::DayFirst), Some(expected), "{text}");
        }
        assert_eq!(parse("9 juin 2020", DateOrder::DayFirst), Some(d(2020, 6, 9)));
        assert_eq!(parse("15. Oktober 2019", DateOrder::DayFirst), Some(d(2019, 10, 15)));
        assert_eq!(parse("20 augusti 2019", DateOrder::DayFirst), Some(d(2019, 8, 20)));
        assert_eq!(parse("3 Marchember 2019", DateOrder::DayFirst), None);
        assert_eq!(parse("31 février 2019", DateOrder::DayFirst), None);
    }

    #[test]
    fn numbers_dates_times_and_order() {
        let day_first = DateOrder::DayFirst;
        assert_eq!(parse("2019-03-03T10:15:00", day_first), Some(d(2019, 3, 3)));
        assert_eq!(parse("2019/03/03", day_first), Some(d(2019, 3, 3)));
        assert_eq!(parse("2019.03.03", day_first), Some(d(2019, 3, 3)));
        assert_eq!(parse("03.03.19", day_first), Some(d(2019, 3, 3)));
        assert_eq!(parse("2020/10/30 3:08:44 PM GMT+1", day_first), Some(d(2020, 10, 30)));
        assert_eq!(parse("10/30/2020 15:08:44", day_first), Some(d(2020, 10, 30)));
        assert_eq!(parse("06/10/2020 08:55:00 AM", DateOrder::MonthFirst), Some(d(2020, 6, 10)));
        assert_eq!(parse("04/03/2019", day_first), Some(d(2019, 3, 4)));
        assert_eq!(parse("04/03/2019", DateOrder::MonthFirst), Some(d(2019, 4, 3)));
        assert_eq!(reading("25/03/2019"), Some(Reading::DayFirst));
        assert_eq!(reading("03/25/2019 10:00"), Some(Reading::MonthFirst));
        assert_eq!(reading("03/04/2019"), Some(Reading::Either));
        assert_eq!(reading("2019/03/04"), None);
        assert_eq!(parse("31/02/2020", day_first), None);
    }

    #[test]
    fn ranges_in_one_cell() {
        let o = DateOrder::DayFirst;
        assert_eq!(parse_range("3 March – 5 April 2019", o), Some((d(2019, 3, 3), d(2019, 4, 5))));
        assert_eq!(parse_range("03/03/2019 - 05/03/2019", o), Some((d(2019, 3, 3), d(2019, 3, 5))));
        assert_eq!(parse_range("3–5 March 2019", o), Some((d(2019, 3, 3), d(2019, 3, 5))));
        assert_eq!(parse_range("20–21/06/2019", o), Some((d(2019, 6, 20), d(2019, 6, 21))));
        assert_eq!(parse_range("18-19.09.2019", o), Some((d(2019, 9, 18), d(2019, 9, 19))));
        assert_eq!(parse_range("2019-03-03", o), None);
        assert_eq!(parse_range("5–3 March 2019", o), None);
    }
}
