"""Misconceptions about sampling hyperparameters that the properties must catch. Each mutant is
self-contained (NumPy only): the diagnoses run it in the grader, the self-check beside the solution."""

import numpy as np

from grading_tests.mutants import mutant

# ----------------------------------------------------------------------------- sample_log_uniform


@mutant("sample_log_uniform", "uniform sampling between low and high on the linear scale")
def log_linear_scale(low, high, size=None, rng=None):
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    rng = np.random.default_rng() if rng is None else rng
    value = rng.uniform(low, high, size=size)
    return float(value) if size is None else value


@mutant("sample_log_uniform", "natural-log exponents raised to the power of 10 (bases mixed)")
def log_mixed_bases(low, high, size=None, rng=None):
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    rng = np.random.default_rng() if rng is None else rng
    value = 10.0 ** rng.uniform(np.log(low), np.log(high), size=size)
    return float(value) if size is None else value


@mutant("sample_log_uniform", "the exponent drawn between low and high themselves (no log10)")
def log_exponent_not_logged(low, high, size=None, rng=None):
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    rng = np.random.default_rng() if rng is None else rng
    value = 10.0 ** rng.uniform(low, high, size=size)
    return float(value) if size is None else value


@mutant("sample_log_uniform", "the exponent returned without raising 10 to it")
def log_returns_exponent(low, high, size=None, rng=None):
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    rng = np.random.default_rng() if rng is None else rng
    value = rng.uniform(np.log10(low), np.log10(high), size=size)
    return float(value) if size is None else value


@mutant("sample_log_uniform", "only low <= 0 rejected (low >= high accepted)")
def log_checks_only_low(low, high, size=None, rng=None):
    if low <= 0:
        raise ValueError(f"low must be positive, got low={low}")
    rng = np.random.default_rng() if rng is None else rng
    value = 10.0 ** rng.uniform(np.log10(low), np.log10(high), size=size)
    return float(value) if size is None else value


@mutant("sample_log_uniform", "no check of low and high at all")
def log_no_check(low, high, size=None, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    with np.errstate(all="ignore"):
        value = 10.0 ** rng.uniform(np.log10(abs(low) + 1e-300), np.log10(abs(high) + 1e-300), size=size)
    return float(value) if size is None else value


@mutant("sample_log_uniform", "an array of shape (1,) returned when size is None")
def log_always_array(low, high, size=None, rng=None):
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    rng = np.random.default_rng() if rng is None else rng
    return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size=1 if size is None else size)


@mutant("sample_log_uniform", "np.random's global generator instead of the rng argument")
def log_global_rng(low, high, size=None, rng=None):
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    value = 10.0 ** np.random.uniform(np.log10(low), np.log10(high), size=size)
    return float(value) if size is None else value


@mutant("sample_log_uniform", "a generator with a fixed seed made inside the function")
def log_fixed_seed(low, high, size=None, rng=None):
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    rng = np.random.default_rng(0)
    value = 10.0 ** rng.uniform(np.log10(low), np.log10(high), size=size)
    return float(value) if size is None else value


# ----------------------------------------------------------------------------- sample_configurations


@mutant("sample_configurations", "'int' drawn with rng.integers(low, high): high never comes")
def configs_int_excludes_high(space, n, rng=None):
    for name, spec in space.items():
        if spec[0] not in ("log", "uniform", "int", "choice"):
            raise ValueError(f"unknown kind {spec[0]!r} for {name!r}")
    rng = np.random.default_rng() if rng is None else rng
    configs = []
    for _ in range(n):
        config = {}
        for name, spec in space.items():
            if spec[0] == "log":
                config[name] = float(10.0 ** rng.uniform(np.log10(spec[1]), np.log10(spec[2])))
            elif spec[0] == "uniform":
                config[name] = float(rng.uniform(spec[1], spec[2]))
            elif spec[0] == "int":
                config[name] = int(rng.integers(spec[1], spec[2]))
            else:
                config[name] = spec[1][int(rng.integers(len(spec[1])))]
        configs.append(config)
    return configs


