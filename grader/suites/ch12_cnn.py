"""Checks for chapter 12: conv2d and max pooling in NumPy, flatten + dense, a Keras CNN
built to a specification, and that CNN trained on the digits.

conv2d, max_pool2d and fully_connected are compared with keras.layers.Conv2D,
MaxPooling2D and Flatten + Dense holding the same weights, in float64 (Keras
agrees with a float64 NumPy answer to about 1e-14). The tolerance, 1e-5
absolute and relative, is the course's for convolutions: it also accepts a
learner who computes in float32 (a sum of up to 3*3*8 = 72 products of values
of order 1 has a rounding error of about 1e-6), and every real mistake —
a flipped kernel, padding on the wrong side, a shifted window — moves values
by order 1.

Inputs are chosen where the mistakes show: even kernels and strides make the
'same' padding odd (the extra row goes at the bottom), sizes that strides do
not divide expose output sizes off by one, c_in == c_out admits a transposed
kernel without a shape error, negative maps expose zero padding in max
pooling, and rectangular kernels, pools and strides expose swapped axes.

Models are summarised in the sandbox (worker.summarise_model) and compared
with the reference model field by field: class, output shape, parameters,
activation, padding, filters, kernel size, strides, pool size. A mismatch is
shown as a unified diff (- expected, + yours); for hidden checks, the fields
that follow from the hidden arguments (shapes, parameters, filters, units)
are named but not shown. Then the learner's weights go into the reference
model and the outputs on a probe must agree to 1e-5 (float32 on both sides).

The trained network is scored in the grader's process, not in the
submission's: its weights are copied into the reference model, which
classifies the 359 test digits of the fixed split load_digits(seed=0,
val_fraction=0) — digits the learner's function never receives. The floor
is 97%; the model answer reaches 98.3 to 99.4% over 24 seeds (1.3 s on
2 cores), an untrained network about 10%. The time limit is 60 s per call.
"""
from functools import lru_cache

import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check, KitForm, MODEL
from nndl.judges import _rows
from nndl.worker import summarise_model
from nndl.grader.grading.oracle import references

ref = references("ch12_cnn")

ATOL = RTOL = 1e-5
FLOOR = 0.97
TRAIN_TIMEOUT = 60


def problem(rng, batch, size, kernel_size, c_in, c_out):
    """(X, kernel, bias): normal images, kernels and biases."""
    return (rng.normal(0, 1, (batch, *size, c_in)), rng.normal(0, 1, (*kernel_size, c_in, c_out)),
            rng.normal(0, 1, c_out))


def digit_like(rng, batch, size=(8, 8), channels=1):
    """Images in [0, 1] in steps of 1/16, as load_digits's are."""
    return rng.integers(0, 17, (batch, *size, channels)) / 16.0


# ----------------------------------------------------------------------- conv2d
def conv_visible(rng):
    return [Case("2 images 6x6, 1 channel, 3x3 kernel, 2 filters, valid",
                 problem(rng, 2, (6, 6), (3, 3), 1, 2), {"strides": (1, 1), "padding": "valid"}),
            Case("one 5x5 image, 3 channels, 3x3 kernel, 4 filters, same",
                 problem(rng, 1, (5, 5), (3, 3), 3, 4), {"strides": (1, 1), "padding": "same"}),
            Case("a 2x2 kernel, same: the odd row and column of padding go at the bottom and right",
                 problem(rng, 1, (5, 5), (2, 2), 2, 2), {"strides": (1, 1), "padding": "same"})]


def conv_hidden(rng):
    X, kernel, bias = problem(rng, 2, (6, 6), (3, 3), 4, 4)
    return [Case("a 2x2 kernel, same: one row and one column of padding",
                 problem(rng, 2, (5, 6), (2, 2), 2, 3), {"padding": "same"}),
            Case("a 4x4 kernel, same: three rows and columns of padding",
                 problem(rng, 2, (7, 7), (4, 4), 3, 2), {"padding": "same"}),
            Case("strides (2, 2), valid, sizes the stride does not divide",
                 problem(rng, 3, (7, 9), (3, 3), 2, 4), {"strides": (2, 2)}),
            Case("strides (2, 1), a 3x2 kernel, same",
                 problem(rng, 2, (7, 6), (3, 2), 3, 5), {"strides": (2, 1), "padding": "same"}),
            Case("strides (3, 2), 8 channels, same",
                 problem(rng, 2, (8, 9), (3, 3), 8, 6), {"strides": (3, 2), "padding": "same"}),
            Case("as many filters as input channels, valid (the defaults)", (X, kernel, bias)),
            Case("a 1x1 kernel, same: no padding at all, channel mixing only",
                 problem(rng, 2, (4, 5), (1, 1), 3, 2), {"padding": "same"}),
            Case("a kernel as large as the image, valid", problem(rng, 2, (5, 4), (5, 4), 2, 3)),
            Case("strides (3, 3) longer than the 2x2 kernel, same",
                 problem(rng, 1, (9, 8), (2, 2), 1, 2), {"strides": (3, 3), "padding": "same"}),
            Case("digit-like 8x8 images, 16 filters, same (the first layer of the CNN)",
                 (digit_like(rng, 4), rng.normal(0, 0.3, (3, 3, 1, 16)), rng.normal(0, 0.1, 16)),
                 {"strides": (1, 1), "padding": "same"})]


