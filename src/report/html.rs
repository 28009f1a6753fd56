//! `report.html` and `activities/<id>.html`: self-contained pages for funders.
//!
//! Templates are built into the binary (`templates/*.hbs`, `style.css`) and can be
//! replaced from the folder named by `report.templates`. Handlebars runs in strict
//! mode; every input text goes through `{{ }}` (escaped). Only the CSS and the
//! charts made by [`super::svg`] (which escape their own text) use `{{{ }}}`.
//! The templates carry a Content-Security-Policy that forbids every request
//! (`default-src 'none'`): styles inline, images only as data URIs, no script.

use std::collections::BTreeMap;
use std::path::Path;

use handlebars::Handlebars;
use rayon::prelude::*;
use serde::Serialize;

use super::evaluation;
use super::svg::{self, Bar, LikertRow};
use super::view::{self, country_name, format_figure, value_text, IndicatorRow, Labels, Quality};
use super::ReportInput;
use crate::indicators::facts::ActivityFacts;
use crate::indicators::stats::wilson;
use crate::indicators::Figure;
use crate::registry::{self, Breakdown, Source, Unit};

/// No network, no script: styles inline, images only as data URIs.
pub const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const REPORT: &str = include_str!("templates/report.hbs");
const ACTIVITY: &str = include_str!("templates/activity.hbs");
const CSS: &str = include_str!("templates/style.css");
const PORTFOLIO: &str = include_str!("templates/portfolio.hbs");

/// Issues an activity page prints (the style sheet hides the rest on paper).
const ISSUES_PRINTED: usize = 3;

/// Most issues listed in the HTML report; the workbook lists all.
const ISSUES_SHOWN: usize = 200;

/// Why the report templates could not be used: a configuration problem of
/// `report.templates` (exit 2), never a data problem.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// An override file could not be read.
    #[error("cannot read template `{}`: {source}", path.display())]
    Read { path: std::path::PathBuf, source: std::io::Error },
    /// A template does not parse.
    #[error("template `{file}`: {source}")]
    Parse { file: String, source: Box<handlebars::TemplateError> },
    /// A template names data the page does not have (strict mode), or a helper failed.
    #[error("{template} template: {source}")]
    Render { template: String, source: Box<handlebars::RenderError> },
}

/// The compiled templates and the style sheet, built once per run (while the
/// input files are read) and shared by every page.
pub struct Engine {
    hb: Handlebars<'static>,
}

impl Engine {
    /// The run's built-in templates, or those of the `overrides` folder where it has them.
    ///
    /// # Errors
    /// An override folder whose template does not parse or cannot be read.
    pub fn new(overrides: Option<&Path>) -> Result<Engine, TemplateError> {
        Engine::with(overrides, &[("report", "report.hbs", REPORT), ("activity", "activity.hbs", ACTIVITY)])
    }

    /// The portfolio's template (`portfolio.hbs`, overridable as the run's are).
    ///
    /// # Errors
    /// As [`Engine::new`].
    pub fn for_portfolio(config: &crate::config::Config) -> Result<Engine, TemplateError> {
        let overrides = config.report.templates.as_deref().map(Path::new);
        Engine::with(overrides, &[("portfolio", "portfolio.hbs", PORTFOLIO)])
    }

