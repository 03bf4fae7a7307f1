#!/usr/bin/env python3
r"""Regenerate jobstream's reference CSVs in data/ (Python 3, standard library only).

usage: build_data.py [--out DIR] [UPSTREAM_DIR]
       build_data.py --hand-only [--out DIR]
       build_data.py --sources

Hand-written tables come from handdata.py (next to this script) and need
nothing else.  Derived tables (countries, cities, industries' sector titles,
companies, first_names, last_names) are computed from public upstream files
that are NOT in the repository: download them into UPSTREAM_DIR (default
data/upstream/, ignored by git) with the layout that --sources prints, one
"path<TAB>URL<TAB>licence" line per file, each URL pinned to a commit:

    python3 data/tools/build_data.py --sources |
    while IFS="$(printf '\t')" read -r path url licence; do
        mkdir -p "data/upstream/$(dirname "$path")"
        curl -fsSL -o "data/upstream/$path" "$url"
    done
    python3 data/tools/build_data.py

A missing upstream file is reported with its URL (exit status 2).
--hand-only rebuilds only the hand-written tables; --out writes the CSVs to
DIR instead of data/ (to compare a rebuild with the committed files).
Output is deterministic.  data/SOURCES.md gives each file's origin and
licence.
"""
import csv
import io
import os
import re
import sys
import unicodedata
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import handdata as H  # noqa: E402

DATA = os.path.dirname(HERE)  # data/
OUT = DATA  # where write_csv writes; --out changes it

# The public upstream files the derived tables are computed from: local path
# under UPSTREAM_DIR, URL pinned to a commit, licence.  Where a file was kept
# under another name in an earlier snapshot, that name is accepted too.
UPSTREAM = [
    ("cities/cities15000.csv",
     "https://raw.githubusercontent.com/FloodLink/FloodLink_v2/"
     "3940a008d8fb98b9d832569c70f0d541a8f66289/cities15000.csv",
     "GeoNames data, CC BY 4.0 (repository MIT)"),
    ("countries/country-codes.csv",
     "https://raw.githubusercontent.com/datasets/country-codes/"
     "caa72d1e0e5af8876c170bb36a9e4d64a01bba88/data/country-codes.csv",
     "ODC-PDDL"),
    ("countries/language-codes.csv",
     "https://raw.githubusercontent.com/datasets/language-codes/"
     "2787e945225a6daaa75d9f3812a977c9f89c61bc/data/language-codes.csv",
     "ODC-PDDL"),
    ("companies/constituents.csv",
     "https://raw.githubusercontent.com/datasets/s-and-p-500-companies/"
     "56509dd80619e4d8e1410c2260d68ddd3eab6068/data/constituents.csv",
     "ODC-PDDL"),
    ("companies/Forbes_Global_2000_(2025).csv",
     "https://raw.githubusercontent.com/FSFahim/Forbes-Global2000-Analysis-24-25/"
     "bc7061d0483658b0ce9b691624acd55d5b3ccdea/datasets/scraped_data/Forbes_Global_2000_%282025%29.csv",
     "repository MIT; only name, industry and country (facts) are used"),
    ("industries/naics_2022.csv",
     "https://raw.githubusercontent.com/SAWGraph/streamlit-app/"
     "3fe1cb255abe81d563018842b6dbfe29b7febc0c/data/naics_2022.csv",
     "U.S. Census Bureau NAICS 2022, public domain"),
    ("names/common-forenames-by-country.csv",
     "https://raw.githubusercontent.com/sigpwned/popular-names-by-country-dataset/"
     "eb62e13d4d62dd96cdfae79d293a02066352205f/common-forenames-by-country.csv",
     "CC0 1.0"),
    ("names/common-surnames-by-country.csv",
     "https://raw.githubusercontent.com/sigpwned/popular-names-by-country-dataset/"
     "eb62e13d4d62dd96cdfae79d293a02066352205f/common-surnames-by-country.csv",
     "CC0 1.0"),
]
OTHER_NAMES = {
    "companies/constituents.csv": "companies/sp500_constituents.csv",
    "companies/Forbes_Global_2000_(2025).csv": "companies/global_companies_name_industry_country.csv",
    "industries/naics_2022.csv": "industries/naics_2022_census_raw.csv",
}


def upstream(src, path):
    """The file of UPSTREAM path under src (or its earlier name)."""
    p = os.path.join(src, path)
    if not os.path.exists(p) and path in OTHER_NAMES:
        alt = os.path.join(src, OTHER_NAMES[path])
        if os.path.exists(alt):
            return alt
    return p


def missing_upstream(src):
    """The UPSTREAM entries that are not under src."""
    return [u for u in UPSTREAM if not os.path.isfile(upstream(src, u[0]))]


def write_csv(name, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    text = buf.getvalue().rstrip("\n")
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="") as f:
        f.write(text + "\n")
    print(f"{name}: {len(rows)} rows")


def read_csv(path, **kw):
    with open(path, encoding=kw.pop("encoding", "utf-8"), newline="") as f:
        return list(csv.DictReader(f, **kw))


