//! `peer-eval synth`: a realistic input folder in canonical format, deterministic
//! for a seed, for benchmarks and demonstrations.
//!
//! Writes `activities.xlsx`, `responses_NN.xlsx` (the responses spread over the
//! requested number of files), `attendance.xlsx`, `needs.xlsx`, `followups.xlsx`
//! and `countries.xlsx`. Files are written in parallel, sheets in
//! rust_xlsxwriter's constant-memory mode, so a million responses take seconds.

use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate};
use rayon::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SynthSpec {
    pub activities: usize,
    pub responses: usize,
    pub files: usize,
    pub seed: u64,
}

/// SplitMix64: small, fast and the same everywhere.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// A Likert answer around `centre`.
    fn likert(&mut self, centre: f64) -> f64 {
        let noise = (self.below(1000) as f64 / 1000.0 + self.below(1000) as f64 / 1000.0) - 1.0;
        (centre + 1.6 * noise).round().clamp(1.0, 5.0)
    }
}

const COUNTRIES: [(&str, &str, &str, u32, &str, u32); 24] = [
    ("AT", "Austria", "emerging", 12, "federal", 20),
    ("BE", "Belgium", "emerging", 12, "federal", 300),
    ("BG", "Bulgaria", "new", 18, "centralised", 100),
    ("CA", "Canada", "experienced", 12, "federal", 2000),
    ("HR", "Croatia", "new", 24, "centralised", 100),
    ("CZ", "Czech Republic", "new", 36, "centralised", 50),
    ("DK", "Denmark", "experienced", 36, "centralised", 500),
    ("EE", "Estonia", "new", 24, "centralised", 80),
    ("FI", "Finland", "experienced", 36, "centralised", 750),
    ("FR", "France", "experienced", 12, "centralised", 3000),
    ("DE", "Germany", "experienced", 24, "federal", 4600),
    ("IE", "Ireland", "emerging", 12, "centralised", 600),
    ("IT", "Italy", "emerging", 12, "regional", 500),
    ("LV", "Latvia", "new", 12, "centralised", 50),
    ("LT", "Lithuania", "new", 12, "centralised", 100),
    ("NL", "Netherlands", "experienced", 12, "centralised", 500),
    ("NO", "Norway", "experienced", 60, "centralised", 3000),
    ("PT", "Portugal", "emerging", 18, "centralised", 1000),
    ("RO", "Romania", "new", 12, "centralised", 40),
    ("SK", "Slovakia", "new", 12, "centralised", 20),
    ("SI", "Slovenia", "new", 12, "centralised", 40),
    ("ES", "Spain", "emerging", 18, "regional", 1200),
    ("SE", "Sweden", "experienced", 24, "centralised", 5000),
    ("CH", "Switzerland", "experienced", 24, "federal", 1500),
];
const TYPES: [&str; 8] = [
    "study_visit",
    "thematic_workshop",
    "small_scale_exchange",
    "working_group",
    "training",
    "conference",
    "mentoring",
    "operational_meeting",
];
const PHASES: [&str; 6] = [
    "identification_referral",
    "selection_mission",
    "selection_decision",
    "pre_departure",
    "travel_arrival",
    "reception",
];
const GOALS: [&str; 5] = ["motivational", "informational", "operational", "relational", "innovative"];
const ANSWERS: [&str; 4] = ["yes", "yes", "partly", "no"];

struct Activity {
    id: String,
    start: NaiveDate,
    countries: Vec<usize>,
    participants: usize,
    quality: f64,
}

fn activities(spec: &SynthSpec) -> Vec<Activity> {
    let mut rng = Rng::new(spec.seed, 1);
    let first = NaiveDate::from_ymd_opt(2016, 1, 4).expect("valid date");
    (0..spec.activities)
        .map(|i| {
            let mut countries: Vec<usize> = (0..2 + rng.below(7)).map(|_| rng.below(COUNTRIES.len())).collect();
            countries.sort_unstable();
            countries.dedup();
            Activity {
                id: format!("ACT-{:05}", i + 1),
                start: first + Duration::days(rng.below(8 * 365) as i64),
                countries,
                participants: 5 + rng.below(36),
                quality: 3.4 + rng.below(140) as f64 / 100.0,
            }
        })
        .collect()
}