    /// `templates` (name, file, built-in text) and the style sheet. Compiling costs
    /// time in proportion to a template's size squared (the parser's line counting),
    /// so each command compiles only the templates it renders.
    fn with(overrides: Option<&Path>, templates: &[(&str, &str, &str)]) -> Result<Engine, TemplateError> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        let load = |name: &str, builtin: &str| -> Result<String, TemplateError> {
            match overrides.map(|dir| dir.join(name)) {
                Some(path) if path.exists() => {
                    std::fs::read_to_string(&path).map_err(|source| TemplateError::Read { path, source })
                }
                _ => Ok(builtin.to_string()),
            }
        };
        for &(name, file, builtin) in templates {
            let source = load(file, builtin)?;
            hb.register_template_string(name, source)
                .map_err(|err| TemplateError::Parse { file: file.to_string(), source: Box::new(err) })?;
        }
        // The style sheet is the same on every page: a helper writes it, so that it
        // is not copied into each page's data (`{{{css}}}` in the templates).
        let css = load("style.css", CSS)?;
        hb.register_helper(
            "css",
            Box::new(
                move |_: &handlebars::Helper,
                      _: &Handlebars,
                      _: &handlebars::Context,
                      _: &mut handlebars::RenderContext,
                      out: &mut dyn handlebars::Output|
                      -> handlebars::HelperResult {
                    out.write(&css)?;
                    Ok(())
                },
            ),
        );
        Ok(Engine { hb })
    }

    /// One page from template `name`.
    ///
    /// # Errors
    /// The template fails to render (strict mode: a field it names is missing).
    pub fn page(&self, name: &str, data: &impl Serialize) -> Result<String, TemplateError> {
        self.hb
            .render(name, data)
            .map_err(|err| TemplateError::Render { template: name.to_string(), source: Box::new(err) })
    }

    /// The engine for `config`'s `report.templates`.
    ///
    /// # Errors
    /// As [`Engine::new`].
    pub fn for_config(config: &crate::config::Config) -> Result<Engine, TemplateError> {
        Engine::new(config.report.templates.as_deref().map(Path::new))
    }
}

/// A safe file name for an activity page: only letters, digits, `-` and `_`.
/// At most 100 characters, so a long id never makes a name the file system refuses.
pub fn page_name(id: &str) -> String {
    let mut name: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).take(100).collect();
    if name.is_empty() {
        name.push('_');
    }
    name
}

/// Page file names per activity id, made unique when sanitising collides.
pub fn page_names(activities: &[ActivityFacts]) -> BTreeMap<String, String> {
    let mut used = std::collections::BTreeSet::new();
    let mut names = BTreeMap::new();
    let mut ids: Vec<&str> = activities.iter().map(|a| a.id.as_str()).collect();
    ids.sort();
    for id in ids {
        let base = page_name(id);
        let mut name = base.clone();
        let mut k = 2;
        // Unique whatever the case, for file systems that ignore it.
        while !used.insert(name.to_lowercase()) {
            name = format!("{base}_{k}");
            k += 1;
        }
        names.insert(id.to_string(), format!("{name}.html"));
    }
    names
}

#[derive(Serialize)]
struct AlignRow {
    id: String,
    href: String,
    kind: String,
    goals: String,
    score: String,
    unsupported: String,
}

#[derive(Serialize)]
struct LikertView {
    label: String,
    n: usize,
    mean: String,
    median: String,
    top2: String,
    interval: String,
}

#[derive(Serialize)]
struct Suggestion {
    peer: String,
    score: String,
    welfare: String,
    governance: String,
    scale: String,
    relationship: String,
}

#[derive(Serialize)]
struct MatchRow {
    country: String,
    phase: String,
    suggestions: Vec<Suggestion>,
}

#[derive(Serialize)]
struct ActivityRow {
    id: String,
    href: String,
    title: String,
    kind: String,
    dates: String,
    host: String,
    phases: String,
    participants: String,
    responses: usize,
    satisfaction: String,
}

#[derive(Serialize)]
struct IssueRow {
    severity: &'static str,
    location: String,
    message: String,
}

#[derive(Serialize)]
struct ReportPage {
    title: String,
    period_label: String,
    data_span: String,
    version: &'static str,
    digest: String,
    min_group: usize,
    findings: Vec<String>,
    headline: Vec<IndicatorRow>,
    indicators: Vec<IndicatorRow>,
    heatmap_svg: String,
    alignment: Vec<AlignRow>,
    phase_gaps: Vec<String>,
    likert_svg: String,
    satisfaction_svg: String,
    likert_table: Vec<LikertView>,
    outcomes_svg: String,
    needs_summary: String,
    matches: Vec<MatchRow>,
    activities: Vec<ActivityRow>,
    quality: Quality,
    issues: Vec<IssueRow>,
    issues_shown: usize,
    issues_more: usize,
    suppression_rule: String,
    previous_label: String,
    cumulative_label: String,
    trends: Vec<TrendChart>,
    identity: evaluation::Identity,
    splits: Vec<SplitLink>,
    summary_text: String,
    recommendations_text: String,
    has_narrative: bool,
    tracking: Option<TrackingView>,
    criteria: Vec<evaluation::Criterion>,
    horizons: Vec<HorizonView>,
    horizons_svg: String,
    pipeline: Vec<PipelineView>,
    status_rule: &'static str,
}