# ---------------------------------------------------------------- hand-written tables
def build_handwritten():
    write_csv("job_families.csv", ["family", "description"], H.JOB_FAMILIES)
    write_csv("seniority_levels.csv",
              ["level", "rank", "min_years", "max_years", "salary_min", "salary_max"],
              H.SENIORITY_LEVELS)

    titles = []
    seen = set()
    for fam, spec in H.TITLE_SPECS.items():
        for role, domain, codes in spec["roles"]:
            for c in codes:
                lvl = H.LEVEL_CODES[c]
                t = H.PATTERNS[lvl].format(role=role)
                titles.append((t, fam, lvl, domain))
        for t, lvl, domain in spec["extra"]:
            titles.append((t, fam, lvl, domain))
    rows = []
    for t in titles:
        if t[0] in seen:
            raise SystemExit(f"duplicate title {t[0]}")
        seen.add(t[0])
        rows.append(t)
    write_csv("job_titles.csv", ["title", "family", "seniority", "domain"], rows)

    skills = [(s, "technical") for s in H.TECHNICAL] + [(s, "business") for s in H.BUSINESS] + \
             [(s, "soft") for s in H.SOFT]
    write_csv("skills.csv", ["skill", "skill_group"], skills)
    write_csv("skill_aliases.csv", ["alias", "skill"], H.SKILL_ALIASES)
    fs = []
    for fam, lst in H.FAMILY_SKILLS.items():
        done = set()
        for s in lst:
            if s not in done:
                done.add(s)
                fs.append((fam, s))
    write_csv("family_skills.csv", ["family", "skill"], fs)
    write_csv("certifications.csv", ["certification", "issuer", "family"], H.CERTIFICATIONS)
    write_csv("employment_types.csv", ["employment_type", "share"], H.EMPLOYMENT_TYPES)
    write_csv("education_levels.csv",
              ["education_level", "rank", "years_after_secondary", "gpa_min", "gpa_max"],
              H.EDUCATION_LEVELS)
    write_csv("work_modes.csv", ["work_mode", "share"], H.WORK_MODES)
    write_csv("platforms.csv", ["platform", "publisher_id", "base_bid"], H.PLATFORMS)
    write_csv("application_statuses.csv", ["status", "ordinal", "terminal"], H.APPLICATION_STATUSES)
    write_csv("custom_tracks.csv", ["custom_track"], [(t,) for t in H.CUSTOM_TRACKS])


# ---------------------------------------------------------------- industries
NAICS_LEVELS = {2: "sector", 3: "subsector", 4: "industry_group", 5: "naics_industry",
                6: "national_industry"}


