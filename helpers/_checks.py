"""Input checks shared by every module of the package.

Every public function of `helpers` checks what it is given before it computes anything, so that a
learner who passes the wrong array sees a message that names the argument, what was expected and
what came, instead of a numpy broadcasting traceback from deep inside a matrix product.

The functions here raise:
- ``ValueError`` for a wrong type, a wrong number of dimensions, a wrong shape, an empty time axis,
  or a NaN / inf value;
- ``KeyError`` for a missing key in a parameter (or gradient) dictionary.

Every message starts with the name of the public function that was called (``where``).

``check_arrays`` checks all the arrays of a function in one declarative call: each argument with its
layout, e.g. ``a_prev=(a_prev, "(n_a, m)")``, the sizes n_a, n_x, m, ... taken from the first array
that has them. The cell modules (rnn, gru, lstm) use it.
"""
from __future__ import annotations

import re
from contextlib import ContextDecorator
from functools import lru_cache

import numpy as np

__all__ = [
    "fmt_shape",
    "as_float_array",
    "check_ndim",
    "check_shape",
    "check_finite",
    "get_param",
    "check_params",
    "check_time_steps",
    "check_positive_int",
    "check_real_number",
    "check_labels",
    "MAX_SIZE",
    "MAX_STEPS",
    "MAX_ENTRIES",
    "check_entries",
    "check_choice",
    "told_as",
    "check_arrays",
    "check_flag",
    "check_cache",
    "private_copy",
]


def _fmt_shape(shape) -> str:
    """Format a shape, writing ``None`` entries (any size allowed) as ``*``."""
    parts = ["*" if s is None else str(s) for s in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


fmt_shape = _fmt_shape  # public name, for messages such as "to match Wax (5, 3)"


def as_float_array(where: str, name: str, value) -> np.ndarray:
    """Return ``value`` as a float64 ndarray without copying a float64 array.

    Raises ValueError if ``value`` is not an array (or nested list) of real numbers: None, a str,
    an array of str or objects, and complex numbers are refused (a complex array would otherwise be
    cut to its real part with only a warning).
    """
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise ValueError(f"{where}: {name} must be an array of real numbers, got {_describe(value)}")
    try:
        raw = value if isinstance(value, np.ndarray) else np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{where}: {name} must be an array of real numbers, got {type(value).__name__} ({exc})"
        ) from None
    if raw.dtype.kind == "c":
        raise ValueError(f"{where}: {name} must be an array of real numbers, got a complex array "
                         f"(dtype {raw.dtype}) of shape {_fmt_shape(raw.shape)}; pass its .real part "
                         f"if that is what you mean")
    if raw.dtype.kind not in "biuf":
        raise ValueError(f"{where}: {name} must be an array of real numbers, got an array of dtype "
                         f"{raw.dtype} ({_describe(value)})")
    return raw.astype(np.float64, copy=False)


def _describe(value) -> str:
    """A short description of a value for a message: its type, and the value itself if it is short."""
    if value is None:
        return "None"
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'...' if len(text) > 40 else ''}"


def check_real_number(where: str, name: str, value, low: float | None = None, high: float | None = None, *,
                      low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float if it is a finite real number (not a bool) within the bounds, else ValueError.

    low, high : float or None (no bound); low_open, high_open : True to exclude the bound itself.
    The message names the argument, the range and what came, e.g. "clip must be a finite number > 0, got -1".
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)) \
        and bool(np.isfinite(value))
    if ok:
        value = float(value)
        ok = ((low is None or (value > low if low_open else value >= low))
              and (high is None or (value < high if high_open else value <= high)))
    if not ok:
        if low is not None and high is not None:
            bounds = f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        elif low is not None:
            bounds = f" {'>' if low_open else '>='} {low:g}"
        elif high is not None:
            bounds = f" {'<' if high_open else '<='} {high:g}"
        else:
            bounds = ""
        got = repr(value) if isinstance(value, float) else _describe(value)
        raise ValueError(f"{where}: {name} must be a finite number{bounds}, got {got}")
    return value


def check_ndim(where: str, name: str, arr: np.ndarray, ndim: int, layout: str) -> None:
    """Raise ValueError unless ``arr`` has ``ndim`` dimensions; ``layout`` names them, e.g. '(n_x, m, T_x)'."""
    if arr.ndim != ndim:
        raise ValueError(
            f"{where}: {name} must be {ndim}-D with layout {layout}, "
            f"got {arr.ndim}-D array of shape {_fmt_shape(arr.shape)}"
        )


