//! Inline SVG charts for the HTML report: no script, no external resource.
//!
//! Every text that reaches a chart goes through [`escape`]; these strings are the
//! only markup the templates insert unescaped.

use std::fmt::Write as _;

/// Escape text for XML/HTML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with one decimal, as `{:.1}` writes it but without the float
/// formatter (a chart on every activity page writes thousands).
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let tenths = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", tenths / 10, tenths % 10)
    }
}

fn open(out: &mut String, id: &str, title: &str, desc: &str, width: u32, height: u32) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(desc)
    );
}

/// Characters of a row label that fit before the plot area.
const LABEL_CHARS: usize = 30;

/// A label in at most two lines of `chars` characters, broken between words; a
/// longer rest ends in "…" (the full label is the text's tooltip and in the
/// chart's description).
fn label_lines(label: &str, chars: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in label.split_whitespace() {
        let full = lines.len() == 2;
        let line = lines.last_mut().expect("one line");
        if line.is_empty() || line.chars().count() + 1 + word.chars().count() <= chars || full {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        } else {
            lines.push(word.to_string());
        }
    }
    for line in &mut lines {
        if line.chars().count() > chars {
            *line = line.chars().take(chars - 1).collect::<String>() + "…";
        }
    }
    lines
}

/// A row's label, right-aligned before the plot area, in one or two lines
/// centred on `middle`.
fn row_label(out: &mut String, label_w: f64, middle: f64, label: &str) {
    let lines = label_lines(label, LABEL_CHARS);
    let first = middle + 4.0 - 7.5 * (lines.len() as f64 - 1.0);
    let x = label_w - 8.0;
    let _ = write!(out, r#"<text x="{x}" y="{first}" text-anchor="end" class="lbl"><title>{}</title>"#, escape(label));
    for (i, line) in lines.iter().enumerate() {
        let dy = if i == 0 { 0.0 } else { 15.0 };
        let _ = write!(out, r#"<tspan x="{x}" dy="{dy}">{}</tspan>"#, escape(line));
    }
    out.push_str("</text>");
}

/// The height of a row whose label may take two lines.
fn row_height(labels: impl Iterator<Item = String>, one_line: f64) -> f64 {
    if labels.into_iter().any(|l| label_lines(&l, LABEL_CHARS).len() > 1) {
        one_line.max(38.0)
    } else {
        one_line
    }
}

/// The colour of level `level` of a `points`-level scale: red for the lowest
/// through grey in the middle to blue for the highest (the workbook's too).
pub fn level_colour(level: u8, points: u8) -> u32 {
    let t = if points > 1 { (level.max(1) - 1) as f64 / (points - 1) as f64 } else { 1.0 };
    let (low, mid, high) = ([0xB2, 0x18, 0x2B], [0xCC, 0xCC, 0xCC], [0x21, 0x66, 0xAC]);
    let (from, to, u) = if t < 0.5 { (low, mid, t * 2.0) } else { (mid, high, (t - 0.5) * 2.0) };
    let channel = |i: usize| (from[i] as f64 + (to[i] as f64 - from[i] as f64) * u).round() as u32;
    (channel(0) << 16) | (channel(1) << 8) | channel(2)
}

/// The body text colour of the style sheet (`--ink`), for the contrast test.
#[cfg(test)]
const INK: u32 = 0x1D2430;

/// WCAG relative luminance of an sRGB colour.
fn luminance(rgb: u32) -> f64 {
    let channel = |shift: u32| {
        let c = ((rgb >> shift) & 0xFF) as f64 / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
}

/// WCAG contrast ratio of two colours (1 to 21).
pub fn contrast(a: u32, b: u32) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `rgb` at `opacity` over white.
fn over_white(rgb: u32, opacity: f64) -> u32 {
    let channel = |shift: u32| {
        let c = ((rgb >> shift) & 0xFF) as f64;
        (255.0 + (c - 255.0) * opacity).round() as u32
    };
    (channel(16) << 16) | (channel(8) << 8) | channel(0)
}

/// Black or white, whichever reads better on `fill`: one of them always has a
/// contrast of at least 4.58 (the page's ink would fall to 3.99 on mid shades).
fn text_on(fill: u32) -> u32 {
    if contrast(fill, 0x000000) >= contrast(fill, 0xFFFFFF) {
        0x000000
    } else {
        0xFFFFFF
    }
}

/// One bar: label, value on the chart's scale (None = not shown), optional
/// interval, and the text printed after the bar.
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub interval: Option<(f64, f64)>,
    pub note: String,
}

/// Horizontal bars from 0 to `max`, with optional interval whiskers and a target line.
pub fn bars(id: &str, title: &str, rows: &[Bar], max: f64, target: Option<f64>) -> String {
    let (label_w, bar_w, note_w) = (230.0, 300.0, 190.0);
    let row_h = row_height(rows.iter().map(|r| r.label.clone()), 26.0);
    let height = (rows.len() as f64 * row_h + 16.0).ceil() as u32;
    let width = (label_w + bar_w + note_w) as u32;
    let desc = rows.iter().map(|r| format!("{}: {}", r.label, r.note)).collect::<Vec<_>>().join("; ");
    let mut out = String::new();
    open(&mut out, id, title, &desc, width, height);
    let scale = |v: f64| label_w + (v / max).clamp(0.0, 1.0) * bar_w;
    for (i, row) in rows.iter().enumerate() {
        let y = 8.0 + i as f64 * row_h + (row_h - 26.0) / 2.0;
        row_label(&mut out, label_w, y + 10.0, &row.label);
        let _ = write!(out, r#"<rect x="{label_w}" y="{}" width="{bar_w}" height="16" class="track"/>"#, y + 2.0);
        if let Some(v) = row.value {
            let _ = write!(
                out,
                r#"<rect x="{label_w}" y="{}" width="{:.1}" height="16" class="bar"/>"#,
                y + 2.0,
                scale(v) - label_w
            );
        }
        if let Some((low, high)) = row.interval {
            let _ = write!(
                out,
                r#"<line x1="{:.1}" x2="{:.1}" y1="{}" y2="{}" class="ci"/>"#,
                scale(low),
                scale(high),
                y + 10.0,
                y + 10.0
            );
        }
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" class="note">{}</text>"#,
            label_w + bar_w + 8.0,
            y + 15.0,
            escape(&row.note)
        );
    }
    if let Some(t) = target {
        let x = scale(t);
        let _ = write!(out, r#"<line x1="{x:.1}" x2="{x:.1}" y1="4" y2="{}" class="target"/>"#, height - 4);
    }
    out.push_str("</svg>");
    out
}

/// One Likert item: its label and the share of answers per level, from 1.
pub struct LikertRow {
    pub label: String,
    pub shares: Vec<f64>,
    pub note: String,
}

/// Diverging stacked bars: the levels below the middle of each item's scale (and
/// half of a middle level) to the left of the centre line, the rest to the right.
pub fn likert(id: &str, title: &str, rows: &[LikertRow]) -> String {
    let (label_w, half_w, note_w) = (230.0, 170.0, 150.0);
    let row_h = row_height(rows.iter().map(|r| r.label.clone()), 28.0);
    let width = (label_w + 2.0 * half_w + note_w) as u32;
    let height = (rows.len() as f64 * row_h + 40.0).ceil() as u32;
    let centre = label_w + half_w;
    let desc = rows.iter().map(|r| format!("{}: {}", r.label, r.note)).collect::<Vec<_>>().join("; ");
    let mut out = String::with_capacity(4096);
    open(&mut out, id, title, &desc, width, height);
    for (i, row) in rows.iter().enumerate() {
        let y = 8.0 + i as f64 * row_h + (row_h - 28.0) / 2.0;
        row_label(&mut out, label_w, y + 11.0, &row.label);
        let points = row.shares.len();
        // Levels 1..=points; twice a level's distance from the middle decides its side.
        let left: f64 = row
            .shares
            .iter()
            .enumerate()
            .map(|(l, share)| match (2 * (l + 1)).cmp(&(points + 1)) {
                std::cmp::Ordering::Less => *share,
                std::cmp::Ordering::Equal => share / 2.0,
                std::cmp::Ordering::Greater => 0.0,
            })
            .sum();
        let mut x = centre - left * half_w;
        for (l, share) in row.shares.iter().enumerate() {
            let w = share * half_w;
            if w > 0.0 {
                let fill = level_colour(l as u8 + 1, points as u8);
                let _ = write!(
                    out,
                    r##"<rect x="{}" y="{}" width="{}" height="18" fill="#{fill:06x}"/>"##,
                    Tenths(x),
                    Tenths(y + 2.0),
                    Tenths(w)
                );
            }
            x += w;
        }
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" class="note">{}</text>"#,
            label_w + 2.0 * half_w + 8.0,
            Tenths(y + 15.0),
            escape(&row.note)
        );
    }
    let _ = write!(out, r#"<line x1="{centre}" x2="{centre}" y1="4" y2="{}" class="axis"/>"#, height - 30);
    // The legend names the ends and the middle: scales may differ between items.
    let legend = [(1u8, 3u8, "lowest answer"), (2, 3, "middle"), (3, 3, "highest answer")];
    for (i, (level, points, name)) in legend.iter().enumerate() {
        let x = label_w + i as f64 * 120.0;
        let y = height as f64 - 20.0;
        let fill = level_colour(*level, *points);
        let _ = write!(out, r##"<rect x="{x}" y="{y}" width="12" height="12" fill="#{fill:06x}"/>"##);
        let _ = write!(out, r#"<text x="{}" y="{}" class="note">{name}</text>"#, x + 16.0, y + 10.0);
    }
    out.push_str("</svg>");
    out
}

/// The heatmap's shade where a category supports the goal, and where it does not.
const SUPPORTED: u32 = 0x2166AC;
const UNSUPPORTED: u32 = 0xB2182B;

/// A goal × category grid: shade by count, ✓ where the category supports the goal.
pub fn heatmap(
    id: &str,
    title: &str,
    rows: &[String],
    columns: &[String],
    counts: &[Vec<usize>],
    supported: &[Vec<bool>],
) -> String {
    let (label_w, cell_w, cell_h, head_h) = (150.0, 118.0, 34.0, 44.0);
    let width = (label_w + cell_w * columns.len() as f64) as u32;
    let height = (head_h + cell_h * rows.len() as f64 + 4.0) as u32;
    let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let mut desc = Vec::new();
    let mut out = String::new();
    let mut body = String::new();
    for (j, column) in columns.iter().enumerate() {
        // Two lines: the first word, then the rest, so long labels never overlap.
        let (first, rest) = column.split_once(' ').unwrap_or((column, ""));
        let x = label_w + cell_w * (j as f64 + 0.5);
        let _ = write!(
            body,
            r#"<text x="{x:.1}" y="{}" text-anchor="middle" class="lbl"><tspan x="{x:.1}">{}</tspan><tspan x="{x:.1}" dy="14">{}</tspan></text>"#,
            head_h - 26.0,
            escape(first),
            escape(rest)
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let y = head_h + i as f64 * cell_h;
        row_label(&mut body, label_w, y + 17.0, row);
        for (j, column) in columns.iter().enumerate() {
            let count = counts[i][j];
            let ok = supported[i][j];
            let x = label_w + j as f64 * cell_w;
            let opacity = 0.08 + 0.92 * count as f64 / max;
            let fill = if ok { SUPPORTED } else { UNSUPPORTED };
            let _ = write!(
                body,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{}" height="{}" fill="#{fill:06x}" fill-opacity="{opacity:.2}"/>"##,
                cell_w - 2.0,
                cell_h - 2.0,
            );
            // The count in ink or white, whichever contrasts more with the shade.
            let ink = text_on(over_white(fill, (opacity * 100.0).round() / 100.0));
            let mark = if ok { "✓ " } else { "" };
            let _ = write!(
                body,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="cell" fill="#{ink:06x}">{mark}{count}</text>"##,
                x + cell_w / 2.0,
                y + 21.0
            );
            desc.push(format!("{row} × {column}: {count} activities{}", if ok { ", supported" } else { "" }));
        }
    }
    open(&mut out, id, title, &desc.join("; "), width, height);
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

/// Four or five round tick values covering `min..=max`: steps of 1, 2, 2.5 or 5
/// times a power of ten.
pub fn ticks(min: f64, max: f64) -> Vec<f64> {
    let raw = (max - min).max(1e-9) / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step =
        [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw * (1.0 - 1e-9)).unwrap_or(raw);
    let first = (min / step + 1e-9).floor() * step;
    let last = (max / step - 1e-9).ceil() * step;
    let count = ((last - first) / step).round() as usize;
    (0..=count).map(|i| first + i as f64 * step).collect()
}

/// A line over quarters; `None` values leave a gap (suppressed or no data).
pub fn line(
    id: &str,
    title: &str,
    labels: &[String],
    values: &[Option<f64>],
    format: impl Fn(f64) -> String,
) -> String {
    let (left, right, top, bottom, width, height) = (52.0, 30.0, 12.0, 34.0, 460.0, 170.0);
    let max = values.iter().flatten().copied().fold(0.0f64, f64::max).max(1e-9);
    let min = values.iter().flatten().copied().fold(0.0f64, f64::min);
    let ticks = ticks(min, max);
    let (min, max) = (ticks[0], ticks[ticks.len() - 1]);
    let span = (max - min).max(1e-9);
    let step = if labels.len() > 1 { (width - left - right) / (labels.len() - 1) as f64 } else { 0.0 };
    let x = |i: usize| left + i as f64 * step;
    let y = |v: f64| top + (1.0 - (v - min) / span) * (height - top - bottom);
    let desc = labels
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{l}: {}", v.map(&format).unwrap_or_else(|| "not shown".into())))
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = String::new();
    open(&mut out, id, title, &desc, width as u32, height as u32);
    let _ = write!(
        out,
        r#"<line x1="{left}" x2="{}" y1="{}" y2="{}" class="axis"/>"#,
        width - right,
        height - bottom,
        height - bottom
    );
    // Ticks at round values, with light grid lines.
    for tick in &ticks {
        let _ = write!(
            out,
            r#"<line x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}" class="grid"/><text x="{}" y="{:.1}" text-anchor="end" class="note">{}</text>"#,
            width - right,
            y(*tick),
            y(*tick),
            left - 4.0,
            y(*tick) + 4.0,
            escape(&format(*tick))
        );
    }
    // Segments between consecutive known points; a gap where a value is missing.
    let mut path = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                let _ = write!(path, "{}{:.1},{:.1} ", if pen_down { "L" } else { "M" }, x(i), y(*v));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    let _ = write!(out, r#"<path d="{}" class="trend"/>"#, path.trim());
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(out, r#"<circle cx="{:.1}" cy="{:.1}" r="3" class="dot"/>"#, x(i), y(*v));
        }
    }
    let every = labels.len().div_ceil(8).max(1);
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{}" text-anchor="middle" class="note">{}</text>"#,
            x(i),
            height - bottom + 16.0,
            escape(label)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_break_at_missing_values() {
        let labels: Vec<String> = ["Q1", "Q2", "Q3", "Q4"].iter().map(|s| s.to_string()).collect();
        let svg = super::line("t", "t", &labels, &[Some(1.0), None, Some(2.0), Some(3.0)], |v| format!("{v}"));
        let path = svg.split("<path d=\"").nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(path.matches('M').count(), 2, "{path}");
        assert_eq!(svg.matches("<circle").count(), 3);
    }

    use super::*;

    #[test]
    fn level_colours_run_from_red_through_grey_to_blue() {
        assert_eq!(level_colour(1, 5), 0xB2182B);
        assert_eq!(level_colour(3, 5), 0xCCCCCC);
        assert_eq!(level_colour(5, 5), 0x2166AC);
        // Level 2 of 5 is halfway from red to grey: (0xB2+0xCC)/2 = 0xBF, (0x18+0xCC)/2 = 0x72, (0x2B+0xCC)/2 = 0x7C (0x7B.8 rounds up).
        assert_eq!(level_colour(2, 5), 0xBF727C);
        assert_eq!(level_colour(1, 2), 0xB2182B);
        assert_eq!(level_colour(2, 2), 0x2166AC);
    }

    #[test]
    fn tenths_write_one_decimal_like_the_formatter() {
        for v in [0.0, 1.25, 331.96, -4.04, 12.0, 0.05, 169.99] {
            assert_eq!(Tenths(v).to_string(), format!("{:.1}", (v * 10.0f64).round() / 10.0), "{v}");
        }
        assert_eq!(Tenths(-0.04).to_string(), "0.0");
        assert_eq!(Tenths(-0.06).to_string(), "-0.1");
    }

    #[test]
    fn ticks_are_round_and_cover_the_values() {
        assert_eq!(ticks(0.0, 1.0), [0.0, 0.25, 0.5, 0.75, 1.0]);
        // 42 / 4 = 10.5 → a step of 20.
        assert_eq!(ticks(0.0, 42.0), [0.0, 20.0, 40.0, 60.0]);
        // NPS from −5 to 67: 72 / 4 = 18 → a step of 20 from −20 to 80.
        assert_eq!(ticks(-5.0, 67.0), [-20.0, 0.0, 20.0, 40.0, 60.0, 80.0]);
        assert_eq!(ticks(0.0, 4.0), [0.0, 1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn long_labels_break_in_two_lines_and_are_cut_after() {
        assert_eq!(label_lines("Study visit", 30), ["Study visit"]);
        assert_eq!(
            label_lines("Participation of new and emerging countries", 30),
            ["Participation of new and", "emerging countries"]
        );
        let long = label_lines("Participation of new and emerging countries in the first and the second year", 30);
        assert_eq!(long[0], "Participation of new and");
        assert_eq!(long[1].chars().count(), 30);
        assert!(long[1].ends_with('…'));
    }

    #[test]
    fn every_chart_text_has_a_contrast_of_at_least_4_5() {
        // WCAG's own examples: black on white is 21, white on #777 is 4.48.
        assert!((contrast(0x000000, 0xFFFFFF) - 21.0).abs() < 1e-9);
        assert!((contrast(0xFFFFFF, 0x777777) - 4.48).abs() < 0.01);
        // The heatmap's counts, at every shade the chart can draw.
        for fill in [SUPPORTED, UNSUPPORTED] {
            for step in 8..=100 {
                let shade = over_white(fill, step as f64 / 100.0);
                assert!(contrast(text_on(shade), shade) >= 4.5, "{fill:06x} at {step} %");
            }
        }
        // The style sheet's muted notes and ink on white.
        assert!(contrast(0x5B6472, 0xFFFFFF) >= 4.5);
        assert!(contrast(INK, 0xFFFFFF) >= 4.5);
    }

    #[test]
    fn likert_bars_follow_each_item_s_scale() {
        // A 4-point item: levels 1 and 2 left of the centre (0.1 + 0.3 = 0.4 of 170 = 68).
        let row = LikertRow { label: "Q".into(), shares: vec![0.1, 0.3, 0.4, 0.2], note: String::new() };
        let svg = likert("l", "t", &[row]);
        assert_eq!(svg.matches("<rect").count(), 4 + 3, "four levels and three legend swatches");
        assert!(svg.contains(r#"<rect x="332.0""#), "{svg}"); // 230 + 170 − 68
                                                              // A 7-point item's middle level is split: 0.1 + 0.1 + 0.1 + 0.2 / 2 = 0.4 left.
        let row = LikertRow { label: "Q".into(), shares: vec![0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.1], note: String::new() };
        assert!(likert("l", "t", &[row]).contains(r#"<rect x="332.0""#));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = bars(
            "x",
            "<title>",
            &[Bar {
                label: "\"><script>alert(1)</script>".into(),
                value: Some(0.5),
                interval: None,
                note: "a & b".into(),
            }],
            1.0,
            None,
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;") && svg.contains("a &amp; b") && svg.contains("&lt;title&gt;"));
    }
}
