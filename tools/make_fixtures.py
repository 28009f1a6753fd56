#!/usr/bin/env python3
"""Writes the small legacy fixtures that rust_xlsxwriter cannot make:
tests/fixtures/legacy_register.xls (BIFF8, via xlwt) and
tests/fixtures/survey_responses.ods (OpenDocument, via odfpy).
Run from the repository root: python3 tools/make_fixtures.py
"""
import datetime as dt

import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

wb = xlwt.Workbook()
ws = wb.add_sheet("Register")
date = xlwt.easyxf(num_format_str="YYYY-MM-DD")
ws.write(0, 0, "Activity register (legacy .xls)")
headers = ["Activity ID", "Type of activity", "Start date", "End date", "Phase(s)", "No. of participants"]
for c, h in enumerate(headers):
    ws.write(2, c, h)
rows = [
    ("L-01", "Study visit", dt.date(2015, 5, 4), dt.date(2015, 5, 6), "2–4", 8),
    ("L-02", "Workshop", dt.date(2015, 10, 1), None, "6", 12),
]
for r, row in enumerate(rows, start=3):
    for c, v in enumerate(row):
        if isinstance(v, dt.date):
            ws.write(r, c, v, date)
        elif v is not None:
            ws.write(r, c, v)
wb.save("tests/fixtures/legacy_register.xls")

doc = OpenDocumentSpreadsheet()
table = Table(name="Responses")
data = [
    ["activity_id", "Overall satisfaction", "recommend"],
    ["L-01", "Very satisfied", 9],
    ["L-01", "Satisfied", 10],
    ["L-02", "N/A", 4],
]
for values in data:
    tr = TableRow()
    for v in values:
        if isinstance(v, (int, float)):
            tc = TableCell(valuetype="float", value=v)
        else:
            tc = TableCell(valuetype="string")
        tc.addElement(P(text=str(v)))
        tr.addElement(tc)
    table.addElement(tr)
doc.spreadsheet.addElement(table)
doc.save("tests/fixtures/survey_responses.ods")