# ------------------------------------------------------------------- max pooling
def pool_visible(rng):
    return [Case("2x2 pool on 4x4 maps with 3 channels (default strides and padding)",
                 (rng.normal(0, 1, (2, 4, 4, 3)),))]


def pool_hidden(rng):
    negative = -np.abs(rng.normal(0, 1, (2, 5, 5, 2)))
    return [Case("2x2 pool, valid, odd sizes: the last row and column are dropped",
                 (rng.normal(0, 1, (2, 5, 7, 2)), (2, 2))),
            Case("negative maps, 2x2 pool, same, odd sizes", (negative, (2, 2), None, "same")),
            Case("negative maps, 2x2 pool, strides (1, 1), same",
                 (negative, (2, 2), (1, 1), "same")),
            Case("a 3x3 pool with strides (1, 1), same: overlapping windows, padding on every side",
                 (rng.normal(0, 1, (2, 6, 5, 3)), (3, 3), (1, 1), "same")),
            Case("a 3x2 pool, strides (2, 1), same",
                 (rng.normal(0, 1, (2, 7, 6, 2)), (3, 2), (2, 1), "same")),
            Case("a 1x2 pool, strides (1, 2), same: no padding down, one column across",
                 (rng.normal(0, 1, (2, 4, 5, 3)), (1, 2), (1, 2), "same")),
            Case("a 2x2 pool with strides (2, 3), valid",
                 (rng.normal(0, 1, (1, 6, 9, 2)), (2, 2), (2, 3), "valid")),
            Case("16 ReLU maps of 8x8 (as in the CNN), the defaults",
                 (np.maximum(rng.normal(0, 1, (3, 8, 8, 16)), 0.0),))]


# --------------------------------------------------------------- fully connected
def dense_problem(rng, batch, maps, units, scale=1.0):
    n_in = int(np.prod(maps))
    return (rng.normal(0, scale, (batch, *maps)), rng.normal(0, 1 / np.sqrt(n_in), (n_in, units)),
            rng.normal(0, 1, units))


def dense_visible(rng):
    return [Case("2 samples of 3x3x2 maps, 4 softmax units", dense_problem(rng, 2, (3, 3, 2), 4),
                 {"activation": "softmax"})]


def dense_hidden(rng):
    return [Case("relu, maps of 2x2x5", dense_problem(rng, 3, (2, 2, 5), 6), {"activation": "relu"}),
            Case("linear, maps of 4x3x3", dense_problem(rng, 2, (4, 3, 3), 5), {"activation": "linear"}),
            Case("softmax of large values (exp overflows without a shift)",
                 dense_problem(rng, 3, (2, 3, 4), 4, scale=3000.0)),
            Case("32 maps of 2x2 to 10 units (the CNN's last layers), the default activation",
                 dense_problem(rng, 4, (2, 2, 32), 10)),
            Case("one sample of 1x1x3, one linear unit", dense_problem(rng, 1, (1, 1, 3), 1),
                 {"activation": "linear"})]


# ----------------------------------------------------------------- Keras models
def build_visible(rng):
    return [Case("the specification's defaults: 8x8x1 digits, filters (16, 32), 10 classes")]


def build_hidden(rng):
    return [Case("a rectangular colour image, other filters and classes", ((12, 10, 3), (8, 12), 5)),
            Case("the smallest image, 6x6x1", ((6, 6, 1), (4, 4), 3)),
            Case("odd sizes, 2 channels, the default filters and classes", ((9, 7, 2),)),
            Case("input_shape and filters given as lists", ([8, 8, 1], [6, 10]), {"n_classes": 4})]


def model_probe(rng):
    """Images at least as large as any input a case asks for; the sandbox crops them."""
    return rng.uniform(0, 1, (3, 12, 12, 4)).astype(np.float32)


# --------------------------------------------------------------------- training
@lru_cache(maxsize=1)
def digits():
    """The fixed split: 1,438 training and 359 test digits as (n, 8, 8, 1) images."""
    from nndl.data import load_digits

    data = load_digits(seed=0, val_fraction=0.0)
    return (data.X_train.reshape(-1, 8, 8, 1), data.y_train,
            data.X_test.reshape(-1, 8, 8, 1), data.y_test)


def train_visible(rng):
    X_train, y_train, _, _ = digits()
    return [Case("the 1,438 training digits, seed 0", (X_train, y_train), {"seed": 0})]


def train_hidden(rng):
    """The digits in another order, another seed, and the other two arguments used: mini-batches of
    64 at twice the learning rate learn as well (98.7% on average over 48 seeds, none below
    97.8%, as with the defaults) in 15% less time."""
    X_train, y_train, _, _ = digits()
    order = rng.permutation(len(X_train))
    return [Case("the training digits in another order, another seed, mini-batches of 64 at learning rate 0.02",
                 (X_train[order], y_train[order]),
                 {"seed": int(rng.integers(1, 2**16)), "batch_size": 64, "learning_rate": 0.02})]


