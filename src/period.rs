//! `--period`: `2019`, `2019-Q3`, `2019-07` or `2019-07-01..2019-12-31`.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The reporting period; `start`/`end` are inclusive, both `None` for all data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub label: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl Period {
    pub fn all() -> Period {
        Period { label: "all".to_string(), start: None, end: None }
    }

    /// Parse a period argument.
    ///
    /// # Errors
    /// A plain-language message naming the accepted forms.
    pub fn parse(text: &str) -> Result<Period, String> {
        let text = text.trim();
        let bad = || format!("`{text}` is not a period; use 2019, 2019-Q3, 2019-07 or 2019-07-01..2019-12-31");
        if let Some((a, b)) = text.split_once("..") {
            let start = NaiveDate::parse_from_str(a.trim(), "%Y-%m-%d").map_err(|_| bad())?;
            let end = NaiveDate::parse_from_str(b.trim(), "%Y-%m-%d").map_err(|_| bad())?;
            if end < start {
                return Err(format!("the period `{text}` ends before it starts"));
            }
            return Ok(Period { label: format!("{start}_{end}"), start: Some(start), end: Some(end) });
        }
        let year_of = |s: &str| -> Result<i32, String> {
            if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let (start, end) = match text.split_once('-') {
            None => {
                let year = year_of(text)?;
                (ymd(year, 1, 1), ymd(year, 12, 31))
            }
            Some((y, rest)) => {
                let year = year_of(y)?;
                if let Some(q) = rest.strip_prefix(['Q', 'q']) {
                    let q: u32 = q.parse().map_err(|_| bad())?;
                    if !(1..=4).contains(&q) {
                        return Err(bad());
                    }
                    let first = ymd(year, 3 * q - 2, 1);
                    (first, last_day_of_month(year, 3 * q))
                } else {
                    let month: u32 = if rest.len() == 2 { rest.parse().map_err(|_| bad())? } else { return Err(bad()) };
                    if !(1..=12).contains(&month) {
                        return Err(bad());
                    }
                    (ymd(year, month, 1), last_day_of_month(year, month))
                }
            }
        };
        Ok(Period { label: text.to_uppercase().replace('q', "Q"), start: Some(start), end: Some(end) })
    }

    /// Whether a date falls in the period (bounds included).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start.is_none_or(|s| date >= s) && self.end.is_none_or(|e| date <= e)
    }
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid calendar date")
}

fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    ymd(y, m, 1).pred_opt().expect("a day before")
}

/// `2019-Q3` for a date.
pub fn quarter_of(date: NaiveDate) -> String {
    format!("{}-Q{}", date.year(), (date.month() - 1) / 3 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_period_form() {
        let p = Period::parse("2019").unwrap();
        assert_eq!((p.label.as_str(), p.start, p.end), ("2019", Some(ymd(2019, 1, 1)), Some(ymd(2019, 12, 31))));
        let p = Period::parse("2019-Q3").unwrap();
        assert_eq!((p.label.as_str(), p.start, p.end), ("2019-Q3", Some(ymd(2019, 7, 1)), Some(ymd(2019, 9, 30))));
        let p = Period::parse("2020-02").unwrap();
        assert_eq!((p.start, p.end), (Some(ymd(2020, 2, 1)), Some(ymd(2020, 2, 29))));
        let p = Period::parse("2019-07-01..2019-12-31").unwrap();
        assert_eq!(p.label, "2019-07-01_2019-12-31");
        assert!(Period::parse("2019-Q5").is_err());
        assert!(Period::parse("19").is_err());
        assert!(Period::parse("2019-13").is_err());
        assert!(Period::parse("2019-12-31..2019-01-01").is_err());
    }

    #[test]
    fn boundary_days_are_inside() {
        let p = Period::parse("2019-Q3").unwrap();
        assert!(p.contains(ymd(2019, 7, 1)));
        assert!(p.contains(ymd(2019, 9, 30)));
        assert!(!p.contains(ymd(2019, 6, 30)));
        assert!(!p.contains(ymd(2019, 10, 1)));
    }

    #[test]
    fn quarters() {
        assert_eq!(quarter_of(ymd(2019, 9, 30)), "2019-Q3");
        assert_eq!(quarter_of(ymd(2019, 10, 1)), "2019-Q4");
        assert_eq!(quarter_of(ymd(2019, 1, 1)), "2019-Q1");
    }
}