#[derive(Serialize)]
struct SplitLink {
    name: String,
    href: String,
}

#[derive(Serialize)]
struct TrackingView {
    years: Vec<String>,
    rows: Vec<TrackingRowView>,
}

#[derive(Serialize)]
struct TrackingRowView {
    label: String,
    baseline: String,
    target: String,
    years: Vec<String>,
    value: String,
    percent: String,
    status: &'static str,
    status_key: &'static str,
}

#[derive(Serialize)]
struct HorizonView {
    label: String,
    cells: Vec<evaluation::HorizonCell>,
}

#[derive(Serialize)]
struct PipelineView {
    id: String,
    title: String,
    kind: String,
    start: String,
    status: &'static str,
}

/// The §13 sections' view models, from the shared ones.
fn tracking_view(results: &crate::indicators::Results) -> Option<TrackingView> {
    let tracking = evaluation::tracking(results)?;
    let rows = tracking
        .rows
        .iter()
        .map(|row| TrackingRowView {
            label: row.label.clone(),
            baseline: row.text(row.baseline),
            target: format!("{} {}", row.direction, format_figure(row.target, row.unit)),
            years: row.years.iter().map(|v| row.text(*v)).collect(),
            value: row.text(row.value),
            percent: row.percent_of_target.map_or_else(|| "–".to_string(), |p| format!("{:.0} %", p * 100.0)),
            status: row.status,
            status_key: row.status_key,
        })
        .collect();
    Some(TrackingView { years: tracking.years, rows })
}

fn horizons_chart(horizons: &[evaluation::Horizon]) -> String {
    let rows: Vec<Bar> = horizons
        .iter()
        .map(|h| Bar {
            label: view::horizon_label(h.horizon),
            value: h.cells[0].value,
            interval: None,
            note: format!("{} (n = {})", h.cells[0].text, h.cells[0].n),
        })
        .collect();
    svg::bars("horizons", "Applied the learning, by months after the activity", &rows, 1.0, None)
}

#[derive(Serialize)]
struct TrendChart {
    label: String,
    svg: String,
}

#[derive(Serialize)]
struct Fact {
    label: &'static str,
    value: String,
}

#[derive(Serialize)]
struct GoalView {
    goal: String,
    supported: bool,
}

#[derive(Serialize)]
struct SurveyRow {
    label: &'static str,
    value: String,
    n: usize,
    /// The same figure over the programme and over activities of the same type.
    programme: String,
    same_type: String,
}

#[derive(Serialize)]
struct ActivityIssue {
    severity: &'static str,
    location: String,
    message: String,
}

#[derive(Serialize)]
struct ActivityPage {
    identity: evaluation::Identity,
    version: &'static str,
    period_label: String,
    id: String,
    title: String,
    kind: String,
    dates: String,
    facts: Vec<Fact>,
    alignment: String,
    goals: Vec<GoalView>,
    survey: Vec<SurveyRow>,
    /// The activity's answers per Likert item (empty without responses).
    likert_svg: String,
    followups: Vec<SurveyRow>,
    issues: Vec<ActivityIssue>,
    /// Issues beyond the three an A4 print shows.
    issues_not_printed: usize,
    comments: Vec<String>,
    comments_note: String,
}

fn dates(a: &ActivityFacts) -> String {
    if a.start == a.end {
        a.start.format("%-d %b %Y").to_string()
    } else {
        format!("{} – {}", a.start.format("%-d %b %Y"), a.end.format("%-d %b %Y"))
    }
}

fn list(items: &[String], f: impl Fn(&str) -> String) -> String {
    items.iter().map(|i| f(i)).collect::<Vec<_>>().join(", ")
}

