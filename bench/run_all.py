"""Run every benchmark in bench/ and write bench/RESULTS.md: the machine, the date, each benchmark's verdict
lines (its figures beside their targets and its side-by-side baselines) and its whole output.

`make bench` runs this. Each bench_*.py runs in its own process, one after the other (they would
disturb each other's timings), with TEST_DATABASE_URL passed on so the PostgreSQL halves run where
a server answers. A benchmark that fails is recorded as failed and the others still run; the exit
status is 1 if any failed. `python bench/run_all.py NAME ...` runs only those (e.g. `import verify`) and
keeps the other benchmarks' sections of RESULTS.md as they were, each with the date and machine it ran on.
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
# The lines that carry a verdict or a side-by-side ratio (not table headers that merely say "target").
VERDICT = re.compile(r"verdict|\bMET\b|\bMISSED\b|NOT met|: met\b|target met|\bratio\b")
SECTION = re.compile(r"^## (bench_\w+\.py)\n\n(.*?)\n\n```\n(.*?)\n```\n", re.S | re.M)


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


def earlier_sections() -> dict[str, tuple[str, str]]:
    """The sections of the RESULTS.md already written: benchmark -> (status line, whole output)."""
    try:
        text = RESULTS.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return {name: (status, output) for name, status, output in SECTION.findall(text)}


def verdict_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if VERDICT.search(line)][-4:]


def write(sections: dict[str, tuple[str, str]], names: list[str], pending: int) -> None:
    """RESULTS.md: every benchmark's section, those run now replaced, the others kept with their own dates."""
    pg = os.environ.get("TEST_DATABASE_URL")
    header = (f"# Benchmark results\n\nWritten by `make bench` (bench/run_all.py); last written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n"
              f"Each section says when and on which machine its benchmark ran (`make bench BENCH=\"load scale\"` runs some and "
              f"keeps the others' sections).\n\nMachine of this run: {machine()}.\n"
              f"PostgreSQL in this run: {'TEST_DATABASE_URL set' if pg else 'not measured (TEST_DATABASE_URL unset)'}.\n\n"
              "Each benchmark prints its figures beside their targets and beside a baseline measured in the same run "
              "(see bench/README.md for what each measures). Below: the verdict lines of each, then each whole output.\n\n"
              "| benchmark | run | verdict lines |\n|---|---|---|\n")
    rows, bodies = [], []
    for name in sorted(set(sections) | set(names)):
        if name not in sections:
            rows.append(f"| `{name}` | not run yet | |")
            continue
        status, output = sections[name]
        rows.append(f"| `{name}` | {status.split('; machine')[0]} | " + "<br>".join(v.replace("|", "\\|") for v in verdict_lines(output)) + " |")
        bodies.append(f"## {name}\n\n{status}\n\n```\n{output}\n```\n")
    note = f"\n_{pending} benchmark(s) of this run not run yet._\n" if pending else ""
    RESULTS.write_text(header + "\n".join(rows) + "\n" + note + "\n" + "\n".join(bodies), encoding="utf-8")


def main() -> int:
    chosen = benchmarks(sys.argv[1:])
    sections = earlier_sections()
    names = [path.name for path in chosen]
    failed = 0
    for index, path in enumerate(chosen, 1):
        print(f"== {path.name}", flush=True)
        started = datetime.now(UTC)
        code, output, seconds = run(path)
        print(output, flush=True)
        failed += code != 0
        status = f"failed (exit {code})" if code else "ran"
        sections[path.name] = (f"{status} in {seconds:,.0f} s on {started:%Y-%m-%d %H:%M} UTC; machine: {machine()}", output.strip())
        write(sections, names, len(chosen) - index)  # after each benchmark: a run cut short keeps what it measured
    print(f"wrote {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