@mutant("sample_configurations", "'int' as a rounded uniform draw: low and high come half as often")
def configs_int_rounded(space, n, rng=None):
    for name, spec in space.items():
        if spec[0] not in ("log", "uniform", "int", "choice"):
            raise ValueError(f"unknown kind {spec[0]!r} for {name!r}")
    rng = np.random.default_rng() if rng is None else rng
    configs = []
    for _ in range(n):
        config = {}
        for name, spec in space.items():
            if spec[0] == "log":
                config[name] = float(10.0 ** rng.uniform(np.log10(spec[1]), np.log10(spec[2])))
            elif spec[0] == "uniform":
                config[name] = float(rng.uniform(spec[1], spec[2]))
            elif spec[0] == "int":
                config[name] = int(round(rng.uniform(spec[1], spec[2])))
            else:
                config[name] = spec[1][int(rng.integers(len(spec[1])))]
        configs.append(config)
    return configs


@mutant("sample_configurations", "'int' values returned as floats (3.0 instead of 3)")
def configs_int_as_float(space, n, rng=None):
    for name, spec in space.items():
        if spec[0] not in ("log", "uniform", "int", "choice"):
            raise ValueError(f"unknown kind {spec[0]!r} for {name!r}")
    rng = np.random.default_rng() if rng is None else rng
    configs = []
    for _ in range(n):
        config = {}
        for name, spec in space.items():
            if spec[0] == "log":
                config[name] = float(10.0 ** rng.uniform(np.log10(spec[1]), np.log10(spec[2])))
            elif spec[0] == "uniform":
                config[name] = float(rng.uniform(spec[1], spec[2]))
            elif spec[0] == "int":
                config[name] = float(rng.integers(spec[1], spec[2] + 1))
            else:
                config[name] = spec[1][int(rng.integers(len(spec[1])))]
        configs.append(config)
    return configs


@mutant("sample_configurations", "'log' sampled uniformly on the linear scale")
def configs_log_linear(space, n, rng=None):
    for name, spec in space.items():
        if spec[0] not in ("log", "uniform", "int", "choice"):
            raise ValueError(f"unknown kind {spec[0]!r} for {name!r}")
    rng = np.random.default_rng() if rng is None else rng
    configs = []
    for _ in range(n):
        config = {}
        for name, spec in space.items():
            if spec[0] in ("log", "uniform"):
                config[name] = float(rng.uniform(spec[1], spec[2]))
            elif spec[0] == "int":
                config[name] = int(rng.integers(spec[1], spec[2] + 1))
            else:
                config[name] = spec[1][int(rng.integers(len(spec[1])))]
        configs.append(config)
    return configs


@mutant("sample_configurations", "'choice' index drawn from len(values) - 1: the last value never comes")
def configs_choice_misses_last(space, n, rng=None):
    for name, spec in space.items():
        if spec[0] not in ("log", "uniform", "int", "choice"):
            raise ValueError(f"unknown kind {spec[0]!r} for {name!r}")
    rng = np.random.default_rng() if rng is None else rng
    configs = []
    for _ in range(n):
        config = {}
        for name, spec in space.items():
            if spec[0] == "log":
                config[name] = float(10.0 ** rng.uniform(np.log10(spec[1]), np.log10(spec[2])))
            elif spec[0] == "uniform":
                config[name] = float(rng.uniform(spec[1], spec[2]))
            elif spec[0] == "int":
                config[name] = int(rng.integers(spec[1], spec[2] + 1))
            else:
                config[name] = spec[1][int(rng.integers(max(len(spec[1]) - 1, 1)))]
        configs.append(config)
    return configs


