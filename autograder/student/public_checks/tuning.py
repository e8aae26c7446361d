"""Public checks for tuning.py: shapes and types, ranges, the ValueErrors, rough shares per decade."""

import numpy as np

from ._common import CheckFailed, passed, raises
from ._i18n import _

SPACE = {
    "learning_rate": ("log", 1e-4, 1e-1),
    "beta": ("uniform", 0.8, 0.999),
    "layers": ("int", 1, 3),
    "activation": ("choice", ["relu", "tanh"]),
}


def check_sample_log_uniform(sample_log_uniform, quiet=False):
    one = sample_log_uniform(1e-3, 1e-1, rng=np.random.default_rng(0))
    if not isinstance(one, float):
        raise CheckFailed(_("size=None should give a float, got {type}").format(type=type(one).__name__))
    samples = sample_log_uniform(1e-3, 1e-1, size=(40, 50), rng=np.random.default_rng(1))
    if not isinstance(samples, np.ndarray) or samples.shape != (40, 50):
        raise CheckFailed(
            _("size=(40, 50) should give an array of shape (40, 50), got {shape}").format(
                shape=np.shape(samples)
            )
        )
    if samples.min() < 1e-3 * (1 - 1e-9) or samples.max() > 1e-1 * (1 + 1e-9):
        raise CheckFailed(
            _("samples should lie in [1e-3, 1e-1]; got {low:.3g} to {high:.3g}").format(
                low=samples.min(), high=samples.max()
            )
        )
    # Two decades, [1e-3, 1e-2] and [1e-2, 1e-1]: about half the 2000 samples in each.
    low_decade = float(np.mean(samples < 1e-2))
    if not 0.4 < low_decade < 0.6:
        raise CheckFailed(
            _(
                "{low_decade:.0%} of the samples are below 1e-2; on a log scale about half "
                "should be (uniform sampling between low and high gives about 9%)"
            ).format(low_decade=low_decade)
        )
    for low, high in ((0.0, 1.0), (-1.0, 1.0), (2.0, 1.0), (1.0, 1.0)):
        raises(f"sample_log_uniform({low}, {high})", ValueError, sample_log_uniform, low, high)
    again = sample_log_uniform(1e-3, 1e-1, size=5, rng=np.random.default_rng(7))
    if not np.array_equal(again, sample_log_uniform(1e-3, 1e-1, size=5, rng=np.random.default_rng(7))):
        raise CheckFailed(_("two generators in the same state gave different samples: draw from rng"))
    passed("sample_log_uniform", quiet)


def check_sample_configurations(sample_configurations, quiet=False):
    configs = sample_configurations(SPACE, 600, rng=np.random.default_rng(0))
    if not isinstance(configs, (list, tuple)) or len(configs) != 600:
        raise CheckFailed(
            _("expected a list of 600 dicts, got {type} of {count}").format(
                type=type(configs).__name__, count=len(configs)
            )
        )
    for config in configs:
        if not isinstance(config, dict) or set(config) != set(SPACE):
            raise CheckFailed(
                _("every configuration should be a dict with the keys {keys}, got {config!r}").format(
                    keys=sorted(SPACE), config=config
                )
            )
    rates = np.array([c["learning_rate"] for c in configs])
    betas = np.array([c["beta"] for c in configs])
    if rates.min() < 1e-4 or rates.max() > 1e-1 or betas.min() < 0.8 or betas.max() > 0.999:
        raise CheckFailed(_("'learning_rate' should lie in [1e-4, 1e-1] and 'beta' in [0.8, 0.999]"))
    # Three decades: about a third of the learning rates below 1e-3.
    if not 0.25 < float(np.mean(rates < 1e-3)) < 0.42:
        raise CheckFailed(
            _(
                "{share:.0%} of the learning rates are below 1e-3; about a third should be "
                "(one decade of three)"
            ).format(share=np.mean(rates < 1e-3))
        )
    layers = [c["layers"] for c in configs]
    if any(not isinstance(v, (int, np.integer)) for v in layers):
        raise CheckFailed(_("'int' values should be integers (int), not floats"))
    if sorted(set(layers)) != [1, 2, 3]:
        raise CheckFailed(
            _("'layers' (int from 1 to 3, both included) took the values {values}; expected 1, 2 and 3").format(
                values=sorted(set(layers))
            )
        )
    activations = {c["activation"] for c in configs}
    if activations != {"relu", "tanh"}:
        raise CheckFailed(
            _("'activation' took the values {activations}; expected both 'relu' and 'tanh'").format(
                activations=sorted(activations)
            )
        )
    raises(
        _("an unknown kind"),
        ValueError,
        sample_configurations,
        {"x": ("normal", 0.0, 1.0)},
        3,
        rng=np.random.default_rng(0),
    )
    passed("sample_configurations", quiet)
