"""check_arrays: one declarative call that checks several arrays against shared, named sizes."""
import re

import numpy as np
import pytest

from helpers._checks import check_arrays, check_cache, check_flag

LAYOUTS = {"W": "(n_a, n_a + n_x)", "b": "(n_a, 1)", "Wy": "(n_y, n_a)"}


def params(n_a=4, n_x=3, n_y=2):
    return {"W": np.ones((n_a, n_a + n_x)), "b": np.zeros((n_a, 1)), "Wy": np.ones((n_y, n_a)),
            "unused": "anything"}


GOOD = object()   # "use the valid default" (None is one of the bad values)


def call(p=GOOD, a_prev=GOOD, xt=GOOD, **extra):
    p = params() if p is GOOD else p
    a_prev = np.zeros((4, 5)) if a_prev is GOOD else a_prev
    xt = np.zeros((3, 5)) if xt is GOOD else xt
    return check_arrays("f", parameters=(p, LAYOUTS), a_prev=(a_prev, "(n_a, m)"), xt=(xt, "(n_x, m)"), **extra)


def raises(match, **kwargs):
    with pytest.raises(ValueError, match=re.escape(match)):
        call(**kwargs)


def test_sizes_are_bound_across_the_arrays_in_the_order_given():
    p, a_prev, xt = call()
    assert call().sizes == {"n_a": 4, "n_x": 3, "n_y": 2, "m": 5}
    assert set(p) == {"W", "b", "Wy"}                        # only the checked keys, in a new dict
    assert a_prev.shape == (4, 5) and xt.shape == (3, 5)


def test_float64_arrays_are_returned_as_they_are_and_others_converted():
    a_prev = np.zeros((4, 5))
    p, got, xt = call(a_prev=a_prev, xt=np.zeros((3, 5), dtype=np.int32))
    assert got is a_prev                                     # no copy of a float64 array
    assert xt.dtype == np.float64
    _, _, xt = call(xt=[[1, 2, 3, 4, 5]] * 3)                # nested lists are arrays too
    assert xt.shape == (3, 5) and xt.dtype == np.float64


def test_a_mismatch_names_the_argument_the_bound_sizes_their_source_and_the_shape_that_came():
    raises("f: xt must have shape (n_x, m) = (3, 5) to match parameters['W'] (4, 7) and a_prev (4, 5), "
           "got (3, 6)", xt=np.zeros((3, 6)))
    raises("f: xt must have shape (n_x, m) = (3, 5) to match parameters['W'] (4, 7) and a_prev (4, 5), "
           "got (2, 5)", xt=np.zeros((2, 5)))
    # a size this array would bind itself, past the first axis that does not fit, is shown as *
    raises("f: a_prev must have shape (n_a, m) = (4, *) to match parameters['W'] (4, 7), got (5, 5)",
           a_prev=np.zeros((5, 5)))


def test_a_mismatch_inside_the_parameter_dict():
    raises("f: parameters['b'] must have shape (n_a, 1) = (4, 1) to match parameters['W'] (4, 7), got (4, 2)",
           p={**params(), "b": np.zeros((4, 2))})
    # n_y is read from Wy's first axis before its second one is found wrong
    raises("f: parameters['Wy'] must have shape (n_y, n_a) = (2, 4) to match parameters['W'] (4, 7), got (2, 3)",
           p={**params(), "Wy": np.zeros((2, 3))})


def test_a_sum_gives_its_unknown_symbol_which_must_be_at_least_one():
    assert call(p=params(n_a=2, n_x=6), a_prev=np.zeros((2, 5)), xt=np.zeros((6, 5))).sizes["n_x"] == 6
    raises("f: parameters['W'] must have shape (n_a, n_a + n_x) = (4, *) with n_x >= 1, got (4, 4)",
           p={**params(), "W": np.zeros((4, 4))})


