//! The published deliverables, opened with real readers: calamine for the
//! workbook, headless Chromium for the HTML report (when installed).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;

use crate::common::*;

fn sample() -> Workdir {
    let work = sample_copy();
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    work
}

fn zip_part(path: &Path, name: &str) -> Option<String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut file = archive.by_name(name).ok()?;
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    Some(text)
}

fn zip_names(path: &Path) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    archive.file_names().filter_map(Result::ok).map(|n| n.to_string()).collect()
}

#[test]
fn workbook_round_trips_through_calamine() {
    let work = sample();
    let path = work.path().join("output/all/evaluation.xlsx");
    let json = work.indicators("all");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Summary",
            "Against plan",
            "Criteria",
            "Indicators",
            "Alignment",
            "Satisfaction",
            "Outcomes",
            "Follow-up by group",
            "Follow-up horizons",
            "Trends",
            "Needs & matching",
            "Activities",
            "Activities by group",
            "Data quality",
            "About"
        ]
    );
    // SPEC §13: the tracking table with the sample's target of 55 activities, the
    // six criteria, the follow-up horizons.
    let plan = wb.worksheet_range("Against plan").unwrap();
    let activities = plan.rows().find(|r| r[0] == Data::String("Activities".into())).unwrap();
    assert_eq!(
        (activities[3].clone(), activities[activities.len() - 4].clone()),
        (Data::Float(55.0), Data::Float(23.0))
    );
    let criteria = wb.worksheet_range("Criteria").unwrap();
    for title in ["Relevance", "Coherence", "Effectiveness", "Efficiency", "Impact", "Sustainability"] {
        assert!(criteria.rows().any(|r| r[0] == Data::String(title.into())), "{title}");
    }
    let horizons = wb.worksheet_range("Follow-up horizons").unwrap();
    assert_eq!(horizons.get_size().0, 5, "a header and four horizons");
    // Numeric columns hold only numbers: the 13+ months horizon has no follow-up,
    // its cells are empty and the Note column says why.
    let late = horizons.rows().find(|r| r[0] == Data::String("13+ months".into())).unwrap();
    assert_eq!(late[1], Data::Empty);
    assert_eq!(late[7], Data::String("no data".into()));
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        assert!(range.get_size().0 > 1, "sheet {name} is empty");
    }
    // Every indicator row carries the unrounded value of indicators.json.
    let indicators = wb.worksheet_range("Indicators").unwrap();
    let mut seen = 0;
    for row in indicators.rows().skip(1) {
        let id = row[0].to_string();
        let expected = &json["indicators"][&id];
        match (&row[3], &expected["value"]) {
            // Excel keeps 15 significant digits.
            (Data::Float(got), Value::Number(want)) => {
                let want = want.as_f64().unwrap();
                assert!((got - want).abs() <= 1e-12 * want.abs().max(1.0), "{id}: {got} vs {want}");
            }
            // A missing figure is an empty cell; the Note column beside it says why.
            (Data::Empty, Value::Null) => {
                let fallback = if expected["suppressed"] == true { "fewer than 5 responses" } else { "no data" };
                let reason = expected["reason"].as_str().unwrap_or(fallback);
                assert_eq!(row[5], Data::String(reason.into()), "{id}");
            }
            (got, want) => panic!("{id}: workbook {got:?}, json {want}"),
        }
        assert_eq!(row[4], Data::Float(expected["n"].as_f64().unwrap()), "{id}");
        seen += 1;
    }
    assert_eq!(seen, peer_eval::registry::CATALOG.len());
    // The Summary shows the headline figure and its target status.
    let summary = wb.worksheet_range("Summary").unwrap();
    let top2 = summary.rows().find(|r| r[0] == Data::String("Satisfied participants (top two)".into())).unwrap();
    let want = json["indicators"]["satisfaction_top2"]["value"].as_f64().unwrap();
    assert!(matches!(top2[1], Data::Float(got) if (got - want).abs() < 1e-12));
    assert_eq!(top2[5], Data::String("near".into()));
    // Every issue is on the Data quality sheet.
    let quality = wb.worksheet_range("Data quality").unwrap();
    let issues = quality
        .rows()
        .skip(1)
        .filter(|r| matches!(&r[0], Data::String(s) if s == "error" || s == "warning" || s == "info"))
        .count();
    assert_eq!(issues, work.run_json("all")["issues"].as_array().unwrap().len());

    // No numeric column of a list holds text: every cell under a header that names
    // a figure is a number or empty.
    for name in ["Indicators", "Outcomes", "Follow-up by group", "Activities by group", "Criteria"] {
        let range = wb.worksheet_range(name).unwrap();
        let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
        for (col, title) in header.iter().enumerate() {
            let numeric = ["Value", "n", "Target", "CI low", "CI high"].contains(&title.as_str())
                || title.ends_with(": n")
                || (name.ends_with("by group") || name == "Outcomes") && col >= 2 && title != "Note";
            if !numeric {
                continue;
            }
            for row in range.rows().skip(1) {
                assert!(
                    matches!(row[col], Data::Float(_) | Data::Int(_) | Data::Empty),
                    "{name} {title}: {:?}",
                    row[col]
                );
            }
        }
    }

    // Native charts, named Excel Tables, frozen panes, percent formats, conditional formats.
    let names = zip_names(&path);
    assert!(names.iter().filter(|n| n.starts_with("xl/charts/chart")).count() >= 5, "{names:?}");
    let tables: Vec<String> = names
        .iter()
        .filter(|n| n.starts_with("xl/tables/table"))
        .map(|n| zip_part(&path, n).unwrap())
        .map(|xml| xml.split("displayName=\"").nth(1).unwrap().split('"').next().unwrap().to_string())
        .collect();
    for table in ["Headline", "Indicators", "Outcomes", "Activities", "Issues", "Needs", "Suggestions"] {
        assert!(tables.iter().any(|t| t == table), "no Table {table} in {tables:?}");
    }
    let indicators_xml = zip_part(&path, "xl/worksheets/sheet4.xml").unwrap();
    assert!(indicators_xml.contains("<tableParts"));
    assert!(indicators_xml.contains("state=\"frozen\""));
    assert!(indicators_xml.contains("<conditionalFormatting"));
    assert!(zip_part(&path, "xl/styles.xml").unwrap().contains("0.0%"));
    let core = zip_part(&path, "docProps/core.xml").unwrap();
    assert!(core.contains("2020-06-23T00:00:00Z"), "creation time is the data's last day: {core}");
}

