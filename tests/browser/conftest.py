"""Browser tests: one browser session for all of them; the fixture notebooks are data for the
harness, not notebooks for nbval; a summary of the explorers' latencies closes the pytest output."""
import pytest

import browser_harness

collect_ignore_glob = ["fixtures/*.ipynb", "fixtures/*.py"]


@pytest.fixture(scope="session")
def browser_session():
    """Chromium, the Jupyter server and the JupyterLab page, started on first use and stopped after the
    last test."""
    with browser_harness.BrowserSession() as session:
        yield session


def pytest_terminal_summary(terminalreporter):
    lines = browser_harness.summary_lines()
    if lines:
        terminalreporter.section("explorer latency in the browser (input event to changed picture)")
        for line in lines:
            terminalreporter.write_line(line)
