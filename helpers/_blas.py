"""One BLAS thread for the small matrix products of the course's networks.

The networks of the notebooks are small (tens to a hundred units, batches of tens): handing each
matrix product to several BLAS threads costs about as much as it saves, and on a busy laptop it can
make a slider several times slower. Training, sampling and every explorer update therefore run
inside ``single_blas_thread()``, which limits numpy's BLAS to one thread for the block and restores
the previous setting afterwards (through threadpoolctl, which knows OpenBLAS, MKL and BLIS).

Finding the BLAS libraries means walking every shared library the process has loaded, which costs a
millisecond or more once matplotlib and the widgets are imported, several times per slider move. So
the libraries are looked up once (numpy's BLAS is loaded with numpy, before this module), and a block
inside another block (an explorer update that samples from a model) changes nothing.
"""
from __future__ import annotations

import contextlib
import functools
import threading

from threadpoolctl import ThreadpoolController

__all__ = ["single_blas_thread", "one_blas_thread"]

_controller = None
_depth = 0                   # how many single_blas_thread blocks are open, in all threads
_depth_lock = threading.Lock()
_restore = None              # the limiter of the outermost block: it restores the setting on exit


@contextlib.contextmanager
def single_blas_thread():
    """Run the block with one BLAS thread, then restore the previous number of threads."""
    global _controller, _depth, _restore
    with _depth_lock:
        if _depth == 0:
            if _controller is None:
                _controller = ThreadpoolController()
            _restore = _controller.limit(limits=1, user_api="blas")
        _depth += 1
    try:
        yield
    finally:
        with _depth_lock:
            _depth -= 1
            if _depth == 0:
                _restore.restore_original_limits()
                _restore = None


def one_blas_thread(function):
    """Decorator: run ``function`` inside ``single_blas_thread()``."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with single_blas_thread():
            return function(*args, **kwargs)

    return wrapper
