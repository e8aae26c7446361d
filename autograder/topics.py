"""The course's graded topics: one SPEC module each, in the order the course teaches them."""

from __future__ import annotations

from dataclasses import dataclass


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
        Topic("regularization", "numpy", "L2 regularization and dropout"),
        Topic("batchnorm", "numpy", "Batch normalization"),
        Topic("early_stopping", "numpy", "Early stopping"),
        Topic("conv", "numpy", "Convolution"),
        Topic("pooling", "numpy", "Pooling"),
        Topic("receptive_field", "numpy", "Receptive fields"),
        Topic("visualization", "numpy", "Feature-map plots"),
        Topic("augmentation", "numpy", "Data augmentation"),
        Topic("lenet", "torch", "LeNet-5 and parameter counts"),
        Topic("inception", "torch", "Inception module and depthwise separable convolution"),
        Topic("resnet", "torch", "ResNet blocks and networks"),
        Topic("densenet", "torch", "DenseNet blocks and networks"),
        Topic("vgg", "torch", "VGG-16 and AlexNet"),
    ]
}


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
