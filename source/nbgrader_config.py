# nbgrader configuration of the course. `autograder notebooks --course DIR` copies this file
# and the assignments into an instructor's course folder DIR; run nbgrader from DIR.
# The hidden grading runs OUTSIDE the student's kernel (autograder.nbgrader_grade): the
# answer cells' code is graded by the engine in a sandbox, and the scores are written into the
# grade cells as partial credit. No kernel runs by default (nbgrader's Execute would run the
# whole submitted notebook unsandboxed, as the instructor); see the opt-in below.
import os

from autograder.nbgrader_feedback import FEEDBACK_TEMPLATE_FILE, FEEDBACK_TEMPLATES, PlainFormulas
from autograder.nbgrader_grade import GradeOutOfKernel, JailedKernelRun, WriteOutOfKernelGrades  # noqa: F401
from autograder.nbgrader_grade import quarantine_submissions
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, GetGrades, IgnorePattern, LimitOutput, SaveAutoGrades,
)

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

# Before nbgrader reads any submission (it follows links and blocks on FIFOs while copying):
# links, FIFOs, sockets and devices in submitted/ are moved, unread, to submitted/.autograder-refused/.
quarantine_submissions(os.path.dirname(os.path.abspath(__file__)))

c.CourseDirectory.course_id = "dl-image-classification"

c.Autograde.autograde_preprocessors = [
    GradeOutOfKernel,        # grade the answer cells with the engine, in its sandbox
    # JailedKernelRun,       # opt-in: run the notebook, in a jailed kernel, for the outputs students see
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    WriteOutOfKernelGrades,  # grade cells get the feedback and the score, whatever the kernel printed
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
# Put back grade cells a student deleted, so that each one gets its score.
c.OverwriteCells.add_missing_cells = True

# Feedback pages that read offline: formulas written as plain text instead of MathJax from a
# CDN, and long feedback lines wrapped (autograder/templates/feedback/offline.html.j2).
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, PlainFormulas]
c.HTMLExporter.template_name = "feedback"
c.HTMLExporter.template_file = FEEDBACK_TEMPLATE_FILE
c.HTMLExporter.extra_template_basedirs = FEEDBACK_TEMPLATES

# Hidden property tests: "grading" (40 examples per property), "ci" (12) or "dev" (4).
c.GradeOutOfKernel.profile = "grading"
c.GradeOutOfKernel.device = "cpu"
c.GradeOutOfKernel.call_timeout = 10.0
# Wall-clock seconds for a notebook's hidden tests (topic) and its whole grading; when used up,
# the properties left score 0 with the reason. A few times an honest notebook's time; 0: no limit.
# c.GradeOutOfKernel.topic_budget = 120.0
# c.GradeOutOfKernel.submission_budget = 600.0

# Opt-in kernel run: uncomment JailedKernelRun above. It runs only where the workers are
# jailed (root and unshare on Linux; own namespaces, read-only root, its own uid, no network,
# a private copy of the notebook's folder) and otherwise leaves the notebook unexecuted.
# The notebooks' own cells (public checks, experiments) may take a while in the kernel.
c.JailedKernelRun.timeout = 120
# c.JailedKernelRun.memory_mb = 8192
