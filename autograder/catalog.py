"""The catalog: the course's graded topics (one SPEC module each, in the order the course
teaches them), the nbgrader assignments they belong to, the Hypothesis profiles and devices.
Everything that lists topics, assignments or profiles reads them here; ``missing_parts`` says
what a topic still lacks (``tests/test_catalog.py`` fails with that list)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Topic:
    name: str  # module name: the student submits ``<name>.py``
    kind: str  # "numpy" (NumPy and the standard library only) or "torch"
    title: str


TOPICS: dict[str, Topic] = {
    t.name: t
    for t in [
        Topic("optimizers", "numpy", "Momentum, RMSProp, Adam, mini-batches, learning-rate decay"),
        Topic("initialization", "numpy", "Zero, He and Xavier initialization; input standardization"),
        Topic("tuning", "numpy", "Hyperparameter search: log-uniform and random sampling"),
        Topic("deep_gradients", "numpy", "Vanishing and exploding gradients in deep networks"),
        Topic("landscape", "numpy", "Saddle points and the Hessian"),
        Topic("regularization", "numpy", "L2 regularization and dropout"),
        Topic("batchnorm", "numpy", "Batch normalization"),
        Topic("early_stopping", "numpy", "Early stopping"),
        Topic("conv", "numpy", "Convolution"),
        Topic("pooling", "numpy", "Pooling"),
        Topic("receptive_field", "numpy", "Receptive fields"),
        Topic("visualization", "numpy", "Feature-map plots"),
        Topic("augmentation", "numpy", "Data augmentation"),
        Topic("lenet", "torch", "LeNet-5 and parameter counts"),
        Topic("inception", "torch", "Inception module, depthwise separable convolution and GoogLeNet"),
        Topic("resnet", "torch", "ResNet blocks and networks"),
        Topic("densenet", "torch", "DenseNet blocks and networks"),
        Topic("vgg", "torch", "VGG-16 and AlexNet"),
        Topic("feature_vis", "torch", "What a CNN learns: filters, activation maximization and saliency maps"),
    ]
}


# The four nbgrader assignments, in teaching order; every SPEC module belongs to one.
ASSIGNMENTS: dict[str, list[str]] = {
    "optimization": ["optimizers", "initialization", "tuning", "deep_gradients", "landscape"],
    "regularization": ["regularization", "batchnorm", "early_stopping", "augmentation"],
    "cnn": ["conv", "pooling", "receptive_field", "visualization"],
    "architectures": ["lenet", "inception", "resnet", "densenet", "vgg", "feature_vis"],
}

# Hypothesis example counts (grading_tests/conftest.py registers them): the ones a user picks,
# and "mutation" (ci's examples, no shrinking), which the mutant self-check and the release's
# answer check use.
PROFILES = ("grading", "ci", "dev")
ALL_PROFILES = (*PROFILES, "mutation")
DEVICES = ("cpu", "cuda", "auto")


def missing_parts(root: Path, name: str) -> list[str]:
    """What the topic ``name`` lacks in the checkout ``root``, as paths or facts (empty: complete).
    Public checks are not required yet (a notebook without one says so in its check cell)."""
    missing = [] if name in TOPICS else ["an entry in autograder/catalog.py TOPICS"]
    owners = [a for a, members in ASSIGNMENTS.items() if name in members]
    if len(owners) != 1:
        missing.append(f"membership of exactly one assignment in autograder/catalog.py ASSIGNMENTS "
                       f"(now {owners or 'none'})")
    files = [f"solutions/{name}.py", f"assignments/{name}.py", f"grading_tests/test_{name}.py",
             f"grading_tests/mutants/{name}.py", f"autograder/authoring/text/{name}.md"]
    files += [f"source/{a}/{name}.ipynb" for a in owners[:1]]
    missing += [f for f in files if not (root / f).is_file()]
    tests = root / "grading_tests" / f"test_{name}.py"
    if tests.is_file() and "pytest.mark.exercise(" not in tests.read_text(encoding="utf-8"):
        missing.append(f"grading_tests/test_{name}.py: a property marked @pytest.mark.exercise")
    return missing


def parts_without_topic(root: Path) -> list[str]:
    """Files of a topic that the catalog does not know (a topic half-removed or misspelt)."""
    found = []
    for folder, pattern in (("solutions", "*.py"), ("assignments", "*.py"), ("grading_tests", "test_*.py"),
                            ("grading_tests/mutants", "*.py"), ("autograder/authoring/text", "*.md"),
                            ("grading_tests/references", "*.py")):
        for path in sorted((root / folder).glob(pattern)):
            name = path.stem.removeprefix("test_") if folder == "grading_tests" else path.stem
            if name not in TOPICS and not name.startswith("_"):
                found.append(f"{folder}/{path.name}")
    return found


def parse_topics(spec: str | None) -> list[str]:
    """``"optimizers,conv"`` -> names, checked; ``None`` or ``"all"`` -> every topic."""
    if not spec or spec == "all":
        return list(TOPICS)
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [n for n in names if n not in TOPICS]
    if unknown:
        raise ValueError(
            f"unknown topic(s) {', '.join(unknown)}; known topics: {', '.join(TOPICS)}"
        )
    return names