/// Render `report.html` and every activity page: (relative path, bytes).
///
/// # Errors
/// A template error (only possible with overriding templates).
pub fn render(input: &ReportInput) -> Result<Vec<(String, Vec<u8>)>, TemplateError> {
    let engine = input.engine;
    let labels = Labels::new(input.config);
    let k = input.config.privacy.min_group_size;
    let results = input.results;
    let names = page_names(&results.activities);
    let top2_by_activity =
        results.indicators.get("satisfaction_top2").and_then(|i| i.breakdowns.get(&Breakdown::Activity));

    let rows: Vec<IndicatorRow> = registry::CATALOG
        .iter()
        .filter_map(|e| results.indicators.get(e.id).map(|i| view::indicator_row(e.id, i, k)))
        .collect();
    let headline = registry::HEADLINE.iter().filter_map(|id| rows.iter().find(|r| r.id == *id).cloned()).collect();

    let facts: BTreeMap<&str, &ActivityFacts> = results.activities.iter().map(|a| (a.id.as_str(), a)).collect();
    let alignment = results
        .alignment
        .activities
        .iter()
        .map(|a| {
            let fact = facts.get(a.activity_id.as_str());
            AlignRow {
                id: a.activity_id.clone(),
                href: format!("activities/{}", names[&a.activity_id]),
                kind: fact.map(|f| labels.kind(&f.kind)).unwrap_or_default(),
                goals: fact.map(|f| list(&f.goals, |g| labels.goal(g))).unwrap_or_default(),
                score: a.score.map(|s| format_figure(s, Unit::Share)).unwrap_or_else(|| "no stated goal".into()),
                unsupported: list(&a.unsupported_goals, |g| labels.goal(g)),
            }
        })
        .collect();

    let horizons = evaluation::horizons(results, k);
    let page = ReportPage {
        title: match input.project {
            Some(project) => format!("{} — {project}", input.config.report.title),
            None => input.config.report.title.clone(),
        },
        identity: evaluation::identity(input.config, results, input.project),
        splits: input
            .splits
            .iter()
            .map(|(name, folder)| SplitLink { name: name.clone(), href: format!("{folder}/report.html") })
            .collect(),
        summary_text: input.narrative.section("summary"),
        recommendations_text: input.narrative.section("recommendations"),
        has_narrative: !input.narrative.sections.is_empty(),
        tracking: tracking_view(results),
        criteria: evaluation::criteria(results, input.config, input.narrative),
        horizons_svg: if horizons.is_empty() { String::new() } else { horizons_chart(&horizons) },
        horizons: horizons
            .iter()
            .map(|h| HorizonView { label: view::horizon_label(h.horizon), cells: h.cells.clone() })
            .collect(),
        pipeline: results
            .pipeline
            .iter()
            .map(|p| PipelineView {
                id: p.id.clone(),
                title: p.title.clone().unwrap_or_default(),
                kind: labels.kind(&p.kind),
                start: p.start.format("%-d %b %Y").to_string(),
                status: p.status,
            })
            .collect(),
        status_rule: evaluation::status_rule(),
        period_label: results.period.label.clone(),
        data_span: view::data_span(results),
        version: env!("CARGO_PKG_VERSION"),
        digest: input.config.digest(),
        min_group: k,
        findings: view::findings(results, &labels, k),
        headline,
        heatmap_svg: heatmap(input, &labels),
        alignment,
        phase_gaps: results.phase_gaps.iter().map(|p| labels.phase(p)).collect(),
        likert_svg: likert_chart(input, &labels),
        satisfaction_svg: satisfaction_chart(input, &labels),
        likert_table: likert_table(input),
        outcomes_svg: outcomes_chart(input),
        needs_summary: needs_summary(input),
        matches: results
            .matches
            .iter()
            .map(|m| MatchRow {
                country: country_name(&m.country),
                phase: labels.phase(&m.phase),
                suggestions: m
                    .suggestions
                    .iter()
                    .map(|s| Suggestion {
                        peer: country_name(&s.country),
                        score: format!("{:.2}", s.score),
                        welfare: format!("{:.2}", s.components.welfare),
                        governance: format!("{:.2}", s.components.governance),
                        scale: format!("{:.2}", s.components.scale),
                        relationship: format!("{:.0}", s.components.relationship),
                    })
                    .collect(),
            })
            .collect(),
        activities: results
            .activities
            .iter()
            .map(|a| ActivityRow {
                id: a.id.clone(),
                href: format!("activities/{}", names[&a.id]),
                title: a.title.clone().unwrap_or_default(),
                kind: labels.kind(&a.kind),
                dates: dates(a),
                host: a.host.as_deref().map(country_name).unwrap_or_default(),
                phases: list(&a.phases, |p| labels.phase(p)),
                participants: a.participants.map(|p| p.to_string()).unwrap_or_default(),
                responses: a.responses,
                satisfaction: top2_by_activity
                    .and_then(|g| g.get(&a.id))
                    .map(|g| value_text(g.value, g.suppressed, Unit::Share, k))
                    .unwrap_or_default(),
            })
            .collect(),
        quality: view::quality(input.files, input.issues),
        issues: input
            .issues
            .iter()
            .take(ISSUES_SHOWN)
            .map(|i| IssueRow {
                severity: i.severity.as_str(),
                location: i.location(),
                message: view::plain_message(&i.message),
            })
            .collect(),
        issues_shown: input.issues.len().min(ISSUES_SHOWN),
        issues_more: input.issues.len().saturating_sub(ISSUES_SHOWN),
        suppression_rule: super::suppression_rule(k),
        previous_label: comparison_label(results, |i| i.previous.as_ref()),
        cumulative_label: comparison_label(results, |i| i.cumulative.as_ref()),
        trends: trend_charts(input),
        indicators: rows,
    };
    let shared = PageContext {
        identity: evaluation::identity(input.config, results, input.project),
        labels: &labels,
        taxonomy: crate::model::Taxonomy::from_config(input.config),
        alignment: results.alignment.activities.iter().map(|x| (x.activity_id.as_str(), x.score)).collect(),
    };
    // The report and the activity pages in parallel.
    let (report, pages) = rayon::join(
        || engine.page("report", &page),
        || -> Result<Vec<(String, Vec<u8>)>, TemplateError> {
            results
                .activities
                .par_iter()
                .map(|a| {
                    let page = activity_page(input, a, &shared);
                    let html = engine.page("activity", &page)?;
                    Ok((format!("activities/{}", names[&a.id]), html.into_bytes()))
                })
                .collect()
        },
    );
    let mut files = vec![("report.html".to_string(), report?.into_bytes())];
    files.extend(pages?);
    Ok(files)
}

