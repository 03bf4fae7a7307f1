# The reference data in data/ is checked from the repository alone:
# data/tools/check_data.py accepts the committed CSVs and rejects damaged
# copies (a byte-order mark, a duplicate key, a dangling foreign key, a
# title skill outside its family, a share sum that is off), the hand-written CSVs are exactly what
# data/tools/handdata.py builds (nobody edited them by hand), and a full
# rebuild without the upstream files stops, naming each missing file and
# its pinned URL, before writing anything.  Needs python3 only: no
# cluster, no network.
set -u
cd "$(dirname "$0")/../.."
. test/tap.sh

js_plan 13
tmp=$(mktemp -d "${JS_TMP:-/tmp}/data.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

out=$(python3 data/tools/check_data.py 2>&1)
js_ok $? "check_data.py accepts the committed data"
js_is "$(printf '%s\n' "$out" | tail -1)" "all checks passed" "check_data.py says every check passed"

# check_data.py DIR: exit status and the first error line, for a damaged copy
damaged() {
	rm -rf "$tmp/d" && cp -r data "$tmp/d" && "$@" &&
		python3 data/tools/check_data.py "$tmp/d" >"$tmp/out" 2>&1
	echo "$? $(grep -m1 -E 'duplicate|byte-order|not found|sum|not a skill' "$tmp/out")"
}
got=$(damaged sh -c "printf '\357\273\277' | cat - data/cities.csv >'$tmp/d/cities.csv'")
js_ok $(case $got in "1 ERROR: cities.csv: starts with a byte-order mark") echo 0 ;; *) echo 1 ;; esac) \
	"a byte-order mark is rejected ($got)"
got=$(damaged sh -c "sed -n 2p data/skills.csv >>'$tmp/d/skills.csv'")
js_ok $(case $got in "1 ERROR: skills.csv:390: duplicate key"*) echo 0 ;; *) echo 1 ;; esac) \
	"a duplicate skill is rejected with its line ($got)"
got=$(damaged sh -c "printf 'Quantum Whisperer,No Such Family,Mid,Research\n' >>'$tmp/d/job_titles.csv'")
js_ok $(case $got in "1 ERROR: job_titles.csv:"*"family='No Such Family' not found in job_families"*) echo 0 ;; *) echo 1 ;; esac) \
	"a title of an unknown family is rejected ($got)"
got=$(damaged sh -c "printf 'Academic Advisor,Kubernetes\n' >>'$tmp/d/title_skills.csv'")
js_ok $(case $got in "1 ERROR: title_skills.csv:"*"'Kubernetes' is not a skill of 'Academic Advisor''s family"*) echo 0 ;; *) echo 1 ;; esac) \
	"a title skill outside the title's family is rejected ($got)"
got=$(damaged sh -c "sed -i '2s/,0\.[0-9]*$/,0.99/' '$tmp/d/work_modes.csv'")
js_ok $(case $got in "1 ERROR: work_modes.csv: shares sum to 1.49"*) echo 0 ;; *) echo 1 ;; esac) "work mode shares that do not sum to 1 are rejected ($got)"

# The hand-written tables, rebuilt from handdata.py, equal the committed CSVs.
mkdir "$tmp/hand"
python3 data/tools/build_data.py --hand-only --out "$tmp/hand" >/dev/null
js_ok $? "build_data.py --hand-only runs without any upstream file"
n=$(ls "$tmp/hand" | wc -l)
js_ok $([ "$n" -ge 13 ] && echo 0 || echo 1) "it writes the hand-written tables ($n files)"
diffs=$(for f in "$tmp"/hand/*.csv; do cmp -s "$f" "data/$(basename "$f")" || basename "$f"; done)
js_is "$diffs" "" "every hand-written CSV is byte-identical to its rebuild from handdata.py"

# A full rebuild without the upstream files: exit 2, each file named with
# its URL, nothing written.
mkdir "$tmp/full" "$tmp/empty"
python3 data/tools/build_data.py --out "$tmp/full" "$tmp/empty" >"$tmp/out" 2>&1
js_is "$?" 2 "a full rebuild without the upstream files exits 2"
js_is "$(grep -c 'from https://raw.githubusercontent.com/[^/]*/[^/]*/[0-9a-f]\{40\}/' "$tmp/out")" 8 \
	"it names the 8 missing upstream files, each with a URL pinned to a commit"
js_is "$(ls "$tmp/full" | wc -l)" 0 "and writes nothing"

exit $((JS_TAP_FAILED > 0))