def check_shape(where: str, name: str, arr: np.ndarray, expected, layout: str, because: str = "") -> None:
    """Raise ValueError unless ``arr.shape`` matches ``expected`` (``None`` entries match any size).

    ``layout`` names the axes, e.g. '(n_a, m)'; ``because`` says where the expected sizes come from,
    e.g. 'to match Waa (5, 5) and xt (3, 10)'.
    """
    expected = tuple(expected)
    ok = arr.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected, arr.shape))
    if not ok:
        why = f" {because}" if because else ""
        raise ValueError(
            f"{where}: {name} must have shape {layout} = {_fmt_shape(expected)}{why}, "
            f"got {_fmt_shape(arr.shape)}"
        )


def check_finite(where: str, name: str, arr: np.ndarray) -> None:
    """Raise ValueError if ``arr`` holds a NaN or an infinity, saying how many and where the first is."""
    if not np.all(np.isfinite(arr)):
        bad = ~np.isfinite(arr)
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{where}: {name} must hold only finite numbers, got {int(bad.sum())} NaN/inf value(s), "
            f"the first at index {first} ({arr[first]})"
        )


def get_param(where: str, parameters, key: str, what: str = "parameters") -> np.ndarray:
    """Return ``parameters[key]`` as a float64 array; a missing key raises KeyError naming the key."""
    if not isinstance(parameters, dict):
        raise ValueError(f"{where}: {what} must be a dict, got {type(parameters).__name__}")
    if key not in parameters:
        have = ", ".join(sorted(parameters)) or "nothing"
        raise KeyError(f"{where}: {what} is missing the key '{key}' (it has: {have})")
    return as_float_array(where, f"{what}['{key}']", parameters[key])


def check_params(where: str, parameters, shapes: dict, what: str = "parameters") -> dict:
    """Check a parameter dict against expected shapes and return the arrays as float64.

    Parameters
    ----------
    shapes : dict key -> (expected_shape, layout)
        e.g. ``{"Waa": ((n_a, n_a), "(n_a, n_a)"), "ba": ((n_a, 1), "(n_a, 1)")}``;
        ``None`` entries in an expected shape match any size.

    Returns a new dict with only the checked keys (the caller's dict is not changed).
    """
    out = {}
    for key, (expected, layout) in shapes.items():
        arr = get_param(where, parameters, key, what)
        check_shape(where, f"{what}['{key}']", arr, expected, layout)
        check_finite(where, f"{what}['{key}']", arr)
        out[key] = arr
    return out


def check_time_steps(where: str, name: str, arr: np.ndarray, axis: str = "T_x") -> None:
    """Raise ValueError if the last (time) axis of ``arr`` is empty: no steps, no sequence to run.

    ``axis`` names the time axis in the message ("T_x" for inputs, "T_y" for outputs).
    """
    if arr.shape[-1] == 0:
        raise ValueError(f"{where}: {name} has {axis} = 0 time steps (shape {_fmt_shape(arr.shape)}); "
                         f"a sequence needs at least one step")


# The largest sizes a function of the course accepts: far above anything a course exercise needs, far
# below a request that would try to allocate terabytes or loop for days (10**12 is refused up front).
MAX_SIZE = 100_000          # units, examples, vocabulary tokens, time steps, samples, ...
MAX_STEPS = 1_000_000       # epochs and training steps
MAX_ENTRIES = 10**8         # numbers in the arrays one call makes (800 MB of float64)


def check_entries(where: str, count: int, what: str) -> None:
    """Raise ValueError before allocating more than ``MAX_ENTRIES`` numbers; ``what`` says which sizes
    asked for them, e.g. "n_a = 100000 and n_x = 3 (the weights)"."""
    if count > MAX_ENTRIES:
        raise ValueError(f"{where}: {what} would need {count:,} numbers ({count * 8 / 1e9:,.1f} GB of "
                         f"float64), more than the {MAX_ENTRIES:,} this course supports; choose smaller sizes")