/// What every activity page shares, worked out once.
struct PageContext<'a> {
    identity: evaluation::Identity,
    labels: &'a Labels,
    taxonomy: crate::model::Taxonomy,
    /// Alignment score per activity id.
    alignment: std::collections::HashMap<&'a str, Option<f64>>,
}

fn activity_page<'a>(input: &ReportInput, a: &ActivityFacts, shared: &PageContext<'a>) -> ActivityPage {
    let k = input.config.privacy.min_group_size;
    let results = input.results;
    let labels = shared.labels;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let facts = vec![
        Fact { label: "Type", value: labels.kind(&a.kind) },
        Fact {
            label: "Dates",
            value: format!("{} ({} {})", dates(a), a.days, if a.days == 1 { "day" } else { "days" }),
        },
        Fact { label: "Format", value: labels.format(&a.format) },
        Fact { label: "Host", value: a.host.as_deref().map(country_name).unwrap_or_default() },
        Fact { label: "Location", value: opt(&a.location) },
        Fact { label: "Participating", value: list(&a.participating, country_name) },
        Fact { label: "Phases", value: list(&a.phases, |p| labels.phase(p)) },
        Fact {
            label: "Participants",
            value: a.participants.map(|p| p.to_string()).unwrap_or_else(|| "not recorded".into()),
        },
        Fact {
            label: "Survey responses",
            value: match a.participants.filter(|p| *p > 0) {
                Some(p) => format!(
                    "{} ({} of participants)",
                    a.responses,
                    format_figure(a.responses as f64 / p as f64, Unit::Share)
                ),
                None => a.responses.to_string(),
            },
        },
        Fact {
            label: "Cost",
            value: a.cost_eur.map(|c| format_figure(c, Unit::Euro)).unwrap_or_else(|| "not recorded".into()),
        },
        Fact {
            label: "Cost per participant",
            value: match (a.cost_eur, a.participants.filter(|p| *p > 0)) {
                (Some(c), Some(p)) => format_figure(c / p as f64, Unit::Euro),
                _ => "–".into(),
            },
        },
        Fact { label: "Follow-up recorded", value: if a.follow_up { "yes" } else { "no" }.into() },
        Fact { label: "Project", value: opt(&a.project) },
    ];
    let row = |entry: &registry::Entry| -> Option<SurveyRow> {
        let indicator = results.indicators.get(entry.id)?;
        let group = indicator.breakdowns.get(&Breakdown::Activity)?.get(&a.id)?;
        let same_type = indicator.breakdowns.get(&Breakdown::ActivityType).and_then(|g| g.get(&a.kind));
        Some(SurveyRow {
            label: entry.label,
            value: value_text(group.value, group.suppressed, entry.unit, k),
            n: group.n,
            programme: value_text(indicator.value, indicator.suppressed, entry.unit, k),
            same_type: same_type.map(|g| value_text(g.value, g.suppressed, entry.unit, k)).unwrap_or_default(),
        })
    };
    let survey = registry::from_source(Source::Responses).filter_map(row).collect();
    let followups = registry::from_source(Source::FollowUps).filter_map(row).collect();
    let issues: Vec<ActivityIssue> = input
        .issues
        .iter()
        .filter(|i| i.activity.as_deref() == Some(a.id.as_str()))
        .take(50)
        .map(|i| ActivityIssue {
            severity: i.severity.as_str(),
            location: i.location(),
            message: view::plain_message(&i.message),
        })
        .collect();
    let alignment = match shared.alignment.get(a.id.as_str()).copied().flatten() {
        Some(1.0) => "Every declared goal is supported by this type of activity.".to_string(),
        Some(score) => format!(
            "{} of the declared goals are supported by this type of activity.",
            format_figure(score, Unit::Share)
        ),
        None => "No goal was declared for this activity.".to_string(),
    };
    ActivityPage {
        identity: shared.identity.clone(),
        version: env!("CARGO_PKG_VERSION"),
        period_label: results.period.label.clone(),
        id: a.id.clone(),
        title: a.title.clone().unwrap_or_else(|| a.id.clone()),
        kind: labels.kind(&a.kind),
        dates: dates(a),
        facts,
        alignment,
        goals: a
            .goals
            .iter()
            .map(|g| GoalView { goal: labels.goal(g), supported: shared.taxonomy.supports(&a.kind, g) })
            .collect(),
        survey,
        likert_svg: {
            let rows = likert_rows(input, labels, |result| result.by_activity.get(&a.id));
            // No chart when every item is hidden: the table above already says why.
            if rows.iter().all(|r| r.shares.is_empty()) {
                String::new()
            } else {
                svg::likert("likert", &format!("Answers to each survey question, {}", a.id), &rows)
            }
        },
        followups,
        issues_not_printed: issues.len().saturating_sub(ISSUES_PRINTED),
        issues,
        comments: if a.responses >= k { a.comments.clone() } else { Vec::new() },
        comments_note: if input.config.privacy.publish_comments {
            format!("Comments are shown only for activities with at least {k} responses.")
        } else {
            "Comments are not published (privacy.publish_comments is off).".to_string()
        },
    }
}