fn date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

fn header(ws: &mut Worksheet, names: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (c, name) in names.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, bold)?;
    }
    Ok(())
}

/// Write the folder.
///
/// # Errors
/// A file cannot be written.
pub fn write(out: &Path, spec: &SynthSpec) -> Result<(), XlsxError> {
    std::fs::create_dir_all(out)?;
    let acts = activities(spec);
    let files = spec.files.max(1);
    let mut jobs: Vec<usize> = (0..files + 5).collect();
    jobs.sort_unstable();
    jobs.par_iter().try_for_each(|&job| match job {
        0 => write_activities(out, spec, &acts),
        1 => write_attendance(out, spec, &acts),
        2 => write_needs(out, spec),
        3 => write_followups(out, spec, &acts),
        4 => write_countries(out),
        n => write_responses(out, spec, &acts, n - 5, files),
    })
}

fn save(mut wb: Workbook, out: &Path, name: &str) -> Result<(), XlsxError> {
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2024, 1, 1)?),
    );
    wb.save(out.join(name))
}

fn write_activities(out: &Path, spec: &SynthSpec, acts: &[Activity]) -> Result<(), XlsxError> {
    let mut rng = Rng::new(spec.seed, 2);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Activities")?;
    header(
        ws,
        &[
            "activity_id",
            "type",
            "title",
            "start_date",
            "end_date",
            "host_country",
            "participating_countries",
            "phases",
            "goals",
            "participants",
            "cost_eur",
            "follow_up",
            "project",
        ],
        &bold,
    )?;
    for (i, a) in acts.iter().enumerate() {
        let r = i as u32 + 1;
        let kind = rng.pick(&TYPES);
        ws.write_string(r, 0, &a.id)?;
        ws.write_string(r, 1, *kind)?;
        ws.write_string(r, 2, format!("{} {}", kind.replace('_', " "), a.id))?;
        ws.write_datetime_with_format(r, 3, &date(a.start)?, &day)?;
        ws.write_datetime_with_format(r, 4, &date(a.start + Duration::days(rng.below(4) as i64))?, &day)?;
        ws.write_string(r, 5, COUNTRIES[rng.below(COUNTRIES.len())].1)?;
        let names: Vec<&str> = a.countries.iter().map(|&c| COUNTRIES[c].1).collect();
        ws.write_string(r, 6, names.join("; "))?;
        let first = rng.below(PHASES.len());
        let last = (first + rng.below(3)).min(PHASES.len() - 1);
        ws.write_string(r, 7, PHASES[first..=last].join(", "))?;
        if rng.below(10) > 0 {
            ws.write_string(r, 8, *rng.pick(&GOALS))?;
        }
        ws.write_number(r, 9, a.participants as f64)?;
        ws.write_number(r, 10, (a.participants * (300 + rng.below(3000))) as f64)?;
        if rng.below(2) == 0 {
            ws.write_string(r, 11, "follow-up call")?;
        }
        ws.write_string(r, 12, if rng.below(3) == 0 { "Component B" } else { "Component A" })?;
    }
    save(wb, out, "activities.xlsx")
}

