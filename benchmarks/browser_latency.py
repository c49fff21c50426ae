"""Input-to-picture latency of every explorer, measured in a real browser (headless Chromium).

    .venv/bin/python benchmarks/browser_latency.py                     # every notebook with an explorer
    .venv/bin/python benchmarks/browser_latency.py notebooks/08_gru.ipynb --samples 6
    .venv/bin/python benchmarks/browser_latency.py --ui lab,notebook   # JupyterLab and Notebook 7
    .venv/bin/python benchmarks/browser_latency.py --static-view       # what a stored notebook shows unrun

It uses the harness of the browser tests (tests/browser/browser_harness.py): each notebook is run in
a fresh copy with a fresh kernel, every control of every explorer is moved `--samples` times, and
the time from the input event to the first animation frame that shows a changed picture is
measured. It prints the median per explorer against the course's target of 100 ms, and the time
each notebook took. Without notebooks with explorers it measures the harness's fixture notebook.

Needs Chromium (`apt-get install chromium`) and `pip install playwright`.
Exit status: 0 when every check passed, 1 when one failed, 2 when Chromium or Playwright is missing.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))
import browser_harness as harness  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to measure (default: every notebook in notebooks/ with an explorer)")
    parser.add_argument("--ui", default="lab", help="lab, notebook, or lab,notebook (default: lab)")
    parser.add_argument("--samples", type=int, default=4, help="moves per control (default: 4)")
    parser.add_argument("--change-timeout", type=float, default=10.0,
                        help="seconds a move may take to change the picture (default: 10)")
    parser.add_argument("--static-view", action="store_true",
                        help="instead: what each explorer output of the stored notebooks shows when opened "
                             "in JupyterLab and not run (untrusted / trusted, with / without a kernel)")
    args = parser.parse_args(argv)

    missing = harness.missing_requirements()
    if missing:
        print(harness.unavailable_message(missing), file=sys.stderr)
        return 2
    notebooks = args.notebooks or harness.explorer_notebooks() or [harness.FIXTURES / "explorer_fixture.ipynb"]
    uis = tuple(u.strip() for u in args.ui.split(",") if u.strip())
    unknown = [u for u in uis if u not in harness.UIS]
    if unknown:
        parser.error(f"unknown --ui {', '.join(unknown)} (choose from {', '.join(harness.UIS)})")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(notebooks)} notebook(s); {os.cpu_count()} CPUs, load average {load:.1f}"
          + ("  (other programs compete for the CPUs: the timings are unreliable)"
             if load > (os.cpu_count() or 1) * 0.5 else ""))

    started = time.monotonic()
    failed = False
    with harness.BrowserSession() as session:
        for notebook in notebooks:
            if args.static_view:
                print(f"\n{notebook.name}: what JupyterLab shows for each explorer output, not run")
                for trusted in (False, True):
                    for kernel in (True, False):
                        views = session.static_view(notebook, "lab", trusted=trusted, kernel=kernel)
                        shows = "; ".join(v["shows"] for v in views) or "(no explorer output)"
                        print(f"  {'trusted' if trusted else 'untrusted':9s} "
                              f"{'kernel started' if kernel else 'no kernel':14s}  {shows}")
                continue
            for report in session.check(notebook, uis=uis, samples=args.samples,
                                        change_timeout=args.change_timeout):
                failed |= not report.ok
                print()
                print(report.describe())
    if not args.static_view:
        print(f"\ntotal {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