fn heatmap(input: &ReportInput, labels: &Labels) -> String {
    let tax = &input.config.taxonomy;
    let taxonomy = crate::model::Taxonomy::from_config(input.config);
    let goals: Vec<&str> = tax.goals.iter().map(|g| g.id.as_str()).collect();
    let cats: Vec<&str> = tax.categories.iter().map(|c| c.id.as_str()).collect();
    let mut counts = vec![vec![0usize; cats.len()]; goals.len()];
    let supported: Vec<Vec<bool>> = goals
        .iter()
        .map(|g| cats.iter().map(|c| taxonomy.alignment.get(*g).is_some_and(|s| s.contains(*c))).collect())
        .collect();
    for a in &input.results.activities {
        let kind_cats = taxonomy.type_categories.get(&a.kind).cloned().unwrap_or_default();
        for (i, g) in goals.iter().enumerate() {
            if a.goals.iter().any(|x| x == g) {
                for (j, c) in cats.iter().enumerate() {
                    if kind_cats.iter().any(|k| k == c) {
                        counts[i][j] += 1;
                    }
                }
            }
        }
    }
    let rows: Vec<String> = goals.iter().map(|g| labels.goal(g)).collect();
    let columns: Vec<String> =
        cats.iter().map(|c| labels.categories.get(*c).cloned().unwrap_or_else(|| c.to_string())).collect();
    svg::heatmap("heatmap", "Goals declared by category of activity", &rows, &columns, &counts, &supported)
}

