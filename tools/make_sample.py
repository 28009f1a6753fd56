#!/usr/bin/env python3
"""Writes the sample input folder (input/) from the EU-FRANK appendix.

The activities are those of the appendix of the EU-FRANK final report
(shared/seeds/001_*.txt): dates, hosts, locations, phases and participating
states as written there. Survey responses, attendance, needs, follow-ups and
country profiles are generated with a fixed seed. A few realistic mistakes are
planted on purpose so that `peer-eval validate` has something to say; they are
listed in docs/sample-data.md.

Run from the repository root:  python3 tools/make_sample.py
Needs: openpyxl, odfpy (pip install openpyxl odfpy).
"""

import csv
import datetime as dt
import os
import random

import openpyxl
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

OUT = "input"
rng = random.Random(2017)

D = dt.date

# id, type, title, start, end, host, location, participating, phases, goals, participants, cost, follow-up, project
ACTIVITIES = [
    ("SV-01", "Study visit", "Selection mission in Ankara", D(2016, 11, 9), D(2016, 11, 11), "Belgium", "Ankara",
     "Bulgaria, Lithuania", "2-4", "operational, informational", 6, 22026.40, "Debriefing note shared", "EU-FRANK"),
    ("SV-02", "Study visit", "Reception centre Friedland and arrival in Hannover", D(2017, 6, 20), D(2017, 6, 21),
     "Germany", "Friedland", "Bulgaria; Czech Republic; Italy; Netherlands; Portugal", "phases 5–6",
     "informational, relational", 13, 26180.53, "follow-up call", "EU-FRANK"),
    ("SV-03", "Study visit", "Arrival at Schiphol and post-arrival services", D(2017, 9, 19), D(2017, 9, 21),
     "the Netherlands", "Schiphol", "Lithuania, Slovakia, Slovenia, Sweden", "5-6", "motivational", 9, 29686.45,
     "documents exchanged", "EU-FRANK"),
    ("SV-04", "Study visit", "Swiss selection mission in Amman", D(2017, 11, 21), D(2017, 11, 22), "Switzerland",
     "Amman", "Estonia, Italy, Netherlands, Portugal, Slovakia", "2", "motivational, operational", 16, None,
     "follow-up call", "EU-FRANK"),
    ("SV-05", "Study visit", "Dutch pre-departure orientation in Kampala", D(2017, 12, 12), D(2017, 12, 15),
     "Netherlands", "Kampala", "Slovenia, Luxemburg, Latvia", "phase 4", None, 13, 33543.94, None, "EU-FRANK"),
    ("SV-06", "Study visit", "Norwegian cultural orientation (IOM) in Beirut", D(2018, 4, 24), D(2018, 4, 26), "Norway",
     "Beirut", "Estonia, Belgium, France, Netherlands, Romania, Slovenia, Slovakia, Sweden, United Kingdom", "4",
     "informational", 21, 18646.65, "Handbook chapter drafted", "EU-FRANK"),
    ("SV-07", "Study visit", "PDO at ICMC's Resettlement Support Centre, Istanbul", D(2018, 5, 3), D(2018, 5, 6),
     "Netherlands", "Istanbul",
     "Canada, Estonia, Luxemburg, Netherlands, Romania, Sweden, United States of America, United Kingdom, EASO, IOM, "
     "Jesuit Refugee Service, Caritas International", "4", "informational, innovative", 18, 31713.27, None, "EU-FRANK"),
    ("SV-08", "Study visit", "Dossier selection in Malmö", D(2018, 10, 24), D(2018, 10, 25), "Sweden", "Malmö",
     "Estonia, Italy, Netherlands, Romania, Germany, United Kingdom", "3", "operational", 12, 15410.00,
     "follow-up call", "EU-FRANK"),
    ("SV-09", "Study visit", "Selection mission in Nairobi and Kakuma", "11 March 2019", "15 March 2019", "Canada",
     "Nairobi and Kakuma", "Estonia, Netherlands, Romania, Sweden, United Kingdom, EASO, IOM, UNHCR", "2-4",
     "operational, informational", 14, 41220.10, "Joint mission checklist", "EU-FRANK"),
    ("SV-10", "Study visit", "German selection mission in Amman", "14/08/2019", "15/08/2019", "Germany", "Amman",
     "Canada, Lithuania, Norway, Netherlands, Portugal, Sweden, Italy, United Kingdom", "2–3", "operational", 15,
     24980.00, None, "EU-FRANK"),
    ("SS-01", "Small-scale exchange", "Portugal visits Germany: missions to Egypt", D(2018, 4, 10), D(2018, 4, 10),
     "Germany", "Nuremberg", "Portugal", "2, 5", "informational, operational", 3, 4210.00, "Contacts list shared",
     "EU-FRANK"),
    ("SS-02", "Small scale exchnge", "Portugal visits France: matching for placement", D(2019, 10, 17),
     D(2019, 10, 17), "France", "Paris", "Portugal", "6", "informational", 2, 3890.00, None, "EU-FRANK"),
    ("SS-03", "Small-scale exchange", "Finland and Germany: selection missions to Niger", D(2019, 5, 14),
     D(2019, 5, 14), "Germany", "Berlin", "Finland", "2", "operational", 4, 2950.00, None, "EU-FRANK"),
    ("SS-04", "Small-scale exchange", "Finland and Switzerland: selection missions to Niger", D(2019, 6, 4),
     D(2019, 6, 4), "Switzerland", "Bern", "Finland", "2", "operational", 3, 2740.00, None, "EU-FRANK"),
    ("TW-01", "Thematic workshop", "Head of mission meeting", D(2018, 9, 18), D(2018, 9, 19), "Canada", "Brussels",
     "Iceland, Italy, Norway, Belgium, Finland, France, Germany, Netherlands, Portugal, Sweden", "2",
     "operational, relational", 24, 21830.00, "Annual meeting agreed", "EU-FRANK"),
    ("OM-01", "Operational meeting", "Operational meeting on resettlement (OMR)", D(2019, 1, 22), D(2019, 1, 23),
     "Jordan", "Amman", "Germany, Netherlands, Sweden, Norway, Finland, UNHCR", "2, 3", "operational", 17, 12650.00,
     None, "EU-FRANK"),
    ("TW-02", "Thematic workshop", "Selection mission experience exchange: first workshop", D(2019, 12, 3),
     D(2019, 12, 4), "Sweden", "Stockholm", "Belgium, Finland, France, Germany, Ireland, Netherlands, Norway, Spain",
     "2-3", "innovative, relational", 19, 18420.00, "Good-practice note", "EU-FRANK"),
    ("TW-03", "Thematic workshop", "Integration aspects in the selection process: a Swiss example", D(2020, 4, 22),
     D(2020, 4, 22), "Switzerland", "online", "Belgium, Finland, Germany, Netherlands, Norway, Sweden", "2, 6",
     "informational", 22, 900.00, None, "EU-FRANK"),
    ("TW-04", "Thematic workshop", "Remote interviewing (with EASO)", D(2020, 5, 19), D(2020, 5, 19), "Sweden",
     "online", "Belgium, Finland, France, Germany, Netherlands, Norway, Spain, EASO", "2", "innovative, operational",
     27, 950.00, "Remote interviewing guidance", "EU-FRANK"),
    ("TW-05", "Thematic workshop", "Small-scale missions: the Bulgarian programme", D(2020, 6, 9), D(2020, 6, 9),
     "Bulgaria", "online", "Croatia, Finland, Germany, Netherlands, Portugal, Sweden", "2, 5", "informational", 16,
     800.00, None, "EU-FRANK"),
    ("TW-06", "Thematic workshop", "Setting up a selection mission team", D(2020, 6, 23), D(2020, 6, 23), "Sweden",
     "online", "Belgium, Finland, Germany, Netherlands, Norway, Portugal", "2", "operational, relational", 18, 800.00,
     "Team set-up checklist", "EU-FRANK"),
    ("WG-C2", "Working group", "Component 2 working group, first meeting (series 2017–2019)", D(2017, 3, 7), D(2017, 3, 8),
     "Belgium", "Brussels", "Italy, Netherlands, Switzerland, Sweden, EASO, IOM, UNHCR", "1-6",
     "innovative, operational", 11, 48200.00, "15 tools published", "EU-FRANK"),
    ("WG-C3", "Working group", "Component 3 working group, first meeting (series 2017–2019)", D(2017, 4, 4), D(2017, 4, 5),
     "Sweden", "Stockholm", "Belgium, Italy, Netherlands, Switzerland, EASO, ICMC, IOM, UNHCR", "2-6",
     "informational, innovative", 13, 52100.00, "Training part of the ETC", "EU-FRANK"),
]