@mutant("sample_configurations", "one random number per configuration shared by every name")
def configs_shared_draw(space, n, rng=None):
    for name, spec in space.items():
        if spec[0] not in ("log", "uniform", "int", "choice"):
            raise ValueError(f"unknown kind {spec[0]!r} for {name!r}")
    rng = np.random.default_rng() if rng is None else rng
    configs = []
    for _ in range(n):
        u = rng.random()
        config = {}
        for name, spec in space.items():
            if spec[0] == "log":
                lo, hi = np.log10(spec[1]), np.log10(spec[2])
                config[name] = float(10.0 ** (lo + u * (hi - lo)))
            elif spec[0] == "uniform":
                config[name] = float(spec[1] + u * (spec[2] - spec[1]))
            elif spec[0] == "int":
                count = spec[2] - spec[1] + 1
                config[name] = int(spec[1] + min(int(u * count), count - 1))
            else:
                config[name] = spec[1][min(int(u * len(spec[1])), len(spec[1]) - 1)]
        configs.append(config)
    return configs


@mutant("sample_configurations", "one configuration drawn and repeated n times ([config] * n)")
def configs_repeated(space, n, rng=None):
    for name, spec in space.items():
        if spec[0] not in ("log", "uniform", "int", "choice"):
            raise ValueError(f"unknown kind {spec[0]!r} for {name!r}")
    rng = np.random.default_rng() if rng is None else rng
    config = {}
    for name, spec in space.items():
        if spec[0] == "log":
            config[name] = float(10.0 ** rng.uniform(np.log10(spec[1]), np.log10(spec[2])))
        elif spec[0] == "uniform":
            config[name] = float(rng.uniform(spec[1], spec[2]))
        elif spec[0] == "int":
            config[name] = int(rng.integers(spec[1], spec[2] + 1))
        else:
            config[name] = spec[1][int(rng.integers(len(spec[1])))]
    return [dict(config) for _ in range(n)]


@mutant("sample_configurations", "an unknown kind silently left out of the configurations")
def configs_unknown_kind_skipped(space, n, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    configs = []
    for _ in range(n):
        config = {}
        for name, spec in space.items():
            if spec[0] == "log":
                config[name] = float(10.0 ** rng.uniform(np.log10(spec[1]), np.log10(spec[2])))
            elif spec[0] == "uniform":
                config[name] = float(rng.uniform(spec[1], spec[2]))
            elif spec[0] == "int":
                config[name] = int(rng.integers(spec[1], spec[2] + 1))
            elif spec[0] == "choice":
                config[name] = spec[1][int(rng.integers(len(spec[1])))]
        configs.append(config)
    return configs


@mutant("sample_configurations", "a ValueError for an unknown kind that does not say which kind")
def configs_unknown_kind_unnamed(space, n, rng=None):
    for spec in space.values():
        if spec[0] not in ("log", "uniform", "int", "choice"):
            raise ValueError("unknown kind in the search space")
    rng = np.random.default_rng() if rng is None else rng
    configs = []
    for _ in range(n):
        config = {}
        for name, spec in space.items():
            if spec[0] == "log":
                config[name] = float(10.0 ** rng.uniform(np.log10(spec[1]), np.log10(spec[2])))
            elif spec[0] == "uniform":
                config[name] = float(rng.uniform(spec[1], spec[2]))
            elif spec[0] == "int":
                config[name] = int(rng.integers(spec[1], spec[2] + 1))
            else:
                config[name] = spec[1][int(rng.integers(len(spec[1])))]
        configs.append(config)
    return configs


@mutant("sample_configurations", "np.random's global generator instead of the rng argument")
def configs_global_rng(space, n, rng=None):
    for name, spec in space.items():
        if spec[0] not in ("log", "uniform", "int", "choice"):
            raise ValueError(f"unknown kind {spec[0]!r} for {name!r}")
    configs = []
    for _ in range(n):
        config = {}
        for name, spec in space.items():
            if spec[0] == "log":
                config[name] = float(10.0 ** np.random.uniform(np.log10(spec[1]), np.log10(spec[2])))
            elif spec[0] == "uniform":
                config[name] = float(np.random.uniform(spec[1], spec[2]))
            elif spec[0] == "int":
                config[name] = int(np.random.randint(spec[1], spec[2] + 1))
            else:
                config[name] = spec[1][int(np.random.randint(len(spec[1])))]
        configs.append(config)
    return configs
