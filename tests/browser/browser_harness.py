"""Drive the course's explorers in a real browser: JupyterLab or Notebook 7 in headless Chromium.

For each notebook, ``BrowserSession.check`` does what a learner does and checks what a learner sees:

1. puts a fresh copy of the notebook, without outputs, in a throwaway folder served by a Jupyter
   server of its own (127.0.0.1, a free port, no token, its own config/data/runtime/settings
   folders, its output and its kernels' in a log file); the server serves the notebook's folder,
   so the notebooks of one folder share one server start, each with a fresh copy and kernel;
2. opens it in headless Chromium (Playwright, driving Debian's ``/usr/bin/chromium``), runs
   *Run > Run All Cells* from the menu bar, and waits until every code cell has run, the kernel is
   idle and every explorer has drawn its figure;
3. moves every control of every explorer with the keyboard or the mouse: a slider's handle is
   focused and sent End or Home, then dragged; a dropdown gets another option, toggle and radio
   buttons another button, a checkbox a click, a text field new text and Enter -- and these go
   back to the value they had, so that the other controls keep the state they were made for. A
   control the explorer disables is moved once another control's choice enables it;
4. after each move, watches the pixels of the explorer's figure canvas on every animation frame.
   The time from the input event (its ``event.timeStamp``) to the first frame that shows a changed
   picture is the move's latency. A move after which the kernel ran the update and fell quiet with
   the picture as it was is "unchanged" (a legitimate no-op, such as a step past the end that shows
   the last step) -- but every control must change the picture with at least one of its moves;
5. fails the check when the picture did not change within ``change_timeout`` seconds of a move and
   the kernel did not finish an update either, when a control never changes the picture, when a
   cell shows an error or stderr output or a widget fails to display, and when the kernel answers
   a widget message with an error or stderr -- which the front end shows nowhere: a callback
   that raises when a control moves is only seen there (a watch on the page's kernel websocket) --
   and when an explorer's status line says an update failed (``helpers.views.explorer`` catches the error
   of a moved control and says it there);
6. after Run All, before any move, checks that each explorer fits the window (a laptop's, see
   ``LAPTOP_VIEWPORT``) and that its status line reads what the notebook's saved widget state says
   (the text as written, and the explorer back at its start).

Explorers are found as in the notebook file: an output whose ``text/plain`` starts with
``"Explorer: "``. In the page, an explorer is a widget output holding a box of controls (above or beside) an
ipympl figure; the page must show as many as the file holds.

Each check returns a ``NotebookReport``: ``report.ok``, ``report.describe()``, and per explorer
the moves with their latencies. Latencies are reported, never judged here: the course's target
(``LATENCY_TARGET_MS``) is only compared in the summaries.

``BrowserSession.static_view`` answers another question: what a *stored* notebook shows when it
is opened and not run (the PNG, the widget, or an error), trusted or not, with or without a kernel.
"""
from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

EXPLORER_TEXT_PREFIX = "Explorer: "
LATENCY_TARGET_MS = 100.0
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--no-proxy-server", "--disable-breakpad", "--disable-crash-reporter"]
INSTALL_HINT = ("the browser tests need Chromium and the Playwright Python package: "
                "`sudo apt-get install chromium` (Debian/Ubuntu; elsewhere set CHROMIUM=/path/to/chromium) "
                "and `.venv/bin/pip install playwright` (no `playwright install` needed: "
                "the tests drive the system's Chromium)")
REQUIRE_ENV = "REQUIRE_BROWSER_TESTS"

UIS = {"lab": "JupyterLab", "notebook": "Notebook 7"}
# how the status line of an explorer whose update raised begins (helpers.views.explorer.error_html)
ERROR_STATUS = "Cannot show these values."
# the page is a laptop's screen: every explorer must fit it (its figure, controls and status line in
# the notebook's visible height, and in the output area's width with JupyterLab's file browser open)
LAPTOP_VIEWPORT = {"width": 1366, "height": 768}
WINDOWING_MODE = "contentVisibility"   # how the notebook renders its cells: JupyterLab's default


# -- what is needed, and what to do without it -----------------------------------------------------
def chromium_path() -> str | None:
    """The Chromium to drive: $CHROMIUM if set, else `chromium` on PATH, else /usr/bin/chromium."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def missing_requirements() -> list[str]:
    """What is missing to run the browser tests ([] when nothing is)."""
    missing = []
    if chromium_path() is None:
        missing.append("Chromium (apt-get install chromium)")
    try:
        importlib.import_module("playwright.sync_api")
    except ImportError:
        missing.append("the playwright package (pip install playwright)")
    return missing


def unavailable_message(missing: list[str]) -> str:
    return f"missing {' and '.join(missing)}; {INSTALL_HINT}"


def browser_tests_required(environ=os.environ) -> bool:
    """CI sets REQUIRE_BROWSER_TESTS=1: then a missing browser fails the tests instead of skipping them."""
    return environ.get(REQUIRE_ENV, "").strip() == "1"


def require_browser(missing=None, environ=os.environ):
    """Call first in a browser test: skips it (or, with REQUIRE_BROWSER_TESTS=1, fails it) when
    Chromium or Playwright is missing, with a message that says what to install."""
    import pytest

    missing = missing_requirements() if missing is None else missing
    if not missing:
        return
    message = unavailable_message(missing)
    if browser_tests_required(environ):
        pytest.fail(f"{message} ({REQUIRE_ENV}=1 is set: the browser tests must run)", pytrace=False)
    pytest.skip(message)


# -- which notebooks have explorers ----------------------------------------------------------------
def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def explorer_output_positions(notebook: Path) -> list[tuple[int, int, str]]:
    """(cell index, output index, title) of each explorer output stored in a notebook."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    found = []
    for i, cell in enumerate(nb.get("cells", [])):
        for j, output in enumerate(cell.get("outputs", []) if cell.get("cell_type") == "code" else []):
            text = _text(output.get("data", {}).get("text/plain", ""))
            if text.startswith(EXPLORER_TEXT_PREFIX):
                title = re.sub(r"\s*\(run the notebook to use its controls\)\s*$", "",
                               text[len(EXPLORER_TEXT_PREFIX):]).strip()
                found.append((i, j, title))
    return found


def stored_status_texts(notebook: Path) -> list[str | None]:
    """The status line of each explorer a stored notebook displays, in order, as a browser shows it
    (the HTML of its saved widget state without tags, entities decoded, spaces collapsed); None for an
    explorer whose saved state holds no status line."""
    import html as html_module

    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    state = state.get("state", {})

    def status_under(model_id, seen):
        if model_id in seen or model_id not in state:
            return None
        seen.add(model_id)
        model = state[model_id]["state"]
        if "explorer-status" in (model.get("_dom_classes") or []):
            text = re.sub(r"<[^>]*>", "", model.get("value", ""))
            return re.sub(r"\s+", " ", html_module.unescape(text)).strip()
        for child in model.get("children", []) if isinstance(model.get("children"), list) else []:
            if isinstance(child, str) and child.startswith("IPY_MODEL_"):
                found = status_under(child[len("IPY_MODEL_"):], seen)
                if found is not None:
                    return found
        return None

    texts = []
    for cell_index, output_index, _ in explorer_output_positions(notebook):
        output = nb["cells"][cell_index]["outputs"][output_index]
        view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json", {})
        texts.append(status_under(view.get("model_id"), set()))
    return texts


def explorer_titles(notebook: Path) -> list[str]:
    """The titles of the explorers a stored notebook displays, in order (from their text/plain)."""
    return [title for _, _, title in explorer_output_positions(notebook)]


def explorer_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every notebook in `folder` that displays at least one explorer, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.glob("*.ipynb")) if explorer_titles(p)]


# -- reports ----------------------------------------------------------------------------------------
@dataclass
class Move:
    control: str      # e.g. "slider 'cycles'"
    action: str       # e.g. "focus handle, End"
    latency_ms: float | None  # input event to changed picture; None when it did not change
    # "changed"; "unchanged": the update ran, the picture stayed; "silent": the page sent the kernel
    # nothing; "timeout": neither picture nor kernel answered in time; "error": the gesture failed
    outcome: str = "changed"


@dataclass
class ExplorerReport:
    title: str
    controls: list[str] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: str | None = None       # the status line under the figure after Run All, as the page shows it
    geometry: dict = field(default_factory=dict)   # its size and the notebook's room (_GEOMETRY_JS)

    @property
    def latencies(self) -> list[float]:
        return [m.latency_ms for m in self.moves if m.latency_ms is not None]

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.latencies) if self.latencies else None


