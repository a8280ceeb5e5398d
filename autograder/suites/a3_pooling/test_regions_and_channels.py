"""A3 hidden suite, parts adaptive_maxpool (24), global_avgpool (10) and channel_maxpool (16)."""

import numpy as np

import solutions.a3_pooling as ref
from autograder.testing import as_array, assert_close, assert_unchanged, grade


def signed(rng, shape):
    """Mostly negative values (a maximum started at 0 shows), distinct (no accidental ties)."""
    return rng.standard_normal(shape) - 1.5


def check_cases(student, name: str, rng, cases):
    """student.<name>(x, arg) against the reference's, for signed x of each (shape, arg) in `cases`."""
    for shape, arg in cases:
        x = signed(rng, shape)
        assert_close(getattr(student, name)(x, arg), getattr(ref, name)(x, arg), f"{name}(x, {arg}) with x {shape}")


# --- adaptive_maxpool (24) ------------------------------------------------------------------------------------------


@grade(points=3, part="adaptive_maxpool",
       hint="Possible reason: the output size should be out_hw whatever the input size; (OH, OW) in that order.")
def test_adaptive_output_shape_for_many_input_sizes(student, rng):
    for H, W in [(7, 9), (12, 5), (4, 6), (10, 11)]:
        x = signed(rng, (2, 3, H, W))
        what = f"adaptive_maxpool(x, (4, 3)) with x {x.shape}"
        as_array(student.adaptive_maxpool(x, (4, 3)), what, shape=(2, 3, 4, 3))


@grade(points=3, part="adaptive_maxpool",
       hint="Possible reason: when OH divides H the regions are the H/OH x W/OW windows of max pooling.")
def test_adaptive_sizes_that_divide(student, rng):
    check_cases(student, "adaptive_maxpool", rng,
                [((2, 3, 8, 9), (4, 3)), ((1, 2, 6, 10), (2, 5)), ((3, 1, 9, 4), (3, 2))])


@grade(points=6, part="adaptive_maxpool",
       hint="Possible reason: region i runs from floor(i*H/OH) to ceil((i+1)*H/OH) (exclusive): round the start "
            "down and the end up, in integer arithmetic.")
def test_adaptive_sizes_that_do_not_divide(student, rng):
    check_cases(student, "adaptive_maxpool", rng, [((2, 3, 7, 5), (3, 2)), ((1, 2, 10, 11), (4, 3)),
                                                   ((2, 2, 11, 9), (5, 4)), ((1, 3, 9, 7), (2, 3)),
                                                   ((3, 1, 6, 10), (4, 7))])


@grade(points=3, part="adaptive_maxpool",
       hint="Possible reason: the rows use OH and H, the columns OW and W: are they swapped somewhere?")
def test_adaptive_rectangular_output(student, rng):
    check_cases(student, "adaptive_maxpool", rng, [((2, 2, 5, 12), (2, 5)), ((1, 3, 13, 6), (6, 2))])


@grade(points=2, part="adaptive_maxpool", hint="Possible reason: an int out_hw means (out_hw, out_hw).")
def test_adaptive_int_output_size(student, rng):
    x = signed(rng, (2, 3, 7, 10))
    assert_close(student.adaptive_maxpool(x, 3), ref.adaptive_maxpool(x, 3), "adaptive_maxpool(x, 3), x (2, 3, 7, 10)")


@grade(points=2, part="adaptive_maxpool",
       hint="Possible reason: an output as large as the input has one pixel per region (the identity); "
            "an output of (1, 1) is the maximum of each whole channel.")
def test_adaptive_identity_and_global_max(student, rng):
    x = signed(rng, (2, 3, 5, 7))
    assert_close(student.adaptive_maxpool(x, (5, 7)), x, "adaptive_maxpool(x, (5, 7)) with x (2, 3, 5, 7)")
    assert_close(student.adaptive_maxpool(x, (1, 1)), ref.adaptive_maxpool(x, (1, 1)),
                 "adaptive_maxpool(x, (1, 1)) with x (2, 3, 5, 7)")


@grade(points=2, part="adaptive_maxpool", hint="Possible reason: integer dtype kept, or x changed in place?")
def test_adaptive_uint8_inputs_unchanged(student, rng):
    x = rng.integers(0, 256, size=(2, 3, 9, 7)).astype(np.uint8)
    got, args, _ = student.adaptive_maxpool.with_inputs(x, (4, 3))
    assert_close(got, ref.adaptive_maxpool(x, (4, 3)), "adaptive_maxpool on uint8 x (2, 3, 9, 7), out (4, 3)")
    assert_unchanged(x, args[0], "x")
    xf = signed(rng, (1, 2, 7, 6))
    _, args, _ = student.adaptive_maxpool.with_inputs(xf, (3, 4))
    assert_unchanged(xf, args[0], "x")


@grade(points=3, part="adaptive_maxpool",
       hint="Possible reason: state kept between calls? Each input size needs its own regions.")
def test_adaptive_interleaved_input_sizes(student, rng):
    xs = [signed(rng, (1, 2, H, W)) for H, W in [(11, 7), (6, 9), (8, 5)]]
    first = [student.adaptive_maxpool(x, (3, 4)) for x in xs]
    again = [student.adaptive_maxpool(x, (3, 4)) for x in xs[::-1]][::-1]
    for x, a, b in zip(xs, first, again, strict=True):
        want = ref.adaptive_maxpool(x, (3, 4))
        assert_close(a, want, f"adaptive_maxpool(x, (3, 4)) with x {x.shape}")
        assert_close(b, want, f"adaptive_maxpool(x, (3, 4)) with x {x.shape}, called again")


