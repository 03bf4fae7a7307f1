"""Measurements for test/bench/peers.sh, the same for every peer.

    measure.py run ROOTS -- COMMAND...
        runs COMMAND; prints "wall_s cpu_s peak_mb": wall-clock seconds,
        CPU seconds of COMMAND and of the process trees ROOTS (comma-
        separated pids, e.g. the postmaster, whose backends do the work of
        a psql command) over the run, and the peak over the run of the
        proportional set size (PSS) summed over COMMAND and ROOTS' trees.

    measure.py watch ROOTS DSN SQL BASE N T0 RATE TIMEOUT
        polls SQL (a count of the events visible in the rollup) every
        50 ms until it reaches BASE + N, TIMEOUT seconds pass or a root
        process exits; T0 is the
        epoch time the producer started, RATE its fixed rate in events/s,
        or 0 for a burst.  Prints "events wall_s events_per_s p50_ms p99_ms
        cpu_s peak_mb": for a fixed rate, event k (k = 1..N) was produced
        at T0 + k/RATE and became visible at the first poll that counted
        it, which gives each event's produce->visible latency; CPU and PSS
        as for run, over the watch.

CPU of a tree is the user+system time of its live processes plus the time
its roots have collected from children that exited, so backends that come
and go are counted.  Only /proc is read: no dependency beyond Python 3 and,
for watch, psycopg.
"""

import os
import subprocess
import sys
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def children_map():
    """pid -> list of child pids, for every process."""
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def tree(roots):
    """The pids of the trees under roots, roots included."""
    kids = children_map()
    out, todo = [], list(roots)
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def cpu_seconds(roots):
    """CPU seconds of the trees under roots, exited children included."""
    total = 0
    rootset = set(roots)
    for p in tree(roots):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])	# utime, stime
        if p in rootset:
            total += int(fields[13]) + int(fields[14])	# cutime, cstime
    return total / TICK


def pss_mb(roots):
    """Proportional set size of the trees under roots, in MB."""
    kb = 0
    for p in tree(roots):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        kb += int(line.split()[1])
                        break
        except OSError:
            continue
    return kb / 1024


class Peak(threading.Thread):
    """Samples the PSS of the trees every 0.2 s; .peak is the largest."""

    def __init__(self, roots_fn):
        super().__init__(daemon=True)
        self.roots_fn = roots_fn
        self.peak = 0.0
        self.stop = False

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, pss_mb(self.roots_fn()))
            time.sleep(0.2)


def parse_roots(s):
    return [int(p) for p in s.split(",") if p]


def run(roots, cmd):
    """measure.py run: see the module comment."""
    t0 = time.time()
    c0 = cpu_seconds(roots)
    proc = subprocess.Popen(cmd)
    peak = Peak(lambda: roots + [proc.pid])
    peak.start()
    _, status, usage = os.wait4(proc.pid, 0)
    peak.stop = True
    wall = time.time() - t0
    cpu = usage.ru_utime + usage.ru_stime + cpu_seconds(roots) - c0
    print(f"{wall:.2f} {cpu:.2f} {max(peak.peak, usage.ru_maxrss / 1024):.0f}")
    return os.waitstatus_to_exitcode(status)


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, int(q * len(sorted_values)))
    return sorted_values[i]


def watch(roots, dsn, sql, base, n, t0, rate, timeout):
    """measure.py watch: see the module comment."""
    import psycopg

    c0 = cpu_seconds(roots)
    peak = Peak(lambda: roots)
    peak.start()
    samples = []
    start = time.time()
    with psycopg.connect(dsn, autocommit=True) as conn:
        while True:
            now = time.time()
            seen = conn.execute(sql).fetchone()[0] or 0
            samples.append((now, int(seen) - base))
            if seen >= base + n or now - start > timeout:
                break
            if not all(os.path.exists(f"/proc/{p}") for p in roots):
                break		# a consumer died: its log says why
            time.sleep(0.05)
    peak.stop = True
    cpu = cpu_seconds(roots) - c0
    done_t, done = samples[-1]
    wall = done_t - t0
    lat = []
    if rate > 0:
        prev = 0
        for t, v in samples:
            v = min(v, n)
            for k in range(prev + 1, v + 1):
                lat.append((t - (t0 + k / rate)) * 1000)
            prev = max(prev, v)
        lat.sort()
    p50 = percentile(lat, 0.50)
    p99 = percentile(lat, 0.99)
    print(f"{done} {wall:.2f} {done / wall if wall > 0 else 0:.0f} {p50:.0f} {p99:.0f} {cpu:.2f} {peak.peak:.0f}")
    return 0 if done >= n else 1


def main(argv):
    if len(argv) >= 4 and argv[1] == "run" and argv[3] == "--":
        return run(parse_roots(argv[2]), argv[4:])
    if len(argv) == 10 and argv[1] == "watch":
        return watch(parse_roots(argv[2]), argv[3], argv[4], int(argv[5]), int(argv[6]),
                     float(argv[7]), float(argv[8]), float(argv[9]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