fn likert_chart(input: &ReportInput, labels: &Labels) -> String {
    let rows = likert_rows(input, labels, |result| Some(&result.overall));
    svg::likert("likert", "Answers to each survey question", &rows)
}

/// One diverging-bar row per Likert item, over the answers `pick` chooses (all,
/// or one activity's); items `pick` has nothing for are left out.
fn likert_rows(
    input: &ReportInput,
    labels: &Labels,
    pick: impl Fn(&crate::indicators::LikertItemResult) -> Option<&crate::indicators::LikertStats>,
) -> Vec<LikertRow> {
    let k = input.config.privacy.min_group_size;
    likert_items(input)
        .filter_map(|(item, result)| {
            let o = pick(result)?;
            let label = labels.items.get(&item.id).cloned().unwrap_or_else(|| item.id.clone());
            if o.suppressed || o.n == 0 {
                return Some(LikertRow { label, shares: vec![], note: hidden_note(o, k) });
            }
            o.distribution.as_ref()?;
            let shares = (1..=item.points).map(|l| o.count(l) as f64 / o.n as f64).collect();
            let note =
                format!("{} satisfied, n = {}", o.top2.map(|t| format_figure(t, Unit::Share)).unwrap_or_default(), o.n);
            Some(LikertRow { label, shares, note })
        })
        .collect()
}

fn satisfaction_chart(input: &ReportInput, labels: &Labels) -> String {
    let k = input.config.privacy.min_group_size;
    let groups =
        input.results.indicators.get("satisfaction_top2").and_then(|i| i.breakdowns.get(&Breakdown::ActivityType));
    let rows: Vec<Bar> = groups
        .into_iter()
        .flatten()
        .map(|(kind, g)| {
            let value = g.value.map(Figure::as_f64);
            Bar {
                label: labels.kind(kind),
                value,
                interval: value.and_then(|v| wilson(v, g.n)),
                note: match value {
                    Some(v) => format!("{} (n = {})", format_figure(v, Unit::Share), g.n),
                    None => format!("fewer than {k} responses"),
                },
            }
        })
        .collect();
    svg::bars("sat", "Satisfied participants by activity type", &rows, 1.0, None)
}

fn outcomes_chart(input: &ReportInput) -> String {
    let k = input.config.privacy.min_group_size;
    let rows: Vec<Bar> = registry::CATALOG
        .iter()
        .filter(|e| e.unit == Unit::Share)
        .filter_map(|e| {
            let i = input.results.indicators.get(e.id)?;
            Some(Bar {
                label: e.label.to_string(),
                value: i.value.map(Figure::as_f64),
                interval: None,
                note: format!("{} (n = {})", value_text(i.value, i.suppressed, e.unit, k), i.n),
            })
        })
        .collect();
    svg::bars("outcomes", "Indicators measured as shares", &rows, 1.0, None)
}

/// The configured Likert items with their results, in config order.
fn likert_items<'a>(
    input: &'a ReportInput,
) -> impl Iterator<Item = (&'a crate::config::LikertItem, &'a crate::indicators::LikertItemResult)> {
    input.config.likert.items.iter().filter_map(|item| input.results.likert.get(&item.id).map(|r| (item, r)))
}