# --- global_avgpool (10) --------------------------------------------------------------------------------------------


@grade(points=2, part="global_avgpool", hint="Possible reason: the output is (N, C), not (N, C, 1, 1) or (N,).")
def test_global_avgpool_shape(student, rng):
    for shape in [(2, 3, 5, 4), (3, 1, 6, 7)]:
        x = rng.standard_normal(shape)
        as_array(student.global_avgpool(x), f"global_avgpool(x) with x {shape}", shape=shape[:2])


@grade(points=4, part="global_avgpool",
       hint="Possible reason: the mean taken over the wrong axes? Average over H and W only.")
def test_global_avgpool_values(student, rng):
    for shape in [(2, 3, 5, 4), (3, 2, 7, 6), (1, 4, 3, 8)]:
        x = rng.standard_normal(shape) + np.arange(shape[1])[None, :, None, None]  # channels differ in mean
        assert_close(student.global_avgpool(x), ref.global_avgpool(x), f"global_avgpool(x) with x {shape}")


@grade(points=2, part="global_avgpool", hint="Possible reason: the sum computed in uint8 overflows?")
def test_global_avgpool_uint8(student, rng):
    x = rng.integers(200, 256, size=(2, 3, 4, 5)).astype(np.uint8)
    assert_close(student.global_avgpool(x), ref.global_avgpool(x), "global_avgpool on uint8 x (2, 3, 4, 5)")


@grade(points=2, part="global_avgpool", hint="Possible reason: x changed in place, or state kept between calls?")
def test_global_avgpool_inputs_unchanged_and_repeated(student, rng):
    x, x2 = rng.standard_normal((2, 3, 5, 6)), rng.standard_normal((1, 2, 4, 3))
    got, args, _ = student.global_avgpool.with_inputs(x)
    assert_unchanged(x, args[0], "x")
    student.global_avgpool(x2)
    again = student.global_avgpool(x)
    assert_close(got, ref.global_avgpool(x), "global_avgpool, first call")
    assert_close(again, ref.global_avgpool(x), "global_avgpool called again")


# --- channel_maxpool (16) -------------------------------------------------------------------------------------------


@grade(points=2, part="channel_maxpool", hint="Possible reason: the output is (N, C/group, H, W).")
def test_channel_maxpool_shape(student, rng):
    for shape, group in [((2, 6, 5, 4), 3), ((1, 8, 3, 7), 2), ((3, 4, 6, 5), 4)]:
        x = signed(rng, shape)
        want = (shape[0], shape[1] // group) + shape[2:]
        as_array(student.channel_maxpool(x, group), f"channel_maxpool(x, {group}) with x {shape}", shape=want)


@grade(points=5, part="channel_maxpool",
       hint="Possible reason: groups taken as every (C/group)-th channel instead of consecutive channels?")
def test_channel_maxpool_consecutive_groups(student, rng):
    check_cases(student, "channel_maxpool", rng,
                [((2, 6, 5, 4), 3), ((1, 6, 4, 3), 2), ((2, 12, 3, 5), 4), ((1, 9, 2, 6), 3)])


@grade(points=2, part="channel_maxpool", hint="Possible reason: group=1 keeps every channel; group=C keeps one.")
def test_channel_maxpool_extreme_groups(student, rng):
    x = signed(rng, (2, 5, 4, 3))
    assert_close(student.channel_maxpool(x, 1), x, "channel_maxpool(x, 1) with x (2, 5, 4, 3)")
    assert_close(student.channel_maxpool(x, 5), ref.channel_maxpool(x, 5), "channel_maxpool(x, 5) with x (2, 5, 4, 3)")


@grade(points=3, part="channel_maxpool",
       hint="Possible reason: the maximum taken over a spatial axis or the batch instead of the channels?")
def test_channel_maxpool_keeps_every_position(student, rng):
    x = signed(rng, (3, 4, 6, 5))
    x[:, 1, 2, :] += 4.0  # one row of one channel stands out: it must stay where it is
    assert_close(student.channel_maxpool(x, 2), ref.channel_maxpool(x, 2), "channel_maxpool(x, 2) with x (3, 4, 6, 5)")


@grade(points=2, part="channel_maxpool", hint="Possible reason: the maximum started at 0? Inputs can be negative.")
def test_channel_maxpool_negative_inputs(student, rng):
    x = -np.abs(rng.standard_normal((2, 6, 3, 4))) - 0.5
    assert_close(student.channel_maxpool(x, 3), ref.channel_maxpool(x, 3),
                 "channel_maxpool(x, 3) with x (2, 6, 3, 4) all negative")


@grade(points=2, part="channel_maxpool", hint="Possible reason: integer dtype kept, or x changed in place?")
def test_channel_maxpool_uint8_inputs_unchanged(student, rng):
    x = rng.integers(0, 256, size=(2, 6, 4, 3)).astype(np.uint8)
    got, args, _ = student.channel_maxpool.with_inputs(x, 2)
    assert_close(got, ref.channel_maxpool(x, 2), "channel_maxpool on uint8 x (2, 6, 4, 3), group 2")
    assert_unchanged(x, args[0], "x")
    xf = signed(rng, (1, 4, 3, 5))
    _, args, _ = student.channel_maxpool.with_inputs(xf, 4)
    assert_unchanged(xf, args[0], "x")
