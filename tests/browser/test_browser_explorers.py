"""Every explorer of every notebook, driven in JupyterLab (and the fixture in Notebook 7 too).

A notebook has an explorer when one of its stored outputs has a text/plain starting "Explorer: ";
notebooks are picked up from notebooks/ as they land. For each, the harness runs a fresh copy in
headless Chromium, moves every control of every explorer, and requires each control to change the
picture, no move to leave the page waiting, and no cell or widget message to end in an error.
The course's notebooks get one move per slider (and a few-valued control goes to another value and
back); the fixture gets two per slider, so that every kind of control is moved both with the
keyboard and with the mouse, in both front ends. The latencies are printed in the summary, not judged.
"""
import pytest

import browser_harness as harness

FIXTURE = harness.FIXTURES / "explorer_fixture.ipynb"
NOTEBOOKS = harness.explorer_notebooks()


def check(session, notebook, uis, samples):
    harness.require_browser()
    reports = session.check(notebook, uis=uis, samples=samples)
    harness.RESULTS.extend(reports)
    assert [r.ui for r in reports] == list(uis)
    for report in reports:
        harness.assert_ok(report)
        assert report.explorers, f"{notebook.name}: no explorer found in {report.ui}"
        for explorer in report.explorers:
            # every control was moved, unless the explorer keeps it disabled (a note says so)
            unmoved = set(explorer.controls) - {m.control for m in explorer.moves}
            assert all(any(n.startswith(f"{c} stays disabled") for n in explorer.notes) for c in unmoved), \
                (unmoved, explorer.notes)
    return reports


def test_fixture_explorer_in_jupyterlab_and_notebook7(browser_session):
    """Every kind of control, in both front ends; here every single move must change the picture,
    and each slider is moved with the keyboard and then dragged with the mouse."""
    for report in check(browser_session, FIXTURE, ("lab", "notebook"), samples=2):
        (explorer,) = report.explorers
        assert len(explorer.controls) == 7
        missed = [m for m in explorer.moves if not (m.outcome == "changed" and m.latency_ms > 0)]
        assert not missed, f"{report.ui}: {len(missed)} of {len(explorer.moves)} moves: {missed}"
        for slider in ("slider 'cycles'", "slider 'gain'"):
            assert [m.action.split()[0] for m in explorer.moves if m.control == slider] == ["focus", "drag"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_explorers_in_jupyterlab(browser_session, notebook):
    check(browser_session, notebook, ("lab",), samples=1)


def test_a_stored_notebook_shows_its_explorer_before_it_runs(browser_session):
    """Opened and not run, notebook 00's explorer shows its picture: as the stored PNG in a fresh
    clone (untrusted), and as the widget with its figure once the learner's own run has made the
    notebook trusted and a fresh kernel starts (the widget is not live then: its picture comes from
    the saved widget state)."""
    harness.require_browser()
    notebook = harness.NOTEBOOKS / "00_course_map.ipynb"
    assert [v["shows"] for v in browser_session.static_view(notebook, trusted=False, kernel=True)] == \
        ["the stored PNG"]
    views = browser_session.static_view(notebook, trusted=True, kernel=True)
    assert [v["shows"] for v in views] == ["the widget, with its picture"], views
