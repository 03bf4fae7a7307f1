#!/bin/sh
# Build the decoder fuzz target with libFuzzer + ASan + UBSan and run it for
# SECONDS (default 60) on a scratch copy of test/fuzz/corpus.
#
#   test/fuzz/run.sh [SECONDS]
#
# Exits non-zero when the fuzzer finds a crash, a sanitizer report or a
# broken round trip; the reproducer (crash-*) is left in the scratch
# directory, whose name is printed.  Needs clang and libclang-rt-14-dev.
set -eu

secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CLANG=${CLANG:-clang}
work=$(mktemp -d "${TMPDIR:-/tmp}/jobstream-fuzz.XXXXXX")

$CLANG -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Wall -Wextra -Werror -I "$top/src" -o "$work/fuzz_decode" \
	"$here/fuzz_decode.c" "$top/src/decode.c" "$top/src/jsonw.c" "$top/src/contract.c"

mkdir "$work/corpus"
cp "$here"/corpus/* "$work/corpus/"

status=0
( cd "$work" && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	./fuzz_decode -max_total_time="$secs" -max_len=8192 -timeout=10 \
	-dict="$here/decode.dict" \
	-rss_limit_mb=1024 -print_final_stats=1 corpus ) > "$work/fuzz.log" 2>&1 || status=$?
tail -n 20 "$work/fuzz.log"
if [ "$status" -eq 0 ]; then
	echo "ok - fuzz_decode ran ${secs}s without findings"
	rm -rf "$work"
else
	echo "not ok - fuzz_decode failed (exit $status); log and reproducer in $work"
	exit 1
fi
