"""Test configuration: plots render off-screen."""
import matplotlib

matplotlib.use("Agg")
