"""Input checks shared by every module of the package.

Every public function of `helpers` checks what it is given before it computes anything, so that a
learner who passes the wrong array sees a message that names the argument, what was expected and
what came, instead of a numpy broadcasting traceback from deep inside a matrix product.

The functions here raise:
- ``ValueError`` for a wrong type, a wrong number of dimensions, a wrong shape, an empty time axis,
  or a NaN / inf value;
- ``KeyError`` for a missing key in a parameter (or gradient) dictionary.

Every message starts with the name of the public function that was called (``where``).
"""
from __future__ import annotations

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
    "check_choice",
]


def _fmt_shape(shape) -> str:
    """Format a shape, writing ``None`` entries (any size allowed) as ``*``."""
    parts = ["*" if s is None else str(s) for s in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


fmt_shape = _fmt_shape  # public name, for messages such as "to match Wax (5, 3)"


def as_float_array(where: str, name: str, value) -> np.ndarray:
    """Return ``value`` as a float64 ndarray without copying a float64 array.

    Raises ValueError if ``value`` cannot be read as an array of real numbers.
    """
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{where}: {name} must be an array of real numbers, got {type(value).__name__} ({exc})"
        ) from None
    return arr


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


def check_positive_int(where: str, name: str, value, minimum: int = 1) -> int:
    """Return ``value`` as int if it is an integer >= ``minimum``, else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_choice(where: str, name: str, value, choices) -> None:
    """Raise ValueError unless ``value`` is one of ``choices``."""
    if value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{where}: {name} must be one of {opts}, got {value!r}")