#[test]
fn workbook_converts_with_libreoffice_where_installed() {
    let Ok(status) = Command::new("soffice").arg("--version").output() else {
        tool_missing("LibreOffice (soffice; Debian's libreoffice-calc-nogui)");
        return;
    };
    assert!(status.status.success());
    let work = sample();
    // LibreOffice writes CSV in the system's legacy charset unless told: 76 is UTF-8.
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", work.path().display());
    let out = Command::new("soffice")
        .arg(profile)
        .args(["--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir"])
        .arg(work.path())
        .arg(work.path().join("output/all/evaluation.xlsx"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(work.path().join("evaluation.csv")).unwrap();
    assert!(csv.contains("Peer-learning evaluation"));
}

/// The sample workbook prints: LibreOffice turns it into a PDF of a bounded number
/// of landscape A4 pages (99 before print settings; 33 with them, 19 of which were
/// the long Outcomes list; 18 with one row per group and the indicators side by
/// side). The bound is 20: a funder accepts that for a programme's evaluation.
#[test]
fn workbook_prints_to_a_bounded_number_of_pages() {
    if Command::new("soffice").arg("--version").output().is_err() {
        tool_missing("LibreOffice (soffice; Debian's libreoffice-calc-nogui)");
        return;
    }
    let work = sample();
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", work.path().display());
    let out = Command::new("soffice")
        .arg(profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(work.path())
        .arg(work.path().join("output/all/evaluation.xlsx"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pages = pdf_pages(&std::fs::read(work.path().join("evaluation.pdf")).unwrap());
    assert!((10..=20).contains(&pages), "the sample workbook prints on {pages} pages");
}

/// Pages of a PDF: its `/Type /Page` objects (not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    [&b"/Type/Page"[..], &b"/Type /Page"[..]]
        .iter()
        .map(|tag| pdf.windows(tag.len() + 1).filter(|w| w.starts_with(tag) && w[tag.len()] != b's').count())
        .sum()
}

/// Every activity page prints on one A4 page (headless Chromium's print to PDF;
/// two of the sample's 23 pages took two before the print styles).
#[test]
fn activity_pages_print_on_one_a4_page() {
    let Some(browser) = chromium() else {
        tool_missing("Chromium (Debian's chromium)");
        return;
    };
    let work = sample();
    let dir = work.path().join("output/all/activities");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    pages.sort();
    assert_eq!(pages.len(), 23);
    for page in pages {
        let pdf = work.path().join("page.pdf");
        chromium_run(
            &browser,
            &work.path().join("print-profile"),
            &[
                "--no-pdf-header-footer".to_string(),
                format!("--print-to-pdf={}", pdf.display()),
                format!("file://{}", page.display()),
            ],
        );
        let count = pdf_pages(&std::fs::read(&pdf).unwrap());
        assert_eq!(count, 1, "{} prints on {count} pages", page.display());
    }
}

/// The Nu HTML checker (`vnu-jar`, run with Java) finds no error in the report
/// or any activity page.
#[test]
fn pages_pass_the_nu_html_checker() {
    let work = sample();
    let dir = work.path().join("output/all");
    let mut pages = vec![dir.join("report.html")];
    pages.extend(std::fs::read_dir(dir.join("activities")).unwrap().map(|e| e.unwrap().path()));
    let Some(errors) = nu_errors(&pages) else { return };
    assert!(errors.is_empty(), "{} errors in {} pages: {errors:#?}", errors.len(), pages.len());
}

/// The Nu HTML checker's errors on `pages`; `None` (after [`tool_missing`]) when
/// the checker is not installed.
pub fn nu_errors(pages: &[PathBuf]) -> Option<Vec<Value>> {
    let Some(jar) = vnu_jar() else {
        tool_missing("the Nu HTML checker (npm's vnu-jar, with Java)");
        return None;
    };
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "json"])
        .args(pages)
        .output()
        .unwrap();
    let report: Value =
        serde_json::from_slice(&out.stderr).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let errors = report["messages"].as_array().unwrap().clone();
    assert!(out.status.success() || !errors.is_empty(), "the checker failed");
    Some(errors)
}

/// axe-core (the engine of Lighthouse's accessibility audit) finds no violation
/// in the report or an activity page, at 390 and 1280 px. The pages forbid
/// scripts, so the test checks copies without the Content-Security-Policy line.
#[test]
fn pages_pass_axe_at_both_widths() {
    let work = sample();
    let dir = work.path().join("output/all");
    for page in ["report.html", "activities/TW-05.html"] {
        for width in [390, 1280] {
            let Some(violations) = axe_violations(&work, &dir.join(page), width) else { return };
            assert_eq!(violations, serde_json::json!([]), "{page} at {width} px");
        }
    }
}

/// axe-core's violations on `page` in a window `width` px wide (a copy of the
/// page without its Content-Security-Policy, so that axe's script may run);
/// `None` (after [`tool_missing`]) without Chromium or axe-core.
pub fn axe_violations(work: &Workdir, page: &Path, width: u32) -> Option<Value> {
    let (Some(browser), Some(axe)) = (chromium(), npm_file("axe-core/axe.min.js")) else {
        tool_missing("Chromium and axe-core (npm's axe-core)");
        return None;
    };
    let html = std::fs::read_to_string(page).unwrap();
    let csp = html.find("<meta http-equiv=\"Content-Security-Policy\"").unwrap();
    let end = csp + html[csp..].find('>').unwrap() + 1;
    let script = format!(
        r#"<script src="file://{}"></script><script>
axe.run(document).then(r => {{ const p = document.createElement("pre"); p.id = "axe";
p.textContent = JSON.stringify(r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(" "))])); document.body.appendChild(p); }});
</script></body>"#,
        axe.display()
    );
    let copy = format!("{}{}", &html[..csp], &html[end..]).replace("</body>", &script);
    let checked = page.with_extension("axe.html");
    std::fs::write(&checked, copy).unwrap();
    let dom = dump_dom_of(&browser, &work.path().join("axe-profile"), &checked, Some(width), 20_000);
    let found = dom.split("<pre id=\"axe\">").nth(1).and_then(|s| s.split("</pre>").next());
    let found = found.unwrap_or_else(|| panic!("{} at {width}: axe gave no result", page.display()));
    Some(serde_json::from_str(&found.replace("&quot;", "\"").replace("&amp;", "&")).unwrap())
}

