"""A blank learner copy (notebooks/exercises/) under Run > Run All Cells, in JupyterLab and Notebook 7.

Its checks raise (the exercises are not written), but they are tagged `raises-exception`, so the front end
asks the kernel not to drop the cells queued after them: every code cell must run, down to the last.
"""
import re
import time
from pathlib import Path

import browser_harness as harness

EXERCISES = harness.REPO / "notebooks" / "exercises"


def _smallest_copy_with_exercises() -> Path:
    copies = [p for p in sorted(EXERCISES.glob("*.ipynb")) if "raise NotImplementedError()" in p.read_text()]
    assert copies, "no learner copy with an exercise in notebooks/exercises/"
    return min(copies, key=lambda p: p.stat().st_size)


def test_run_all_on_a_blank_learner_copy_reaches_the_last_cell(browser_session):
    harness.require_browser()
    notebook = _smallest_copy_with_exercises()
    server, context = browser_session._up()
    for ui in ("lab", "notebook"):
        server.prepare(notebook)
        page = context.new_page()
        try:
            page.goto(server.url(notebook, ui))
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
            time.sleep(3)                                   # the kernel connects
            harness._run_all(page)

            def prompts():
                return page.eval_on_selector_all(".jp-CodeCell .jp-InputPrompt",
                                                 "els => els.map(e => e.textContent.trim())")

            last = harness._wait(lambda: re.fullmatch(r"\[\d+\]:", prompts()[-1]), 120, interval=0.5)
            errors = page.eval_on_selector_all(".jp-OutputArea-output", "els => els.map(e => e.textContent)")
            not_written = [e for e in errors if "ExerciseError" in e and re.search(r"not (written|answered) yet", e)]
            assert last, f"{ui}: Run All stopped before the last cell: prompts {prompts()}"
            assert not_written, f"{ui}: no check said the exercise is not written yet"
        finally:
            page.close()
