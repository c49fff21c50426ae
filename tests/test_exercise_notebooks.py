"""The "Your turn" exercises as nbgrader sees them, and the learner copies in notebooks/exercises/.

- the committed learner copies are what `nbgrader generate_assignment notebooks` makes from notebooks/ now;
- a learner copy holds no solution and no output, its test cells are tagged `raises-exception`, and later
  cells never call the learner's functions;
- a blank learner copy runs to its last cell under nbconvert (nbclient stops at an untagged error), and
  every check in it says the exercise is not written yet;
- `nbgrader autograde` gives the solution notebooks full marks, a blank copy zero, and a copy with one
  seeded mistake partial marks, naming the mistake in the graded notebook.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
COPIES = ROOT / "notebooks" / "exercises"
BIN = Path(sys.executable).parent      # nbgrader runs `alembic` by name: the environment's bin goes on PATH


def _nbgrader_cells(path):
    nb = json.loads(path.read_text())
    return [c for c in nb["cells"] if "nbgrader" in c.get("metadata", {})]


EXERCISE_NOTEBOOKS = [p for p in NOTEBOOKS if _nbgrader_cells(p)]


def _env():
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _course(tmp_path):
    """A copy of the course's nbgrader setup in tmp_path: the config and the source notebooks."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    (tmp_path / "notebooks").mkdir()
    for nb in NOTEBOOKS:
        shutil.copy(nb, tmp_path / "notebooks" / nb.name)
    return tmp_path


def _nbgrader(course, *args):
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=_env(), capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_some_notebooks_hold_exercises():
    assert len(EXERCISE_NOTEBOOKS) >= 4
    grade_cells = [c for p in EXERCISE_NOTEBOOKS for c in _nbgrader_cells(p) if c["metadata"]["nbgrader"]["grade"]]
    assert all(c["metadata"]["nbgrader"]["points"] > 0 for c in grade_cells)


def test_the_committed_learner_copies_are_up_to_date(tmp_path):
    course = _course(tmp_path)
    _nbgrader(course, "generate_assignment", "notebooks", "--no-db")
    made = {p.name: p.read_text() for p in sorted((course / "notebooks" / "exercises").glob("*.ipynb"))}
    committed = {p.name: p.read_text() for p in sorted(COPIES.glob("*.ipynb"))}
    stale = sorted(n for n in set(made) | set(committed) if made.get(n) != committed.get(n))
    assert not stale, (f"the learner copies in notebooks/exercises/ are out of date ({', '.join(stale)}); "
                       f"remake them with:  .venv/bin/nbgrader generate_assignment notebooks --no-db --force  "
                       f"(from the repository's folder)")


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=[p.stem for p in EXERCISE_NOTEBOOKS])
def test_a_learner_copy_holds_no_solution_and_its_checks_do_not_stop_run_all(path):
    copy = json.loads((COPIES / path.name).read_text())
    source = json.loads(path.read_text())
    assert len(copy["cells"]) == len(source["cells"])
    learner_names = set()
    for cell in copy["cells"]:
        text = "".join(cell["source"])
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            assert "raise NotImplementedError()" in text
            learner_names.update(re.findall(r"^def (\w+)\(", text, flags=re.M))
        if meta.get("grade"):
            assert "raises-exception" in cell["metadata"].get("tags", []), meta["grade_id"]
    assert learner_names
    # later cells use the helpers, never the learner's functions: only the checks call them
    for cell in copy["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] != "code" or meta.get("solution") or meta.get("grade"):
            continue
        used = {n for n in learner_names if re.search(rf"\b{n}\b", "".join(cell["source"]))}
        assert not used, f"{path.name}: a cell outside the exercise uses {used}"


def test_a_blank_learner_copy_runs_to_the_end_and_every_check_says_not_written_yet():
    """nbclient, like nbconvert --execute, stops at an error unless the cell is tagged raises-exception."""
    first = min(EXERCISE_NOTEBOOKS, key=lambda p: p.stat().st_size)
    nb = nbformat.read(COPIES / first.name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(COPIES)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)          # the last cell ran too
    for cell in code:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert errors and errors[0].ename == "ExerciseError"
            assert re.search(r"is not (written|answered) yet", errors[0].evalue), errors[0].evalue


def _scores(course, student):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        found = {}
        for nb in gb.find_assignment("notebooks").notebooks:
            try:
                sub = gb.find_submission_notebook(nb.name, "notebooks", student)
            except Exception:                                    # noqa: BLE001 - not submitted by this student
                continue
            if sub.max_score > 0:                                  # the notebooks without exercises count 0 of 0
                found[nb.name] = (sub.score, sub.max_score)
        return found


SEEDED_MISTAKE = '''def rnn_cell_step(xt, a_prev, parameters):
    a_next = parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"]
    z_y = parameters["Wya"] @ a_next + parameters["by"]
    yt_pred = np.exp(z_y - z_y.max(axis=0)) / np.exp(z_y - z_y.max(axis=0)).sum(axis=0)
    return a_next, yt_pred
'''


def test_autograde_full_marks_for_the_solutions_zero_for_a_blank_copy_partial_for_a_mistake(tmp_path):
    course = _course(tmp_path)
    _nbgrader(course, "generate_assignment", "notebooks")
    submitted = course / "notebooks" / "submitted"
    for student in ("solutions", "blank", "mistake"):
        (submitted / student).mkdir(parents=True)
    for nb in EXERCISE_NOTEBOOKS:
        shutil.copy(nb, submitted / "solutions" / nb.name)
    rnn = next(p for p in EXERCISE_NOTEBOOKS if p.name.startswith("02_"))
    shutil.copy(course / "notebooks" / "exercises" / rnn.name, submitted / "blank" / rnn.name)
    nb = json.loads(rnn.read_text())                              # the solutions, one exercise done wrong
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "rnn_cell_step")
    cell["source"] = SEEDED_MISTAKE
    (submitted / "mistake" / rnn.name).write_text(json.dumps(nb))

    _nbgrader(course, "autograde", "notebooks")

    full = _scores(course, "solutions")
    assert set(full) == {p.stem for p in EXERCISE_NOTEBOOKS}
    assert all(score == top > 0 for score, top in full.values()), full
    blank = _scores(course, "blank")[rnn.stem]
    assert blank[0] == 0 and blank[1] > 0
    wrong = _scores(course, "mistake")[rnn.stem]
    test_points = next(c["metadata"]["nbgrader"]["points"] for c in nb["cells"]
                       if c["metadata"].get("nbgrader", {}).get("grade_id") == "check_rnn_cell_step")
    assert wrong == (full[rnn.stem][1] - test_points, full[rnn.stem][1])
    graded = (course / "notebooks" / "autograded" / "mistake" / rnn.name).read_text()
    assert "tanh is forgotten" in graded
