//! `peer-eval init DIR`: a commented configuration, an empty `input/`, and one
//! blank workbook per dataset under `templates/`, with the canonical headers, a
//! note on each header, drop-down lists for every enumeration, date and number
//! formats, and an `Instructions` sheet. Existing files are never overwritten.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, ExcelDateTime, Format, Formula, Note,
    Workbook, Worksheet, XlsxError,
};

use crate::config::Config;
use crate::model::DatasetKind;

/// The commented configuration written by `init` (the repository's own).
const CONFIG: &str = include_str!("../config/peer-eval.toml");

/// What a column accepts.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Date,
    Whole(i32, i32),
    Decimal,
    /// A drop-down from column `n` of the Lists sheet.
    List(usize),
}

/// Drop-down lists: (header on the Lists sheet, values).
fn lists(config: &Config) -> Vec<(&'static str, Vec<String>)> {
    let tax = &config.taxonomy;
    let words = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut countries: Vec<String> =
        isocountry::CountryCode::iter().map(|c| crate::text::country_name(c.alpha2())).collect();
    countries.sort();
    vec![
        ("Activity types (list)", tax.activity_types.iter().map(|t| t.id.clone()).collect()),
        ("Phases (list)", tax.phases.iter().map(|p| p.id.clone()).collect()),
        ("Formats (list)", words(&["in_person", "online", "hybrid"])),
        ("Answers 1-5 (list)", words(&["1", "2", "3", "4", "5"])),
        ("Yes or no (list)", words(&["yes", "no"])),
        ("Yes, partly or no (list)", words(&["yes", "partly", "no"])),
        ("Experience (list)", words(&["new", "emerging", "experienced"])),
        ("Organisation types (list)", words(&["state", "civil_society", "international_org", "other"])),
        ("Role levels (list)", words(&["political", "administrative", "operational"])),
        ("Roles (list)", words(&["host", "participant", "presenter"])),
        ("Governance (list)", words(&["centralised", "federal", "regional"])),
        ("Countries (list)", countries),
        ("Activity status (list)", words(&["delivered", "planned", "postponed", "cancelled"])),
    ]
}

const TYPES: usize = 0;
const PHASES: usize = 1;
const FORMATS: usize = 2;
const LIKERT: usize = 3;
const YES_NO: usize = 4;
const YES_PARTLY_NO: usize = 5;
const EXPERIENCE: usize = 6;
const ORG_TYPES: usize = 7;
const ROLE_LEVELS: usize = 8;
const ROLES: usize = 9;
const GOVERNANCE: usize = 10;
const COUNTRIES: usize = 11;
const STATUSES: usize = 12;