@dataclass
class NotebookReport:
    notebook: str
    ui: str
    explorers: list[ExplorerReport] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)        # worth knowing, fails nothing
    page_errors: list[str] = field(default_factory=list)  # uncaught script errors in the page
    timeline: list = field(default_factory=list)          # (seconds since the check began, what)
    seconds: float = 0.0
    server_log: str = ""
    meant_to_fail: bool = False  # a fixture that shows the harness catching a broken explorer

    @property
    def ok(self) -> bool:
        return not self.failures and all(not e.failures for e in self.explorers)

    def all_failures(self) -> list[str]:
        out = list(self.failures)
        for e in self.explorers:
            out += [f"explorer '{e.title}': {f}" for f in e.failures]
        return out

    def mark(self, what: str, start: float):
        self.timeline.append((round(time.monotonic() - start, 2), what))

    def describe(self) -> str:
        head = f"{self.notebook} in {UIS.get(self.ui, self.ui)} ({self.seconds:.1f} s)"
        lines = [head + (": OK" if self.ok else ": FAILED")]
        lines += [f"  - {f}" for f in self.all_failures()]
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  note: explorer '{e.title}': {n}" for e in self.explorers for n in e.notes]
        lines += ["  " + latency_line(self, e) for e in self.explorers]
        lines.append("  timeline: " + ", ".join(f"{what} {t:.1f} s" for t, what in self.timeline))
        if not self.ok and self.server_log:
            tail = "\n".join(self.server_log.splitlines()[-30:])
            lines.append("  server log (last lines):\n" + re.sub(r"(?m)^", "    ", tail))
        return "\n".join(lines)


def latency_line(report: NotebookReport, explorer: ExplorerReport) -> str:
    median = explorer.median_ms
    where = f"{report.notebook} [{UIS.get(report.ui, report.ui)}] '{explorer.title}'"
    if median is None:
        return f"{where}: no picture change measured"
    verdict = "within" if median <= LATENCY_TARGET_MS else "OVER"
    unchanged = sum(m.outcome == "unchanged" for m in explorer.moves)
    return (f"{where}: median {median:.0f} ms input-to-picture over {len(explorer.latencies)} moves "
            f"(min {min(explorer.latencies):.0f}, max {max(explorer.latencies):.0f}"
            + (f"; {unchanged} move(s) left the picture as it was" if unchanged else "")
            + f"; {verdict} the {LATENCY_TARGET_MS:.0f} ms target)")


class HarnessError(AssertionError):
    """The browser check of a notebook failed; the message is the report."""


def assert_ok(report: NotebookReport) -> NotebookReport:
    if not report.ok:
        raise HarnessError(report.describe())
    return report


