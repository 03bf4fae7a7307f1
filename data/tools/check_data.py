#!/usr/bin/env python3
"""Validate jobstream's reference CSVs (standard library only).

usage: check_data.py [DATA_DIR]   (default: the data/ folder above this script)

Reads only the CSV files of DATA_DIR: it needs no download and no other file.

Checks file format (UTF-8, no BOM, LF, header, no trailing blank line), value
types, primary keys, foreign keys, minimum counts, share sums and alias rules.
Prints every violation and exits 1 if there is any, else prints a summary and
exits 0.
"""
import csv
import io
import os
import re
import sys
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(HERE)

ERRORS = []


def err(msg):
    ERRORS.append(msg)


HEADERS = {
    "job_families.csv": ["family", "description"],
    "seniority_levels.csv": ["level", "rank", "min_years", "max_years", "salary_min", "salary_max"],
    "job_titles.csv": ["title", "family", "seniority", "domain"],
    "skills.csv": ["skill", "skill_group"],
    "skill_aliases.csv": ["alias", "skill"],
    "family_skills.csv": ["family", "skill"],
    "certifications.csv": ["certification", "issuer", "family"],
    "countries.csv": ["country_code", "country", "iso3", "region", "subregion", "language"],
    "cities.csv": ["city", "country_code", "latitude", "longitude", "population"],
    "employment_types.csv": ["employment_type", "share"],
    "education_levels.csv": ["education_level", "rank", "years_after_secondary", "gpa_min", "gpa_max"],
    "work_modes.csv": ["work_mode", "share"],
    "industries.csv": ["industry", "sector", "naics_code"],
    "platforms.csv": ["platform", "publisher_id", "base_bid"],
    "companies.csv": ["company", "company_id", "industry", "country_code"],
    "first_names.csv": ["country_code", "first_name", "gender"],
    "last_names.csv": ["country_code", "last_name"],
    "application_statuses.csv": ["status", "ordinal", "terminal"],
    "custom_tracks.csv": ["custom_track"],
    "title_skills.csv": ["title", "skill"],
}
# columns that may be empty (NULL); all others must be non-empty
NULLABLE = {("countries.csv", "language"), ("countries.csv", "region"), ("countries.csv", "subregion")}