def untrained_reference(X_train, y_train, epochs=8, batch_size=32, learning_rate=0.01, seed=0):
    """The reference architecture for these images (judges.trained reads its layers).

    Training the reference as well (ref.train_cnn) would double the check's time
    and say nothing more: the check measures the learner's weights.
    """
    return ref.build_cnn(np.shape(X_train)[1:])


TRAIN_HINT = (f"set_random_seed(seed); Adam with CosineDecay(learning_rate, epochs * ceil(n / "
              f"batch_size)); loss sparse_categorical_crossentropy; fit on (X_train, y_train) and "
              f"return the model; at least {FLOOR:.0%} on held-out digits within {TRAIN_TIMEOUT} s "
              f"(the model answer: under 2 s)")


def _flipped_kernel(X, kernel, bias, strides=(1, 1), padding="valid"):
    """A true convolution: the kernel turned by 180 degrees, then Keras's cross-correlation."""
    return ref.conv2d(X, np.asarray(kernel)[::-1, ::-1], bias, strides, padding)


FLIPPED = ("the kernel flipped (a convolution as in the textbooks); Keras's Conv2D, and this "
           "exercise, compute a cross-correlation: kernel[i, j] multiplies X[y*sh + i, x*sw + j]")

def trained_facts(check, case, expected, probe):
    """For judges.trained: the architecture, the held-out digits' classes and the floor."""
    _, _, _, y_test = digits()
    return {"rows": _rows(summarise_model(expected, None)["$model"]), "labels": y_test, "floor": FLOOR}


TRAINED = KitForm("trained", facts=trained_facts,
                  probe=lambda check, case, facts, probe: {"input": digits()[2]})

CHECKS = [
    Check("conv2d", "conv2d", 2, VISIBLE, conv_visible, ref.conv2d, ATOL, RTOL,
          hint="Z[n, y, x, o] = sum over i, j, c of X[n, y*sh + i, x*sw + j, c] * kernel[i, j, c, o] "
          "+ bias[o] — a cross-correlation: do not flip the kernel; 'same' pads with zeros",
          mistakes=((FLIPPED, _flipped_kernel),)),
    Check("conv2d_hidden", "conv2d", 4, HIDDEN, conv_hidden, ref.conv2d, ATOL, RTOL,
          hint="'same': out = ceil(H / sh), P = max((out - 1)*sh + kh - H, 0) rows, P // 2 on top and "
          "the rest at the bottom (columns alike); 'valid': out = (H - kh) // sh + 1; strides is "
          "(down, across); kernel[i, j] has shape (c_in, c_out)",
          mistakes=((FLIPPED, _flipped_kernel),)),
    Check("max_pool2d", "max_pool2d", 1, VISIBLE, pool_visible, ref.max_pool2d, ATOL, RTOL,
          hint="the maximum of each pool_size window, channel by channel; strides=None means "
          "strides=pool_size"),
    Check("max_pool2d_hidden", "max_pool2d", 3, HIDDEN, pool_hidden, ref.max_pool2d, ATOL, RTOL,
          hint="max, not mean; 'same' pads as conv2d does (the odd row at the bottom) but with -inf, "
          "never 0; strides may differ from pool_size and between the two axes"),
    Check("fully_connected", "fully_connected", 1, VISIBLE, dense_visible, ref.fully_connected,
          ATOL, RTOL, hint="X.reshape(batch, -1) @ W + b, then the activation (softmax over the units)"),
    Check("fully_connected_hidden", "fully_connected", 2, HIDDEN, dense_hidden, ref.fully_connected,
          ATOL, RTOL, hint="flatten in the array's own order (channels fastest), as keras.layers.Flatten; "
          "support linear, relu and softmax; subtract the row maximum before exp"),
    Check("build_cnn", "build_cnn", 2, VISIBLE, build_visible, ref.build_cnn,
          probe=model_probe, kit=MODEL, timeout=60,
          hint="Input, Conv2D(same, relu), MaxPooling2D((2, 2)), Conv2D(valid, relu), Flatten, "
          "Dense(softmax): six lines in a keras.Sequential"),
    Check("build_cnn_hidden", "build_cnn", 3, HIDDEN, build_hidden, ref.build_cnn,
          probe=model_probe, kit=MODEL, timeout=60,
          hint="use the arguments: keras.Input(input_shape), filters[0] and filters[1], "
          "Dense(n_classes); 3x3 kernels and a 2x2 pool whatever the input"),
    Check("train_cnn", "train_cnn", 3, VISIBLE, train_visible, untrained_reference,
          kit=TRAINED, timeout=TRAIN_TIMEOUT, hint=TRAIN_HINT),
    Check("train_cnn_hidden", "train_cnn", 3, HIDDEN, train_hidden, untrained_reference,
          kit=TRAINED, timeout=TRAIN_TIMEOUT,
          hint=TRAIN_HINT + "; use the seed, batch_size and learning_rate you are given and build the model "
          "with your build_cnn"),
]
