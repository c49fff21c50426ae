"""Collection rules for the whole repository.

The learner copies in notebooks/exercises/ hold no outputs (nbgrader clears them), so nbval has nothing
to compare there; tests/test_exercise_notebooks.py tests them instead. A class's nbgrader folders
(submitted, autograded, feedback) are never collected either.
"""
collect_ignore_glob = [
    "notebooks/exercises/*",
    "notebooks/submitted/*",
    "notebooks/autograded/*",
    "notebooks/feedback/*",
]
