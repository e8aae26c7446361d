"""Public checks for receptive_field.py: output sizes and receptive fields of small stacks,
worked out by hand along one axis."""

from ._common import CheckFailed, passed
from ._i18n import N_, _

TWO_STRIDED = [(3, 2, 1), (3, 2, 1)]  # two 3x3 convolutions, stride 2, padding 1
ALEX_LIKE = [(11, 4, 0), (3, 2, 0)]  # an 11-wide stride-4 convolution, then 3-wide stride-2 pooling


def check_conv_output_size(conv_output_size, quiet=False):
    cases = [
        ((32, 3, 1, 1), 32, N_("a 3x3 'same' convolution keeps the size")),
        ((32, 5, 2, 0), 14, N_("floor((32 - 5) / 2) + 1")),
        ((8, 3, 2, 0), 3, N_("floor((8 - 3) / 2) + 1: round down")),
        ((7, 3, 2, 1), 4, N_("padding on both sides: floor((7 + 2 - 3) / 2) + 1")),
        ((10, 3, 1, 0, 2), 6, N_("dilation 2 makes a 3-wide kernel span 5: 10 - 5 + 1")),
    ]
    for args, expected, why in cases:
        got = conv_output_size(*args)
        if got != expected:
            raise CheckFailed(
                _("conv_output_size{args} returned {got!r}, expected {expected} ({why})").format(
                    args=args, got=got, expected=expected, why=_(why)
                )
            )
    passed("conv_output_size", quiet)


def check_receptive_field(receptive_field, quiet=False):
    cases = [
        ([], (1, 1, 0.0), N_("no layer: one pixel, centred at 0")),
        ([(3, 1, 1), (3, 1, 1)], (5, 1, 0.0), N_("two 3x3 convolutions see 5 pixels")),
        (TWO_STRIDED, (7, 4, 0.0), N_("the second layer grows the field by (3 - 1) * jump 2")),
        ([(3, 2, 0), (3, 2, 0)], (7, 4, 3.0), N_("without padding output 0 is centred at 1 + 1 * 2")),
        ([(3, 1, 0, 2)], (5, 1, 2.0), N_("dilation 2: k_eff = 2 * (3 - 1) + 1 = 5")),
        (ALEX_LIKE, (19, 8, 9.0), N_("1 + 10 * 1 + 2 * 4 = 19, start 5 * 1 + 1 * 4 = 9")),
    ]
    for layers, expected, why in cases:
        got = receptive_field(layers)
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            raise CheckFailed(
                _("receptive_field({layers}) must return (size, jump, start), got {got!r}").format(
                    layers=layers, got=got
                )
            )
        if tuple(got)[:2] != expected[:2] or abs(float(got[2]) - expected[2]) > 1e-9:
            raise CheckFailed(
                _("receptive_field({layers}) returned {got}, expected {expected} ({why})").format(
                    layers=layers, got=tuple(got), expected=expected, why=_(why)
                )
            )
    passed("receptive_field", quiet)


def check_receptive_field_region(receptive_field_region, quiet=False):
    cases = [
        (TWO_STRIDED, 0, (-3, 3), N_("a 7-wide field centred at 0 reaches 3 pixels into the padding")),
        (TWO_STRIDED, 2, (5, 11), N_("output 2 is centred at 0 + 2 * 4 = 8")),
        ([(3, 1, 0, 2)], 0, (0, 4), N_("dilation 2: 5 pixels centred at 2")),
        (ALEX_LIKE, 1, (8, 26), N_("19 pixels centred at 9 + 1 * 8 = 17")),
        ([], 4, (4, 4), N_("no layer: output 4 is input pixel 4")),
    ]
    for layers, index, expected, why in cases:
        got = receptive_field_region(layers, index)
        if not isinstance(got, (tuple, list)) or len(got) != 2 or tuple(got) != expected:
            raise CheckFailed(
                _(
                    "receptive_field_region({layers}, {index}) returned {got!r}, expected {expected}, "
                    "both ends included ({why})"
                ).format(layers=layers, index=index, got=got, expected=expected, why=_(why))
            )
    passed("receptive_field_region", quiet)
