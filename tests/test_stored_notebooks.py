"""The notebooks as stored: what a learner sees on opening one before running anything.

nbval checks that running a notebook reproduces its stored text outputs; these tests check what the
stored file itself carries for its explorers: a PNG for viewers without widgets, and, in the saved
widget state, the picture of every explorer's figure, so that a trusted notebook opened with a fresh
kernel (whose widgets are not live) shows the figure instead of an empty canvas.
"""
import base64
import io
import json
from pathlib import Path

import pytest
from PIL import Image

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"


def explorer_outputs(nb):
    """The display outputs of explorers (their plain text starts with "Explorer: ")."""
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("data", {}).get("text/plain", ""))
            if text.startswith("Explorer: "):
                yield output


def canvases_under(state, model_id, seen=None):
    """The ipympl canvas models shown by a widget view and its children, by model id."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id]
    found = [model_id] if model["model_name"] == "MPLCanvasModel" else []
    children = model["state"].get("children", [])
    for child in children if isinstance(children, list) else []:
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            found += canvases_under(state, child[len("IPY_MODEL_"):], seen)
    return found


def test_some_notebooks_have_explorers():
    assert sum(1 for nb in NOTEBOOKS if any(explorer_outputs(json.loads(nb.read_text())))) >= 10


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_stored_explorer_carries_its_picture(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    outputs = list(explorer_outputs(nb))
    if not outputs:
        return
    state = nb["metadata"].get("widgets", {}).get(STATE, {}).get("state", {})
    for output in outputs:
        data = output["data"]
        png = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
        assert png.width > 100 and png.height > 100
        assert VIEW in data, f"{path.name}: an explorer output without its widget view"
        canvases = canvases_under(state, data[VIEW]["model_id"])
        assert len(canvases) == 1, f"{path.name}: the explorer's view should hold one figure, found {canvases}"
        canvas = state[canvases[0]]["state"]
        url = canvas.get("_data_url") or ""
        prefix = "data:image/png;base64,"
        assert url.startswith(prefix), (f"{path.name}: the saved widget state holds no picture for the figure "
                                        f"of '{data['text/plain'][:60]}'; re-execute the notebook")
        picture = Image.open(io.BytesIO(base64.b64decode(url[len(prefix):])))
        assert picture.size == tuple(round(v) for v in canvas["_size"])       # the size the view is laid out at
        assert picture.size == png.size                                        # the figure the PNG shows


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_stored_explorer_is_left_at_its_start(path):
    """After Run All each explorer shows the state it was made with, the one the notebook's text
    describes: the cells that check an explorer move its controls and must put them back (reset()).
    The PNG of an explorer's output is its picture when it was displayed, before any check moved it;
    the saved widget state holds its picture after the whole notebook ran. They must be the same."""
    import numpy as np

    nb = json.loads(path.read_text(encoding="utf-8"))
    state = nb["metadata"].get("widgets", {}).get(STATE, {}).get("state", {})
    prefix = "data:image/png;base64,"
    for output in explorer_outputs(nb):
        data = output["data"]
        shown = np.asarray(Image.open(io.BytesIO(base64.b64decode(data["image/png"]))).convert("RGBA"))
        (canvas,) = canvases_under(state, data[VIEW]["model_id"])
        url = state[canvas]["state"]["_data_url"]
        left = np.asarray(Image.open(io.BytesIO(base64.b64decode(url[len(prefix):]))).convert("RGBA"))
        assert shown.shape == left.shape
        differ = np.any(shown != left, axis=2)
        assert not differ.any(), (f"{path.name}: after the run, the explorer '{data['text/plain'][10:70]}...' "
                                  f"does not show its start: {differ.sum()} pixels differ (does the cell that "
                                  f"checks it end with reset()?)")
