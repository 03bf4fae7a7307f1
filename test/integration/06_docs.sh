# The design document stays true to the code and the repository stands
# alone: docs/architecture.md lists every field of the message contract
# (src/contract.c) in contract order with its type, whether it is
# required and its cap; nothing outside the released SQL parts still points to a
# DESIGN.md that is not in the repository; no tracked file names a path
# of the build machine or a folder beside the repository; every relative
# link of the Markdown files leads to a file and heading that exist.
# Needs python3 only.
set -u
cd "$(dirname "$0")/../.."
. test/tap.sh

js_plan 5

out=$(python3 - <<'PY' 2>&1
import re
src = open("src/contract.c", encoding="utf-8").read()
doc = open("docs/architecture.md", encoding="utf-8").read()
arrays = {"job_post_fields": "job_posts", "candidate_fields": "candidate_info",
          "application_fields": "job_applications", "tracking_event_fields": "tracking_events"}
types = {"JS_UUID": "UUID", "JS_TEXT": "text", "JS_INT": "integer", "JS_DECIMAL": "decimal",
         "JS_TIMESTAMPTZ": "timestamp with zone", "JS_DATE": "date", "JS_TEXT_ARRAY": "array of text"}
bad = 0
for arr, topic in arrays.items():
    body = re.search(r"JsField %s\[\] = \{(.*?)\n\};" % arr, src, re.S).group(1)
    code = []
    for m in re.finditer(r'\{\.name = "(\w+)", \.type = (JS_\w+)[^\n]*\}', body):
        cap = re.search(r"\.cap = JS_CAP_(\w+)", m.group(0))
        code.append((m.group(1), types[m.group(2)], "required = true" in m.group(0),
                     cap.group(1).lower() if cap else ""))
    sect = re.search(r"^### %s\n(.*?)(?=^#)" % topic, doc, re.S | re.M)
    if not sect:
        print(f"no section ### {topic}"); bad += 1; continue
    rows = [[c.strip() for c in l.strip().strip("|").split("|")]
            for l in sect.group(1).splitlines()
            if l.startswith("| ") and not l.startswith("| field") and not l.startswith("| ---")]
    documented = [(r[0], r[1].split(" (")[0], r[2] == "yes", r[3]) for r in rows]
    if documented != code:
        bad += 1
        print(f"{topic}: documented {len(documented)} fields, contract has {len(code)}")
        for d, c in zip(documented + [None] * len(code), code + [None] * len(documented)):
            if d != c:
                print(f"  first difference: documented {d}, code {c}")
                break
print("fields differ" if bad else "ok")
PY
)
js_is "$(printf '%s\n' "$out" | tail -1)" ok "docs/architecture.md lists every contract field with its type, required flag and cap"
[ "$(printf '%s\n' "$out" | tail -1)" = ok ] || printf '%s\n' "$out" | sed 's/^/# /'

# git grep: the matches, or "git grep failed" (status 2 and up: not a clone)
grep_tracked() {
	local out rc
	out=$(git grep -nE "$@")
	rc=$?
	[ $rc -le 1 ] && printf '%s' "$out" || echo "git grep failed ($rc)"
}
hits=$(grep_tracked 'DESIGN\.md' -- . ':!sql/0.1' ':!sql/0.2' ':!docs/architecture.md' ':!test/integration/06_docs.sh')
js_is "$hits" "" "no reference to DESIGN.md outside the released SQL parts"

hits=$(grep_tracked '/work/|\.\./shared|/home/[a-z]' -- . ':!test/integration/06_docs.sh')
js_is "$hits" "" "no tracked file names a path of the build machine or a folder beside the repository"

out=$(python3 - <<'PY' 2>&1
import os, re, subprocess
def slug(h):
    return re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
files = subprocess.run(["git", "ls-files", "*.md"], capture_output=True, text=True).stdout.split()
bad = []
for f in files:
    text = open(f, encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    for m in re.finditer(r"\]\(([^)\s]*?)(?:#([^)\s]+))?\)", text):
        target, frag = m.group(1), m.group(2)
        if re.match(r"[a-z]+:", target):
            continue
        path = os.path.normpath(os.path.join(os.path.dirname(f), target)) if target else f
        if not os.path.exists(path):
            bad.append(f"{f}: {target} does not exist")
        elif frag and path.endswith(".md"):
            heads = {slug(h) for h in re.findall(r"^#+\s+(.*)$", open(path, encoding="utf-8").read(), re.M)}
            if frag not in heads:
                bad.append(f"{f}: no heading #{frag} in {path}")
print("\n".join(bad) if bad else "ok")
PY
)
js_is "$(printf '%s\n' "$out" | tail -1)" ok "every relative link of the Markdown files leads to a file and heading that exist"
[ "$(printf '%s\n' "$out" | tail -1)" = ok ] || printf '%s\n' "$out" | sed 's/^/# /'

grep -q '](docs/architecture.md)' README.md
js_ok $? "README links docs/architecture.md"

exit $((JS_TAP_FAILED > 0))