/// Why an item's statistics are not shown.
fn hidden_note(stats: &crate::indicators::LikertStats, min_group: usize) -> String {
    if stats.suppressed {
        format!("fewer than {min_group} responses")
    } else {
        "no answers".to_string()
    }
}

fn likert_table(input: &ReportInput) -> Vec<LikertView> {
    let k = input.config.privacy.min_group_size;
    likert_items(input)
        .map(|(_, result)| {
            let o = &result.overall;
            let hidden = hidden_note(o, k);
            let fmt = |v: Option<f64>, unit| v.map(|v| format_figure(v, unit)).unwrap_or_else(|| hidden.clone());
            LikertView {
                label: result.label.clone(),
                n: o.n,
                mean: fmt(o.mean, Unit::Score),
                median: o.median.map(|m| format!("{m}")).unwrap_or_else(|| hidden.clone()),
                top2: fmt(o.top2, Unit::Share),
                interval: match (o.ci_low, o.ci_high) {
                    (Some(l), Some(h)) => {
                        format!("{} – {}", format_figure(l, Unit::Share), format_figure(h, Unit::Share))
                    }
                    _ => String::new(),
                },
            }
        })
        .collect()
}

/// The label of the comparison period, or "" when there is none.
fn comparison_label(
    results: &crate::indicators::Results,
    pick: impl Fn(&crate::indicators::Indicator) -> Option<&crate::indicators::Comparison>,
) -> String {
    results.indicators.values().find_map(|i| pick(i).map(|c| c.label.clone())).unwrap_or_default()
}

fn trend_charts(input: &ReportInput) -> Vec<TrendChart> {
    let Some(trends) = &input.results.trends else { return Vec::new() };
    if trends.quarters.len() < 2 {
        return Vec::new();
    }
    registry::TREND_IDS
        .iter()
        .filter_map(|id| {
            let values = trends.series.get(id)?;
            let entry = registry::entry(id);
            let svg = svg::line(
                &format!("trend-{id}"),
                &format!("{} per quarter", entry.label),
                &trends.quarters,
                values,
                |v| format_figure(v, entry.unit),
            );
            Some(TrendChart { label: format!("{} per quarter", entry.label), svg })
        })
        .collect()
}

fn needs_summary(input: &ReportInput) -> String {
    let needs = &input.results.needs;
    if needs.is_empty() {
        return "No needs questionnaire was provided.".to_string();
    }
    let met = needs.iter().filter(|n| n.met).count();
    format!(
        "Countries expressed {} needs (a country and a phase of the process); {met} were met by an activity of the period and {} remain open. {}",
        needs.len(),
        needs.len() - met,
        suggestions_sentence(input.config.matching.top)
    )
}

/// What the matching suggests per open need, for `matching.top` suggestions.
fn suggestions_sentence(top: usize) -> String {
    const WORDS: [&str; 10] = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    match top {
        0 => "Peer suggestions are switched off (matching.top = 0).".to_string(),
        1 => "For each open need, the experienced country that best matches is suggested.".to_string(),
        n => {
            let count = WORDS.get(n).map_or_else(|| n.to_string(), |w| w.to_string());
            format!("For each open need, the {count} experienced countries that best match are suggested.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_needs_summary_says_how_many_suggestions_the_config_asks_for() {
        assert_eq!(
            suggestions_sentence(3),
            "For each open need, the three experienced countries that best match are suggested."
        );
        assert_eq!(
            suggestions_sentence(1),
            "For each open need, the experienced country that best matches is suggested."
        );
        assert_eq!(
            suggestions_sentence(12),
            "For each open need, the 12 experienced countries that best match are suggested."
        );
        assert!(suggestions_sentence(0).contains("switched off"));
    }

    #[test]
    fn page_names_are_safe_and_unique() {
        assert_eq!(page_name("SV-01"), "SV-01");
        assert_eq!(page_name("../x"), "___x");
        assert_eq!(page_name("javascript:alert(1)"), "javascript_alert_1_");
        assert_eq!(page_name(""), "_");
        assert_eq!(page_name(&"x".repeat(300)).len(), 100);
    }

    #[test]
    fn builtin_templates_parse() {
        assert!(Engine::new(None).is_ok());
    }
}
