"""The harness itself: it finds explorers, says what to install, and catches a broken explorer."""
import json

import pytest

import browser_harness as harness

FIXTURE = harness.FIXTURES / "explorer_fixture.ipynb"
BROKEN = harness.FIXTURES / "broken_explorer_fixture.ipynb"


def test_explorers_are_found_by_their_stored_text(tmp_path):
    assert harness.explorer_titles(FIXTURE) == ["a wave with one control of each kind"]
    assert harness.explorer_titles(BROKEN) == ["raises after the first update", "draws nothing new",
                                               "takes 5 s to update"]
    # a notebook whose outputs hold no "Explorer: " text is not picked up
    plain = json.loads(FIXTURE.read_text())
    for cell in plain["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
    (tmp_path / "01_plain.ipynb").write_text(json.dumps(plain))
    (tmp_path / "02_with_explorer.ipynb").write_text(FIXTURE.read_text())
    assert [p.name for p in harness.explorer_notebooks(tmp_path)] == ["02_with_explorer.ipynb"]


def test_without_a_browser_the_tests_skip_or_fail_saying_what_to_install(monkeypatch):
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")
    missing = harness.missing_requirements()
    assert missing and "apt-get install chromium" in missing[0]
    message = harness.unavailable_message(["the playwright package (pip install playwright)"])
    assert "apt-get install chromium" in message and "pip install playwright" in message
    with pytest.raises(pytest.skip.Exception, match="pip install playwright"):
        harness.require_browser(missing=["x"], environ={})
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_BROWSER_TESTS=1"):
        harness.require_browser(missing=["x"], environ={"REQUIRE_BROWSER_TESTS": "1"})
    harness.require_browser(missing=[], environ={"REQUIRE_BROWSER_TESTS": "1"})  # nothing missing: runs


def test_a_broken_explorer_is_reported(browser_session):
    """One explorer's callback raises after its first update, one's draw changes nothing, one's
    callback takes 5 s: the harness must fail all three, name the exception the first one's status
    line shows, and give up on the third after change_timeout seconds. A slider whose first move
    leaves the picture as it was gets two more (the mouse, then the other end) before it fails.

    change_timeout is 3.5 s: more than a move of the first two takes to be judged "unchanged" (the
    kernel's answer, then 1 s of quiet), less than the third one's 5 s."""
    harness.require_browser()
    (report,) = browser_session.check(BROKEN, samples=1, change_timeout=3.5)
    report.meant_to_fail = True
    harness.RESULTS.append(report)
    assert not report.ok
    raising, frozen, slow = report.explorers
    assert [e.title for e in report.explorers] == harness.explorer_titles(BROKEN)
    for explorer in (raising, frozen):
        assert [m.outcome for m in explorer.moves] == ["unchanged"] * 3
        assert [m.action.split()[0] for m in explorer.moves] == ["focus", "drag", "focus"]
        assert any("picture did not change after any of its moves" in f for f in explorer.failures)
    # the explorer catches the error and says it in its status line; the harness reads it there
    assert any("the explorer says: Cannot show these values. RuntimeError: deliberately broken callback" in f
               for f in raising.failures), raising.failures
    assert not any("deliberately broken" in f for f in frozen.failures + slow.failures)
    assert [m.outcome for m in slow.moves] == ["timeout"]
    assert any("did not change within 3.5 s" in f for f in slow.failures), slow.failures
    with pytest.raises(harness.HarnessError, match="did not change"):
        harness.assert_ok(report)