def test_wrong_number_of_dimensions():
    raises("f: xt must be 2-D with layout (n_x, m), got 3-D array of shape (3, 5, 1)", xt=np.zeros((3, 5, 1)))
    raises("f: a_prev must be 2-D with layout (n_a, m), got 1-D array of shape (4,)", a_prev=np.zeros(4))
    raises("f: parameters['W'] must be 2-D with layout (n_a, n_a + n_x), got 1-D array of shape (7,)",
           p={**params(), "W": np.zeros(7)})
    # a parameter whose every size is already known is told its whole expected shape
    raises("f: parameters['b'] must have shape (n_a, 1) = (4, 1) to match parameters['W'] (4, 7), got (4,)",
           p={**params(), "b": np.zeros(4)})


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused_with_their_place(bad):
    xt = np.zeros((3, 5))
    xt[2, 1] = bad
    raises("f: xt must hold only finite numbers, got 1 NaN/inf value(s), the first at index (2, 1)", xt=xt)
    p = params()
    p["b"] = p["b"].copy()
    p["b"][3, 0] = bad
    raises("f: parameters['b'] must hold only finite numbers", p=p)


@pytest.mark.parametrize("value, said", [
    (None, "got None"), ("abc", "got str"), (np.array([["a"] * 5] * 3), "dtype <U1"),
    (np.zeros((3, 5)) + 1j, "complex"), (np.zeros((3, 5), dtype=object), "dtype object"),
])
def test_non_numeric_values_are_refused(value, said):
    with pytest.raises(ValueError, match=r"f: xt must be an array of real numbers, .*" + re.escape(said)):
        call(xt=value)


def test_a_missing_parameter_is_a_key_error_and_a_non_dict_a_value_error():
    with pytest.raises(KeyError, match="f: parameters is missing the key 'Wy'"):
        call(p={k: v for k, v in params().items() if k != "Wy"})
    with pytest.raises(ValueError, match="f: parameters must be a dict, got list"):
        call(p=[1, 2])


def test_known_sizes_come_from_an_array_that_is_not_checked():
    a_next = np.full((4, 5), np.nan)                         # not checked: it only gives n_a and m
    [da] = check_arrays("g", known=("a_next", a_next, "(n_a, m)"), da_next=(np.ones((4, 5)), "(n_a, m)"))
    assert da.shape == (4, 5)
    with pytest.raises(ValueError, match=re.escape("g: da_next must have shape (n_a, m) = (4, 5) to match "
                                                   "a_next (4, 5), got (4, 2)")):
        check_arrays("g", known=("a_next", a_next, "(n_a, m)"), da_next=(np.ones((4, 2)), "(n_a, m)"))


def test_an_optional_array_may_be_none():
    p, a_prev, c0, xt = check_arrays("f", parameters=(params(), LAYOUTS), a_prev=(np.zeros((4, 5)), "(n_a, m)"),
                                     c0=(None, "(n_a, m) or None"), xt=(np.zeros((3, 5)), "(n_x, m)"))
    assert c0 is None
    with pytest.raises(ValueError, match=re.escape("f: c0 must have shape (n_a, m) = (4, 5)")):
        check_arrays("f", parameters=(params(), LAYOUTS), a_prev=(np.zeros((4, 5)), "(n_a, m)"),
                     c0=(np.zeros((4, 4)), "(n_a, m) or None"))


def test_numbers_in_a_layout_are_fixed_sizes():
    [b] = check_arrays("f", b=(np.zeros((6, 1)), "(n_a, 1)"))
    assert b.shape == (6, 1)
    with pytest.raises(ValueError, match=re.escape("f: b must have shape (n_a, 1) = (6, 1), got (6, 2)")):
        check_arrays("f", b=(np.zeros((6, 2)), "(n_a, 1)"))


def test_flag_and_cache():
    assert check_flag("f", "peephole", np.bool_(True)) is True
    with pytest.raises(ValueError, match="f: peephole must be True or False, got 1"):
        check_flag("f", "peephole", 1)
    check_cache("f", "cache", {"kind": "gru_cell"}, "gru_cell", "gru_cell_forward")
    with pytest.raises(ValueError, match="f: cache must be the cache returned by gru_cell_forward, got dict"):
        check_cache("f", "cache", {"kind": "lstm_cell"}, "gru_cell", "gru_cell_forward")
    with pytest.raises(ValueError, match="got tuple"):
        check_cache("f", "cache", (1, 2), "gru_cell", "gru_cell_forward")