def check_positive_int(where: str, name: str, value, minimum: int = 1, maximum: int | None = MAX_SIZE) -> int:
    """Return ``value`` as int if it is an integer in [minimum, maximum], else raise ValueError.

    ``maximum`` defaults to ``MAX_SIZE`` (a size: units, examples, steps, tokens); pass ``MAX_STEPS`` for
    epochs and training steps, and None for seeds (no upper bound). So a typo such as 10**12 is refused
    before anything is allocated or a loop starts that would not end.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{where}: {name} must be an integer in [{minimum}, {maximum}] (the largest this "
                         f"course supports), got {value!r}")
    return int(value)


def check_labels(where: str, name: str, labels, n_classes: int, shape=None, layout: str = "",
                 because: str = "") -> np.ndarray:
    """Return class labels as an int64 array after checking them: integers (an integral float such as 2.0
    is fine, 0.5 is not) in 0 .. n_classes - 1, with ``shape`` if given (``None`` entries match any size).
    """
    if labels is None or isinstance(labels, (str, bytes)):
        raise ValueError(f"{where}: {name} must be an array of integer class labels, got {_describe(labels)}")
    arr = np.asarray(labels)
    if shape is not None:
        check_shape(where, name, arr, shape, layout, because)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise ValueError(f"{where}: {name} must hold integer class labels in 0 .. {n_classes - 1}, "
                         f"got an array of dtype {arr.dtype}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            bad = arr[~(np.isfinite(arr) & (arr == np.round(np.nan_to_num(arr))))]
            raise ValueError(f"{where}: {name} must hold integer class labels in 0 .. {n_classes - 1}, "
                             f"got the non-integer value {float(bad.flat[0]):g}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(f"{where}: {name} must hold class labels in 0 .. n_y - 1 = {n_classes - 1}, "
                         f"got values from {arr.min():g} to {arr.max():g}")
    return arr.astype(np.int64)


def check_choice(where: str, name: str, value, choices) -> None:
    """Raise ValueError unless ``value`` is one of ``choices``."""
    if value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{where}: {name} must be one of {opts}, got {value!r}")


class told_as(ContextDecorator):
    """Re-raise a ValueError / KeyError of the functions called inside in the words of the caller.

    A public function that hands its arguments on (``train_name_tagger`` to ``fit``, ``Cell.forward``
    to ``gru_states_forward``) would otherwise let the learner read an error of a function they never
    called, about an argument they never passed (``c0`` for their ``h0``). Inside ``told_as(where,
    renames)`` such an error keeps its message, starts with ``where`` instead of the inner function's
    name, and names the caller's arguments (``renames`` maps an inner name to the caller's). Usable as a
    ``with`` block or as a decorator.
    """

    def __init__(self, where: str, renames: dict | None = None):
        self.where, self.renames = where, dict(renames or {})

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is None or not issubclass(kind, (ValueError, KeyError)):
            return False
        text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
        head, sep, rest = text.partition(": ")
        if sep and " " not in head:                   # "gru_states_forward: ..." -> "...", then our name
            text = rest
        for old, new in self.renames.items():         # whole argument names only: c0, not dc0 or 'c0'
            text = re.sub(rf"(?<![\w'\[]){re.escape(old)}(?![\w'\]])", new, text)
        try:
            told = type(exc)(f"{self.where}: {text}")
        except Exception:                              # a subclass that takes other arguments (JSONDecodeError)
            told = (KeyError if isinstance(exc, KeyError) else ValueError)(f"{self.where}: {text}")
        raise told from None


# ----------------------------------------------------------------------------------------------
# one declarative call for all the arrays of a function
# ----------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _parse_layout(layout: str) -> tuple:
    """'(n_a, n_a + n_x)' -> (("n_a",), ("n_a", "n_x")); a number such as '1' stays an int."""
    inner = layout.strip()
    if not (inner.startswith("(") and inner.endswith(")")):
        raise ValueError(f"layout {layout!r} must be written in parentheses, e.g. '(n_a, m)'")
    axes = []
    for part in inner[1:-1].split(","):
        part = part.strip()
        if part:
            axes.append(int(part) if part.isdigit() else tuple(t.strip() for t in part.split("+")))
    return tuple(axes)


class Checked(tuple):
    """The checked arrays in the order they were given, with ``sizes``: each symbol -> its bound size."""

    sizes: dict


def check_arrays(where: str, *, known=None, **arrays) -> Checked:
    """Check several arrays against one set of named sizes, in one declarative call.

    Every keyword argument is ``name=(value, layout)``: ``layout`` names the axes with symbols, e.g.
    ``"(n_a, m)"``, ``"(n_a, n_a + n_x)"`` or ``"(n_y, 1)"``. For a dict of arrays (the parameters),
    the layout is a dict ``{key: layout}``, e.g. ``parameters=(parameters, {"Waa": "(n_a, n_a)"})``;
    the entries are named ``parameters['Waa']`` and a missing key raises KeyError. A layout ending
    in ``" or None"`` makes the argument optional: None passes and comes back as None.

    The arrays are checked in the order given. A symbol takes its size from the first array that has
    it (a sum such as ``n_a + n_x`` gives the one unknown symbol in it, which must come out >= 1), and
    every later array must agree. ``known=(description, array, layout)`` binds sizes before the first
    array, from an array that is not checked (a backward pass takes its sizes from the cache).

    Each array is converted to float64 (as ``as_float_array``), must have as many axes as its layout,
    the sizes the symbols already have, and only finite values. A mismatch raises ValueError naming
    the array, its layout with the sizes known so far (``*`` for an unknown one), the arrays those sizes
    come from, and the shape that came, e.g.

        rnn_cell_forward: xt must have shape (n_x, m) = (3, 10) to match parameters['Wax'] (5, 3) and
        a_prev (5, 10), got (4, 10)

    A parameter (an entry of a dict) whose shape is fully known is reported that way even when it has
    the wrong number of axes; any other array with the wrong number of axes gets
    "must be 2-D with layout (n_x, m)".

    Returns the checked values in the order given (an array for an array, a new dict holding only the
    checked keys for a dict), as a tuple with the bound sizes in its ``sizes`` attribute.
    """
    sizes: dict = {}
    source: dict = {}          # symbol -> "parameters['Wax'] (5, 3)", the array it was bound from
    if known is not None:
        description, array, layout = known
        _bind(where, description, np.shape(array), layout, sizes, source, entry=False)
    checked = []
    for name, spec in arrays.items():
        value, layout = spec
        if isinstance(layout, str) and layout.endswith(" or None"):
            if value is None:
                checked.append(None)
                continue
            layout = layout[:-len(" or None")]
        if isinstance(layout, dict):
            out = {}
            for key, key_layout in layout.items():
                arr = get_param(where, value, key, name)
                out[key] = _check_one(where, f"{name}['{key}']", arr, key_layout, sizes, source, entry=True)
            checked.append(out)
        else:
            arr = as_float_array(where, name, value)
            checked.append(_check_one(where, name, arr, layout, sizes, source, entry=False))
    result = Checked(checked)
    result.sizes = dict(sizes)
    return result


def _check_one(where, name, arr, layout, sizes, source, entry):
    _bind(where, name, arr.shape, layout, sizes, source, entry)
    check_finite(where, name, arr)
    return arr


def _bind(where, name, shape, layout, sizes, source, entry):
    """Compare ``shape`` with ``layout`` under the sizes bound so far; bind the new symbols, or raise.

    The axes are read left to right: an axis with one unknown symbol gives it its size, until the first
    axis that does not fit; the expected shape in the message shows ``*`` for a size still unknown there.
    """
    axes = _parse_layout(layout)
    new: dict = {}                         # the symbols this array binds
    expected, bad, too_small = [], len(shape) != len(axes), None
    for i, axis in enumerate(axes):
        got = shape[i] if i < len(shape) else None
        if type(axis) is int:
            expected.append(axis)
            bad = bad or got != axis
            continue
        total, unknown = 0, []
        for symbol in axis:
            size = sizes.get(symbol, new.get(symbol))
            if size is None:
                unknown.append(symbol)
            else:
                total += size
        if not unknown:
            expected.append(total)
            bad = bad or got != total
        elif bad or got is None or len(unknown) > 1:
            expected.append(None)
        elif len(axis) > 1 and got - total < 1:
            expected.append(None)
            too_small, bad = unknown[0], True
        else:
            new[unknown[0]] = got - total
            expected.append(got)
    if bad:
        _shape_error(where, name, shape, layout, axes, expected, too_small, entry, sizes, source)
    for symbol, size in new.items():
        sizes[symbol] = size
        source[symbol] = f"{name} {_fmt_shape(shape)}"


def _shape_error(where, name, shape, layout, axes, expected, too_small, entry, sizes, source):
    """Raise the ValueError of _bind: wrong ndim, or the expected shape with where its sizes come from."""
    used = [symbol for axis in axes if type(axis) is not int for symbol in axis if symbol in sizes]
    froms = list(dict.fromkeys(source[symbol] for symbol in used))
    because = " to match " + " and ".join(froms) if froms else ""
    if len(shape) != len(axes) and not (entry and None not in expected):
        raise ValueError(f"{where}: {name} must be {len(axes)}-D with layout {layout}, "
                         f"got {len(shape)}-D array of shape {_fmt_shape(shape)}")
    rule = f" with {too_small} >= 1" if too_small else ""
    raise ValueError(f"{where}: {name} must have shape {layout} = {_fmt_shape(expected)}{rule}{because}, "
                     f"got {_fmt_shape(shape)}")


def check_flag(where: str, name: str, value) -> bool:
    """Return ``value`` as a bool, or raise ValueError if it is not True / False."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


def check_cache(where: str, name: str, cache, kind: str, made_by: str) -> None:
    """Raise ValueError unless ``cache`` is a dict made by ``made_by`` (its "kind" entry is ``kind``)."""
    if not isinstance(cache, dict) or cache.get("kind") != kind:
        raise ValueError(f"{where}: {name} must be the {name} returned by {made_by}, got {type(cache).__name__}")


def private_copy(cache: dict) -> dict:
    """A copy of ``cache`` in which every array, also inside a nested dict, is a new array.

    A cell keeps such a copy, so that changing its inputs or outputs afterwards does not change what
    its backward pass computes.
    """
    out = {}
    for key, value in cache.items():
        if isinstance(value, np.ndarray):
            value = value.copy()
        elif isinstance(value, dict):
            value = private_copy(value)
        out[key] = value
    return out