# Planted mistakes in the register (listed in docs/sample-data.md).
BAD_ACTIVITY_ROWS = [
    # A copy of SV-03 pasted twice: the later row is rejected (duplicate_id).
    ACTIVITIES[2],
    # A planned workshop whose date was mistyped: rejected (bad_date).
    ("TW-07", "Thematic workshop", "Resettlement of medical cases", "31/02/2020", None, "Sweden", "online",
     "Finland, Norway", "6", "informational", None, None, None, "EU-FRANK"),
]

COUNTRY_CODES = {
    "Austria": "AT", "Belgium": "BE", "Bulgaria": "BG", "Canada": "CA", "Croatia": "HR", "Czech Republic": "CZ",
    "Estonia": "EE", "Finland": "FI", "France": "FR", "Germany": "DE", "Iceland": "IS", "Ireland": "IE",
    "Italy": "IT", "Latvia": "LV", "Lithuania": "LT", "Luxemburg": "LU", "Netherlands": "NL", "Norway": "NO",
    "Portugal": "PT", "Romania": "RO", "Slovakia": "SK", "Slovenia": "SI", "Spain": "ES", "Sweden": "SE",
    "Switzerland": "CH", "United Kingdom": "GB", "United States of America": "US",
}
EXPERIENCE = {
    "AT": "emerging", "BE": "emerging", "BG": "new", "CA": "experienced", "HR": "new", "CZ": "new",
    "EE": "new", "FI": "experienced", "FR": "experienced", "DE": "experienced", "IS": "emerging", "IE": "emerging",
    "IT": "emerging", "LV": "new", "LT": "new", "LU": "new", "NL": "experienced", "NO": "experienced",
    "PT": "emerging", "RO": "new", "SK": "new", "SI": "new", "ES": "emerging", "SE": "experienced",
    "CH": "experienced", "GB": "experienced", "US": "experienced",
}
AIMS = ["motivational", "informational", "operational", "relational", "innovative"]
LABELS = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
COMMENTS = [None, None, None, "Very useful visit.", "More time for questions needed.",
            "Excellent organisation.", "The field visit was the highlight.", "Too much content for two days."]


