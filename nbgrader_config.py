"""nbgrader's settings for this course (read by every `nbgrader` command run from this folder).

The course IS the nbgrader source: the notebooks in `notebooks/` keep the solutions between
`### BEGIN SOLUTION` / `### END SOLUTION`, and `nbgrader generate_assignment notebooks` writes the
learner copies (solutions cut out, outputs cleared) to `notebooks/exercises/`. There is one assignment,
named "notebooks"; a class's submissions, grades and feedback go to notebooks/submitted/<student>/,
notebooks/autograded/<student>/ and notebooks/feedback/<student>/ (kept out of git and out of the tests).
"""
import os

from nbconvert.preprocessors import Preprocessor
from nbgrader.converters import GenerateAssignment

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "rnn-week1"
# {assignment_id}/{nbgrader_step}/{student_id}: with the assignment "notebooks" the source is
# notebooks/./. (the course itself) and the learner copies are notebooks/exercises/.
c.CourseDirectory.directory_structure = os.path.join("{assignment_id}", "{nbgrader_step}", "{student_id}")
c.CourseDirectory.source_directory = "."
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# files other than notebooks in the source folder are copied with the assignment; not these folders
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "exercises", "submitted",
                            "autograded", "feedback"]


class DropWidgetState(Preprocessor):
    """Remove the notebook's saved widget state (metadata "widgets"): the learner copies have no outputs,
    so the pictures of the explorers saved there would only be dead weight."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        return nb, resources


c.GenerateAssignment.preprocessors = GenerateAssignment.class_traits()["preprocessors"].default() + [DropWidgetState]
c.DropWidgetState.enabled = True
