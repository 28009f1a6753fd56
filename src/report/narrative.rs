//! The evaluator's words (SPEC §13.4): `config/narrative.md`, one `## ` heading
//! per criterion plus `## Summary` and `## Recommendations`, rendered as safe
//! HTML: every character of the file is escaped, only paragraphs, lists,
//! `**bold**`, `*emphasis*` and `` `code` `` become markup, and a link keeps its
//! text only (its address is dropped), so nothing can leave the report.

use std::collections::BTreeMap;
use std::path::Path;

use super::svg::escape;
use crate::config::defaults::CRITERIA;
use crate::quality::{Issue, Severity};
use crate::text::normalise;

/// The headings a narrative may have, besides the criteria.
const OTHER_SECTIONS: [&str; 2] = ["summary", "recommendations"];

/// Longest narrative read; a larger file is reported and not used.
const MAX_BYTES: u64 = 1024 * 1024;

/// Rendered sections by key (`summary`, `recommendations`, a criterion id).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Narrative {
    pub sections: BTreeMap<String, String>,
}

impl Narrative {
    pub fn section(&self, key: &str) -> String {
        self.sections.get(key).cloned().unwrap_or_default()
    }
}

/// Read `path` when it exists: the narrative and an issue per problem.
pub fn load(path: &Path) -> (Narrative, Vec<Issue>) {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let problem = |message: String| vec![Issue::file(Severity::Warning, "narrative", &name, message)];
    let Ok(meta) = std::fs::metadata(path) else { return (Narrative::default(), Vec::new()) };
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return (Narrative::default(), problem(format!("`{name}` is not a text file under 1 MB; it was not used.")));
    }
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &name),
        Err(err) => (Narrative::default(), problem(format!("`{name}` could not be read ({err}); it was not used."))),
    }
}

/// Split a narrative at its `## ` headings and render each section.
pub fn parse(text: &str, file: &str) -> (Narrative, Vec<Issue>) {
    let mut issues = Vec::new();
    let mut sections: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut current: Option<String> = Some("summary".to_string());
    for (number, line) in text.lines().enumerate() {
        if let Some(heading) = line.strip_prefix("## ") {
            let key = normalise(heading).replace(' ', "_");
            if CRITERIA.contains(&key.as_str()) || OTHER_SECTIONS.contains(&key.as_str()) {
                current = Some(key);
            } else {
                issues.push(
                    Issue::file(
                        Severity::Warning,
                        "narrative_heading",
                        file,
                        format!(
                            "heading `{}` on line {} is not one of Summary, Recommendations, {}; its text was not used. Rename the heading.",
                            heading.trim(),
                            number + 1,
                            CRITERIA.map(capitalised).join(", ")
                        ),
                    )
                    .with_value(heading),
                );
                current = None;
            }
        } else if line.starts_with("# ") && sections.is_empty() {
            // A title line above the first section.
        } else if let Some(key) = &current {
            sections.entry(key.clone()).or_default().push(line);
        }
    }
    let sections = sections
        .into_iter()
        .map(|(key, lines)| (key, markdown(&lines.join("\n"))))
        .filter(|(_, html)| !html.is_empty())
        .collect();
    (Narrative { sections }, issues)
}

/// `relevance` → `Relevance`.
pub fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Paragraphs, `- ` lists and `### ` subheadings of safe inline text.
pub fn markdown(text: &str) -> String {
    let mut out = String::new();
    for block in text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        let lines: Vec<&str> = block.lines().map(str::trim).collect();
        if lines.iter().all(|l| l.starts_with("- ") || l.starts_with("* ")) {
            out.push_str("<ul>");
            for line in lines {
                out.push_str(&format!("<li>{}</li>", inline(&line[2..])));
            }
            out.push_str("</ul>");
        } else if let Some(heading) = lines[0].strip_prefix("### ").filter(|_| lines.len() == 1) {
            out.push_str(&format!("<h4>{}</h4>", inline(heading)));
        } else {
            out.push_str(&format!("<p>{}</p>", inline(&lines.join(" "))));
        }
    }
    out
}

/// Escape everything, then turn `**…**`, `*…*`, `` `…` `` into markup and a
/// link `[text](address)` into its text.
fn inline(text: &str) -> String {
    let text = drop_link_addresses(text);
    let escaped = escape(&text);
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    while !rest.is_empty() {
        let pairs = [("**", "strong"), ("`", "code"), ("*", "em")];
        let next =
            pairs.iter().filter_map(|(mark, tag)| rest.find(mark).map(|at| (at, *mark, *tag))).min_by_key(|x| x.0);
        let Some((at, mark, tag)) = next else {
            out.push_str(rest);
            break;
        };
        let after = &rest[at + mark.len()..];
        match after.find(mark).filter(|end| *end > 0) {
            Some(end) => {
                out.push_str(&rest[..at]);
                out.push_str(&format!("<{tag}>{}</{tag}>", &after[..end]));
                rest = &after[end + mark.len()..];
            }
            None => {
                out.push_str(&rest[..at + mark.len()]);
                rest = after;
            }
        }
    }
    out
}

/// `[text](address)` → `text`.
fn drop_link_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|c| open + c) else { break };
        let Some(end) = rest[close..].find(')').map(|e| close + e) else { break };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_by_heading_and_unknown_headings_reported() {
        let text = "# Evaluation\n\nOpening words.\n\n## Relevance\n\nThe needs **were** met.\n\n- one\n- two\n\n## Venue\n\nNice rooms.\n\n## Impact\n\nSee [the annex](https://example.org/x).";
        let (narrative, issues) = parse(text, "narrative.md");
        assert_eq!(narrative.section("summary"), "<p>Opening words.</p>");
        assert_eq!(
            narrative.section("relevance"),
            "<p>The needs <strong>were</strong> met.</p><ul><li>one</li><li>two</li></ul>"
        );
        assert_eq!(narrative.section("impact"), "<p>See the annex.</p>");
        assert!(!narrative.sections.contains_key("venue"));
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, "narrative_heading");
        assert!(issues[0].message.contains("line 12"), "{}", issues[0].message);
    }

    #[test]
    fn raw_html_and_scripts_are_text() {
        let html =
            markdown("<script>alert(1)</script> <img src=x onerror=alert(1)> *ok* `a<b` [x](javascript:alert(1))");
        assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("javascript"), "{html}");
        assert!(
            html.contains("&lt;script&gt;") && html.contains("<em>ok</em>") && html.contains("<code>a&lt;b</code>")
        );
    }
}
