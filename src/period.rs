//! `--period`: `2019`, `2019-Q3`, `2019-07` or `2019-07-01..2019-12-31`.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The reporting period; `start`/`end` are inclusive, both `None` for all data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub label: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// How the period was given, for the arithmetic of `previous`.
    #[serde(skip)]
    pub kind: PeriodKind,
}

/// The form a period was given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeriodKind {
    #[default]
    All,
    Year,
    Quarter,
    Month,
    Range,
    /// From the first activity to an end date.
    Cumulative,
}

impl Period {
    pub fn all() -> Period {
        Period { label: "all".to_string(), start: None, end: None, kind: PeriodKind::All }
    }

    /// A calendar year.
    pub fn year(year: i32) -> Period {
        Period {
            label: year.to_string(),
            start: Some(ymd(year, 1, 1)),
            end: Some(ymd(year, 12, 31)),
            kind: PeriodKind::Year,
        }
    }

    /// A calendar quarter, 1–4.
    pub fn quarter(year: i32, q: u32) -> Period {
        Period {
            label: format!("{year}-Q{q}"),
            start: Some(ymd(year, 3 * q - 2, 1)),
            end: Some(last_day_of_month(year, 3 * q)),
            kind: PeriodKind::Quarter,
        }
    }

    /// A calendar month, 1–12.
    pub fn month(year: i32, month: u32) -> Period {
        Period {
            label: format!("{year}-{month:02}"),
            start: Some(ymd(year, month, 1)),
            end: Some(last_day_of_month(year, month)),
            kind: PeriodKind::Month,
        }
    }

    /// Inclusive dates.
    pub fn range(start: NaiveDate, end: NaiveDate) -> Period {
        Period { label: format!("{start}_{end}"), start: Some(start), end: Some(end), kind: PeriodKind::Range }
    }

    /// The period of the same length just before this one: `2019-Q1` → `2018-Q4`,
    /// `2019` → `2018`, `2019-01` → `2018-12`, a range → as many days just before.
    /// `None` for all data.
    pub fn previous(&self) -> Option<Period> {
        let start = self.start?;
        Some(match self.kind {
            PeriodKind::All | PeriodKind::Cumulative => return None,
            PeriodKind::Year => Period::year(start.year() - 1),
            PeriodKind::Quarter => {
                let q = (start.month() - 1) / 3 + 1;
                if q == 1 {
                    Period::quarter(start.year() - 1, 4)
                } else {
                    Period::quarter(start.year(), q - 1)
                }
            }
            PeriodKind::Month => {
                if start.month() == 1 {
                    Period::month(start.year() - 1, 12)
                } else {
                    Period::month(start.year(), start.month() - 1)
                }
            }
            PeriodKind::Range => {
                let end = self.end?;
                let days = (end - start).num_days() + 1;
                let new_end = start.pred_opt()?;
                Period::range(new_end - chrono::Duration::days(days - 1), new_end)
            }
        })
    }

    /// The part of this calendar period inside `outer` (its label stays this one's).
    pub fn within(&self, outer: &Period) -> Period {
        let later = |a: Option<NaiveDate>, b: Option<NaiveDate>| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let earlier = |a: Option<NaiveDate>, b: Option<NaiveDate>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Period {
            label: self.label.clone(),
            start: later(self.start, outer.start),
            end: earlier(self.end, outer.end),
            kind: self.kind,
        }
    }

    /// Everything from the first activity up to the end of this period.
    pub fn cumulative(&self) -> Period {
        match self.end {
            Some(end) => {
                Period { label: format!("up to {end}"), start: None, end: Some(end), kind: PeriodKind::Cumulative }
            }
            None => Period::all(),
        }
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
            return Ok(Period::range(start, end));
        }
        let year_of = |s: &str| -> Result<i32, String> {
            if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        match text.split_once('-') {
            None => Ok(Period::year(year_of(text)?)),
            Some((y, rest)) => {
                let year = year_of(y)?;
                if let Some(q) = rest.strip_prefix(['Q', 'q']) {
                    let q: u32 = q.parse().map_err(|_| bad())?;
                    if !(1..=4).contains(&q) {
                        return Err(bad());
                    }
                    Ok(Period::quarter(year, q))
                } else {
                    let month: u32 = if rest.len() == 2 { rest.parse().map_err(|_| bad())? } else { return Err(bad()) };
                    if !(1..=12).contains(&month) {
                        return Err(bad());
                    }
                    Ok(Period::month(year, month))
                }
            }
        }
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
    fn previous_periods_of_the_same_length() {
        let prev = |s: &str| Period::parse(s).unwrap().previous().unwrap().label;
        assert_eq!(prev("2019-Q1"), "2018-Q4");
        assert_eq!(prev("2019-Q3"), "2019-Q2");
        assert_eq!(prev("2019"), "2018");
        assert_eq!(prev("2019-07"), "2019-06");
        assert_eq!(prev("2019-01"), "2018-12");
        // 184 days (1 July – 31 December) → 181 days of 2019 before July plus 29–31 December 2018.
        let range = Period::parse("2019-07-01..2019-12-31").unwrap().previous().unwrap();
        assert_eq!((range.start, range.end), (Some(ymd(2018, 12, 29)), Some(ymd(2019, 6, 30))));
        assert!(Period::all().previous().is_none());
        let p = Period::parse("2020-03").unwrap().previous().unwrap();
        assert_eq!(p.end, Some(ymd(2020, 2, 29)));
    }

    #[test]
    fn cumulative_runs_to_the_end_of_the_period() {
        let c = Period::parse("2019-Q2").unwrap().cumulative();
        assert_eq!((c.start, c.end, c.label.as_str()), (None, Some(ymd(2019, 6, 30)), "up to 2019-06-30"));
        assert!(c.contains(ymd(2001, 1, 1)));
        assert!(!c.contains(ymd(2019, 7, 1)));
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
