"""Run every benchmark in bench/ and write bench/RESULTS.md: the machine, the date, each benchmark's verdict
lines (its figures beside their targets and its side-by-side baselines) and its whole output.

`make bench` runs this. Each bench_*.py runs in its own process, one after the other (they would
disturb each other's timings), with TEST_DATABASE_URL passed on so the PostgreSQL halves run where
a server answers. A benchmark that fails is recorded as failed and the others still run; the exit
status is 1 if any failed. `python bench/run_all.py NAME ...` runs only those (e.g. `import verify`).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
VERDICT = re.compile(r"\b(MET|MISSED|met|NOT met|target|verdict|ratio|x the)\b")


def benchmarks(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if not names:
        return found
    chosen = [path for path in found if any(path.stem == f"bench_{name}" or path.stem == name for name in names)]
    unknown = set(names) - {path.stem.removeprefix("bench_") for path in chosen} - {path.stem for path in chosen}
    if unknown:
        sys.exit(f"no benchmark named {', '.join(sorted(unknown))}; there are: "
                 + ", ".join(path.stem.removeprefix("bench_") for path in found))
    return chosen


def run(path: Path) -> tuple[int, str, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(path)], cwd=HERE.parent, capture_output=True, text=True, env=os.environ.copy())
    output = done.stdout + (f"\n--- stderr ---\n{done.stderr}" if done.returncode and done.stderr else "")
    return done.returncode, output, time.perf_counter() - started


def machine() -> str:
    cpus = os.cpu_count() or 0
    try:
        memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        ram = f", {int(memory) / 2**20:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram = ""
    return f"{platform.platform()}, {cpus} CPUs{ram}, Python {platform.python_version()}"


def main() -> int:
    chosen = benchmarks(sys.argv[1:])
    started = datetime.now(UTC)
    pg = os.environ.get("TEST_DATABASE_URL")
    sections = []
    summary = []
    failed = 0
    header = (f"# Benchmark results\n\nWritten by `make bench` (bench/run_all.py) on {started:%Y-%m-%d %H:%M} UTC.\n\n"
              f"Machine: {machine()}.\nPostgreSQL: {'TEST_DATABASE_URL set' if pg else 'not measured (TEST_DATABASE_URL unset)'}.\n\n"
              "Each benchmark prints its figures beside their targets and beside a baseline measured in the same run "
              "(see bench/README.md for what each measures). Below: the verdict lines of each, then each whole output.\n\n"
              "| benchmark | run | verdict lines |\n|---|---|---|\n")
    whole = not sys.argv[1:]
    for index, path in enumerate(chosen, 1):
        print(f"== {path.name}", flush=True)
        code, output, seconds = run(path)
        print(output, flush=True)
        failed += code != 0
        verdicts = [line.strip() for line in output.splitlines() if VERDICT.search(line)]
        status = f"failed (exit {code})" if code else "ran"
        summary.append(f"| `{path.name}` | {status}, {seconds:,.0f} s | " + "<br>".join(v.replace("|", "\\|") for v in verdicts[-4:]) + " |")
        sections.append(f"## {path.name}\n\n{status} in {seconds:,.0f} s\n\n```\n{output.strip()}\n```\n")
        if whole:  # written after each benchmark: a run cut short keeps what it measured
            pending = "" if index == len(chosen) else f"\n_{len(chosen) - index} benchmark(s) not run yet._\n"
            RESULTS.write_text(header + "\n".join(summary) + "\n" + pending + "\n" + "\n".join(sections), encoding="utf-8")
    print(f"wrote {RESULTS}" if whole else "(only some benchmarks: RESULTS.md left as it was)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