/// The columns of each dataset's template: header, note, kind.
fn columns(dataset: DatasetKind, config: &Config) -> Vec<(String, String, Kind)> {
    let c = |h: &str, note: &str, kind: Kind| (h.to_string(), note.to_string(), kind);
    let list_note = "Several values: separate them with a semicolon (;).";
    match dataset {
        DatasetKind::Activities => vec![
            c("activity_id", "Required. A short unique code, e.g. SV-01.", Kind::Text),
            c("type", "Required. Pick the type of activity from the list.", Kind::List(TYPES)),
            c("title", "What the activity was called.", Kind::Text),
            c("start_date", "Required. First day, e.g. 2019-03-11.", Kind::Date),
            c("end_date", "Last day; leave empty for a one-day activity.", Kind::Date),
            c("format", "in_person (default), online or hybrid.", Kind::List(FORMATS)),
            c("host_country", "The country that hosted the activity.", Kind::List(COUNTRIES)),
            c("location", "City or venue.", Kind::Text),
            c("participating_countries", &format!("Countries (and organisations) that took part as learners. {list_note}"), Kind::Text),
            c("phases", &format!("Phases covered: ids, numbers 1-6 or ranges like 2-4. {list_note}"), Kind::Text),
            c("goals", &format!("motivational, informational, operational, relational, innovative. {list_note}"), Kind::Text),
            c("participants", "Number of people who attended.", Kind::Whole(0, 100_000)),
            c("cost_eur", "Total cost in euro.", Kind::Decimal),
            c("follow_up", "Any follow-up action recorded (leave empty if none).", Kind::Text),
            c(
                "status",
                "delivered (default when empty), planned, postponed or cancelled. Only delivered activities count in the figures.",
                Kind::List(STATUSES),
            ),
            c("project", "Project or programme name (used by --split-by project).", Kind::Text),
        ],
        DatasetKind::Responses => {
            let mut cols = vec![
                c("response_id", "A unique code per answer sheet (optional).", Kind::Text),
                c("activity_id", "Required. The activity's code from the activity register.", Kind::Text),
                c("respondent_id", "Pseudonymous code; never published.", Kind::Text),
                c("submitted_at", "Date of the answer.", Kind::Date),
                c("country", "Respondent's country.", Kind::List(COUNTRIES)),
                c("org_type", "Type of organisation.", Kind::List(ORG_TYPES)),
                c("role_level", "Political, administrative or operational.", Kind::List(ROLE_LEVELS)),
                c("experience", "Resettlement experience of the respondent's country.", Kind::List(EXPERIENCE)),
            ];
            for item in &config.likert.items {
                cols.push((
                    item.id.clone(),
                    format!("{}: 1 (lowest) to {}; labels such as Agree are accepted too; n/a for no answer.", item.label, item.points),
                    Kind::List(LIKERT),
                ));
            }
            cols.extend([
                c("recommend", "0 to 10: how likely to recommend the activity to a colleague.", Kind::Whole(0, 10)),
                c("participation_aim", &format!("Why the respondent took part (goals). {list_note}"), Kind::Text),
                c("intent_to_apply", "Will they apply what they learned?", Kind::List(YES_PARTLY_NO)),
                c("new_contacts", "Number of new contacts made.", Kind::Whole(0, 10_000)),
                c("comments", "Free text; published only if the configuration allows, with e-mails and phone numbers removed.", Kind::Text),
            ]);
            cols
        }
        DatasetKind::Participants => vec![
            c("activity_id", "Required. The activity's code.", Kind::Text),
            c("participant_id", "Required. Pseudonymous code of the person; never published.", Kind::Text),
            c("country", "The participant's country.", Kind::List(COUNTRIES)),
            c("org_type", "Type of organisation.", Kind::List(ORG_TYPES)),
            c("role_level", "Political, administrative or operational.", Kind::List(ROLE_LEVELS)),
            c("experience", "Resettlement experience of the country.", Kind::List(EXPERIENCE)),
            c("role", "host, participant or presenter.", Kind::List(ROLES)),
        ],
        DatasetKind::Needs => vec![
            c("country", "Required. The country expressing the need.", Kind::List(COUNTRIES)),
            c("phase", "Required. The phase of the process where support is needed.", Kind::List(PHASES)),
            c("priority", "1 (high) to 3 (low).", Kind::Whole(1, 3)),
            c("preferred_methods", &format!("workshop, bilateral_meeting, visit_from_peers, visit_to_peers, study_visit_eu, study_visit_third_country, pilot. {list_note}"), Kind::Text),
        ],
        DatasetKind::Followups => vec![
            c("activity_id", "Required. The activity's code.", Kind::Text),
            c("respondent_id", "Pseudonymous code; never published.", Kind::Text),
            c("country", "The respondent's country.", Kind::List(COUNTRIES)),
            c("months_after", "Months between the activity and this answer.", Kind::Whole(0, 600)),
            c("applied", "Did they apply what they learned?", Kind::List(YES_PARTLY_NO)),
            c("shared_internally", "Did they share it within their organisation?", Kind::List(YES_NO)),
            c("further_contact", "Did they stay in contact with peers met?", Kind::List(YES_NO)),
            c("change_description", "What changed, in a few words.", Kind::Text),
        ],
        DatasetKind::Countries => {
            let mut cols = vec![
                c("country", "Required. One row per country.", Kind::List(COUNTRIES)),
                c("experience", "Overall resettlement experience.", Kind::List(EXPERIENCE)),
                c("welfare_support_months", "Months of welfare support for resettled refugees.", Kind::Decimal),
                c("governance", "centralised, federal or regional.", Kind::List(GOVERNANCE)),
                c("annual_quota", "Resettlement places per year.", Kind::Whole(0, 1_000_000)),
            ];
            for phase in &config.taxonomy.phases {
                cols.push((
                    format!("experience_{}", phase.id),
                    format!("Experience in phase {} ({}), if it differs from the overall one.", phase.number, phase.label),
                    Kind::List(EXPERIENCE),
                ));
            }
            cols
        }
    }
}

fn sheet_title(dataset: DatasetKind) -> &'static str {
    match dataset {
        DatasetKind::Activities => "Activities",
        DatasetKind::Responses => "Responses",
        DatasetKind::Participants => "Attendance",
        DatasetKind::Needs => "Needs",
        DatasetKind::Followups => "Follow-ups",
        DatasetKind::Countries => "Country profiles",
    }
}

const DATA_ROWS: u32 = 2000;