# -- the server -------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _request(url: str, method: str = "GET", timeout: float = 5.0, body=None):
    """A request to the local server (never through a proxy); the decoded JSON answer, or None."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
    with _NO_PROXY.open(request, timeout=timeout) as response:
        text = response.read().decode("utf-8")
        return json.loads(text) if text.strip() else None


class JupyterServer:
    """A Jupyter server, started by ``python -m jupyterlab`` (it serves JupyterLab at /lab and
    Notebook 7 at /notebooks), over throwaway copies of the folders of the notebooks it is asked to
    serve. One server serves every check of a session.

    Its root mirrors the repository: links to the repository's folders, so relative paths such as
    ``../data`` work as in the repository, except that a folder of notebooks to check is a copy
    (``serve``); a folder outside the top level of the repository (the fixtures) is copied to
    ``_folders/<n>-<name>``. ``prepare`` puts a fresh copy of one notebook in place (by default
    without outputs, so that everything the page shows comes from the run) after shutting that
    notebook's kernel down, and can start its fresh kernel at once, through the REST API, so that
    the kernel starts while the page loads (the page finds the session and connects to it, as it
    does to a kernel it started itself). The server has its own config, data, runtime and settings
    folders (nothing of the user's Jupyter set-up leaks in), no token, no XSRF check (the harness
    starts and shuts kernels down through the REST API), no news, no extension manager, no
    terminals and no language servers, and writes its output, and its kernels', to a log file.

    ``start`` launches the process and returns at once; ``wait_ready`` waits until it answers
    (``__enter__`` does both).
    """

    def __init__(self, start_timeout: float = 90.0):
        self.start_timeout = start_timeout
        self.process = None
        self.last_log = ""
        self._tmp = None
        self._log = None
        self._ready = False
        self._served: dict[Path, str] = {}  # folder -> its path under the root

    def serve(self, folder: Path) -> str:
        """Copy `folder` (without its notebooks) under the root, once; its path there (URL form)."""
        folder = Path(folder).resolve()
        if folder not in self._served:
            if folder.parent == REPO:
                where = folder.name
                link = self.root / where
                if link.is_symlink():
                    link.unlink()
            else:
                where = f"_folders/{len(self._served)}-{folder.name}"
            shutil.copytree(folder, self.root / where,
                            ignore=shutil.ignore_patterns(".*", "__pycache__", "*.ipynb"))
            self._served[folder] = where
        return self._served[folder]

    def path(self, notebook: Path) -> str:
        """A notebook's path relative to the server root (URL form)."""
        notebook = Path(notebook).resolve()
        return f"{self.serve(notebook.parent)}/{notebook.name}"

    def url(self, notebook: Path, ui: str) -> str:
        # ?reset: JupyterLab starts from an empty workspace, not with the tabs of an earlier check
        prefix, query = {"lab": ("lab/tree", "?reset"), "notebook": ("notebooks", "")}[ui]
        return f"{self.base_url}{prefix}/{self.path(notebook)}{query}"

    def sessions(self, notebook: Path) -> list[dict]:
        """The server's sessions (kernels) of a notebook."""
        path = self.path(notebook)
        return [s for s in _request(self.base_url + "api/sessions") or [] if s.get("path") == path]

    def shutdown(self, notebook: Path):
        """Shut the notebook's kernel down (if it has one)."""
        for session in self.sessions(notebook):
            _request(self.base_url + f"api/sessions/{session['id']}", method="DELETE")

    def prepare(self, notebook: Path, clear_outputs: bool = True, kernel: bool = True, trusted: bool = False,
                start_kernel: bool = False):
        """Shut the notebook's kernel down and put a fresh copy of `notebook` in place.

        kernel=False names a kernel that does not exist, so that the page asks and can go without;
        trusted=True signs the copy, as a learner's own run and save would; start_kernel=True starts
        the copy's kernel now (the page that opens it then connects to that kernel).
        """
        self.wait_ready()
        self.shutdown(notebook)
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
        if clear_outputs:
            for cell in nb.get("cells", []):
                if cell.get("cell_type") == "code":
                    cell["outputs"] = []
                    cell["execution_count"] = None
            nb.get("metadata", {}).pop("widgets", None)
        if not kernel:
            nb.setdefault("metadata", {})["kernelspec"] = {
                "name": "no-such-kernel", "display_name": "no such kernel", "language": "no-such-language"}
            nb["metadata"].pop("language_info", None)
        copy = self.root / self.path(notebook)
        copy.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        if trusted:
            subprocess.run([sys.executable, "-m", "jupyter", "trust", str(copy)], env=self.env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kernel and start_kernel:
            name = nb.get("metadata", {}).get("kernelspec", {}).get("name", "python3")
            _request(self.base_url + "api/sessions", method="POST", timeout=60.0, body={
                "path": self.path(notebook), "name": Path(notebook).name, "type": "notebook",
                "kernel": {"name": name}})

    def __enter__(self):
        self.start()
        self.wait_ready()
        return self

    def start(self):
        """Launch the server (it takes a few seconds to answer: see ``wait_ready``)."""
        self._tmp = tempfile.TemporaryDirectory(prefix="browser-test-")
        tmp = Path(self._tmp.name)
        self.root = root = tmp / "root"
        root.mkdir()
        for item in REPO.iterdir():
            if item.is_dir() and not item.name.startswith("."):
                (root / item.name).symlink_to(item, target_is_directory=True)

        env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "JUPYTER_TOKEN")}
        for name, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                          ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                          ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")]:
            (tmp / sub).mkdir()
            env[name] = str(tmp / sub)
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        self.env = env
        config = {
            "ServerApp": {"disable_check_xsrf": True, "terminals_enabled": False,
                          "jpserver_extensions": {"jupyter_lsp": False, "jupyter_server_terminals": False}},
            # expose_app_in_browser: window.jupyterapp, so that one page opens notebook after notebook
            "LabApp": {"news_url": None, "extension_manager": "readonly", "expose_app_in_browser": True,
                       "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
        }
        (tmp / "config" / "jupyter_server_config.json").write_text(json.dumps(config))
        # No news pop-up. The notebook renders its cells as a learner's JupyterLab does by default
        # ("contentVisibility": every cell is in the page, and the browser skips drawing those out of
        # view), stated here so that the harness does not depend on the default of the day; "full"
        # would leave out of the page the cells out of view, and "none" draws every cell all the time.
        (tmp / "config" / "labconfig").mkdir()
        (tmp / "config" / "labconfig" / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        tracker = tmp / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
        tracker.parent.mkdir(parents=True)
        tracker.write_text(json.dumps({"windowingMode": WINDOWING_MODE}))

        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/"
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={self.port}", "--port-retries=0", "--IdentityProvider.token=",
               f"--ServerApp.root_dir={root}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log_path = tmp / "server.log"
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(cmd, cwd=root, env=env, stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        self._started = time.monotonic()
        return self

    def wait_ready(self):
        """Wait until the server answers (raises HarnessError when it exits or stays silent)."""
        if self._ready:
            return self
        while True:
            if self.process.poll() is not None:
                self.__exit__(None, None, None)
                raise HarnessError(f"the Jupyter server exited with code {self.process.returncode}:\n"
                                   f"{self.last_log}")
            try:
                _request(self.base_url + "api/status", timeout=2.0)
                self._ready = True
                return self
            except OSError:
                if time.monotonic() > self._started + self.start_timeout:
                    self.__exit__(None, None, None)
                    raise HarnessError(f"the Jupyter server did not answer within {self.start_timeout:.0f} s:\n"
                                       f"{self.last_log}")
                time.sleep(0.05)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return self.last_log

    def kernel_id(self, notebook: Path) -> str | None:
        """The id of the notebook's kernel, or None."""
        for session in self.sessions(notebook):
            if session.get("kernel"):
                return session["kernel"]["id"]
        return None

    def kernel_state(self, notebook: Path) -> str | None:
        """The execution state of the notebook's kernel ("starting", "idle", "busy", ...), or None."""
        try:
            for session in self.sessions(notebook):
                if session.get("kernel"):
                    return session["kernel"].get("execution_state")
        except OSError:
            return None
        return None

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # the server shuts its kernels down
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        if self._log is not None and not self._log.closed:
            self._log.close()
        if self._tmp is not None:
            self.last_log = self.log_text()
            self._tmp.cleanup()
            self._tmp = None
        return False


# -- the page ---------------------------------------------------------------------------------------
# Marks each explorer view (a widget output holding a box of controls and an ipympl figure) with
# data-explorer-index, and each of its controls with data-explorer-control; returns what it found.
_FIND_EXPLORERS_JS = r"""
() => {
  const found = [];
  // an explorer of helpers.views.explorer: a box of class "explorer" holding "explorer-controls" (a row above
  // the figure or a column beside it), the ipympl figure and the "explorer-status" line; without those
  // classes, a vbox whose children are a box of controls and the figure
  const parts = (box) => {
    if (box.classList.contains('explorer'))
      return {controls: box.querySelector('.explorer-controls'), figure: box.querySelector('.jupyter-matplotlib'),
              status: box.querySelector('.explorer-status')};
    const kids = [...box.children];
    return {controls: kids.find(k => k.classList.contains('widget-hbox') || k.classList.contains('widget-box')),
            figure: kids.find(k => k.classList.contains('jupyter-matplotlib')), status: null};
  };
  for (const output of document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')) {
    const marked = output.querySelectorAll('.explorer');
    for (const box of (marked.length ? marked : output.querySelectorAll('.widget-vbox'))) {
      const {controls, figure, status} = parts(box);
      if (!controls || !figure) continue;
      const index = found.length;
      box.setAttribute('data-explorer-index', String(index));
      const items = [];
      [...controls.children].forEach((el, j) => {
        const id = `${index}.${j}`;
        el.setAttribute('data-explorer-control', id);
        const texts = [...el.querySelectorAll('.widget-label, .widget-label-basic, label')]
          .map(l => (l.textContent || '').replace(/\u200b/g, '').trim()).filter(Boolean);
        let kind = 'unknown';
        if (el.querySelector('.noUi-handle')) kind = 'slider';
        else if (el.querySelector('select')) kind = 'select';
        else if (el.classList.contains('widget-toggle-buttons')) kind = 'toggle-buttons';
        else if (el.querySelector('input[type=radio]')) kind = 'radio';
        else if (el.querySelector('input[type=checkbox]')) kind = 'checkbox';
        else if (el.matches('button.widget-toggle-button')) kind = 'toggle-button';
        else if (el.querySelector('textarea, input[type=text], input[type=number], input:not([type])')) kind = 'text';
        let label = texts[0] || '';
        if (!label && kind === 'toggle-buttons')
          label = [...el.querySelectorAll('button')].map(b => b.textContent.trim()).join('/');
        if (!label && kind === 'toggle-button') label = el.textContent.trim();
        items.push({id, kind, label, classes: el.className, handles: el.querySelectorAll('.noUi-handle').length});
      });
      found.push({index, controls: items, canvases: figure.querySelectorAll('canvas').length,
                  status: status ? (status.textContent || '').replace(/\s+/g, ' ').trim() : null});
    }
  }
  return found;
}
"""

# Where one explorer sits in the page: its height from the top of its box to the bottom of its status
# line, the right edge of its figure and controls, and the room the notebook gives it (the height of
# the notebook's visible area, the right edge of the output area).
_GEOMETRY_JS = r"""
(index) => {
  const box = document.querySelector(`[data-explorer-index="${index}"]`);
  const panel = box.closest('.jp-WindowedPanel-outer') || box.closest('.jp-Notebook');
  const output = box.closest('.jp-OutputArea-output');
  const rect = (e) => e.getBoundingClientRect();
  const parts = [...box.querySelectorAll('.jupyter-matplotlib canvas, [data-explorer-control]')];
  const status = box.querySelector('.explorer-status');
  const top = rect(box).top;
  const bottom = Math.max(...parts.map(e => rect(e).bottom), status ? rect(status).bottom : -Infinity);
  return {height: Math.round(bottom - top), room_height: Math.round(panel.clientHeight),
          right: Math.round(Math.max(...parts.map(e => rect(e).right))), room_right: Math.round(rect(output).right),
          viewport: [window.innerWidth, window.innerHeight]};
}
"""

# True once every explorer's main canvas holds a drawn (non-transparent) pixel.
_FIGURES_DRAWN_JS = r"""
() => {
  const boxes = document.querySelectorAll('[data-explorer-index]');
  if (!boxes.length) return false;
  for (const box of boxes) {
    const c = box.querySelector('.jupyter-matplotlib canvas');
    if (!c || !c.width || !c.height) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let drawn = false;
    for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) { drawn = true; break; } }
    if (!drawn) return false;
  }
  return true;
}
"""

# The pixels of one explorer's figure canvases, and a test whether they changed since.
_PIXELS_JS = r"""
() => {
  // Count the drawing calls on every canvas, so that the probe reads a canvas's pixels only after
  // something drew on it: reading them on every frame costs the page several ms per frame for a large
  // figure, time taken from the very update being measured.
  const proto = CanvasRenderingContext2D.prototype;
  if (!proto.__countsDraws) {
    proto.__countsDraws = true;
    for (const name of ['drawImage', 'putImageData', 'clearRect', 'fillRect']) {
      const native = proto[name];
      proto[name] = function (...args) { this.canvas.__draws = (this.canvas.__draws || 0) + 1; return native.apply(this, args); };
    }
  }
  // one tracker per explorer, kept: arming a probe or waiting for the picture to settle then reads no
  // pixels unless something drew since the last look
  const trackers = window.__explorerTrackers = window.__explorerTrackers || {};
  window.__explorerPixels = (index) => {
    const box = document.querySelector(`[data-explorer-index="${index}"]`);
    const kept = trackers[index];
    if (kept && kept.box === box && kept.canvases.every(c => c.isConnected)) {
      kept.changed();   // the picture of now is the one to compare with
      return kept;
    }
    return (trackers[index] = track(box));
  };
  const track = (box) => {
    const canvases = [...box.querySelectorAll('.jupyter-matplotlib canvas')].filter(c => c.width && c.height);
    // what a canvas looks like from outside: its drawing calls so far and its size (a new size clears it)
    const stamp = (c) => `${c.__draws || 0}:${c.width}x${c.height}`;
    const grab = (c) => new Uint32Array(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.buffer);
    const base = canvases.map(grab), seen = canvases.map(stamp);
    let calls = 0;
    return {
      box, canvases,
      changed() {
        // Read the pixels of a canvas only when something drew on it, or resized it, since the last
        // look; and, once a second (60 frames), of every canvas, in case one is painted by a way these
        // stamps do not see. Reading them costs a few ms per large canvas.
        const all = ++calls % 60 === 0;
        let differs = false;
        canvases.forEach((c, k) => {
          const now = stamp(c);
          if (!all && now === seen[k]) return;
          seen[k] = now;
          const a = grab(c), b = base[k];
          let same = a.length === b.length;
          for (let i = 0; same && i < a.length; i++) same = a[i] === b[i];
          if (!same) { base[k] = a; differs = true; }
        });
        return differs;
      },
    };
  };
}
"""

# Arms the probe of one explorer: timestamps the input events from now on (event.timeStamp, when the
# browser received it), takes as t0 the one after which the page sent the kernel the update, and, on
# every animation frame, compares the figure's pixels with those at arming time (once something drew
# on the canvas). Outcome "changed" (t1: the first frame that shows a different picture), or
# "unchanged" once the kernel has been busy since the input and is idle and quiet for `unchangedMs`
# with the picture as it was (the update ran, and did not change the picture; the window leaves time
# for a picture that arrived last to be decoded and painted), or "silent" when `silentMs` after the
# input the page has sent the kernel nothing at all.
_ARM_JS = r"""
([index, unchangedMs, silentMs]) => {
  const pixels = window.__explorerPixels(index);
  const kernel = window.__kernelTraffic;
  const busyAtArm = kernel.busy, sentAtArm = kernel.sent;
  const types = ['keydown', 'keyup', 'pointerdown', 'pointermove', 'pointerup', 'mousedown', 'mouseup',
                 'input', 'change', 'click'];
  // first: the gesture's first input event; last: the latest one. t0, the start of the latency, is the
  // input event after which the page sent the kernel its first message: the release that ends a drag,
  // the Enter after typing, the key press (a drag's way across the track is not waiting time).
  const probe = {t0: null, t1: null, event: null, first: null, last: null, outcome: null, stop: false};
  const mark = (e) => {
    probe.last = {t: e.timeStamp, type: e.type};
    if (probe.first === null) probe.first = probe.last;
  };
  probe.onSend = () => {
    if (probe.t0 === null && probe.last !== null) { probe.t0 = probe.last.t; probe.event = probe.last.type; }
  };
  for (const t of types) window.addEventListener(t, mark, {capture: true});
  // resolves with the outcome (null if cancelled): the harness awaits it instead of polling the page
  probe.finished = new Promise((resolve) => { probe.resolve = resolve; });
  const done = () => {
    for (const t of types) window.removeEventListener(t, mark, {capture: true});
    probe.onSend = null;
    probe.resolve(probe.outcome);
  };
  probe.cancel = () => { probe.stop = true; done(); };
  // what happened since arming, for the message of a move that timed out
  probe.state = () => {
    const sent = kernel.sent - sentAtArm, busy = kernel.busy - busyAtArm;
    const since = (t) => `${Math.round(performance.now() - t)} ms ago`;
    return (probe.first === null ? 'the page saw no input event' : `the ${probe.first.type} came ${since(probe.first.t)}`)
      + `; since then the page sent the kernel ${sent} message(s), the kernel went busy ${busy} time(s)`
      + ` and is ${kernel.status}, its last message ${since(kernel.last)}`;
  };
  const frame = () => {
    if (probe.stop) return;
    // the time of this frame's callback, before the pixels are read: reading and comparing them is the
    // probe's own work, not the learner's wait. (Not the frame's own timestamp, which can precede the
    // drawing it shows.)
    const now = performance.now();
    if (probe.first !== null && pixels.changed()) {
      if (probe.t0 === null) { probe.t0 = probe.first.t; probe.event = probe.first.type; }
      probe.t1 = now; probe.outcome = 'changed'; done(); return;
    }
    if (probe.first !== null && kernel.busy > busyAtArm && kernel.status === 'idle' && now - kernel.last >= unchangedMs) {
      probe.outcome = 'unchanged'; done(); return;
    }
    if (probe.first !== null && kernel.sent === sentAtArm && now - probe.first.t >= silentMs) {
      probe.outcome = 'silent'; done(); return;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  window.__explorerProbe = probe;
}
"""

# The probe's outcome, or null if it has none within `timeoutMs`.
_AWAIT_PROBE_JS = r"""
(timeoutMs) => Promise.race([window.__explorerProbe.finished,
                             new Promise((resolve) => setTimeout(() => resolve(null), timeoutMs))])
"""

# Resolves once the kernel is idle, no message has passed to or from it for `quietMs`, and the
# explorer's picture has not changed for as long (false after `timeoutMs`).
_SETTLE_JS = r"""
([index, quietMs, timeoutMs]) => new Promise((resolve) => {
  const pixels = window.__explorerPixels(index);
  const kernel = window.__kernelTraffic;
  const start = performance.now();
  let stableSince = start;
  const frame = () => {
    const now = performance.now();
    if (pixels.changed()) stableSince = now;
    const quiet = kernel.status === 'idle' && now - kernel.last >= quietMs;
    if (quiet && now - stableSince >= quietMs) return resolve(true);
    if (now - start > timeoutMs) return resolve(false);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})
"""

# Error outputs (and stderr) anywhere in the notebook, and widgets that failed to display.
_ERRORS_JS = r"""
() => {
  const out = [];
  for (const el of document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')) {
    const mime = el.getAttribute('data-mime-type') || '';
    const text = (el.textContent || '').trim();
    if (mime === 'application/vnd.jupyter.stderr') out.push('error/stderr output: ' + text.slice(0, 300));
    else if (/Error displaying widget|model not found/i.test(text)) out.push('widget error: ' + text.slice(0, 300));
  }
  return out;
}
"""

_PROMPTS_JS = r"""
() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
        .map(p => (p.textContent || '').trim())
"""

# Installed before the page's own scripts, it watches the page's kernel websockets (both protocols),
# one record per kernel (the id in the websocket's URL):
# - errors and stderr that the kernel sends in answer to a widget message (comm_msg), which the
#   front end shows nowhere: a callback that raises when a control moves would go unnoticed;
# - the kernel's last reported status and the time of the last message either way, so that the
#   harness can wait until an update has finished (kernel idle, and quiet for a while).
# window.__kernelTraffic, __widgetMessageErrors and __widgetMessageNoComm are the record of the kernel
# named by window.__watchKernel (set by the harness: one page serves one notebook after another).
_KERNEL_WATCH_JS = r"""
(() => {
  const Native = window.WebSocket;
  const records = window.__kernelRecords = {};
  const record = (id) => records[id] || (records[id] = {
    complaints: [], noComm: [], traffic: {status: null, busy: 0, sent: 0, last: performance.now()}});
  window.__watchKernel = null;
  const watched = () => record(window.__watchKernel || 'none');
  Object.defineProperty(window, '__kernelTraffic', {get: () => watched().traffic});
  Object.defineProperty(window, '__widgetMessageErrors', {get: () => watched().complaints});
  Object.defineProperty(window, '__widgetMessageNoComm', {get: () => watched().noComm});
  const decoder = new TextDecoder();
  const parse = (data) => {
    if (typeof data === 'string') return JSON.parse(data);
    if (!(data instanceof ArrayBuffer)) return null;
    const view = new DataView(data);
    const n = Number(view.getBigUint64(0, true));
    const at = (i) => Number(view.getBigUint64(8 * (i + 1), true));
    const part = (i) => decoder.decode(new Uint8Array(data, at(i), at(i + 1) - at(i)));
    if (n < 6) return null;
    return {channel: part(0), header: JSON.parse(part(1)), parent_header: JSON.parse(part(2)),
            content: JSON.parse(part(4))};
  };
  const watch = (rec, event) => {
    const kernel = rec.traffic;
    kernel.last = performance.now();
    try {
      const msg = parse(event.data);
      if (!msg || msg.channel !== 'iopub') return;
      const type = msg.header && msg.header.msg_type;
      if (type === 'status') {
        kernel.status = msg.content.execution_state;
        if (kernel.status === 'busy') kernel.busy += 1;
      }
      if (!msg.parent_header || msg.parent_header.msg_type !== 'comm_msg') return;
      if (type === 'error') rec.complaints.push(`${msg.content.ename}: ${msg.content.evalue}`);
      else if (type === 'stream' && msg.content.name === 'stderr') {
        // "No such comm": the front end wrote to a widget the kernel had closed (or, at start-up,
        // asked for widget states before ipywidgets was imported). Noise, kept apart.
        if (/^\s*No such comm: [0-9a-f-]+\s*$/.test(msg.content.text)) rec.noComm.push(msg.content.text.trim());
        else rec.complaints.push(msg.content.text);
      }
    } catch (e) { /* a message this watch cannot read is none of its business */ }
  };
  class WatchedWebSocket extends Native {
    constructor(...args) {
      super(...args);
      const id = (/\/api\/kernels\/([^/?]+)\/channels/.exec(String(args[0])) || [])[1];
      this.__record = id ? record(id) : null;
      if (this.__record) this.addEventListener('message', (event) => watch(this.__record, event));
    }
    send(data) {
      if (this.__record) { this.__record.traffic.last = performance.now(); this.__record.traffic.sent += 1; }
      const probe = window.__explorerProbe;            // a move being timed: its update leaves now
      if (probe && probe.onSend && this.__record && this.__record.traffic === window.__kernelTraffic) probe.onSend();
      return super.send(data);
    }
  }
  window.WebSocket = WatchedWebSocket;
})();
"""



def _wait(predicate, timeout: float, interval: float = 0.1):
    """Call `predicate` until it returns something true or `timeout` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def _run_all(page):
    """Run > Run All Cells, from the menu bar (the same in JupyterLab and Notebook 7)."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^\s*Run\s*$")).first.click()
    page.locator(".lm-Menu-item:visible", has_text=re.compile(r"^\s*Run All Cells\s*$")).first.click()


def _complaints(page) -> list[str]:
    """Errors and stderr the kernel sent in answer to widget messages so far ("No such comm" apart)."""
    return page.evaluate("() => window.__widgetMessageErrors || []")


def _settle(page, index: int, quiet_ms: float, timeout_ms: float = 10_000.0) -> bool:
    """Wait until the kernel is idle and quiet and the explorer's picture has stopped changing."""
    return page.evaluate(_SETTLE_JS, [index, quiet_ms, timeout_ms])


def _traceback_summary(text: str) -> str:
    """The last line of each traceback in a text, e.g. 'RuntimeError: deliberately broken callback'
    (or, without one, the start of the text)."""
    finals = re.findall(r"(?m)^\s*(\w+(?:\.\w+)*(?:Error|Exception|Warning)\b.*)$", text)
    return "; ".join(dict.fromkeys(f.strip() for f in finals)) or repr(text.strip()[:300])


# What one stored explorer output shows: the PNG, the widget (with or without its picture), or an error.
_STATIC_OUTPUT_JS = r"""
([cell, output]) => {
  const cells = document.querySelectorAll('.jp-Notebook .jp-Cell');
  const el = cells[cell] && cells[cell].querySelectorAll('.jp-OutputArea-output')[output];
  if (!el) return {shows: 'nothing', text: ''};
  const text = (el.textContent || '').replace(/\u200b/g, '').trim();
  const canvases = [...el.querySelectorAll('.jupyter-matplotlib canvas')];
  const drawn = canvases.some(c => {
    if (!c.width || !c.height) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
    return false;
  });
  const img = el.querySelector('img');
  let shows;
  if (img && !el.querySelector('.jupyter-widgets')) shows = 'the stored PNG';
  else if (/Error displaying widget|model not found/i.test(text)) shows = 'an error';
  else if (/Loading widget/i.test(text)) shows = 'Loading widget...';
  else if (el.querySelector('.jupyter-widgets')) shows = drawn ? 'the widget, with its picture' : 'the widget, with an empty figure';
  else shows = 'something else';
  return {shows, mime: el.getAttribute('data-mime-type'), text: text.slice(0, 200),
          canvas: canvases.map(c => `${c.width}x${c.height}`).join(' '),
          image: img ? `${img.naturalWidth}x${img.naturalHeight}` : ''};
}
"""


def _drag_handle(page, control, handle, fraction: float):
    """Drag a slider handle with the mouse to `fraction` of its track (0 = min end, 1 = max end)."""
    track = control.locator(".noUi-base").first.bounding_box()
    box = handle.bounding_box()
    vertical = control.locator(".noUi-vertical").count() > 0
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    if vertical:
        x1, y1 = x0, track["y"] + (1 - fraction) * track["height"]
    else:
        x1, y1 = track["x"] + fraction * track["width"], y0
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()


def _control(page, control: dict):
    return page.locator(f'[data-explorer-control="{control["id"]}"]')


def _is_disabled(page, control: dict) -> bool:
    """Whether a control is disabled now (an explorer may disable one, depending on the others)."""
    return _control(page, control).evaluate(
        "e => e.matches(':disabled, [disabled]') || !!e.querySelector(':disabled, [disabled]')")


def _choices(page, control: dict):
    """For a control with a few values (dropdown, toggle or radio buttons, checkbox, toggle button):
    the index of its current value and, per value, (description, gesture that selects it)."""
    el = _control(page, control)
    kind = control["kind"]
    if kind == "select":
        select = el.locator("select").first
        options = select.locator("option").all_text_contents()
        return select.evaluate("s => s.selectedIndex"), [
            (f"select '{o}'", lambda k=k: select.select_option(index=k)) for k, o in enumerate(options)]
    if kind in ("toggle-buttons", "radio"):
        item = "button" if kind == "toggle-buttons" else "input[type=radio]"
        n = el.locator(item).count()
        current = el.evaluate(
            "(e, item) => [...e.querySelectorAll(item)].findIndex(b => b.classList.contains('mod-active') || b.checked)",
            item)
        def select(k):
            # a click that lands while the buttons are being drawn anew (the widget redraws them when
            # the kernel's echo of an earlier change arrives) selects nothing: click again, once, if
            # the option did not become the selected one
            button = el.locator(item).nth(k)
            button.click()
            chosen = "(e, [item, k]) => { const b = e.querySelectorAll(item)[k]; " \
                     "return !!b && (b.classList.contains('mod-active') || b.checked); }"
            if not _wait(lambda: el.evaluate(chosen, [item, k]), 1.0, 0.05):
                button.click()
        return max(current, 0), [(f"click option {k + 1} of {n}", lambda k=k: select(k)) for k in range(n)]
    if kind in ("checkbox", "toggle-button"):
        target = el.locator("input[type=checkbox]").first if kind == "checkbox" else el
        return 0, [("click", target.click), ("click", target.click)]  # a click moves to the other value
    return None, []


def _move_plans(page, control: dict, samples: int):
    """The input gestures that move one control: (plans, extras).

    ``plans`` is a list of (description, gesture, fallback), the fallback (or None) being another
    (description, gesture) to try when the gesture sends nothing to the kernel (a slider already at
    the end its key goes to). ``extras`` is a list of groups of such moves, made one group at a time
    only when none of the planned moves changed the picture (a value that legitimately shows the
    same picture), until one does.

    Each gesture gives the control a value other than the one it has (which usually, though not
    always, changes the picture). Sliders: `samples` moves, End or Home on the focused handle, then
    a mouse drag a quarter of the way back, and so on. Controls with a few values go to another value
    and back to the one they had (so that the other controls keep the state they were made for), as
    many times as it takes to make at least `samples` moves: dropdown, toggle and radio buttons the
    next option, back, the one after, back; checkbox and toggle button clicks. Text fields: new text
    and Enter, then the old text again.
    """
    el = _control(page, control)
    kind = control["kind"]
    plans, extras = [], []
    there_and_back = max(2, samples + samples % 2)  # an even number of moves, at least 2
    if kind == "slider":
        for h in range(control["handles"]):
            handle = el.locator(".noUi-handle").nth(h)
            now = float(handle.get_attribute("aria-valuenow") or 0)
            top = float(handle.get_attribute("aria-valuemax") or 0)
            keys = ["Home", "End"] if now >= top else ["End", "Home"]

            def press(key, handle=handle):
                return (f"focus handle, {key}", lambda: (handle.focus(), handle.press(key)))
            sequence = []
            for i in range(samples + 2):
                if i % 2 == 0:  # the keyboard: to one end of the range, then (next time) to the other
                    key, other = keys[(i // 2) % 2], keys[(i // 2 + 1) % 2]
                    sequence.append((*press(key), press(other)))
                else:  # the mouse: drag the handle from that end a quarter of the way back
                    fraction = 0.25 if key == "End" else 0.75
                    sequence.append((f"drag handle to {fraction:.0%}",
                                     lambda handle=handle, f=fraction: _drag_handle(page, el, handle, f), None))
            plans += sequence[:samples]
            extras += [[move] for move in sequence[samples:]]
    elif kind in ("select", "toggle-buttons", "radio"):
        current, choices = _choices(page, control)
        others = [k for k in range(len(choices)) if k != current]
        sequence = []
        for i in range(there_and_back + 2 if others else 0):
            description, gesture = choices[others[(i // 2) % len(others)]] if i % 2 == 0 else choices[current]
            sequence.append((description, gesture, None))
        plans = sequence[:there_and_back]
        if len(others) > 1:
            extras = [sequence[there_and_back:]]
    elif kind in ("checkbox", "toggle-button"):
        _, choices = _choices(page, control)
        plans = [(*choices[0], None) for _ in range(there_and_back)]
    elif kind == "text":
        field_ = el.locator("textarea, input").first
        original = field_.input_value()
        numeric = field_.get_attribute("type") == "number"
        for i in range(there_and_back):
            if i % 2 == 1:
                text = original
            elif numeric:
                base = float(original or 0)
                hi = field_.get_attribute("max")
                value = base - 1 if hi not in (None, "") and base + 1 > float(hi) else base + 1
                text = str(int(value)) if value == int(value) else str(value)
            else:
                text = f"{original} {i // 2 + 1}"
            plans.append((f"type '{text}' + Enter", lambda text=text: (field_.fill(text), field_.press("Enter")), None))
    return plans, extras


_FEW_VALUES = ("select", "toggle-buttons", "radio", "checkbox", "toggle-button")


class _Mover:
    """Makes the moves of one explorer's controls, timing each and collecting what went wrong."""

    def __init__(self, page, index, explorer, change_timeout, quiet_ms, attributed, silent_ms=2500.0,
                 unchanged_ms=1000.0):
        self.page, self.index, self.explorer = page, index, explorer
        self.change_timeout, self.quiet_ms, self.silent_ms = change_timeout, quiet_ms, silent_ms
        self.unchanged_ms = max(unchanged_ms, quiet_ms)
        self.attributed = attributed  # indices of the kernel's complaints pinned on a move

    def measure(self, name: str, action: str, gesture) -> Move:
        """Make one gesture and time it; the Move (also added to the explorer's)."""
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        page, explorer = self.page, self.explorer
        seen = len(_complaints(page))
        page.evaluate(_ARM_JS, [self.index, self.unchanged_ms, self.silent_ms])
        try:
            gesture()
            if page.evaluate(_AWAIT_PROBE_JS, self.change_timeout * 1000) is None:
                raise PlaywrightTimeout("no outcome")
            outcome, latency = page.evaluate(
                "() => [window.__explorerProbe.outcome, window.__explorerProbe.t1 - window.__explorerProbe.t0]")
            move = Move(name, action, latency if outcome == "changed" else None, outcome)
        except PlaywrightTimeout:
            state = page.evaluate("() => { const p = window.__explorerProbe; p.cancel(); return p.state(); }")
            move = Move(name, action, None, "timeout")
            explorer.failures.append(f"{name}: the picture did not change within {self.change_timeout:g} s "
                                     f"of '{action}' (nor did the kernel finish an update): {state}")
        except PlaywrightError as exc:
            move = Move(name, action, None, "error")
            explorer.failures.append(f"{name}: could not '{action}': {str(exc).splitlines()[0]}")
        _settle(page, self.index, self.quiet_ms)
        # mark the controls again (one may be a new widget: Explorer.link_max), and read the status line:
        # an update that raised says so there (the explorer catches the error of a moved control)
        found = page.evaluate(_FIND_EXPLORERS_JS)
        status = found[self.index]["status"] if self.index < len(found) else None
        if status and status.startswith(ERROR_STATUS):
            explorer.failures.append(f"{name}: after '{action}' the explorer says: {status}")
        new = _complaints(page)[seen:]
        if new:
            explorer.failures.append(f"{name}: after '{action}' the kernel reported (the page shows "
                                     f"nothing of it): {_traceback_summary(chr(10).join(new))}")
            self.attributed.update(range(seen, seen + len(new)))
        explorer.moves.append(move)
        return move

    def move(self, control: dict, moves_to_make):
        """Make a control's planned moves, and its extra moves while none changed the picture; it
        must change the picture at least once."""
        plans, extras = moves_to_make
        name = _describe_control(control)
        if not plans:
            self.explorer.failures.append(f"control {name} offers no other value to move to")
            return
        moves = []

        def make(group) -> bool:  # False once a move timed out or failed: the next ones would too
            for action, gesture, fallback in group:
                moves.append(self.measure(name, action, gesture))
                if moves[-1].outcome == "silent" and fallback is not None:
                    moves.append(self.measure(name, *fallback))
                if moves[-1].outcome in ("timeout", "error"):
                    return False
            return True
        going = make(plans)
        for group in extras:
            if not going or any(m.outcome == "changed" for m in moves):
                break
            going = make(group)
        if not going:
            return
        if not any(m.outcome == "changed" for m in moves):
            if all(m.outcome == "silent" for m in moves):
                why = "none of its moves reached the kernel"
            else:
                why = "the picture did not change after any of its moves, though the kernel finished each update"
            self.explorer.failures.append(f"{name}: {why} ({', '.join(repr(m.action) for m in moves)})")


def _describe_control(control: dict) -> str:
    label = f" '{control['label']}'" if control["label"] else ""
    return f"{control['kind']}{label}"


@dataclass
class _Run:
    """One notebook in one front end, from opening to the end of its check."""
    notebook: Path
    ui: str
    report: NotebookReport
    start: float
    page: object = None
    log_start: int = 0
    deadline: float = 0.0       # when Run All must have finished
    found: list = field(default_factory=list)  # the explorers the page shows (from _FIND_EXPLORERS_JS)
    during_run: list = field(default_factory=list)  # the kernel's complaints during Run All
    failed: bool = False        # a step failed: the check goes no further
    on_error: object = None     # the page's "pageerror" listener for this run

    def fail(self, why: str):
        self.report.failures.append(why)
        self.failed = True


class BrowserSession:
    """One Chromium (a fresh profile), one Jupyter server and one JupyterLab page, for as many checks
    as needed; close it (or use ``with``) to stop them all. Started on first use (the server's
    start-up overlaps the browser's).

    JupyterLab is loaded once: each notebook after the first is opened in the same page (File > Open,
    through the application's command) once the previous one is closed and its kernel shut down, as a
    learner goes from one notebook to the next. Loading JupyterLab costs more than running most
    notebooks. A check that fails on the way leaves a page that the next check does not trust: it
    gets a fresh one. Notebook 7 gets a fresh page for each check.
    """

    def __init__(self):
        self._playwright_cm = None
        self._context = None
        self._profile = None
        self._server: JupyterServer | None = None
        self._lab_page = None  # the JupyterLab page, between checks (no notebook open)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _browser(self):
        if self._context is None:
            from playwright.sync_api import sync_playwright

            self._profile = tempfile.TemporaryDirectory(prefix="browser-profile-")
            self._playwright_cm = sync_playwright()
            playwright = self._playwright_cm.__enter__()
            self._context = playwright.chromium.launch_persistent_context(
                self._profile.name, executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
                viewport=LAPTOP_VIEWPORT, device_scale_factor=1)
            self._context.add_init_script(_KERNEL_WATCH_JS)
        return self._context

    def server(self, notebook: Path | None = None) -> JupyterServer:
        """The session's Jupyter server (started, and answering)."""
        if self._server is None:
            self._server = JupyterServer().start()
        return self._server.wait_ready()

    def _up(self):
        """The server and the browser, started together."""
        if self._server is None:
            self._server = JupyterServer().start()
        context = self._browser()
        return self.server(), context

    def close(self):
        if self._context is not None:
            self._context.close()
            self._context = None
            self._lab_page = None
        if self._playwright_cm is not None:
            self._playwright_cm.__exit__(None, None, None)
            self._playwright_cm = None
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None
        if self._server is not None:
            self._server.__exit__(None, None, None)
            self._server = None

    # -- moving the controls --------------------------------------------------------------------
    def check(self, notebook: Path, uis=("lab",), change_timeout: float = 10.0, samples: int = 1,
              run_timeout: float = 120.0, quiet_ms: float = 250.0,
              screenshot_dir: Path | None = None) -> list[NotebookReport]:
        """Open `notebook` in each of `uis` ("lab", "notebook") in turn, each time a fresh copy with a
        fresh kernel; run it, move every control of every explorer, and report.

        samples        : moves per slider (keyboard, then mouse, in turn); a control with a few values
                         goes to another value and back, as often as it takes to make at least
                         `samples` moves. A control none of whose moves changed the picture gets up
                         to two more moves (see ``_move_plans``).
        change_timeout : seconds a move may take to change the picture, or at least to finish its
                         update in the kernel.
        run_timeout    : seconds Run All Cells may take.
        quiet_ms       : how long the kernel must stay idle and silent for an update to count as done.
        Returns one ``NotebookReport`` per UI; never raises for a failed check (see ``assert_ok``).
        """
        notebook = Path(notebook).resolve()
        reports = []
        for ui in uis:
            run = _Run(notebook, ui, NotebookReport(notebook=notebook.name, ui=ui), time.monotonic())
            reports.append(run.report)
            try:
                self._open(run)
                for step in (_start_run_all, _finish_run_all):
                    if not run.failed:
                        step(run, self._server, run_timeout)
                if not run.failed:
                    run.report.mark("controls to move", run.start)
                    _move_controls(run, change_timeout, samples, quiet_ms)
                if screenshot_dir is not None and run.page is not None:
                    Path(screenshot_dir).mkdir(parents=True, exist_ok=True)
                    run.page.screenshot(path=str(Path(screenshot_dir) / f"{notebook.stem}-{ui}.png"))
            except Exception as exc:  # a page that broke mid-way is a failed check, with its reason
                run.fail(f"the check stopped: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            finally:
                self._finish(run)
        return reports

    def _open(self, run: _Run):
        """Put a fresh copy of the notebook in place, start its kernel, and open it in a page."""
        server, context = self._up()
        run.report.mark("server and browser up", run.start)
        server.prepare(run.notebook, start_kernel=True)
        run.log_start = len(server.log_text())
        reuse = run.ui == "lab" and self._lab_page is not None
        run.page = self._lab_page if reuse else context.new_page()
        if run.ui == "lab":
            self._lab_page = None  # back in _finish, if the check went well
        run.on_error = lambda exc, errors=run.report.page_errors: errors.append(str(exc))
        run.page.on("pageerror", run.on_error)
        run.page.set_default_timeout(30_000)
        run.page.bring_to_front()
        if reuse:
            run.page.evaluate(_OPEN_JS, server.path(run.notebook))
        else:
            run.page.goto(server.url(run.notebook, run.ui), wait_until="domcontentloaded")

    def _finish(self, run: _Run):
        """Close the notebook (the page too, unless it is the JupyterLab page and all went well) and
        shut its kernel down."""
        page, keep = run.page, run.ui == "lab" and not run.failed and run.page is not None
        if page is not None:
            try:
                page.remove_listener("pageerror", run.on_error)
                if keep:
                    page.evaluate(_CLOSE_ALL_JS)
                    page.wait_for_function("() => !document.querySelector('.jp-Notebook')", timeout=10_000)
            except Exception as exc:  # a page that cannot close its notebook is not used again
                run.report.notes.append(f"the page could not close the notebook ({type(exc).__name__}); "
                                        f"the next check gets a fresh page")
                keep = False
            if keep:
                self._lab_page = page
            else:
                try:
                    page.close()
                except Exception:  # the browser is gone already: nothing to close
                    pass
            run.page = None
        if self._server is not None:
            try:
                self._server.shutdown(run.notebook)
            except OSError:
                pass
            run.report.server_log = self._server.log_text()[run.log_start:]
        run.report.seconds = time.monotonic() - run.start

    # -- a notebook that has run, for a test to drive by hand -----------------------------------
    @contextmanager
    def ran(self, notebook: Path, ui: str = "lab", run_timeout: float = 120.0):
        """Open a fresh copy of `notebook` in `ui`, Run All, and yield an ``Explorers`` of its page (the
        explorers marked as in a check); closed and its kernel shut down after. Raises HarnessError if
        the run failed."""
        notebook = Path(notebook).resolve()
        run = _Run(notebook, ui, NotebookReport(notebook=notebook.name, ui=ui), time.monotonic())
        try:
            self._open(run)
            for step in (_start_run_all, _finish_run_all):
                if not run.failed:
                    step(run, self._server, run_timeout)
            assert_ok(run.report)
            yield Explorers(run.page)
        finally:
            run.failed = True     # the page was driven by hand: the next check gets a fresh one
            self._finish(run)

    # -- what a stored notebook shows before anything runs --------------------------------------
    def static_view(self, notebook: Path, ui: str = "lab", trusted: bool = False, kernel: bool = False,
                    wait: float = 15.0, screenshot: Path | None = None) -> list[dict]:
        """What each explorer output of a *stored* notebook shows when it is opened and not run.

        trusted : whether the notebook is trusted (a fresh clone is not; one the learner ran and
                  saved is).
        kernel  : whether a kernel starts (JupyterLab starts one on opening; without, the page is
                  told "No Kernel" in the kernel dialog).
        Returns one dict per explorer output; its ``shows`` is "the stored PNG", "the widget, with
        its picture", "the widget, with an empty figure", "Loading widget...", "an error" or
        "nothing".
        """
        positions = [(cell, output) for cell, output, _ in explorer_output_positions(notebook)]
        server = self.server(notebook)
        server.prepare(notebook, clear_outputs=False, kernel=kernel, trusted=trusted)
        page = self._browser().new_page()
        try:
            page.goto(server.url(notebook, ui), wait_until="domcontentloaded")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=60_000)
            if kernel:
                _wait(lambda: server.kernel_state(notebook) == "idle", 60)
            else:
                page.locator(".jp-Dialog button", has_text="No Kernel").click(timeout=60_000)

            def views():
                return [page.evaluate(_STATIC_OUTPUT_JS, list(p)) for p in positions]

            # a widget's figure is drawn a moment after the widget (the browser decodes the saved
            # picture first): an empty figure counts as settled only if it is still empty at the end
            def settled():
                v = views()
                pending = ("Loading widget...", "nothing", "the widget, with an empty figure")
                return v if all(x["shows"] not in pending for x in v) else None
            result = _wait(settled, wait, 0.25) or views()
            if screenshot is not None and positions:
                cell, output = positions[0]
                shown = page.locator(".jp-Notebook .jp-Cell").nth(cell).locator(".jp-OutputArea-output").nth(output)
                shown.scroll_into_view_if_needed()
                shown.screenshot(path=str(screenshot))
            return result
        finally:
            page.close()
            server.shutdown(notebook)


class Explorers:
    """The explorers of a page after Run All, for tests that drive one control by hand."""

    def __init__(self, page):
        self.page = page
        self.found = page.evaluate(_FIND_EXPLORERS_JS)

    def control(self, explorer: int, label: str):
        """The locator of the control of `explorer` whose label is `label`."""
        self.found = self.page.evaluate(_FIND_EXPLORERS_JS)   # marked again: a control may be new
        (control,) = [c for c in self.found[explorer]["controls"] if c["label"] == label]
        return _control(self.page, control)

    def handle(self, explorer: int, label: str):
        return self.control(explorer, label).locator(".noUi-handle").first

    def slider_value(self, explorer: int, label: str) -> tuple[float, float]:
        """(value, maximum) of a slider, as its handle tells assistive technology."""
        handle = self.handle(explorer, label)
        return float(handle.get_attribute("aria-valuenow")), float(handle.get_attribute("aria-valuemax"))

    def status(self, explorer: int) -> str:
        return self.page.evaluate(_FIND_EXPLORERS_JS)[explorer]["status"]

    def settle(self, explorer: int, quiet_ms: float = 250.0) -> bool:
        """Wait until the kernel is quiet and the explorer's picture has stopped changing."""
        self.page.evaluate(_PIXELS_JS)
        return _settle(self.page, explorer, quiet_ms)


def check_notebook(notebook: Path, uis=("lab",), **options) -> list[NotebookReport]:
    """``BrowserSession.check`` in a session of its own."""
    with BrowserSession() as session:
        return session.check(notebook, uis, **options)


# Opens a notebook in the JupyterLab page (File > Open, by the application's command), and closes every
# document (the notebook was modified by running it; it is not saved: the copy is thrown away).
_OPEN_JS = r"""
(path) => { void window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Notebook'}); }
"""
_CLOSE_ALL_JS = r"""
() => {
  for (const widget of Array.from(window.jupyterapp.shell.widgets('main'))) {
    if (widget.context && widget.context.model) widget.context.model.dirty = false;
    widget.close();
  }
}
"""


def _start_run_all(run: _Run, server: JupyterServer, run_timeout: float):
    """Wait until the notebook is shown and its kernel is idle, then Run > Run All Cells."""
    page, report = run.page, run.report
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=60_000)
    report.mark("notebook shown", run.start)

    # The kernel is up when the server says so and the page's indicator agrees.
    def kernel_ready():
        return server.kernel_state(run.notebook) == "idle" and page.locator(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']").count() > 0
    if not _wait(kernel_ready, 60):
        run.fail(f"the kernel was not ready 60 s after opening (state {server.kernel_state(run.notebook)!r})")
        return
    report.mark("kernel idle", run.start)
    # from now on the page's watch reports on this notebook's kernel
    page.evaluate("(id) => { window.__watchKernel = id; }", server.kernel_id(run.notebook))
    _run_all(page)
    run.deadline = time.monotonic() + run_timeout


def _finish_run_all(run: _Run, server: JupyterServer, run_timeout: float):
    """Wait until every cell has run, the kernel is idle and every explorer has drawn its figure."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page, report = run.page, run.report

    def all_ran():
        prompts = page.evaluate(_PROMPTS_JS)
        return bool(prompts) and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts) \
            and server.kernel_state(run.notebook) == "idle"
    if not _wait(all_ran, max(0.0, run.deadline - time.monotonic()), 0.1):
        run.fail(f"Run All Cells did not finish within {run_timeout:.0f} s (prompts: {page.evaluate(_PROMPTS_JS)})")
        return
    report.mark("all cells ran", run.start)

    expected = len(explorer_titles(run.notebook))
    found = _wait(lambda: (lambda f: f if len(f) >= expected else [])(page.evaluate(_FIND_EXPLORERS_JS)), 30)
    found = found or page.evaluate(_FIND_EXPLORERS_JS)
    if len(found) != expected:
        report.failures.append(f"the page shows {len(found)} explorer(s) (a box of controls above an ipympl "
                               f"figure), the notebook file {expected}; does the notebook use %matplotlib widget?")
    if found:
        try:
            page.wait_for_function(_FIGURES_DRAWN_JS, timeout=30_000)
        except PlaywrightTimeout:
            report.failures.append("an explorer's figure was not drawn within 30 s of the run")
    page.evaluate(_PIXELS_JS)
    report.mark("explorers drawn", run.start)
    report.failures += [f"after Run All: {e}" for e in page.evaluate(_ERRORS_JS)]
    run.during_run = _complaints(page)
    if run.during_run:
        report.failures.append("during Run All the kernel answered widget messages with errors: "
                               + _traceback_summary("\n".join(run.during_run)))
    run.found = found


def _move_controls(run: _Run, change_timeout, samples, quiet_ms):
    """Move every control of every explorer of a notebook that has run, and check the page after."""
    page, report = run.page, run.report
    titles = explorer_titles(run.notebook)
    stored = stored_status_texts(run.notebook)
    attributed = set(range(len(run.during_run)))  # the kernel's complaints accounted for so far
    for info in run.found:
        index = info["index"]
        title = titles[index] if index < len(titles) else f"explorer {index + 1}"
        explorer = ExplorerReport(title=title, controls=[_describe_control(c) for c in info["controls"]],
                                  status=info.get("status"))
        report.explorers.append(explorer)
        _check_status_and_fit(page, index, explorer, stored[index] if index < len(stored) else None)
        if not info["canvases"]:
            explorer.failures.append("its figure has no canvas")
            continue
        page.locator(f'[data-explorer-index="{index}"]').scroll_into_view_if_needed()
        _settle(page, index, quiet_ms)
        mover = _Mover(page, index, explorer, change_timeout, quiet_ms, attributed)
        disabled = []
        for control in info["controls"]:
            if control["kind"] == "unknown":
                explorer.failures.append(f"control {_describe_control(control)} ({control['classes']}) "
                                         f"is not a kind the harness can move")
            elif _is_disabled(page, control):
                disabled.append(control)
            else:
                mover.move(control, _move_plans(page, control, samples))
        # A control the explorer disables (for the values the others have now) is moved once another
        # control's choice enables it; that choice is undone afterwards.
        selectors = [c for c in info["controls"] if c["kind"] in _FEW_VALUES and c not in disabled]
        for control in disabled:
            name = _describe_control(control)
            for selector in selectors:
                current, choices = _choices(page, selector)
                undo = choices[current] if selector["kind"] in ("select", "toggle-buttons", "radio") else choices[0]
                tried = [k for k in range(len(choices)) if k != current][:1 if selector["kind"] in
                                                                            ("checkbox", "toggle-button") else None]
                for k in tried:
                    mover.measure(_describe_control(selector), *choices[k])
                    if not _is_disabled(page, control):
                        explorer.notes.append(f"{name} is disabled until {_describe_control(selector)} is "
                                              f"changed ('{choices[k][0]}'); moved then")
                        mover.move(control, _move_plans(page, control, samples))
                        mover.measure(_describe_control(selector), *undo)
                        break
                    mover.measure(_describe_control(selector), *undo)
                else:
                    continue
                break
            else:
                explorer.notes.append(f"{name} stays disabled whatever one other control chooses; not moved")
    report.mark("controls moved", run.start)
    report.failures += [f"after moving the controls: {e}" for e in page.evaluate(_ERRORS_JS)]
    unattributed = [c for i, c in enumerate(_complaints(page)) if i not in attributed]
    if unattributed:
        report.failures.append("the kernel answered widget messages with errors: "
                               + _traceback_summary("\n".join(unattributed)))
    no_comm = [c for c in page.evaluate("() => window.__widgetMessageNoComm || []") if "-" not in c]
    if no_comm:
        report.notes.append(f"the kernel answered {len(no_comm)} widget message(s) with 'No such comm': the "
                            f"front end wrote to {len(set(no_comm))} widget(s) the kernel had closed (such as "
                            f"the canvas of a figure closed after it was shown as a PNG); harmless")


def _check_status_and_fit(page, index: int, explorer: ExplorerReport, stored: str | None):
    """After Run All: the status line reads what the notebook's saved state says it reads (the page
    shows it as written: text such as c<t> is not swallowed as a tag, and the explorer is back at its
    start), and the explorer fits the notebook's room on a laptop's screen."""
    if stored is not None and explorer.status is not None and explorer.status != stored:
        explorer.failures.append(f"after Run All its status line reads {explorer.status!r}; the notebook's saved "
                                 f"state says {stored!r}")
    geometry = page.evaluate(_GEOMETRY_JS, index)
    explorer.geometry = geometry
    if geometry["height"] > geometry["room_height"]:
        explorer.failures.append(f"it is {geometry['height']} px tall, and the notebook shows "
                                 f"{geometry['room_height']} px at a time in a {geometry['viewport'][0]} x "
                                 f"{geometry['viewport'][1]} window")
    if geometry["right"] > geometry["room_right"]:
        explorer.failures.append(f"its figure or controls end {geometry['right'] - geometry['room_right']} px "
                                 f"right of the output area in a {geometry['viewport'][0]} px wide window")


# -- results of this run, for the summaries -------------------------------------------------------
RESULTS: list[NotebookReport] = []


def summary_lines(results=None) -> list[str]:
    """One line per explorer (median latency) and one per checked notebook (time taken)."""
    results = RESULTS if results is None else results
    lines = []
    for report in results:
        lines += [latency_line(report, explorer) for explorer in report.explorers]
        verdict = "" if report.ok else " (failed, as this fixture must)" if report.meant_to_fail else " (FAILED)"
        lines.append(f"{report.notebook} [{UIS.get(report.ui, report.ui)}]: checked in {report.seconds:.1f} s"
                     + verdict)
    return lines