def countries_of(activity):
    names = [n.strip() for n in activity[7].replace(";", ",").split(",")]
    return [COUNTRY_CODES[n] for n in names if n in COUNTRY_CODES]


def write_activities():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Activity register"
    ws["A1"] = "EU-FRANK activity register, 2016–2020"
    ws.merge_cells("A1:F1")
    ws["A2"] = "Maintained by the project secretariat. One row per activity."
    headers = ["Activity ID", "Type of activity", "Title", "Start", "End", "Host country", "Location",
               "Participating states", "Phases covered", "Goals", "No. of participants", "Cost (EUR)",
               "Follow-up", "Project"]
    ws.append([])
    ws.append(headers)
    for row in ACTIVITIES + BAD_ACTIVITY_ROWS:
        ws.append(list(row))
    for cell in ws["D"] + ws["E"]:
        if isinstance(cell.value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    # SV-06: end date typed before the start date (warning, end ignored).
    for row in ws.iter_rows(min_row=5):
        if row[0].value == "SV-06":
            row[4].value = dt.date(2018, 4, 14)
    wb.save(os.path.join(OUT, "activities.xlsx"))


def respondents(activity, n):
    codes = countries_of(activity) or ["NL"]
    return [rng.choice(codes) for _ in range(n)]


def likert(center):
    return max(1, min(5, round(rng.gauss(center, 0.9))))


def response_row(rid, activity, country, center):
    aim = rng.choice(AIMS + [None])
    return {
        "Response ID": f"R{rid:04d}",
        "Activity": activity[0],
        "Respondent": f"P-{country}-{rng.randint(1, 6)}",
        "Submitted": None,
        "Country": {v: k for k, v in COUNTRY_CODES.items()}[country],
        "Experience": EXPERIENCE[country],
        "Overall satisfaction": likert(center),
        "Relevance of the agenda": likert(center - 0.2),
        "Met expectations": likert(center),
        "Applicability to my work": likert(center - 0.1),
        "Quality of the organisation": likert(center + 0.1),
        "How likely are you to recommend this activity to a colleague?": min(10, max(0, round(rng.gauss(8, 1.8)))),
        "Participation aim": aim,
        "Intent to apply": rng.choice(["yes", "yes", "partly", "no"]),
        "New contacts": rng.choice([0, 1, 2, 3, None]),
        "Comments": rng.choice(COMMENTS),
    }


def write_responses():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Responses"
    rows = []
    rid = 1
    for activity in ACTIVITIES:
        if activity[0] == "TW-05":
            continue  # its survey arrives as a separate CSV export
        start = activity[3] if isinstance(activity[3], dt.date) else None
        n = max(2, int((activity[10] or 6) * rng.uniform(0.4, 0.8)))
        center = rng.uniform(3.6, 4.5)
        for country in respondents(activity, n):
            row = response_row(rid, activity, country, center)
            row["Submitted"] = (start or D(2019, 8, 20)) + dt.timedelta(days=rng.randint(3, 20))
            rows.append(row)
            rid += 1
    headers = list(rows[0].keys())
    ws.append(headers)
    for row in rows:
        ws.append([row[h] for h in headers])
    # Planted mistakes: an activity id that is not in the register (rejected),
    # a 6 on a 5-point item and an 11 on the 0–10 scale (ignored, row kept).
    bad = dict(rows[0])
    bad.update({"Response ID": f"R{rid:04d}", "Activity": "SV-11"})
    ws.append([bad[h] for h in headers])
    ws.cell(row=6, column=headers.index("Overall satisfaction") + 1).value = 6
    ws.cell(row=9, column=headers.index("How likely are you to recommend this activity to a colleague?") + 1).value = 11
    for cell in ws["D"][1:]:
        cell.number_format = "yyyy-mm-dd"
    wb.save(os.path.join(OUT, "responses.xlsx"))
    return rid + 1


def write_csv_survey(rid):
    """A survey-tool export for TW-05: no activity column, labels instead of numbers."""
    activity = next(a for a in ACTIVITIES if a[0] == "TW-05")
    headers = ["Timestamp", "Your country", "Q1. Overall satisfaction", "Q2. Relevance of the agenda",
               "Q3. Met expectations", "Q4. Applicability to my work", "Q5. Quality of the organisation",
               "Q6. Likelihood to recommend", "Q7. Intent to apply", "Q8. New contacts"]
    with open(os.path.join(OUT, "survey_TW-05.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(headers)
        for i, country in enumerate(respondents(activity, 9)):
            answers = [LABELS[likert(4.1) - 1] for _ in range(5)]
            if i == 3:
                answers[1] = "N/A"
            w.writerow([f"{10 + i}/06/2020 {9 + i % 5}:{10 + i}:00",
                        {v: k for k, v in COUNTRY_CODES.items()}[country], *answers,
                        rng.randint(6, 10), rng.choice(["Yes", "Partly", "No"]), rng.choice([0, 1, 2])])


def write_needs():
    """The December 2017 needs questionnaire, wide form: x or a priority per phase."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Needs"
    ws.append(["Needs assessment questionnaire, December 2017"])
    ws.append([])
    ws.append(["Country", "Identification & referral", "Selection mission & interviews",
               "Dossier selection & decision", "Pre-departure orientation", "Travel & arrival",
               "Reception & post-arrival support"])
    rows = {
        "Bulgaria": [None, 1, 1, None, "x", None],
        "Croatia": [None, 1, 2, None, 1, None],
        "Czechia": [None, "x", None, None, None, 1],
        "Estonia": [None, 2, None, 1, 1, None],
        "Latvia": [None, None, None, "x", 1, "x"],
        "Lithuania": [None, 1, None, None, None, 2],
        "Luxembourg": [2, None, None, 1, None, None],
        "Portugal": [None, 1, "x", None, None, 1],
        "Romania": [None, None, 1, "x", None, None],
        "Slovakia": [1, None, None, None, "x", None],
        "Slovenia": [None, None, None, 1, None, "x"],
        "Spain": [1, 1, None, None, None, None],
        "Czechoslovakia": [None, 1, None, None, None, None],
    }
    for country, marks in rows.items():
        ws.append([country] + marks)
    wb.save(os.path.join(OUT, "needs.xlsx"))


def ods_sheet(name, rows):
    table = Table(name=name)
    for values in rows:
        tr = TableRow()
        for value in values:
            if value is None:
                tc = TableCell()
            elif isinstance(value, (int, float)):
                tc = TableCell(valuetype="float", value=value)
                tc.addElement(P(text=str(value)))
            else:
                tc = TableCell(valuetype="string")
                tc.addElement(P(text=str(value)))
            tr.addElement(tc)
        table.addElement(tr)
    return table


def write_programme():
    """Attendance, follow-ups and country profiles in one LibreOffice file."""
    doc = OpenDocumentSpreadsheet()
    attendance = [["Activity", "Participant", "Country", "Experience", "Role"]]
    followups = [["Activity", "Respondent", "Country", "Months after", "Applied", "Shared internally",
                  "Further contact", "Change"]]
    for activity in ACTIVITIES:
        host = COUNTRY_CODES.get(activity[5].replace("the ", ""))
        people = set()
        for country in respondents(activity, activity[10] or 4):
            people.add((country, rng.randint(1, 6)))
        for country, k in sorted(people):
            attendance.append([activity[0], f"P-{country}-{k}", country, EXPERIENCE[country], "participant"])
        if host:
            attendance.append([activity[0], f"P-{host}-9", host, EXPERIENCE[host], "host"])
        for country, k in sorted(people)[:3]:
            followups.append([activity[0], f"P-{country}-{k}", country, rng.choice([3, 6, 12]),
                              rng.choice(["yes", "partly", "no", None]), rng.choice(["yes", "no"]),
                              rng.choice(["yes", "no", None]), None])
    # Planted mistake: a follow-up whose applied answer is not yes/partly/no (ignored).
    followups[4][4] = "maybe"
    profiles = [["Country", "Experience", "Welfare support (months)", "Governance", "Annual quota",
                 "experience_selection_mission", "experience_reception"]]
    details = {
        "AT": (12, "federal", 20), "BE": (12, "federal", 300), "BG": (18, None, 100), "CA": (12, "federal", 2000),
        "HR": (24, "centralised", 100), "CZ": (36, "centralised", 50), "EE": (24, "centralised", 80),
        "FI": (36, "centralised", 750), "FR": (12, "centralised", 3000), "DE": (24, "federal", 4600),
        "IS": (12, "centralised", 50), "IE": (12, "centralised", 600), "IT": (12, "regional", 500),
        "LV": (12, "centralised", 50), "LT": (12, "centralised", 100), "LU": (12, "centralised", 50),
        "NL": (12, "centralised", 500), "NO": (60, "centralised", 3000), "PT": (18, "centralised", 1000),
        "RO": (12, "centralised", 40), "SK": (12, "centralised", 20), "SI": (12, "centralised", 40),
        "ES": (18, "regional", 1200), "SE": (24, "centralised", 5000), "CH": (24, "federal", 1500),
        "GB": (12, "centralised", 5000), "US": (8, "federal", 30000),
    }
    names = {v: k for k, v in COUNTRY_CODES.items()}
    for code, (months, governance, quota) in sorted(details.items()):
        exp = EXPERIENCE[code]
        per_phase_mission = "experienced" if code in ("PT", "ES") else None
        per_phase_reception = "experienced" if code in ("LT", "IE") else None
        profiles.append([names[code], exp, months, governance, quota, per_phase_mission, per_phase_reception])
    doc.spreadsheet.addElement(ods_sheet("Attendance", attendance))
    doc.spreadsheet.addElement(ods_sheet("Follow-ups", followups))
    doc.spreadsheet.addElement(ods_sheet("Country profiles", profiles))
    doc.save(os.path.join(OUT, "programme.ods"))


def main():
    os.makedirs(OUT, exist_ok=True)
    write_activities()
    rid = write_responses()
    write_csv_survey(rid)
    write_needs()
    write_programme()


if __name__ == "__main__":
    main()