def load(name):
    path = os.path.join(DATA, name)
    if not os.path.exists(path):
        err(f"{name}: file missing")
        return []
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        err(f"{name}: starts with a byte-order mark")
    if b"\r" in raw:
        err(f"{name}: contains CR characters (line endings must be LF)")
    if not raw.endswith(b"\n") or raw.endswith(b"\n\n"):
        err(f"{name}: must end with exactly one newline (no trailing blank line)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        err(f"{name}: not valid UTF-8 ({e})")
        return []
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        err(f"{name}: empty")
        return []
    header, body = rows[0], rows[1:]
    if header != HEADERS[name]:
        err(f"{name}: header {header} != {HEADERS[name]}")
        return []
    out = []
    for i, r in enumerate(body, 2):
        if len(r) != len(header):
            err(f"{name}:{i}: {len(r)} fields, expected {len(header)}")
            continue
        d = dict(zip(header, r))
        for k, v in d.items():
            if v == "" and (name, k) not in NULLABLE:
                err(f"{name}:{i}: empty {k}")
            if v.strip().upper() == "NULL":
                err(f"{name}:{i}: literal NULL in {k}")
            if v != v.strip():
                err(f"{name}:{i}: leading/trailing blanks in {k}: {v!r}")
        d["_line"] = i
        out.append(d)
    return out


def unique(name, rows, cols, casefold=False):
    seen = {}
    for r in rows:
        key = tuple(r[c].casefold() if casefold else r[c] for c in cols)
        if key in seen:
            err(f"{name}:{r['_line']}: duplicate key {key} (first at line {seen[key]})")
        else:
            seen[key] = r["_line"]


def fk(name, rows, col, target_name, target_values):
    for r in rows:
        if r[col] not in target_values:
            err(f"{name}:{r['_line']}: {col}={r[col]!r} not found in {target_name}")


INT4 = (-2**31, 2**31 - 1)


def as_int(name, r, col, lo=None, hi=None):
    v = r[col]
    if not re.fullmatch(r"-?\d+", v):
        err(f"{name}:{r['_line']}: {col}={v!r} is not an integer")
        return None
    n = int(v)
    if not INT4[0] <= n <= INT4[1]:
        err(f"{name}:{r['_line']}: {col}={v} out of integer range")
    if lo is not None and n < lo or hi is not None and n > hi:
        err(f"{name}:{r['_line']}: {col}={v} outside [{lo}, {hi}]")
    return n


def as_dec(name, r, col, lo=None, hi=None, places=None):
    v = r[col]
    if not re.fullmatch(r"-?\d+(\.\d+)?", v):
        err(f"{name}:{r['_line']}: {col}={v!r} is not a decimal")
        return None
    try:
        d = Decimal(v)
    except InvalidOperation:
        err(f"{name}:{r['_line']}: {col}={v!r} is not a decimal")
        return None
    if lo is not None and d < lo or hi is not None and d > hi:
        err(f"{name}:{r['_line']}: {col}={v} outside [{lo}, {hi}]")
    if places:
        n = len(v.split(".")[1]) if "." in v else 0
        if not places[0] <= n <= places[1]:
            err(f"{name}:{r['_line']}: {col}={v} must have {places[0]}-{places[1]} decimals")
    return d


def need(cond, msg):
    if not cond:
        err(msg)


def main():
    T = {n: load(n) for n in HEADERS}

    # 1 job families
    fam = T["job_families.csv"]
    unique("job_families.csv", fam, ["family"])
    need(len(fam) == 13, f"job_families.csv: {len(fam)} rows, expected exactly 13")
    families = {r["family"] for r in fam}

    # 2 seniority
    sen = T["seniority_levels.csv"]
    expected = ["Intern", "Entry", "Junior", "Mid", "Senior", "Lead", "Director", "Executive"]
    need([r["level"] for r in sen] == expected,
         f"seniority_levels.csv: levels must be exactly {expected} in order")
    prev = None
    for i, r in enumerate(sen, 1):
        rank = as_int("seniority_levels.csv", r, "rank")
        need(rank == i, f"seniority_levels.csv:{r['_line']}: rank {rank} != {i}")
        y0, y1 = as_int("seniority_levels.csv", r, "min_years", 0), as_int("seniority_levels.csv", r, "max_years", 0)
        s0, s1 = as_int("seniority_levels.csv", r, "salary_min", 1), as_int("seniority_levels.csv", r, "salary_max", 1)
        if None in (y0, y1, s0, s1):
            continue
        need(y0 < y1, f"seniority_levels.csv:{r['_line']}: min_years >= max_years")
        need(s0 < s1, f"seniority_levels.csv:{r['_line']}: salary_min >= salary_max")
        if prev:
            need(s0 > prev[0] and s1 > prev[1],
                 f"seniority_levels.csv:{r['_line']}: salary band not above previous level's")
            need(y0 >= prev[2] and y1 >= prev[3],
                 f"seniority_levels.csv:{r['_line']}: years range decreases")
        prev = (s0, s1, y0, y1)
    levels = {r["level"] for r in sen}

    # 3 job titles
    jt = T["job_titles.csv"]
    unique("job_titles.csv", jt, ["title"])
    fk("job_titles.csv", jt, "family", "job_families.csv", families)
    fk("job_titles.csv", jt, "seniority", "seniority_levels.csv", levels)
    need(len(jt) >= 300, f"job_titles.csv: {len(jt)} rows, need >= 300")
    per_fam = defaultdict(list)
    for r in jt:
        per_fam[r["family"]].append(r["seniority"])
    for f in families:
        need(len(per_fam[f]) >= 15, f"job_titles.csv: family {f} has {len(per_fam[f])} titles, need >= 15")
        need(len(set(per_fam[f])) >= 4, f"job_titles.csv: family {f} has titles at {len(set(per_fam[f]))} levels, need >= 4")

    # 4 skills
    sk = T["skills.csv"]
    unique("skills.csv", sk, ["skill"])
    unique("skills.csv", sk, ["skill"], casefold=True)
    for r in sk:
        need(r["skill_group"] in ("technical", "business", "soft"),
             f"skills.csv:{r['_line']}: bad skill_group {r['skill_group']!r}")
    need(len(sk) >= 250, f"skills.csv: {len(sk)} rows, need >= 250")
    skills = {r["skill"] for r in sk}
    group = {r["skill"]: r["skill_group"] for r in sk}
    for s in ["C++", "C#", ".NET", "Node.js", "CI/CD", "Machine Learning", "Natural Language Processing",
              "Google Analytics", "Python", "SQL", "Kubernetes", "Apache Kafka", "PostgreSQL", "React",
              "Power BI", "Excel", "Salesforce", "Communication", "Teamwork", "Leadership"]:
        need(s in skills, f"skills.csv: required skill {s!r} missing")
    for g in ("technical", "business", "soft"):
        need(any(v == g for v in group.values()), f"skills.csv: no {g} skills")

    # 5 aliases
    al = T["skill_aliases.csv"]
    unique("skill_aliases.csv", al, ["alias"], casefold=True)
    fk("skill_aliases.csv", al, "skill", "skills.csv", skills)
    canon = {s.casefold() for s in skills}
    for r in al:
        need(r["alias"].casefold() not in canon,
             f"skill_aliases.csv:{r['_line']}: alias {r['alias']!r} equals a canonical skill name")
    need(len(al) >= 80, f"skill_aliases.csv: {len(al)} rows, need >= 80")

    # 6 family skills
    fs = T["family_skills.csv"]
    unique("family_skills.csv", fs, ["family", "skill"])
    fk("family_skills.csv", fs, "family", "job_families.csv", families)
    fk("family_skills.csv", fs, "skill", "skills.csv", skills)
    fsk = defaultdict(list)
    for r in fs:
        fsk[r["family"]].append(group.get(r["skill"]))
    for f in families:
        g = fsk[f]
        need(len(g) >= 20, f"family_skills.csv: family {f} has {len(g)} skills, need >= 20")
        need(g.count("soft") >= 3, f"family_skills.csv: family {f} has {g.count('soft')} soft skills, need >= 3")
        nb = g.count("business") + g.count("technical")
        need(nb >= 3, f"family_skills.csv: family {f} has {nb} business/technical skills, need >= 3")

    # 7 certifications
    ce = T["certifications.csv"]
    unique("certifications.csv", ce, ["certification", "family"])
    fk("certifications.csv", ce, "family", "job_families.csv", families)
    need(len(ce) >= 60, f"certifications.csv: {len(ce)} rows, need >= 60")
    cf = Counter(r["family"] for r in ce)
    for f in families:
        need(cf[f] >= 3, f"certifications.csv: family {f} has {cf[f]} certifications, need >= 3")
    iss = defaultdict(set)
    for r in ce:
        iss[r["certification"]].add(r["issuer"])
    for c, v in iss.items():
        need(len(v) == 1, f"certifications.csv: {c!r} has several issuers {sorted(v)}")

    # 8 countries
    co = T["countries.csv"]
    unique("countries.csv", co, ["country_code"])
    unique("countries.csv", co, ["country"])
    for r in co:
        need(re.fullmatch(r"[A-Z]{2}", r["country_code"]) is not None,
             f"countries.csv:{r['_line']}: bad country_code {r['country_code']!r}")
        need(re.fullmatch(r"[A-Z]{3}", r["iso3"]) is not None,
             f"countries.csv:{r['_line']}: bad iso3 {r['iso3']!r}")
    ccs = {r["country_code"] for r in co}
    need("NA" in ccs, "countries.csv: Namibia (NA) missing")
    need(len(co) >= 240, f"countries.csv: {len(co)} rows, expected ~249")

    # 9 cities
    ci = T["cities.csv"]
    unique("cities.csv", ci, ["city", "country_code"])
    fk("cities.csv", ci, "country_code", "countries.csv", ccs)
    for r in ci:
        as_dec("cities.csv", r, "latitude", Decimal(-90), Decimal(90))
        as_dec("cities.csv", r, "longitude", Decimal(-180), Decimal(180))
        as_int("cities.csv", r, "population", 0)
    need(len(ci) >= 150, f"cities.csv: {len(ci)} rows, need >= 150")
    city_cc = Counter(r["country_code"] for r in ci)

    # 10 employment types
    et = T["employment_types.csv"]
    unique("employment_types.csv", et, ["employment_type"])
    need(len(et) == 7, f"employment_types.csv: {len(et)} rows, expected exactly 7")
    shares = {r["employment_type"]: as_dec("employment_types.csv", r, "share", Decimal(0), Decimal(1)) for r in et}
    if None not in shares.values() and shares:
        need(sum(shares.values()) == Decimal(1), f"employment_types.csv: shares sum to {sum(shares.values())}, not 1.0")
        need(shares.get("Full-time", 0) == max(shares.values()), "employment_types.csv: Full-time must be dominant")
        need(shares.get("Full-time", 0) > Decimal("0.5"), "employment_types.csv: Full-time share should exceed 0.5")

    # 11 education levels
    ed = T["education_levels.csv"]
    unique("education_levels.csv", ed, ["education_level"])
    need(len(ed) == 8, f"education_levels.csv: {len(ed)} rows, expected exactly 8")
    for i, r in enumerate(ed, 1):
        need(as_int("education_levels.csv", r, "rank") == i, f"education_levels.csv:{r['_line']}: rank must be {i}")
        as_int("education_levels.csv", r, "years_after_secondary", 0, 15)
        g0 = as_dec("education_levels.csv", r, "gpa_min", Decimal(0), Decimal(4))
        g1 = as_dec("education_levels.csv", r, "gpa_max", Decimal(0), Decimal(4))
        if g0 is not None and g1 is not None:
            need(g0 < g1, f"education_levels.csv:{r['_line']}: gpa_min >= gpa_max")
    need(ed and ed[0]["years_after_secondary"] == "0", "education_levels.csv: first level must have 0 years")

    # 12 work modes
    wm = T["work_modes.csv"]
    need(sorted(r["work_mode"] for r in wm) == ["Hybrid", "On-site", "Remote"],
         "work_modes.csv: must be exactly On-site, Remote, Hybrid")
    ws = [as_dec("work_modes.csv", r, "share", Decimal(0), Decimal(1)) for r in wm]
    if None not in ws:
        need(sum(ws) == Decimal(1), f"work_modes.csv: shares sum to {sum(ws)}, not 1.0")

    # 13 industries
    ind = T["industries.csv"]
    unique("industries.csv", ind, ["industry"])
    for r in ind:
        need(re.fullmatch(r"\d{2,6}", r["naics_code"]) is not None,
             f"industries.csv:{r['_line']}: bad naics_code {r['naics_code']!r}")
    need(len(ind) >= 50, f"industries.csv: {len(ind)} rows, need >= 50")
    industries = {r["industry"] for r in ind}

    # 14 platforms
    pl = T["platforms.csv"]
    unique("platforms.csv", pl, ["platform"])
    unique("platforms.csv", pl, ["publisher_id"])
    need(len(pl) == 20, f"platforms.csv: {len(pl)} rows, expected exactly 20")
    ids = {as_int("platforms.csv", r, "publisher_id", 1, 20) for r in pl}
    need(ids == set(range(1, 21)), "platforms.csv: publisher_id must be 1..20")
    bids = {as_dec("platforms.csv", r, "base_bid", Decimal("0.10"), Decimal("5.00"), (2, 4)) for r in pl}
    need(len(bids) > 5, "platforms.csv: base_bid should vary by platform")

    # 15 companies
    cp = T["companies.csv"]
    unique("companies.csv", cp, ["company"])
    unique("companies.csv", cp, ["company"], casefold=True)
    unique("companies.csv", cp, ["company_id"])
    fk("companies.csv", cp, "industry", "industries.csv", industries)
    fk("companies.csv", cp, "country_code", "countries.csv", ccs)
    cids = [as_int("companies.csv", r, "company_id", 1) for r in cp]
    need(sorted(c for c in cids if c) == list(range(1, len(cp) + 1)), "companies.csv: company_id must be 1..N")
    need(len(cp) >= 300, f"companies.csv: {len(cp)} rows, need >= 300")
    cpc = {r["country_code"] for r in cp}
    need(len(cpc) >= 25, f"companies.csv: {len(cpc)} countries, need >= 25")
    cpi = {r["industry"] for r in cp}
    need(len(cpi) >= 40, f"companies.csv: {len(cpi)} industries, need >= 40")
    for cc in sorted(cpc):
        need(city_cc[cc] >= 3, f"cities.csv: company country {cc} has {city_cc[cc]} cities, need >= 3")

    # 16/17 names
    fn = T["first_names.csv"]
    unique("first_names.csv", fn, ["country_code", "first_name", "gender"])
    fk("first_names.csv", fn, "country_code", "countries.csv", ccs)
    for r in fn:
        need(r["gender"] in ("M", "F"), f"first_names.csv:{r['_line']}: gender {r['gender']!r}")
    ln = T["last_names.csv"]
    unique("last_names.csv", ln, ["country_code", "last_name"])
    fk("last_names.csv", ln, "country_code", "countries.csv", ccs)
    for name, rows, col in (("first_names.csv", fn, "first_name"), ("last_names.csv", ln, "last_name")):
        for r in rows:
            if not re.fullmatch(r"[A-Za-z\u00C0-\u024F\u1E00-\u1EFF' .\-]+", r[col]):
                err(f"{name}:{r['_line']}: {col} {r[col]!r} is not Latin script")
        need(len(rows) >= 1000, f"{name}: only {len(rows)} rows")
    for bad in ("Berrdo", "Ferndo", "Leordo"):
        need(all(r["first_name"] != bad for r in fn), f"first_names.csv: damaged name {bad} present")

    # 18 statuses
    st = T["application_statuses.csv"]
    exp = [("Applied", "1", "false"), ("Under Review", "2", "false"), ("Interview Scheduled", "3", "false"),
           ("Offer Extended", "4", "false"), ("Hired", "5", "true"), ("Not a Fit", "6", "true"),
           ("Rejected", "7", "true"), ("Withdrawn", "8", "true")]
    need([(r["status"], r["ordinal"], r["terminal"]) for r in st] == exp,
         "application_statuses.csv: rows must be exactly " + str(exp))

    # 19 custom tracks
    ct = T["custom_tracks.csv"]
    need(sorted(r["custom_track"] for r in ct) == ["click", "conversion", "qualified", "unqualified"],
         "custom_tracks.csv: must be click, conversion, qualified, unqualified")

    # 20 title skills (derived by build_title_skills.py): skills of the
    # title's own family, three or more per listed title
    ts = T["title_skills.csv"]
    unique("title_skills.csv", ts, ["title", "skill"])
    fk("title_skills.csv", ts, "title", "job_titles.csv", {r["title"] for r in jt})
    fk("title_skills.csv", ts, "skill", "skills.csv", skills)
    title_family = {r["title"]: r["family"] for r in jt}
    family_set = {(r["family"], r["skill"]) for r in fs}
    per_title = defaultdict(int)
    for r in ts:
        per_title[r["title"]] += 1
        if r["title"] in title_family:
            need((title_family[r["title"]], r["skill"]) in family_set,
                 f"title_skills.csv:{r['_line']}: {r['skill']!r} is not a skill of {r['title']!r}'s family")
    for t, n in sorted(per_title.items()):
        need(n >= 3, f"title_skills.csv: title {t!r} has {n} skills, need 0 or >= 3")

    if ERRORS:
        for e in ERRORS:
            print("ERROR:", e)
        print(f"{len(ERRORS)} error(s)")
        sys.exit(1)
    for n in HEADERS:
        print(f"ok {n}: {len(T[n])} rows")
    print("all checks passed")


if __name__ == "__main__":
    main()