/// The DOM of `page` after its scripts ran (for `budget_ms` of virtual time), in
/// a window `width` px wide when given.
fn dump_dom_of(browser: &Path, profile: &Path, page: &Path, width: Option<u32>, budget_ms: u32) -> String {
    let mut command = Command::new(browser);
    command
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        .arg("--allow-file-access-from-files")
        .arg(format!("--virtual-time-budget={budget_ms}"))
        .arg(format!("--user-data-dir={}", profile.display()));
    if let Some(width) = width {
        command.arg(format!("--window-size={width},900"));
    }
    let out = command.arg("--dump-dom").arg(format!("file://{}", page.display())).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A file of a globally installed npm package.
fn npm_file(path: &str) -> Option<PathBuf> {
    let root = Command::new("npm").args(["root", "-g"]).output().ok()?;
    let root = PathBuf::from(String::from_utf8_lossy(&root.stdout).trim());
    Some(root.join(path)).filter(|p| p.is_file())
}

/// The checker's jar: `$VNU_JAR`, or where `npm install -g vnu-jar` puts it.
fn vnu_jar() -> Option<PathBuf> {
    Command::new("java").arg("-version").output().ok()?;
    if let Some(jar) = std::env::var_os("VNU_JAR").map(PathBuf::from).filter(|p| p.is_file()) {
        return Some(jar);
    }
    npm_file("vnu-jar/build/dist/vnu.jar")
}

#[test]
fn three_outputs_are_byte_identical_on_rerun() {
    let work = sample();
    let read = |name: &str| std::fs::read(work.path().join("output/all").join(name)).unwrap();
    let first: Vec<Vec<u8>> = ["evaluation.xlsx", "report.html", "indicators.json"].iter().map(|n| read(n)).collect();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(code(&work.run(&["run"])), 0);
    let second: Vec<Vec<u8>> = ["evaluation.xlsx", "report.html", "indicators.json"].iter().map(|n| read(n)).collect();
    assert!(first == second, "outputs differ between two runs");
}

#[test]
fn html_is_self_contained_and_accessible() {
    let work = sample();
    let html = std::fs::read_to_string(work.path().join("output/all/report.html")).unwrap();
    assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    assert!(!html.contains("<script"), "no script");
    assert!(!html.contains(" src="), "no external resource");
    assert!(!html.contains("href=\"http") && !html.contains("url("), "no link out of the file");
    for section in ["summary", "alignment", "satisfaction", "outcomes", "needs", "activities", "quality", "methodology"]
    {
        assert!(html.contains(&format!("<section id=\"{section}\"")), "{section}");
    }
    assert_eq!(
        html.matches("role=\"img\"").count(),
        html.matches("<svg").count(),
        "every chart has a text alternative"
    );
    assert!(html.contains("<th scope=\"col\">"));
    assert!(html.contains("@media print") && html.contains("size: A4"));
    // Every activity has its page, and the report links it.
    let pages = std::fs::read_dir(work.path().join("output/all/activities")).unwrap().count();
    assert_eq!(pages, 23);
    assert!(html.contains("href=\"activities/SV-01.html\""));
    let page = std::fs::read_to_string(work.path().join("output/all/activities/SV-02.html")).unwrap();
    assert!(page.contains("Satisfied participants (top two)"));
    assert!(page.contains("Comments are not published"));
}

/// The DOM of `page` after headless Chromium has rendered it.
pub fn dump_dom(work: &Workdir, page: &Path) -> Option<String> {
    let Some(browser) = chromium() else {
        tool_missing("Chromium (Debian's chromium)");
        return None;
    };
    let out = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        .arg(format!("--user-data-dir={}", work.path().join("dom-profile").display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).to_string())
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        Command::new(name).arg("--version").output().ok().filter(|o| o.status.success()).map(|_| PathBuf::from(name))
    })
}

