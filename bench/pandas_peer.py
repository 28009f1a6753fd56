#!/usr/bin/env python3
"""The pandas peer of SPEC §10: the same core indicators computed with pandas.

Reads every workbook of an input folder with pandas.read_excel (engine given on
the command line: calamine or openpyxl), computes the core indicators (activities,
participants, satisfaction top-two and mean, NPS, goal statement rate, per
activity type), and writes an Excel workbook with XlsxWriter and an HTML page
with Jinja2. Used only by bench/run.sh to time the peer against peer-eval.

    python3 bench/pandas_peer.py INPUT_DIR OUT_DIR calamine|openpyxl
"""
import glob
import os
import sys

import jinja2
import pandas as pd


def main():
    input_dir, out_dir, engine = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out_dir, exist_ok=True)
    frames = {"activities": [], "responses": []}
    for path in sorted(glob.glob(os.path.join(input_dir, "*.xlsx"))):
        for name, frame in pd.read_excel(path, sheet_name=None, engine=engine).items():
            if "response_id" in frame.columns:
                frames["responses"].append(frame)
            elif "type" in frame.columns and "activity_id" in frame.columns:
                frames["activities"].append(frame)
    activities = pd.concat(frames["activities"])
    responses = pd.concat(frames["responses"])
    responses = responses.merge(activities[["activity_id", "type"]], on="activity_id", how="inner")
    sat = responses["overall_satisfaction"].dropna()
    rec = responses["recommend"].dropna()
    summary = {
        "activities_total": len(activities),
        "participants_total": float(activities["participants"].sum()),
        "stated_goal_rate": float(activities["goals"].notna().mean()),
        "satisfaction_top2": float((sat >= 4).mean()),
        "satisfaction_mean": float(sat.mean()),
        "nps": float(100 * ((rec >= 9).mean() - (rec <= 6).mean())),
    }
    by_type = responses.groupby("type")["overall_satisfaction"].agg(
        n="count", mean="mean", top2=lambda s: (s.dropna() >= 4).mean()
    ).reset_index()
    with pd.ExcelWriter(os.path.join(out_dir, "evaluation.xlsx"), engine="xlsxwriter") as writer:
        pd.DataFrame([summary]).to_excel(writer, sheet_name="Summary", index=False)
        by_type.to_excel(writer, sheet_name="Satisfaction", index=False)
        activities.to_excel(writer, sheet_name="Activities", index=False)
    template = jinja2.Template(
        "<html><body><h1>Evaluation</h1><ul>{% for k, v in summary.items() %}<li>{{k}}: {{v}}</li>{% endfor %}</ul>"
        "{{ table }}</body></html>"
    )
    with open(os.path.join(out_dir, "report.html"), "w") as f:
        f.write(template.render(summary=summary, table=by_type.to_html()))


if __name__ == "__main__":
    main()
