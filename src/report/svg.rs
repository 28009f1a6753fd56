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

fn open(out: &mut String, id: &str, title: &str, desc: &str, width: u32, height: u32) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(desc)
    );
}

/// A row's label, right-aligned before the plot area.
fn row_label(out: &mut String, label_w: f64, baseline: f64, label: &str) {
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" text-anchor="end" class="lbl">{}</text>"#,
        label_w - 8.0,
        baseline,
        escape(label)
    );
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
    let (label_w, bar_w, note_w, row_h) = (230.0, 300.0, 190.0, 26.0);
    let height = (rows.len() as f64 * row_h + 16.0).ceil() as u32;
    let width = (label_w + bar_w + note_w) as u32;
    let desc = rows.iter().map(|r| format!("{}: {}", r.label, r.note)).collect::<Vec<_>>().join("; ");
    let mut out = String::new();
    open(&mut out, id, title, &desc, width, height);
    let scale = |v: f64| label_w + (v / max).clamp(0.0, 1.0) * bar_w;
    for (i, row) in rows.iter().enumerate() {
        let y = 8.0 + i as f64 * row_h;
        row_label(&mut out, label_w, y + 15.0, &row.label);
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

/// One Likert item: its label and the share of answers per level 1..=5.
pub struct LikertRow {
    pub label: String,
    pub shares: Vec<f64>,
    pub note: String,
}

/// Diverging stacked bars: levels 1–2 and half of 3 to the left of the centre line.
pub fn likert(id: &str, title: &str, rows: &[LikertRow]) -> String {
    let (label_w, half_w, note_w, row_h) = (230.0, 170.0, 150.0, 28.0);
    let width = (label_w + 2.0 * half_w + note_w) as u32;
    let height = (rows.len() as f64 * row_h + 40.0).ceil() as u32;
    let centre = label_w + half_w;
    let desc = rows.iter().map(|r| format!("{}: {}", r.label, r.note)).collect::<Vec<_>>().join("; ");
    let mut out = String::new();
    open(&mut out, id, title, &desc, width, height);
    for (i, row) in rows.iter().enumerate() {
        let y = 8.0 + i as f64 * row_h;
        row_label(&mut out, label_w, y + 15.0, &row.label);
        let s = |l: usize| row.shares.get(l).copied().unwrap_or(0.0);
        let left = s(0) + s(1) + s(2) / 2.0;
        let mut x = centre - left * half_w;
        let segments = [(s(0), "l1"), (s(1), "l2"), (s(2), "l3"), (s(3), "l4"), (s(4), "l5")];
        for (share, class) in segments {
            let w = share * half_w;
            if w > 0.0 {
                let _ = write!(out, r#"<rect x="{x:.1}" y="{}" width="{w:.1}" height="18" class="{class}"/>"#, y + 2.0);
            }
            x += w;
        }
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" class="note">{}</text>"#,
            label_w + 2.0 * half_w + 8.0,
            y + 15.0,
            escape(&row.note)
        );
    }
    let _ = write!(out, r#"<line x1="{centre}" x2="{centre}" y1="4" y2="{}" class="axis"/>"#, height - 30);
    let legend = ["1 lowest", "2", "3", "4", "5 highest"];
    for (i, name) in legend.iter().enumerate() {
        let x = label_w + i as f64 * 68.0;
        let y = height as f64 - 20.0;
        let _ = write!(out, r#"<rect x="{x}" y="{y}" width="12" height="12" class="l{}"/>"#, i + 1);
        let _ = write!(out, r#"<text x="{}" y="{}" class="note">{name}</text>"#, x + 16.0, y + 10.0);
    }
    out.push_str("</svg>");
    out
}

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
        row_label(&mut body, label_w, y + 21.0, row);
        for (j, column) in columns.iter().enumerate() {
            let count = counts[i][j];
            let ok = supported[i][j];
            let x = label_w + j as f64 * cell_w;
            let opacity = 0.08 + 0.92 * count as f64 / max;
            let _ = write!(
                body,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{}" height="{}" class="{}" fill-opacity="{opacity:.2}"/>"#,
                cell_w - 2.0,
                cell_h - 2.0,
                if ok { "hm-ok" } else { "hm-no" }
            );
            let mark = if ok { "✓ " } else { "" };
            let _ = write!(
                body,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="cell">{mark}{count}</text>"#,
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
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" text-anchor="end" class="note">{}</text>"#,
        left - 4.0,
        top + 4.0,
        escape(&format(max))
    );
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" text-anchor="end" class="note">{}</text>"#,
        left - 4.0,
        height - bottom,
        escape(&format(min))
    );
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