/// One template workbook in memory.
///
/// # Errors
/// rust_xlsxwriter failures.
pub fn template(dataset: DatasetKind, config: &Config) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title("peer-eval template")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2024, 1, 1)?),
    );
    let cols = columns(dataset, config);
    let lists = lists(config);
    let bold = Format::new().set_bold().set_background_color(rust_xlsxwriter::Color::RGB(0xDDE6F0));
    let date = Format::new().set_num_format("yyyy-mm-dd");

    let ws = wb.add_worksheet();
    ws.set_name(sheet_title(dataset))?;
    for (col, (header, note, kind)) in cols.iter().enumerate() {
        let col = col as u16;
        ws.write_string_with_format(0, col, header, &bold)?;
        ws.set_column_width(col, (header.len() as f64 + 4.0).max(14.0))?;
        ws.insert_note(0, col, &Note::new(note.as_str()).set_author("peer-eval"))?;
        match kind {
            Kind::Text => {}
            Kind::Date => {
                ws.set_column_format(col, &date)?;
                let rule = DataValidation::new()
                    .allow_date(DataValidationRule::Between(
                        ExcelDateTime::from_ymd(1990, 1, 1)?,
                        ExcelDateTime::from_ymd(2100, 12, 31)?,
                    ))
                    .set_error_style(DataValidationErrorStyle::Information);
                ws.add_data_validation(1, col, DATA_ROWS, col, &rule)?;
            }
            Kind::Whole(min, max) => {
                let rule = DataValidation::new()
                    .allow_whole_number(DataValidationRule::Between(*min, *max))
                    .set_error_style(DataValidationErrorStyle::Information);
                ws.add_data_validation(1, col, DATA_ROWS, col, &rule)?;
            }
            Kind::Decimal => {
                let rule = DataValidation::new()
                    .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
                    .set_error_style(DataValidationErrorStyle::Information);
                ws.add_data_validation(1, col, DATA_ROWS, col, &rule)?;
            }
            Kind::List(n) => {
                let letter = crate::quality::column_letter(*n as u32);
                let last = lists[*n].1.len() + 1;
                let rule = DataValidation::new()
                    .allow_list_formula(Formula::new(format!("=Lists!${letter}$2:${letter}${last}")))
                    .set_error_style(DataValidationErrorStyle::Information);
                ws.add_data_validation(1, col, DATA_ROWS, col, &rule)?;
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;

    instructions(wb.add_worksheet(), dataset, &cols)?;
    let sheet = wb.add_worksheet();
    sheet.set_name("Lists")?;
    for (col, (header, values)) in lists.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, *header, &bold)?;
        sheet.set_column_width(col, 24.0)?;
        for (row, value) in values.iter().enumerate() {
            sheet.write_string(row as u32 + 1, col, value)?;
        }
    }
    sheet.set_hidden(true);
    wb.save_to_buffer()
}

fn instructions(ws: &mut Worksheet, dataset: DatasetKind, cols: &[(String, String, Kind)]) -> Result<(), XlsxError> {
    ws.set_name("Instructions")?;
    ws.set_column_width(0, 28.0)?;
    ws.set_column_width(1, 100.0)?;
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    ws.write_string_with_format(0, 0, format!("How to fill in the {} sheet", sheet_title(dataset)), &title)?;
    let lines = [
        "1. Fill in one row per record on the first sheet, from row 2. Do not rename or move the header row.",
        "2. Columns marked Required must be filled in; a row without them is not used.",
        "3. Pick values from the drop-down lists where there is one. Several values go in one cell, separated by semicolons.",
        "4. Dates like 2019-03-11 or 11/03/2019 (day first). Leave a cell empty when you do not know.",
        "5. Save the file as .xlsx and copy it into the input folder, then run `peer-eval validate` to check it.",
        "Hover over a header to see what it expects.",
    ];
    for (i, line) in lines.iter().enumerate() {
        ws.write_string_with_format(2 + i as u32, 0, *line, &wrap)?;
    }
    let start = 3 + lines.len() as u32;
    ws.write_string_with_format(start, 0, "Column", &bold)?;
    ws.write_string_with_format(start, 1, "What to write", &bold)?;
    for (i, (header, note, _)) in cols.iter().enumerate() {
        ws.write_string(start + 1 + i as u32, 0, header)?;
        ws.write_string_with_format(start + 1 + i as u32, 1, note, &wrap)?;
    }
    Ok(())
}

/// Write `dir/config/peer-eval.toml`, `dir/input/` and `dir/templates/*.xlsx`,
/// keeping any file that already exists. Returns (written, kept).
///
/// # Errors
/// A file or folder cannot be written.
pub fn init(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let config = Config::default();
    std::fs::create_dir_all(dir.join("config"))?;
    std::fs::create_dir_all(dir.join("input"))?;
    std::fs::create_dir_all(dir.join("templates"))?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![(dir.join("config/peer-eval.toml"), CONFIG.as_bytes().to_vec())];
    for dataset in DatasetKind::ALL {
        let bytes = template(dataset, &config).map_err(std::io::Error::other)?;
        files.push((dir.join("templates").join(format!("{}.xlsx", dataset.as_str())), bytes));
    }
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    for (path, bytes) in files {
        // create_new never replaces a file, even one created meanwhile.
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                std::io::Write::write_all(&mut file, &bytes)?;
                written.push(path);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => kept.push(path),
            Err(err) => return Err(err),
        }
    }
    Ok((written, kept))
}
