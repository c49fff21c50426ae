"""helpers/ is laid out by layer, and the layers only look down:

    core (helpers/*.py)   the cells, BPTT, losses, optimisers, training: numpy only
    tasks/                data and toy tasks: the core, numpy, the standard library
    views/                explorers and plots: anything above, matplotlib and ipywidgets
    _render/              the fast-redraw machinery: matplotlib only, none of the course's modules

Read from each module's import statements (ast), so a new import that breaks the layering fails here
with the module and the import named.
"""
import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "helpers"
LAYER_OF_DIR = {"": "core", "tasks": "tasks", "views": "views", "_render": "_render"}
# what each layer may import from the course's own package
MAY_IMPORT = {"core": {"core"}, "tasks": {"core", "tasks"}, "views": {"core", "tasks", "views", "_render"},
              "_render": {"_render"}}
GRAPHICS = ("matplotlib", "ipywidgets", "ipympl", "IPython")


def _modules():
    return sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def _layer(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return LAYER_OF_DIR[rel.parts[0] if len(rel.parts) > 1 else ""]


def _imports(path: Path):
    """(layer imported or None for a third-party package, the module's dotted name, line) of each import."""
    package = path.relative_to(ROOT).parts[:-1]           # e.g. ("views",)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:                                # relative: resolve against the package
                base = list(package[:len(package) - (node.level - 1)]) if node.level > 1 else list(package)
                parts = base + (node.module.split(".") if node.module else [])
                targets = [parts] if node.module else [parts + [a.name] for a in node.names]
                for t in targets:
                    yield (LAYER_OF_DIR.get(t[0], "core") if t else "core",
                           "helpers." + ".".join(t), node.lineno)
            elif node.module.split(".")[0] == "helpers":
                parts = node.module.split(".")[1:]
                yield (LAYER_OF_DIR.get(parts[0], "core") if parts else "core", node.module, node.lineno)
            else:
                yield None, node.module, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "helpers":
                    yield (LAYER_OF_DIR.get(parts[1], "core") if len(parts) > 1 else "core", alias.name,
                           node.lineno)
                else:
                    yield None, alias.name, node.lineno


def test_the_three_folders_exist_and_hold_the_expected_modules():
    assert {p.name for p in (ROOT / "_render").glob("*.py")} >= {"freetype_lock.py", "text_masks.py", "layers.py",
                                                                 "cached_drawing.py"}
    assert (ROOT / "rnn.py").exists() and (ROOT / "views" / "explorer.py").exists()
    assert (ROOT / "tasks" / "text.py").exists()


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_from_its_own_layer_and_those_below(path):
    layer = _layer(path)
    for target, name, line in _imports(path):
        if target is None:
            if layer in ("core", "tasks"):
                assert name.split(".")[0] not in GRAPHICS, \
                    f"{path.relative_to(ROOT)}:{line} ({layer}) imports {name}: drawing belongs in views/"
            continue
        assert target in MAY_IMPORT[layer], \
            f"{path.relative_to(ROOT)}:{line} ({layer}) imports {name} ({target}), which it may not"


def test_the_layer_reader_sees_a_forbidden_import(tmp_path, monkeypatch):
    """The check above could pass by reading nothing: a core module that imported a view must be caught."""
    fake_root = tmp_path / "helpers"
    (fake_root / "views").mkdir(parents=True)
    bad = fake_root / "core_mod.py"
    bad.write_text("from .views.explorer import Explorer\nimport matplotlib.pyplot as plt\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake_root)
    found = list(_imports(bad))
    assert ("views", "helpers.views.explorer", 1) in found and (None, "matplotlib.pyplot", 2) in found
    with pytest.raises(AssertionError, match="imports helpers.views.explorer"):
        test_a_module_imports_only_from_its_own_layer_and_those_below(bad)