fn write_responses(
    out: &Path,
    spec: &SynthSpec,
    acts: &[Activity],
    file: usize,
    files: usize,
) -> Result<(), XlsxError> {
    let mut rng = Rng::new(spec.seed, 100 + file as u64);
    let count = spec.responses / files + usize::from(file < spec.responses % files);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Responses")?;
    header(
        ws,
        &[
            "response_id",
            "activity_id",
            "respondent_id",
            "submitted_at",
            "country",
            "experience",
            "overall_satisfaction",
            "agenda_relevance",
            "met_expectations",
            "applicability",
            "organisation_quality",
            "recommend",
            "participation_aim",
            "intent_to_apply",
            "new_contacts",
        ],
        &bold,
    )?;
    for i in 0..count {
        let r = i as u32 + 1;
        let a = rng.pick(acts);
        let c = a.countries.get(rng.below(a.countries.len())).copied().unwrap_or(0);
        ws.write_string(r, 0, format!("R{file:03}-{i:07}"))?;
        ws.write_string(r, 1, &a.id)?;
        ws.write_string(r, 2, format!("P-{}-{}", COUNTRIES[c].0, rng.below(400)))?;
        ws.write_datetime_with_format(r, 3, &date(a.start + Duration::days(3 + rng.below(20) as i64))?, &day)?;
        ws.write_string(r, 4, COUNTRIES[c].1)?;
        ws.write_string(r, 5, COUNTRIES[c].2)?;
        for col in 6..11 {
            if rng.below(40) > 0 {
                ws.write_number(r, col, rng.likert(a.quality))?;
            }
        }
        ws.write_number(r, 11, ((a.quality - 1.0) * 2.5 + rng.below(4) as f64 - 1.0).round().clamp(0.0, 10.0))?;
        if rng.below(3) > 0 {
            ws.write_string(r, 12, *rng.pick(&GOALS))?;
        }
        ws.write_string(r, 13, *rng.pick(&ANSWERS))?;
        ws.write_number(r, 14, rng.below(4) as f64)?;
    }
    save(wb, out, &format!("responses_{:03}.xlsx", file + 1))
}

fn write_attendance(out: &Path, spec: &SynthSpec, acts: &[Activity]) -> Result<(), XlsxError> {
    let mut rng = Rng::new(spec.seed, 3);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Attendance")?;
    header(ws, &["activity_id", "participant_id", "country", "role"], &bold)?;
    let mut r = 0u32;
    for a in acts {
        for k in 0..a.participants {
            r += 1;
            let c = a.countries.get(k % a.countries.len().max(1)).copied().unwrap_or(0);
            ws.write_string(r, 0, &a.id)?;
            ws.write_string(r, 1, format!("P-{}-{}", COUNTRIES[c].0, rng.below(400)))?;
            ws.write_string(r, 2, COUNTRIES[c].0)?;
            ws.write_string(r, 3, "participant")?;
        }
    }
    save(wb, out, "attendance.xlsx")
}

fn write_needs(out: &Path, spec: &SynthSpec) -> Result<(), XlsxError> {
    let mut rng = Rng::new(spec.seed, 4);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Needs")?;
    header(ws, &["country", "phase", "priority"], &bold)?;
    let mut r = 0u32;
    for (_, name, ..) in COUNTRIES.iter().filter(|c| c.2 != "experienced") {
        for phase in PHASES {
            if rng.below(3) != 0 {
                continue;
            }
            r += 1;
            ws.write_string(r, 0, *name)?;
            ws.write_string(r, 1, phase)?;
            ws.write_number(r, 2, 1.0 + rng.below(3) as f64)?;
        }
    }
    save(wb, out, "needs.xlsx")
}

fn write_followups(out: &Path, spec: &SynthSpec, acts: &[Activity]) -> Result<(), XlsxError> {
    let mut rng = Rng::new(spec.seed, 5);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Follow-ups")?;
    header(ws, &["activity_id", "months_after", "applied", "shared_internally", "further_contact"], &bold)?;
    let mut r = 0u32;
    for a in acts {
        for _ in 0..rng.below(4) {
            r += 1;
            ws.write_string(r, 0, &a.id)?;
            ws.write_number(r, 1, [3.0, 6.0, 12.0][rng.below(3)])?;
            ws.write_string(r, 2, *rng.pick(&ANSWERS))?;
            ws.write_string(r, 3, if rng.below(2) == 0 { "yes" } else { "no" })?;
            ws.write_string(r, 4, if rng.below(2) == 0 { "yes" } else { "no" })?;
        }
    }
    save(wb, out, "followups.xlsx")
}

fn write_countries(out: &Path) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Country profiles")?;
    header(ws, &["country", "experience", "welfare_support_months", "governance", "annual_quota"], &bold)?;
    for (i, (_, name, experience, months, governance, quota)) in COUNTRIES.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *name)?;
        ws.write_string(r, 1, *experience)?;
        ws.write_number(r, 2, *months as f64)?;
        ws.write_string(r, 3, *governance)?;
        ws.write_number(r, 4, *quota as f64)?;
    }
    save(wb, out, "countries.xlsx")
}