def load_naics(src):
    """NAICS 2022 code -> (title, level) from the Census code file: its stray
    lines are skipped and the Census "T" footnote marker is cut off titles."""
    naics = {}
    with open(upstream(src, "industries/naics_2022.csv"), encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if len(row) < 2:
                continue
            code = row[0].strip()
            if not re.fullmatch(r"\d{2,6}|\d{2}-\d{2}", code):
                continue  # the blank first line and the header
            title = row[1].strip()
            if title.endswith("T"):
                title = title[:-1].rstrip()
            naics[code] = (title, "sector" if "-" in code else NAICS_LEVELS[len(code)])
    return naics


def build_industries(src):
    naics = load_naics(src)
    sector_title = {}
    for code, (title, level) in naics.items():
        if level == "sector":
            if "-" in code:
                a, b = code.split("-")
                for c in range(int(a), int(b) + 1):
                    sector_title[str(c)] = title
            else:
                sector_title[code] = title
    rows = []
    for ind, code in H.INDUSTRIES:
        if code not in naics:
            raise SystemExit(f"NAICS code {code} for {ind} not in the NAICS 2022 code file")
        rows.append((ind, sector_title[code[:2]], code))
    write_csv("industries.csv", ["industry", "sector", "naics_code"], rows)
    return {r[0] for r in rows}


# ---------------------------------------------------------------- countries
NAME_OVERRIDES = {"US": "United States", "GB": "United Kingdom",
                  "CD": "DR Congo", "CG": "Republic of the Congo"}
EXTRA_LANG = {"cmn": "Chinese", "fil": "Filipino", "niu": "Niuean", "pau": "Palauan",
              "tet": "Tetum", "tkl": "Tokelauan", "tvl": "Tuvaluan", "wls": "Wallisian",
              "haw": "Hawaiian", "yue": "Cantonese"}


def build_countries(src):
    langs = {r["alpha2"].strip(): r["English"].strip()
             for r in read_csv(upstream(src, "countries/language-codes.csv"))}
    rows = []
    # keep_default_na-style pitfalls do not exist in the csv module: "NA" stays "NA".
    for r in read_csv(upstream(src, "countries/country-codes.csv")):
        cc = r["ISO3166-1-Alpha-2"].strip()
        name = NAME_OVERRIDES.get(cc) or r["CLDR display name"].strip() or r["official_name_en"].strip()
        if not re.fullmatch(r"[A-Z]{2}", cc) or not name:
            continue
        iso3 = r["ISO3166-1-Alpha-3"].strip()
        first = (r["Languages"] or "").split(",")[0].strip()
        code = first.split("-")[0].lower()
        lang = langs.get(code) or EXTRA_LANG.get(code) or ""
        lang = lang.split(";")[0].strip()
        rows.append((cc, name, iso3, r["Region Name"].strip(), r["Sub-region Name"].strip(), lang))
    rows.sort()
    write_csv("countries.csv", ["country_code", "country", "iso3", "region", "subregion", "language"], rows)
    return rows


# ---------------------------------------------------------------- companies
FORBES_COUNTRY = {"United States": "US", "United Kingdom": "GB", "South Korea": "KR",
                  "Czech Republic": "CZ", "Turkey": "TR", "Vietnam": "VN", "Hong Kong": "HK",
                  "Taiwan": "TW", "Russia": "RU"}


def kw(name, words):
    return any(re.search(w, name, re.I) for w in words)


FORBES_NAME_INDUSTRY = {  # Forbes label is too coarse / wrong for these
    "LVMH Louis Vuitton Moet Hennessy": "Apparel & Luxury Goods", "arGEN-X": "Biotechnology",
    "CAPITEC": "Banking", "Airports of Thailand": "Logistics & Freight",
}


def map_forbes_industry(label, name):
    if name in FORBES_NAME_INDUSTRY:
        return FORBES_NAME_INDUSTRY[name]
    L = label
    if L == "Banking":
        return "Banking"
    if L == "Insurance":
        return "Insurance Brokerage" if kw(name, [r"\bAon\b", "Marsh", "Brown & Brown", "Willis"]) else "Insurance"
    if L == "Diversified Financials":
        if kw(name, ["Exchange", "Börse", "Borse", r"\bLSEG\b", "London Stock", r"\bCME\b", "Nasdaq", "Euronext", "B3"]):
            return "Stock Exchanges & Financial Data"
        if kw(name, ["Securities", "Nomura", "Daiwa", "Goldman", "Morgan Stanley", "Schwab", "Raymond James",
                     "Macquarie", "Btg", "Jefferies", "Huatai", "Guotai", "Haitong", "CICC"]):
            return "Investment Banking & Brokerage"
        if kw(name, ["Bank", r"\bUBS\b", "Barclays"]):
            return "Banking"
        if kw(name, ["Prologis", "Tower", "Propert", "Realty", "Land", "Estate", "REIT"]):
            return "Real Estate"
        if kw(name, ["Blackstone", "KKR", "Apollo", "BlackRock", "Brookfield", "Investor AB", "Asset",
                     "Carlyle", "EQT", "Amundi", "Partners", "Capital", "Investment", "Holdings", "Exor", "3i"]):
            return "Asset Management"
        return "Financial Services"
    if L == "Construction":
        if kw(name, ["Real Estate", "Land", "Propert", "Vanke", "Development", "Estate", "Sun Hung Kai",
                     "Longfor", "Country Garden", "Poly", "Daiwa House", "Sekisui House", "Emaar", "Aldar",
                     "Realty", "CK Asset", "Mitsui Fudosan", "Mitsubishi Estate", "Sumitomo Realty"]):
            return "Real Estate"
        if kw(name, ["Holcim", "Cement", r"\bCRH\b", "Saint-Gobain", "Conch", "Heidelberg", "UltraTech",
                     "Materials", "Geberit", "Kingspan", "Assa Abloy", "Grasim"]):
            return "Building Materials"
        return "Construction & Engineering"
    if L == "Utilities":
        if kw(name, ["Gas"]):
            return "Gas Utilities"
        if kw(name, ["Water", "Veolia", "Severn Trent"]):
            return "Water Utilities"
        if kw(name, ["Renewable", "Solar", "Wind", "Orsted", "Ørsted", "Green", "Clean"]):
            return "Renewable Energy"
        return "Electric Utilities"
    if L in ("IT Software & Services",):
        if kw(name, ["Nintendo", "NetEase", "Activision", "Electronic Arts", "Ubisoft", "Krafton", "Nexon",
                     "Capcom", "Bandai", "Square Enix", "Konami", "Take-Two", "Roblox"]):
            return "Video Games"
        if kw(name, ["Tencent", "Alibaba", r"\bMeta\b", "Alphabet", "Baidu", r"\bJD\b", "PDD", "Naver", "Kakao",
                     r"\bSea\b", "LY Corp", "Mercado", "Prosus", "Naspers", "Kuaishou", "Spotify", "Shopify",
                     "Rakuten", "Yandex", "Zomato", "Eternal", "Delivery Hero", "Adyen", "Coupang", "Grab",
                     "Airbnb", "Booking", "DoorDash", "Netflix", "Xiaomi", "Meituan", "Pinduoduo", "ByteDance"]):
            return "Internet & Online Services"
        if kw(name, ["Consult", "Infosys", "Tata Consultancy", "Wipro", "HCL", "Accenture", "Capgemini",
                     "Fujitsu", r"\bNEC\b", "NTT Data", "Cognizant", "Tech Mahindra", r"\bCGI\b", "Atos",
                     "Nomura Research", "LTIMindtree", "Otsuka", "SCSK", "Samsung SDS", "TIS"]):
            return "IT Services & Consulting"
        return "Software"
    if L == "Technology Hardware & Equipment":
        if kw(name, ["Nokia", "Ericsson", r"\bZTE\b", "Cisco", "Motorola", "Arista", "Zhongji", "Eoptolink"]):
            return "Communications Equipment"
        if kw(name, ["Samsung Electronics", "Apple", "Lenovo", r"\bDell\b", r"\bHP\b", "Quanta", "Hon Hai",
                     "Foxconn", "Pegatron", "Wistron", "Compal", "Asustek", "Acer", "Inventec", "Canon",
                     "Ricoh", "Fujifilm", "Seiko Epson", "Super Micro", "Inspur", "Xiaomi"]):
            return "Computer Hardware"
        if kw(name, ["Sony", "LG Electronics", "Panasonic", "Sharp"]):
            return "Consumer Electronics & Appliances"
        return "Electronic Components"
    if L == "Semiconductors":
        if kw(name, ["ASML", "Applied Materials", "Lam Research", "Tokyo Electron", r"\bKLA\b", "Advantest",
                     "Lasertec", "Disco", "ASM International", "Naura", "Screen"]):
            return "Semiconductor Equipment"
        return "Semiconductors"
    if L == "Oil & Gas Operations":
        if kw(name, ["Refin", "Reliance", "Petrochemical", "Indian Oil", "Bharat Petroleum", "Hindustan Petroleum",
                     "Sinopec", "ENEOS", "Idemitsu", "SK Innovation", "S-Oil", "Neste", "Valero", "Phillips 66",
                     "Marathon Petroleum", "Formosa", "Cosmo", "Polski Koncern", "Orlen", "Ultrapar", "Ampol"]):
            return "Oil Refining"
        if kw(name, ["Pipeline", "Enbridge", "TC Energy", "Pembina", "Kinder", "Williams", "Enterprise Products",
                     "Keyera", "Energy Transfer", "Snam"]):
            return "Pipelines"
        if kw(name, ["Schlumberger", r"\bSLB\b", "Halliburton", "Baker Hughes", "Tenaris", "Oilfield", "Offshore"]):
            return "Oil & Gas Services"
        if kw(name, ["Coal", "Shenhua"]):
            return "Mining"
        return "Oil & Gas"
    if L in ("Materials", "Construction, Chemicals, Raw Materials"):
        if kw(name, ["Air Products"]):
            return "Chemicals"
        if kw(name, ["Steel", "Iron", "Posco", "ArcelorMittal", "Nucor", r"\bJFE\b", "Tenaris", "Alumin",
                     "Hindalco", "Vedanta", "Metal", "JSW", "Baoshan", "Hongqiao", "Nippon Steel", "Hyundai Steel",
                     "Gerdau", "Norsk Hydro", "Outokumpu", "voestalpine", "Boliden", "Jiangxi Copper"]):
            return "Steel & Metals"
        if kw(name, ["Cement", "Holcim", r"\bCRH\b", "Heidelberg", "Conch", "UltraTech", "Cemex", "Grasim",
                     "Saint-Gobain", "Vulcan", "Martin Marietta"]):
            return "Building Materials"
        if kw(name, ["Paper", "Pack", "Smurfit", "Stora", r"\bUPM\b", "Amcor", r"\bBall\b", "Crown", "Suzano",
                     "Mondi", "Oji", "Klabin", "Sappi", "Svenska Cellulosa", "Holmen"]):
            return "Paper & Packaging"
        return "Mining"
    if L == "Chemicals":
        return "Chemicals"
    if L in ("Capital Goods", "Engineering, Manufacturing", "Conglomerates"):
        if L == "Conglomerates":
            return "Conglomerates"
        if kw(name, ["Applied Materials", "Lam Research", "Tokyo Electron", "ASML", r"\bKLA\b", "Advantest"]):
            return "Semiconductor Equipment"
        if kw(name, ["BASF", "Chemical"]):
            return "Chemicals"
        if kw(name, ["Paccar", "Volvo Group", "Daimler Truck", "Traton", "Sinotruk", "Weichai", "Scania"]):
            return "Trucks & Heavy Vehicles"
        if kw(name, ["Electric", "Schneider", r"\bABB\b", "Siemens", "Amperex", r"\bEaton\b", "Vernova",
                     "Energy", "Legrand", "Hitachi", "Prysmian", "Hubbell", "Rockwell", "Emerson", "Sungrow",
                     "Nidec", "Fuji", "Vestas", "LONGi", "LG Energy", "Samsung SDI", "Battery"]):
            return "Electrical Equipment"
        return "Industrial Machinery"
    if L == "Aerospace & Defense":
        return "Aerospace & Defense"
    if L in ("Consumer Durables", "Automotive (Automotive and Suppliers)"):
        if kw(name, ["Denso", "Mobis", "Bridgestone", "Michelin", "Continental", "Aisin", "Magna", "Tire",
                     "Valeo", "Forvia", "Hankook", r"\bLear\b", "Cummins", "Fuyao", "Sumitomo Electric",
                     "Schaeffler", "Autoliv", "Aptiv", "BorgWarner", "Toyota Industries", "Bosch", "ZF"]):
            return "Auto Parts"
        if kw(name, ["Daimler Truck", "Traton", "Volvo Group", "Paccar", "Sinotruk"]):
            return "Trucks & Heavy Vehicles"
        if kw(name, ["Richemont", r"\bLVMH\b", "Herm", "Kering", "Luxottica", "EssilorLuxottica", "Adidas",
                     "Puma", "Moncler", "Prada", r"\bNike\b", "Pandora", "Anta", "Shenzhou", "Swatch",
                     "Chow Tai Fook", "Titan", "Lululemon", "Burberry", "Hermès"]):
            return "Apparel & Luxury Goods"
        if kw(name, ["Panasonic", "Sony", "Midea", "Haier", "Gree", "Electrolux", "LG Electronics", "Xiaomi",
                     "Whirlpool", "Techtronic", "Appliance", "Garmin", "Shimano", "Nintendo", "Sharp"]):
            return "Consumer Electronics & Appliances"
        return "Automotive"
    if L == "Food, Drink & Tobacco":
        if kw(name, ["Tobacco", "Philip Morris", "Altria", "Japan Tobacco", "Imperial Brands", r"\bITC\b", "KT&G"]):
            return "Tobacco"
        if kw(name, ["Beverage", "Brew", "Beer", "Coca", "Pepsi", "Heineken", "InBev", "Anheuser", "Diageo",
                     "Pernod", "Moutai", "Wuliangye", "Asahi", "Kirin", "Ambev", "Carlsberg", "Monster",
                     "Suntory", "Laojiao", "Fenjiu", "Constellation", "Keurig", "Nongfu", "Yanghe", "Spirits",
                     "Remy", "Rémy", "Campari", "Femsa", "Arca Continental"]):
            return "Beverages"
        return "Food Production"
    if L == "Household & Personal Products":
        return "Household & Personal Products"
    if L in ("Retailing", "Retail and Wholesale"):
        if kw(name, ["Inditex", r"\bH&M\b", "Hennes", "Fast Retailing", r"\bTJX\b", "Ross Stores", r"\bNext\b",
                     "Gap", "Zalando"]):
            return "Apparel Retail"
        return "Retail"
    if L == "Food Markets":
        return "Grocery Retail"
    if L == "Drugs & Biotechnology":
        if kw(name, ["Bio", "Amgen", "Gilead", "Regeneron", "Vertex", r"\bCSL\b", "Moderna", "Genmab",
                     "Argenx", "WuXi", "Celltrion", "Biogen", "Hengrui"]):
            return "Biotechnology"
        return "Pharmaceuticals"
    if L == "Health Care Equipment & Services":
        if kw(name, ["Hospital", "Health", "Fresenius", "Apollo", r"\bHCA\b", "Ramsay", "Bumrungrad", r"\bIHH\b",
                     "Dusit", "Mediclinic", "Max Healthcare", "Aier", "Sonic"]):
            return "Hospitals & Health Care"
        if kw(name, ["Pharma", "Walgreens", r"\bCVS\b", "Cencora", "McKesson", "Cardinal", "Sinopharm",
                     "Medipal", "Alfresa", "Suzuken", "Jointown"]):
            return "Pharmaceutical Distribution"
        if kw(name, ["UnitedHealth", "Elevance", "Cigna", "Humana", "Centene", "Molina"]):
            return "Health Insurance"
        if kw(name, ["Lonza", "Sartorius", "Thermo", "Danaher", "Eurofins", "Qiagen", "bioMérieux", "Sysmex",
                     "Mettler"]):
            return "Life Sciences Tools & Diagnostics"
        return "Medical Devices"
    if L == "Telecommunications Services":
        return "Telecommunications"
    if L == "Media":
        if kw(name, ["Publicis", "Omnicom", r"\bWPP\b", "Interpublic", "Dentsu", "Havas", "Focus Media"]):
            return "Advertising & Marketing Services"
        if kw(name, ["Oriental Land", "Live Nation", "Pop Mart"]):
            return "Hotels & Leisure" if "Oriental" in name else "Media & Entertainment"
        if kw(name, ["Kuaishou"]):
            return "Internet & Online Services"
        if kw(name, ["Comcast", "Charter"]):
            return "Telecommunications"
        return "Media & Entertainment"
    if L == "Hotels, Restaurants & Leisure":
        if kw(name, ["Restaurant", "McDonald", "Starbucks", "Yum", "Chipotle", "Compass", "Darden", "Sodexo",
                     "Food", "Zensho", "Domino"]):
            return "Restaurants & Food Service"
        if kw(name, ["Casino", "Sands", "Galaxy", "Wynn", "Genting", r"\bMGM\b", "Flutter", "Evolution",
                     "Entain", "Aristocrat", "Jeux", "OPAP"]):
            return "Casinos & Gaming"
        if kw(name, ["Carnival", "Royal Caribbean", "Norwegian", "Trip", "Expedia", "Booking", "TUI"]):
            return "Travel & Tourism"
        return "Hotels & Leisure"
    if L == "Transportation":
        if kw(name, ["Air", "Lufthansa", "Qantas", "Emirates", "Ryanair", "easyJet", "International Airlines",
                     "Singapore Airlines", "Cathay", r"\bANA\b", "InterGlobe"]):
            return "Airlines"
        if kw(name, ["Rail", "Pacific", r"\bCSX\b", "Norfolk", r"\bMTR\b", "Daqin", "Keikyu", "Tokyu",
                     "Hankyu", "Kintetsu", "Odakyu"]):
            return "Railroads"
        if kw(name, ["Maersk", "Shipping", "Marine", "Yusen", "Lines", "Cosco", "Hapag", "Mitsui O.S.K",
                     "Kawasaki Kisen", "Evergreen", "Yang Ming", "Wan Hai", "HMM"]):
            return "Shipping"
        if kw(name, ["Uber", "Meituan", "Grab", "DiDi", "Lyft"]):
            return "Internet & Online Services"
        if kw(name, ["Compagnie de l'Odet", "Bolloré"]):
            return "Conglomerates"
        return "Logistics & Freight"
    if L == "Trading Companies":
        if kw(name, ["Honeywell"]):
            return "Conglomerates"
        if kw(name, ["Alumin", "CMOC"]):
            return "Steel & Metals"
        if kw(name, ["Petrochemical"]):
            return "Chemicals"
        return "Wholesale Trade"
    if L == "Business Services & Supplies":
        if kw(name, ["Express", "PayPal", "Payment", r"\bVisa\b", "Mastercard", "Fiserv", "Adyen", "Worldline",
                     "Fidelity National", "Block"]):
            return "Payments & Fintech"
        if kw(name, ["Waste", "Republic Services", "Veolia"]):
            return "Waste Management"
        if kw(name, ["Fannie", "Freddie", "Synchrony", "Discover", "Finance", "Bank", "Capital"]):
            return "Consumer Finance"
        if kw(name, ["Lease", "Orix", "Leasing", "Rentals", "Ashtead", "AerCap", "Sunbelt"]):
            return "Equipment Rental & Leasing"
        if kw(name, ["Trip.com", "Expedia", "AirBnB", "Airbnb", "Booking"]):
            return "Travel & Tourism"
        if kw(name, ["RELX", "S&P Global", "Moody", "Wolters", "Thomson", "Experian", "Verisk", "Gartner"]):
            return "Information Services"
        if kw(name, ["Music", "Media"]):
            return "Media & Entertainment"
        if kw(name, ["Recruit", "Randstad", "Adecco", "Manpower", "Persol"]):
            return "Staffing & Recruiting"
        if kw(name, ["Propert", "Realty", "Simon", "Land"]):
            return "Real Estate"
        if kw(name, ["Consult", "Bureau Veritas", "SGS", "Intertek"]):
            return "Management Consulting"
        return "Business Services"
    raise SystemExit(f"unmapped Forbes industry {label!r} for {name}")


GICS_MAP = {
    "Health Care Equipment": "Medical Devices", "Health Care Supplies": "Medical Devices",
    "Semiconductors": "Semiconductors", "Semiconductor Materials & Equipment": "Semiconductor Equipment",
    "Electric Utilities": "Electric Utilities", "Multi-Utilities": "Electric Utilities",
    "Gas Utilities": "Gas Utilities", "Water Utilities": "Water Utilities",
    "Independent Power Producers & Energy Traders": "Renewable Energy",
    "Application Software": "Software", "Systems Software": "Software",
    "Industrial Machinery & Supplies & Components": "Industrial Machinery",
    "Construction Machinery & Heavy Transportation Equipment": "Industrial Machinery",
    "Agricultural & Farm Machinery": "Industrial Machinery",
    "Aerospace & Defense": "Aerospace & Defense",
    "Asset Management & Custody Banks": "Asset Management",
    "Building Products": "Building Materials", "Construction Materials": "Building Materials",
    "Oil & Gas Exploration & Production": "Oil & Gas", "Integrated Oil & Gas": "Oil & Gas",
    "Oil & Gas Equipment & Services": "Oil & Gas Services", "Oil & Gas Refining & Marketing": "Oil Refining",
    "Oil & Gas Storage & Transportation": "Pipelines",
    "Technology Hardware, Storage & Peripherals": "Computer Hardware",
    "Transaction & Payment Processing Services": "Payments & Fintech",
    "Financial Exchanges & Data": "Stock Exchanges & Financial Data",
    "Biotechnology": "Biotechnology", "Pharmaceuticals": "Pharmaceuticals",
    "Life Sciences Tools & Services": "Life Sciences Tools & Diagnostics",
    "Hotels, Resorts & Cruise Lines": "Hotels & Leisure", "Leisure Products": "Consumer Electronics & Appliances",
    "Property & Casualty Insurance": "Insurance", "Life & Health Insurance": "Insurance",
    "Multi-line Insurance": "Insurance", "Reinsurance": "Insurance", "Insurance Brokers": "Insurance Brokerage",
    "Packaged Foods & Meats": "Food Production", "Agricultural Products & Services": "Agriculture",
    "Diversified Banks": "Banking", "Regional Banks": "Banking",
    "Specialty Chemicals": "Chemicals", "Commodity Chemicals": "Chemicals", "Industrial Gases": "Chemicals",
    "Fertilizers & Agricultural Chemicals": "Chemicals",
    "Communications Equipment": "Communications Equipment",
    "Investment Banking & Brokerage": "Investment Banking & Brokerage",
    "Multi-Sector Holdings": "Conglomerates", "Industrial Conglomerates": "Conglomerates",
    "Restaurants": "Restaurants & Food Service", "Systems": "Software",
    "Paper & Plastic Packaging Products & Materials": "Paper & Packaging",
    "Metal, Glass & Plastic Containers": "Paper & Packaging",
    "Electrical Components & Equipment": "Electrical Equipment", "Heavy Electrical Equipment": "Electrical Equipment",
    "Health Care Services": "Health Care Services", "Health Care Facilities": "Hospitals & Health Care",
    "Managed Health Care": "Health Insurance", "Health Care Distributors": "Pharmaceutical Distribution",
    "Health Care Technology": "Software",
    "Consumer Staples Merchandise Retail": "Retail", "Broadline Retail": "Retail",
    "Food Retail": "Grocery Retail", "Food Distributors": "Wholesale Trade",
    "Apparel Retail": "Apparel Retail", "Automotive Retail": "Retail", "Home Improvement Retail": "Retail",
    "Other Specialty Retail": "Retail", "Computer & Electronics Retail": "Retail", "Homefurnishing Retail": "Retail",
    "Movies & Entertainment": "Media & Entertainment", "Interactive Home Entertainment": "Video Games",
    "Interactive Media & Services": "Internet & Online Services",
    "Internet Services & Infrastructure": "Cloud & Data Hosting",
    "Data Processing & Outsourced Services": "Business Services",
    "IT Consulting & Other Services": "IT Services & Consulting",
    "Air Freight & Logistics": "Logistics & Freight", "Cargo Ground Transportation": "Trucking",
    "Rail Transportation": "Railroads", "Passenger Airlines": "Airlines",
    "Passenger Ground Transportation": "Internet & Online Services",
    "Household Products": "Household & Personal Products", "Personal Care Products": "Household & Personal Products",
    "Soft Drinks & Non-alcoholic Beverages": "Beverages", "Distillers & Vintners": "Beverages",
    "Brewers": "Beverages", "Tobacco": "Tobacco",
    "Construction & Engineering": "Construction & Engineering", "Homebuilding": "Homebuilding",
    "Electronic Equipment & Instruments": "Electronic Components", "Electronic Components": "Electronic Components",
    "Electronic Manufacturing Services": "Electronic Components", "Technology Distributors": "Wholesale Trade",
    "Apparel, Accessories & Luxury Goods": "Apparel & Luxury Goods", "Footwear": "Apparel & Luxury Goods",
    "Environmental & Facilities Services": "Waste Management",
    "Consumer Finance": "Consumer Finance",
    "Telecom Tower REITs": "Real Estate", "Multi-Family Residential REITs": "Real Estate",
    "Retail REITs": "Real Estate", "Health Care REITs": "Real Estate", "Office REITs": "Real Estate",
    "Data Center REITs": "Cloud & Data Hosting", "Self-Storage REITs": "Real Estate",
    "Hotel & Resort REITs": "Real Estate", "Single-Family Residential REITs": "Real Estate",
    "Other Specialized REITs": "Real Estate", "Industrial REITs": "Real Estate", "Timber REITs": "Real Estate",
    "Real Estate Services": "Real Estate",
    "Advertising": "Advertising & Marketing Services", "Broadcasting": "Broadcasting",
    "Cable & Satellite": "Telecommunications", "Publishing": "Publishing",
    "Integrated Telecommunication Services": "Telecommunications",
    "Wireless Telecommunication Services": "Telecommunications",
    "Automobile Manufacturers": "Automotive", "Automotive Parts & Equipment": "Auto Parts",
    "Casinos & Gaming": "Casinos & Gaming",
    "Diversified Support Services": "Business Services",
    "Human Resource & Employment Services": "Staffing & Recruiting",
    "Research & Consulting Services": "Management Consulting",
    "Trading Companies & Distributors": "Wholesale Trade", "Distributors": "Wholesale Trade",
    "Steel": "Steel & Metals", "Copper": "Mining", "Gold": "Mining",
    "Consumer Electronics": "Consumer Electronics & Appliances",
    "Specialized Consumer Services": "Business Services",
}

FORBES_PER_COUNTRY = 20       # cap per non-US country (file order = Forbes rank)
FORBES_PER_COUNTRY_BIG = 30   # for CN, JP


def build_companies(src, country_rows, city_counts, industries):
    iso = {}
    for cc, name, *_ in country_rows:
        iso[name] = cc
    for r in read_csv(upstream(src, "countries/country-codes.csv")):
        cc = r["ISO3166-1-Alpha-2"].strip()
        for col in ("CLDR display name", "official_name_en", "UNTERM English Short"):
            if r[col].strip():
                iso.setdefault(r[col].strip(), cc)
    iso.update(FORBES_COUNTRY)

    rows = []
    names = set()

    def add(name, ind, cc):
        key = name.casefold()
        if key in names:
            return
        if ind not in industries:
            raise SystemExit(f"industry {ind} missing for {name}")
        names.add(key)
        rows.append([name, 0, ind, cc])

    for r in read_csv(upstream(src, "companies/constituents.csv")):
        name = re.sub(r"\s*\(Class [A-Z]\)$", "", r["Security"].strip())
        sub = r["GICS Sub-Industry"].strip()
        if sub not in GICS_MAP:
            raise SystemExit(f"unmapped GICS sub-industry {sub}")
        add(name, GICS_MAP[sub], "US")

    per = defaultdict(int)
    skipped = defaultdict(int)
    for r in read_csv(upstream(src, "companies/Forbes_Global_2000_(2025).csv")):
        r = {k.strip().lower(): v for k, v in r.items()}  # Name or name, ...
        country = r["country"].strip()
        cc = iso.get(country)
        if cc is None:
            raise SystemExit(f"unknown Forbes country {country}")
        if cc == "US":
            continue  # US companies come from the S&P 500 list
        if city_counts.get(cc, 0) < 3:
            skipped[cc] += 1  # offshore domiciles (Bermuda, Cayman Islands) lack 3 cities
            continue
        cap = FORBES_PER_COUNTRY_BIG if cc in ("CN", "JP") else FORBES_PER_COUNTRY
        if per[cc] >= cap:
            continue
        name = r["name"].strip()
        ind = map_forbes_industry(r["industry"].strip(), name)
        before = len(rows)
        add(name, ind, cc)
        if len(rows) > before:
            per[cc] += 1
    if skipped:
        print("  companies skipped (country without 3 cities):", dict(skipped))
    rows.sort(key=lambda x: (x[3] != "US", x[3], x[0].casefold()))
    for i, r in enumerate(rows, 1):
        r[1] = i
    write_csv("companies.csv", ["company", "company_id", "industry", "country_code"], rows)
    return {r[3] for r in rows}


# ---------------------------------------------------------------- cities
CITY_BLOCK = {
    # boroughs, wards and districts that GeoNames lists as separate places
    ("US", "Brooklyn"), ("US", "Queens"), ("US", "Manhattan"), ("US", "The Bronx"), ("US", "Bronx"),
    ("US", "Staten Island"), ("HK", "New Territories"), ("HK", "Hong Kong Island"), ("HK", "Victoria"),
    ("GB", "City of London"), ("AT", "Favoriten"), ("AT", "Donaustadt"), ("AT", "Floridsdorf"),
    ("AT", "Ottakring"), ("AT", "Simmering"), ("MX", "Iztapalapa"), ("MX", "Gustavo Adolfo Madero"),
    ("IE", "South Dublin"), ("IL", "West Jerusalem"), ("HU", "Zugló"), ("FR", "Marne La Vallée"),
    ("MY", "Kampung Baru Subang"), ("LB", "Ra’s Bayrūt"), ("QA", "Al Maţār al ‘Atīq"),
    ("CY", "Stróvolos"), ("PH", "Budta"), ("PH", "Malingao"), ("TH", "Phra Pradaeng"),
    ("TH", "Bang Khae"), ("TH", "Sai Mai"), ("BD", "Pallabi"), ("BD", "Mirpur Model Thana"),
    ("BD", "Mohāmmadpur"), ("IR", "Pasragad Branch"), ("EG", "Madīnat an Naşr"),
    ("SG", "Jurong Town"), ("SG", "Jurong West"),
}
CITY_BLOCK_PAT = re.compile(r"(New Town|Estate$|^Ulu |District|Prefecture| Shi$|^Sector \d|kerület|Arrondissement)")
CITIES_PER_COUNTRY = {"US": 25, "CN": 20, "IN": 15, "JP": 12, "DE": 10, "GB": 10, "FR": 8, "BR": 8,
                      "CA": 8, "KR": 8, "IT": 8, "ES": 8, "AU": 6, "MX": 6, "TR": 6,
                      "ID": 6, "SA": 5, "NL": 5, "CH": 5, "SE": 5, "TW": 5}
WORLD_TOP = 60  # plus the most populous cities worldwide


def load_cities(src):
    by = defaultdict(list)
    for r in read_csv(upstream(src, "cities/cities15000.csv")):
        cc = r["Country Code"].strip()
        name = r["Name"].strip()
        if not cc or not name or (cc, name) in CITY_BLOCK or CITY_BLOCK_PAT.search(name):
            continue
        by[cc].append((name, cc, r["Latitude"].strip(), r["Longitude"].strip(), int(r["Population"])))
    for cc in by:
        by[cc].sort(key=lambda x: (-x[4], x[0]))
    return by


def build_cities(by, valid_cc, company_ccs, name_ccs, capitals):
    chosen = {}

    def take(c):
        key = (c[0], c[1])
        if key not in chosen and c[1] in valid_cc:
            chosen[key] = c

    def take_capital(cc):
        cap = capitals.get(cc, "")
        for c in by.get(cc, []):
            if cap and (c[0] == cap or c[0] == cap + " City"):
                take(c)
                return

    # countries with companies: their largest cities (3-4 by default) and the capital
    for cc in sorted(company_ccs):
        n = CITIES_PER_COUNTRY.get(cc, 3 if len(by[cc]) < 12 else 4)
        for c in by[cc][:n]:
            take(c)
        take_capital(cc)
    # countries with name lists (candidate nationalities): largest city and capital
    for cc in sorted(name_ccs):
        for c in by.get(cc, [])[:1]:
            take(c)
        take_capital(cc)
    # the most populous cities worldwide
    allc = sorted((c for cc in by for c in by[cc]), key=lambda x: (-x[4], x[1], x[0]))
    for c in allc[:WORLD_TOP]:
        take(c)
    rows = sorted(chosen.values(), key=lambda x: (x[1], -x[4], x[0]))
    write_csv("cities.csv", ["city", "country_code", "latitude", "longitude", "population"], rows)


# ---------------------------------------------------------------- names
CONFUSABLES = str.maketrans({"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y",
                             "А": "A", "Е": "E", "О": "O", "Р": "P", "С": "C", "Х": "X", "\xa0": " "})
NA_FIXES = {"Berrdo": "Bernardo", "Ferndo": "Fernando", "Leordo": "Leonardo",
            "thaniel": "Nathaniel", "than": "Nathan"}
LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF' .\-]+$")


def strip_marks(s):
    return unicodedata.normalize("NFC", "".join(ch for ch in unicodedata.normalize("NFD", s)
                                                 if not unicodedata.combining(ch)))


def clean_name(raw, cc):
    s = (raw or "").translate(CONFUSABLES).strip()
    s = re.sub(r"\s+", " ", s)
    if cc in ("CN", "TW"):
        s = strip_marks(s)  # drop pinyin / POJ tone marks
    s = NA_FIXES.get(s, s)
    out = []
    for part in s.split("/"):
        part = part.strip()
        if part and LATIN.match(part) and part[0].isupper():
            out.append(unicodedata.normalize("NFC", part))
    return out


def build_names(src, valid_cc):
    name_ccs = set()
    rows, seen, dropped = [], set(), 0
    for r in read_csv(upstream(src, "names/common-forenames-by-country.csv"), encoding="utf-8-sig"):
        cc = r["Country"].strip()
        if cc == "SV":
            cc = "SE"  # upstream coded Sweden's list (Astrid, Nils, ...) as SV
        g = r["Gender"].strip().upper()
        if cc not in valid_cc or g not in ("M", "F"):
            dropped += 1
            continue
        names = clean_name(r["Romanized Name"], cc) or clean_name(r["Localized Name"], cc)
        if not names:
            dropped += 1
        for n in names:
            k = (cc, n, g)
            if k not in seen:
                seen.add(k)
                rows.append(k)
                name_ccs.add(cc)
    rows.sort()
    print(f"  forenames dropped: {dropped}")
    write_csv("first_names.csv", ["country_code", "first_name", "gender"], rows)

    rows, seen, dropped = [], set(), 0
    for r in read_csv(upstream(src, "names/common-surnames-by-country.csv"), encoding="utf-8-sig"):
        cc = r["Country"].strip()
        if cc == "SV" and r["Count"].strip():
            cc = "SE"  # the Swedish block (with counts) was coded SV upstream
        if cc not in valid_cc:
            dropped += 1
            continue
        names = clean_name(r["Romanized Name"], cc) or clean_name(r["Localized Name"], cc)
        if not names:
            dropped += 1
        for n in names:
            k = (cc, n)
            if k not in seen:
                seen.add(k)
                rows.append(k)
                name_ccs.add(cc)
    rows.sort()
    print(f"  surnames dropped: {dropped}")
    write_csv("last_names.csv", ["country_code", "last_name"], rows)
    return name_ccs


def usage(status):
    print(__doc__.strip(), file=sys.stderr if status else sys.stdout)
    sys.exit(status)


def main():
    global OUT
    args = sys.argv[1:]
    hand_only = False
    src = os.path.join(DATA, "upstream")
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            usage(0)
        elif a == "--sources":
            for path, url, licence in UPSTREAM:
                print(f"{path}\t{url}\t{licence}")
            return
        elif a == "--hand-only":
            hand_only = True
        elif a == "--out" and args:
            OUT = args.pop(0)
        elif a.startswith("-") or args:
            usage(2)
        else:
            src = a
    if OUT != DATA and not os.path.isdir(OUT):
        raise SystemExit(f"output folder not found: {OUT}")
    if not hand_only:
        missing = missing_upstream(src)
        if missing:
            print(f"build_data.py: {len(missing)} upstream file(s) missing under {src}:", file=sys.stderr)
            for path, url, _ in missing:
                print(f"  {path}\n      from {url}", file=sys.stderr)
            print("Download them (see --help and data/SOURCES.md), or use --hand-only.", file=sys.stderr)
            sys.exit(2)
    build_handwritten()
    if hand_only:
        return
    industries = build_industries(src)
    country_rows = build_countries(src)
    valid_cc = {r[0] for r in country_rows}
    by = load_cities(src)
    city_counts = {cc: len(v) for cc, v in by.items()}
    company_ccs = build_companies(src, country_rows, city_counts, industries)
    name_ccs = build_names(src, valid_cc)
    capitals = {r["ISO3166-1-Alpha-2"].strip(): r["Capital"].strip()
                for r in read_csv(upstream(src, "countries/country-codes.csv"))}
    build_cities(by, valid_cc, company_ccs, name_ccs, capitals)


if __name__ == "__main__":
    main()
