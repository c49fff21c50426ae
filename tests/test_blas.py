"""single_blas_thread limits numpy's BLAS to one thread inside the block and restores it after."""
import numpy as np
from threadpoolctl import threadpool_info

from helpers._blas import one_blas_thread, single_blas_thread


def _blas_threads():
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_one_thread_inside_and_restored_after():
    np.ones((2, 2)) @ np.ones((2, 2))  # make sure numpy's BLAS is loaded
    before = _blas_threads()
    assert before, "numpy's BLAS library was not found by threadpoolctl"
    with single_blas_thread():
        assert all(n == 1 for n in _blas_threads())
    assert _blas_threads() == before


def test_decorator_runs_the_function_with_one_thread_and_returns_its_value():
    seen = one_blas_thread(lambda: (_blas_threads(), 42))()
    assert all(n == 1 for n in seen[0]) and seen[1] == 42


def test_nested_blocks_keep_one_thread_until_the_outermost_ends():
    np.ones((2, 2)) @ np.ones((2, 2))
    before = _blas_threads()
    with single_blas_thread():
        with single_blas_thread():
            pass
        assert all(n == 1 for n in _blas_threads())      # the inner block did not restore early
    assert _blas_threads() == before


def test_the_setting_is_restored_when_the_block_raises():
    before = _blas_threads()
    try:
        with single_blas_thread():
            raise KeyError("inside")
    except KeyError:
        pass
    assert _blas_threads() == before