fn chromium_run(browser: &Path, profile: &Path, args: &[String]) {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--no-default-browser-check",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-domain-reliability",
            "--disable-client-side-phishing-detection",
            "--no-pings",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Renders the report in headless Chromium: screenshot, A4 PDF, and a network log
/// in which every request must be to a `file:` or `data:` URL.
#[test]
fn report_renders_in_headless_chromium_without_network() {
    let Some(browser) = chromium() else {
        tool_missing("Chromium (Debian's chromium)");
        return;
    };
    let work = sample();
    let report = work.path().join("output/all/report.html");
    let url = format!("file://{}", report.display());
    let net_log = work.path().join("net.json");
    let shot = work.path().join("report.png");
    let pdf = work.path().join("report.pdf");
    chromium_run(
        &browser,
        &work.path().join("profile1"),
        &[
            format!("--log-net-log={}", net_log.display()),
            "--window-size=1000,2600".into(),
            format!("--screenshot={}", shot.display()),
            url.clone(),
        ],
    );
    chromium_run(
        &browser,
        &work.path().join("profile2"),
        &[format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer".into(), url],
    );
    assert!(std::fs::metadata(&shot).unwrap().len() > 20_000, "screenshot is not empty");
    let pdf_bytes = std::fs::read(&pdf).unwrap();
    assert!(pdf_bytes.starts_with(b"%PDF"));
    let pages = pdf_bytes
        .windows(b"/Type /Page\n".len())
        .filter(|w| w.starts_with(b"/Type /Page") && !w.starts_with(b"/Type /Pages"))
        .count();
    assert!(pages >= 3, "the report prints on several A4 pages, got {pages}");
    let log = std::fs::read_to_string(&net_log).unwrap_or_default();
    let external: Vec<&str> = log
        .split('"')
        .filter(|s| {
            s.starts_with("http://") || s.starts_with("https://") || s.starts_with("ws://") || s.starts_with("wss://")
        })
        .filter(|s| !s.starts_with("http://www.w3.org/"))
        // Chromium's own background services (clock, accounts, component updates), not the page.
        .filter(|s| {
            let host = s.split("://").nth(1).unwrap_or("").split(['/', ' ', '?']).next().unwrap_or("");
            // (Chromium 156 also asks www.google.com/async/folae at start, whatever the page.)
            !["clients2.google.com", "accounts.google.com", "update.googleapis.com", "google.com", "www.google.com"]
                .contains(&host)
        })
        .collect();
    assert!(external.is_empty(), "the report made requests: {external:?}");
    if std::env::var_os("UPDATE_SCREENSHOT").is_some() {
        std::fs::copy(&shot, Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.png")).unwrap();
    }
}

#[test]
fn a_killed_run_leaves_the_previous_or_the_new_outputs_whole() {
    let work = sample();
    let names = ["indicators.json", "report.html", "evaluation.xlsx"];
    let read_all = |dir: &Path| -> Vec<Vec<u8>> { names.iter().map(|n| std::fs::read(dir.join(n)).unwrap()).collect() };
    let dir = work.path().join("output/all");
    let before = read_all(&dir);
    // Change the data, and compute what a completed run publishes elsewhere.
    std::fs::remove_file(work.input("survey_TW-05.csv")).unwrap();
    assert_eq!(code(&work.run(&["run", "--output", "complete"])), 0);
    let after = read_all(&work.path().join("complete/all"));
    assert!(before != after);
    for delay_ms in [0u64, 1, 3, 5, 8, 12, 16, 20, 25, 30, 40, 50, 70] {
        let mut child =
            Command::new(env!("CARGO_BIN_EXE_peer-eval")).arg("run").current_dir(work.path()).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        let now = read_all(&dir);
        assert!(now == before || now == after, "a run killed after {delay_ms} ms left a mixed or partial output");
        if now == after {
            return;
        }
    }
}

#[test]
fn injected_text_stays_text() {
    let work = Workdir::new();
    work.config("[privacy]\nmin_group_size = 1\npublish_comments = true\n");
    let attacks = [
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "@SUM(A1:A9)",
        "+1-1",
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "javascript:alert(1)",
    ];
    let mut activities = vec![vec![
        T("activity_id"),
        T("type"),
        T("start_date"),
        T("title"),
        T("location"),
        T("participating_countries"),
    ]];
    for (i, attack) in attacks.iter().enumerate() {
        activities.push(vec![
            S(format!("X-{i}")),
            T("training"),
            D(2019, 1, 1 + i as u8),
            S(attack.to_string()),
            S(attack.to_string()),
            S(attack.to_string()),
        ]);
    }
    activities.push(vec![T("<b>id</b>"), T("training"), D(2019, 2, 1), T("javascript:alert(2)")]);
    let mut responses = vec![vec![T("activity_id"), T("overall_satisfaction"), T("comments"), T("respondent_id")]];
    for attack in attacks {
        responses.push(vec![T("X-0"), N(4.0), S(format!("{attack} mail me: someone@example.org")), T("RESP-SECRET-1")]);
    }
    work.xlsx("=cmd.xlsx", &[("Activities", activities), ("<svg onload=alert(1)>", responses)]);
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let dir = work.path().join("output/all");
    // HTML: escaped everywhere, nothing executable, no identifiers.
    for entry in walk(&dir) {
        let Some(ext) = entry.extension() else { continue };
        if ext != "html" {
            continue;
        }
        let html = std::fs::read_to_string(&entry).unwrap();
        assert!(!html.contains("<script"), "{}", entry.display());
        assert!(!html.contains("<img"), "{}", entry.display());
        assert!(!html.contains("<svg onload"), "{}", entry.display());
        assert!(!html.contains("href=\"javascript"), "{}", entry.display());
        assert!(!html.contains("RESP-SECRET"), "{}", entry.display());
        assert!(!html.contains("someone@example.org"), "{}", entry.display());
    }
    let page = std::fs::read_to_string(dir.join("activities/X-0.html")).unwrap();
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || page.contains("&lt;script&gt;"), "title escaped");
    assert!(page.contains("[e-mail removed]"), "comments published masked");
    assert!(dir.join("activities/_b_id__b_.html").exists(), "ids become safe file names");
    // Workbook: every attack is a shared string, never a formula, quote-prefixed when risky.
    let xlsx = dir.join("evaluation.xlsx");
    for name in zip_names(&xlsx) {
        if name.starts_with("xl/worksheets/sheet") {
            let xml = zip_part(&xlsx, &name).unwrap();
            assert!(!xml.contains("<f>") && !xml.contains("<hyperlink"), "{name} has a formula or link");
        }
    }
    let strings = zip_part(&xlsx, "xl/sharedStrings.xml").unwrap();
    assert!(
        strings.contains("=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)")
            || strings.contains("=HYPERLINK(\"http://evil.example\",\"x\")")
    );
    assert!(zip_part(&xlsx, "xl/styles.xml").unwrap().contains("quotePrefix=\"1\""));
    assert!(!zip_names(&xlsx).iter().any(|n| n.contains("comments")), "no cell comments");
    assert!(
        !strings.contains("RESP-SECRET") && !strings.contains("someone@example.org"),
        "the workbook leaks personal data"
    );
    for name in ["indicators.json", "run.json"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(!text.contains("RESP-SECRET") && !text.contains("someone@example.org"), "{name} leaks personal data");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// `--pdf` prints report.pdf beside report.html; without a Chromium the run still
/// publishes everything else, with one warning naming the package.
#[test]
fn pdf_is_printed_by_chromium_or_its_absence_is_told() {
    let work = sample();
    if chromium().is_none() {
        tool_missing("Chromium (Debian's chromium)");
        return;
    }
    assert_eq!(code(&work.run(&["run", "--pdf", "--quiet"])), 0);
    let pdf = std::fs::read(work.path().join("output/all/report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF") && pdf.len() > 20_000);
    // No browser on the PATH: exit 0, the rest published, one warning.
    let out = Command::new(env!("CARGO_BIN_EXE_peer-eval"))
        .args(["run", "--pdf", "--quiet", "--output", "nobrowser"])
        .env("PATH", "/nonexistent")
        .env_remove("PEER_EVAL_CHROMIUM")
        .current_dir(work.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let dir = work.path().join("nobrowser/all");
    assert!(dir.join("report.html").is_file() && !dir.join("report.pdf").exists());
    let run = read_json(&dir.join("run.json"));
    let warning = run["issues"].as_array().unwrap().iter().find(|i| i["code"] == "pdf_not_written").unwrap();
    assert!(warning["message"].as_str().unwrap().contains("`chromium` package"));
}

/// Activity pages compare each figure with the activity type and the programme,
/// give the response rate and cost, and list the activity's own data issues.
#[test]
fn activity_pages_compare_and_list_their_own_issues() {
    let work = sample();
    let page =
        |id: &str| std::fs::read_to_string(work.path().join(format!("output/all/activities/{id}.html"))).unwrap();
    let sv06 = page("SV-06");
    assert!(sv06.contains("the end date 2018-04-14 is before the start date 2018-04-24"));
    assert!(sv06.contains("(1 day)") && !sv06.contains("(1 days)"));
    let sv01 = page("SV-01");
    assert!(sv01.contains("Same type") && sv01.contains("Programme"));
    assert!(sv01.contains("Cost per participant</th><td>€3,671"));
    assert!(sv01.contains("No problem was found in this activity's rows."));
    assert!(!sv01.contains("2018-04-14"), "another activity's issue");
}

/// The report and an activity page have no horizontal overflow at 390 px (a phone)
/// and 1280 px: headless Chromium measures `document.documentElement.scrollWidth`
/// from a harness page that frames them (tables may scroll inside their own box).
#[test]
fn no_horizontal_overflow_on_a_phone_or_a_laptop() {
    if chromium().is_none() {
        tool_missing("Chromium (Debian's chromium)");
        return;
    }
    let work = sample();
    let dir = work.path().join("output/all");
    // TW-05 has 9 responses: its page draws the Likert chart.
    for page in ["report.html", "activities/TW-05.html"] {
        let harness = dir.join("harness.html");
        let frames: String = [390, 1280]
            .iter()
            .map(|w| format!(r#"<iframe id="w{w}" src="{page}" style="width:{w}px;height:700px;border:0"></iframe>"#))
            .collect();
        std::fs::write(
            &harness,
            format!(
                r#"<!DOCTYPE html><html><body>{frames}<pre id="out">pending</pre><script>
const out = {{}};
function measure(id) {{
  const doc = document.getElementById(id).contentDocument;
  const e = doc.documentElement;
  // The smallest chart text as drawn: its font size times the chart's scale.
  let smallest = 1000;
  for (const svg of doc.querySelectorAll("svg")) {{
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll("text")) {{
      if (!t.textContent.trim()) continue;
      smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * scale);
    }}
  }}
  out[id] = [e.scrollWidth, e.clientWidth, smallest];
  if (Object.keys(out).length == 2) document.getElementById("out").textContent = JSON.stringify(out);
}}
for (const id of ["w390", "w1280"]) document.getElementById(id).onload = () => measure(id);
</script></body></html>"#
            ),
        )
        .unwrap();
        let browser = chromium().unwrap();
        let dom = dump_dom_of(&browser, &work.path().join("layout-profile"), &harness, None, 5_000);
        let json = dom.split("<pre id=\"out\">").nth(1).and_then(|s| s.split("</pre>").next()).unwrap();
        let widths: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{page}: {json} ({e})"));
        for frame in ["w390", "w1280"] {
            let (scroll, client) = (widths[frame][0].as_u64().unwrap(), widths[frame][1].as_u64().unwrap());
            assert!(scroll <= client, "{page} at {frame}: {scroll} px wide in a {client} px window");
            // Chart text stays readable: 10 px or more as drawn (it was about 6 px at 390).
            let smallest = widths[frame][2].as_f64().unwrap();
            assert!(smallest >= 10.0, "{page} at {frame}: chart text drawn at {smallest:.1} px");
            assert!(smallest < 100.0, "{page} at {frame}: no chart text measured");
        }
    }
}

/// The Satisfaction sheet has one column per level of the configured scale: a
/// 7-point item gets Level 1 … Level 7 (the sheet assumed five before).
#[test]
fn satisfaction_sheet_follows_the_configured_scale() {
    let work = Workdir::new();
    work.config(
        "[privacy]\nmin_group_size = 2\n[[likert.items]]\nid = \"overall_satisfaction\"\nlabel = \"Overall satisfaction\"\npoints = 7\n",
    );
    work.xlsx(
        "register.xlsx",
        &[(
            "Activities",
            vec![
                vec![T("activity_id"), T("type"), T("start_date"), T("end_date"), T("participants")],
                vec![T("A1"), T("training"), D(2019, 1, 10), D(2019, 1, 11), N(10.0)],
            ],
        )],
    );
    work.xlsx(
        "survey.xlsx",
        &[(
            "Responses",
            vec![
                vec![T("activity_id"), T("overall_satisfaction")],
                vec![T("A1"), N(7.0)],
                vec![T("A1"), N(6.0)],
                vec![T("A1"), N(2.0)],
            ],
        )],
    );
    let out = work.run(&["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut wb: Xlsx<_> = open_workbook(work.path().join("output/all/evaluation.xlsx")).unwrap();
    let sheet = wb.worksheet_range("Satisfaction").unwrap();
    let header: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let level = |l: usize| header.iter().position(|h| *h == format!("Level {l}")).expect("level column");
    assert!(!header.contains(&"Level 8".to_string()));
    let row = sheet.rows().nth(1).unwrap();
    assert_eq!(row[header.iter().position(|h| h == "Levels").unwrap()], Data::Float(7.0));
    // Answers 7, 6 and 2: one each at levels 2, 6 and 7, none elsewhere.
    let counts: Vec<Data> = (1..=7).map(|l| row[level(l)].clone()).collect();
    let f = Data::Float;
    assert_eq!(counts, [f(0.0), f(1.0), f(0.0), f(0.0), f(0.0), f(1.0), f(1.0)]);
    // Top two of a 7-point scale are levels 6 and 7: 2 of 3; the mean is 15 / 3 = 5.
    let top2 = header.iter().position(|h| h == "Top two").unwrap();
    assert!(matches!(row[top2], Data::Float(v) if (v - 2.0 / 3.0).abs() < 1e-12), "{:?}", row[top2]);
    assert!(matches!(row[4], Data::Float(v) if (v - 5.0).abs() < 1e-12), "{:?}", row[4]);
}
