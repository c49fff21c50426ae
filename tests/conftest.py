"""Test configuration: plots render off-screen, and every test closes the figures it opened."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    """Figures made through pyplot stay open until closed; without this, a long run trips
    matplotlib's more-than-20-figures warning, which the suite treats as an error."""
    yield
    plt.close("all")
