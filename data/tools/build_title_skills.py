#!/usr/bin/env python3
"""Derive data/title_skills.csv: which skills hang off which job title.

usage: build_title_skills.py ONET_DIR [DATA_DIR]

ONET_DIR holds four files of the O*NET 29.2 Database (CC BY 4.0, USDOL/ETA,
https://www.onetcenter.org/database.html), tab-separated, under these names:
  occupation_data.tsv            "Occupation Data.txt"
  alternate_titles.tsv           "Alternate Titles.txt"
  sample_of_reported_titles.tsv  "Sample of Reported Titles.txt"
  technology_skills.tsv          "Technology Skills.txt"
DATA_DIR defaults to the data/ folder above this script; the script reads its
job_titles.csv, family_skills.csv, skills.csv and skill_aliases.csv and
writes title_skills.csv there.

A title is matched to O*NET occupations by name, case-insensitively: the
title itself, then without its seniority words (Associate, Junior, Senior,
Lead, Staff, Principal, Head of, Director of, VP of ... Intern, Manager),
against the occupations' titles (also without the plural s), alternate
titles and reported titles; the first form that matches wins.  Its skills
are the technology examples of those occupations whose name (or an alias of
ours) is a skill of skills.csv and belongs to the title's family
(family_skills.csv), so a title's skills are a subset of its family's.  A
title with fewer than three such skills is left out: generators fall back to
the family's skills for it.  Output: header title,skill, rows sorted, LF,
deterministic.  Standard library only.
"""
import csv
import io
import os
import re
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
MIN_SKILLS = 3
SENIORITY_PREFIX = re.compile(
    r"^(associate|junior|senior|lead|staff|principal|head of|director of|vp of|chief)\s+", re.I)
SENIORITY_SUFFIX = re.compile(r"\s+(intern|manager)$", re.I)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    onet = sys.argv[1]
    data = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(HERE)

    family_skills = defaultdict(set)
    for r in read_csv(os.path.join(data, "family_skills.csv")):
        family_skills[r["family"]].add(r["skill"])
    canonical = {r["skill"].lower(): r["skill"] for r in read_csv(os.path.join(data, "skills.csv"))}
    for r in read_csv(os.path.join(data, "skill_aliases.csv")):
        canonical.setdefault(r["alias"].lower(), r["skill"])

    codes_by_name = defaultdict(set)
    for r in read_tsv(os.path.join(onet, "occupation_data.tsv")):
        name = r["Title"].strip().lower()
        codes_by_name[name].add(r["O*NET-SOC Code"])
        codes_by_name[re.sub(r"s$", "", name)].add(r["O*NET-SOC Code"])
    for r in read_tsv(os.path.join(onet, "alternate_titles.tsv")):
        codes_by_name[r["Alternate Title"].strip().lower()].add(r["O*NET-SOC Code"])
    for r in read_tsv(os.path.join(onet, "sample_of_reported_titles.tsv")):
        codes_by_name[r["Reported Job Title"].strip().lower()].add(r["O*NET-SOC Code"])
    tech = defaultdict(set)
    for r in read_tsv(os.path.join(onet, "technology_skills.tsv")):
        skill = canonical.get(r["Example"].strip().lower())
        if skill:
            tech[r["O*NET-SOC Code"]].add(skill)

    rows = []
    matched = 0
    titles = read_csv(os.path.join(data, "job_titles.csv"))
    for t in titles:
        stripped = SENIORITY_PREFIX.sub("", t["title"])
        codes = set()
        for form in (t["title"], stripped, SENIORITY_SUFFIX.sub("", stripped)):
            codes = codes_by_name.get(form.lower(), set())
            if codes:
                break
        skills = set()
        for c in codes:
            skills |= tech[c]
        skills &= family_skills[t["family"]]
        if len(skills) >= MIN_SKILLS:
            matched += 1
            rows.extend((t["title"], s) for s in skills)

    rows.sort()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["title", "skill"])
    w.writerows(rows)
    with open(os.path.join(data, "title_skills.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())
    print(f"title_skills.csv: {len(rows)} rows, {matched} of {len(titles)} titles")


if __name__ == "__main__":
    main()
