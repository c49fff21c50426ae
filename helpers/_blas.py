"""One BLAS thread for the small matrix products of the course's networks.

The networks of the notebooks are small (tens to a hundred units, batches of tens): handing each
matrix product to several BLAS threads costs about as much as it saves, and on a busy laptop it can
make a slider several times slower. Training, sampling and every explorer update therefore run
inside ``single_blas_thread()``, which limits numpy's BLAS to one thread for the block and restores
the previous setting afterwards (through threadpoolctl, which knows OpenBLAS, MKL and BLIS).
"""
from __future__ import annotations

import contextlib
import functools

from threadpoolctl import threadpool_limits

__all__ = ["single_blas_thread", "one_blas_thread"]


@contextlib.contextmanager
def single_blas_thread():
    """Run the block with one BLAS thread, then restore the previous number of threads."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def one_blas_thread(function):
    """Decorator: run ``function`` inside ``single_blas_thread()``."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with single_blas_thread():
            return function(*args, **kwargs)

    return wrapper
