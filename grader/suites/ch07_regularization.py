"""Checks for chapter 7: L2 penalty and weight decay, dropout, LRN, data expansion, early stopping.

Early stopping follows a path (comparisons of losses), and Keras makes those
comparisons in float32: the losses are dyadic (multiples of 1/64) so that a
correct learner in float64 and Keras take the same path.
"""
import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check
from nndl.grader.grading.oracle import references

ref = references("ch07_regularization")


def kernels(rng, sizes, scale=1.0):
    return [rng.normal(0, scale, (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]


def penalty_visible(rng):
    return [Case("kernels of a [3, 4, 2] network, lmbda 0.1, n 50",
                 (kernels(rng, [3, 4, 2]), 0.1, 50))]


def penalty_hidden(rng):
    return [Case("one kernel", (kernels(rng, [6, 3]), 5.0, 1000)),
            Case("a [8, 7, 5, 3] network", (kernels(rng, [8, 7, 5, 3]), 0.5, 120)),
            Case("lmbda 0", (kernels(rng, [4, 4, 2]), 0.0, 10)),
            Case("n 1 (a single training sample)", (kernels(rng, [3, 2]), 2.0, 1)),
            Case("a 1x1 kernel", ([rng.normal(size=(1, 1))], 1.5, 7)),
            Case("large weights (|w| up to 1000)", (kernels(rng, [5, 4, 3], scale=400.0), 0.25, 30))]


def step_case(rng, label, n_in, n_out, eta, lmbda, n, scale=1.0):
    W, b = rng.normal(0, scale, (n_in, n_out)), rng.normal(0, scale, n_out)
    grad_W, grad_b = rng.normal(0, scale, (n_in, n_out)), rng.normal(0, scale, n_out)
    return Case(label, (W, b, grad_W, grad_b, eta, lmbda, n))


def step_visible(rng):
    return [step_case(rng, "a (3, 2) kernel, eta 0.5, lmbda 5, n 100", 3, 2, 0.5, 5.0, 100)]


def step_hidden(rng):
    return [step_case(rng, "a (64, 30) kernel, eta 0.1, lmbda 0.1, n 1000", 64, 30, 0.1, 0.1, 1000),
            step_case(rng, "lmbda 0 (plain SGD)", 4, 3, 0.25, 0.0, 50),
            step_case(rng, "one input, one unit", 1, 1, 3.0, 2.0, 20),
            step_case(rng, "n 1 and a strong lmbda (decay factor below 0)", 5, 2, 0.5, 5.0, 1),
            step_case(rng, "large weights and gradients", 6, 4, 0.125, 1.0, 8, scale=300.0)]


def mask(rng, shape, rate):
    return (rng.uniform(size=shape) >= rate).astype(np.float64)


def dropout_visible(rng):
    X = rng.normal(size=(4, 6))
    return [Case("training, rate 0.5, a (4, 6) mask", (X, mask(rng, (4, 6), 0.5), 0.5)),
            Case("inference (training=False)", (X, mask(rng, (4, 6), 0.5), 0.5), {"training": False}),
            Case("rate 1 (everything dropped)", (X, np.zeros((4, 6)), 1.0))]


def dropout_hidden(rng):
    X = rng.normal(size=(5, 8))
    return [Case("training, rate 0.2", (X, mask(rng, (5, 8), 0.2), 0.2)),
            Case("a (1, units) mask shared by the batch", (X, mask(rng, (1, 8), 0.25), 0.25)),
            Case("a single sample, rate 0.75", (X[:1], mask(rng, (1, 8), 0.75), 0.75)),
            Case("rate 0 (nothing dropped)", (X, np.ones((5, 8)), 0.0)),
            Case("rate 1 (everything dropped)", (X, np.zeros((5, 8)), 1.0)),
            Case("inference, rate 0.8", (X, mask(rng, (5, 8), 0.8), 0.8), {"training": False}),
            Case("large activations, rate 0.9", (X * 1000, mask(rng, (5, 8), 0.9), 0.9)),
            Case("rate 0 with zeros in the mask (Keras drops nothing)", (X, mask(rng, (5, 8), 0.5), 0.0))]


def lrn_visible(rng):
    return [Case("a (2, 3, 3, 7) batch, default constants", (rng.normal(size=(2, 3, 3, 7)),))]


def lrn_hidden(rng):
    return [Case("AlexNet's constants (r 2, bias 2, alpha 1e-4, beta 0.75)",
                 (rng.normal(0, 10, (2, 4, 4, 16)),),
                 {"depth_radius": 2, "bias": 2.0, "alpha": 1e-4, "beta": 0.75}),
            Case("r 1, alpha 0.5, 9 channels", (rng.normal(size=(3, 2, 5, 9)),),
                 {"depth_radius": 1, "alpha": 0.5}),
            Case("depth_radius 0 (each channel alone)", (rng.normal(size=(1, 3, 3, 5)),),
                 {"depth_radius": 0}),
            Case("a window wider than the channels (r 5, 3 channels)", (rng.normal(size=(2, 2, 2, 3)),)),
            Case("a single channel, beta 1", (rng.normal(size=(1, 4, 4, 1)),), {"beta": 1.0}),
            Case("large activations (up to 100)", (rng.uniform(-100, 100, (2, 2, 3, 12)),),
                 {"depth_radius": 3, "bias": 0.5, "alpha": 0.01})]


def shift_visible(rng):
    X = rng.integers(0, 9, (2, 5, 5)).astype(np.float64)
    return [Case("one pixel down", (X, 1, 0)), Case("one pixel left", (X, 0, -1))]


def shift_hidden(rng):
    X = rng.uniform(0, 1, (3, 4, 6))
    return [Case("non-square images, one pixel up", (X, -1, 0)),
            Case("non-square images, one pixel right", (X, 0, 1)),
            Case("diagonal, one pixel down and right", (X, 1, 1)),
            Case("two rows down, three columns left", (X, 2, -3)),
            Case("no shift", (X, 0, 0)),
            Case("a shift of the whole height", (X, -4, 0)),
            Case("a single 8x8 image, one pixel up and left", (rng.uniform(0, 1, (1, 8, 8)), -1, -1))]


def expand_visible(rng):
    return [Case("3 images of 4x4", (rng.integers(0, 9, (3, 4, 4)).astype(np.float64),
                                     np.array([7, 1, 3])))]


def expand_hidden(rng):
    return [Case("4 non-square images (5x7)", (rng.uniform(0, 1, (4, 5, 7)), rng.integers(0, 10, 4))),
            Case("a single 8x8 image", (rng.uniform(0, 1, (1, 8, 8)), np.array([9])))]


def dyadic_curve(rng, length=40):
    """A noisy U-shaped validation curve of losses k/64 (exact in float32), lowest near epoch 15."""
    epochs = np.arange(length)
    k = np.round(200 - 12 * epochs + 0.4 * epochs ** 2) + rng.integers(-3, 4, length)
    return k / 64.0


U_SHAPE = [1.0, 0.75, 0.625, 0.6875, 0.71875, 0.75, 0.5]


def stopping_visible(rng):
    return [Case("a U-shaped curve, patience 2, restore best", (U_SHAPE,),
                 {"patience": 2, "restore_best_weights": True}),
            Case("the same without restoring", (U_SHAPE,), {"patience": 2}),
            Case("patience 0: improving epochs never stop training", (U_SHAPE,), {"patience": 0})]


def stopping_hidden(rng):
    curve = dyadic_curve(rng)
    slow = [1.0, 0.9375, 0.875, 0.8125, 0.75, 0.6875]
    return [Case("a noisy curve, patience 3, restore best", (curve,),
                 {"patience": 3, "restore_best_weights": True}),
            Case("a noisy curve, patience 3, min_delta 1/32", (curve,),
                 {"patience": 3, "min_delta": 1 / 32, "restore_best_weights": True}),
            Case("improvements smaller than min_delta", (slow,),
                 {"patience": 2, "min_delta": 0.125, "restore_best_weights": True}),
            Case("ties are no improvement", ([0.5, 0.5, 0.5, 0.25],), {"patience": 1,
                                                                     "restore_best_weights": True}),
            Case("patience 0", ([1.0, 0.75, 0.875, 0.5],), {"restore_best_weights": True}),
            Case("stops at epoch 1", ([0.5, 0.75, 0.25],), {"patience": 1}),
            Case("always improving: never stops", (np.linspace(2, 1, 9),),
                 {"patience": 1, "restore_best_weights": True}),
            Case("patience never runs out", (curve,), {"patience": 100, "restore_best_weights": True}),
            Case("a single epoch", ([0.25],), {"patience": 2})]


CHECKS = [
    Check("l2_penalty", "l2_penalty", 1, VISIBLE, penalty_visible, ref.l2_penalty,
          hint="lmbda / (2 n) times the sum of the squares of every weight of every kernel"),
    Check("l2_penalty_hidden", "l2_penalty", 2, HIDDEN, penalty_hidden, ref.l2_penalty,
          hint="sum over all kernels, whatever their shapes; the factor is lmbda / (2 n), "
          "Keras's L2(l) has l = lmbda / (2 n)"),
    Check("weight_decay_step", "weight_decay_step", 1, VISIBLE, step_visible, ref.weight_decay_step,
          hint="the gradient of lmbda / (2 n) sum(W ** 2) is (lmbda / n) W; return (W_new, b_new)"),
    Check("weight_decay_step_hidden", "weight_decay_step", 3, HIDDEN, step_hidden,
          ref.weight_decay_step,
          hint="only the kernel decays; n is the size of the training set; the decay factor "
          "multiplies W, not the gradient"),
    Check("dropout", "dropout", 1, VISIBLE, dropout_visible, ref.dropout,
          hint="inverted dropout scales the kept units during training; at inference return X"),
    Check("dropout_hidden", "dropout", 2, HIDDEN, dropout_hidden, ref.dropout,
          hint="divide by the keep probability 1 - rate; the mask may broadcast over the batch; "
          "rate 1 means every unit is dropped"),
    Check("local_response_normalization", "local_response_normalization", 1, VISIBLE, lrn_visible,
          ref.local_response_normalization, atol=1e-5, rtol=1e-5,  # the TF op runs in float32
          hint="sum the squares over channels c - depth_radius .. c + depth_radius (inclusive)"),
    Check("local_response_normalization_hidden", "local_response_normalization", 3, HIDDEN,
          lrn_hidden, ref.local_response_normalization, atol=1e-5, rtol=1e-5,
          hint="clip the channel window at both ends; alpha multiplies the plain sum of squares "
          "(not divided by the window size)"),
    Check("shift_images", "shift_images", 1, VISIBLE, shift_visible, ref.shift_images,
          hint="out[:, i, j] = X[:, i - dy, j - dx]; pixels shifted in from outside are 0, "
          "nothing wraps around"),
    Check("shift_images_hidden", "shift_images", 2, HIDDEN, shift_hidden, ref.shift_images,
          hint="rows are axis 1 and columns axis 2, and images need not be square; "
          "np.roll wraps around, so zero what came from the other side"),
    Check("expand_dataset", "expand_dataset", 1, VISIBLE, expand_visible, ref.expand_dataset,
          hint="for each image: original, down, up, right, left; labels repeated to match"),
    Check("expand_dataset_hidden", "expand_dataset", 1, HIDDEN, expand_hidden, ref.expand_dataset,
          hint="the five versions of an image are next to each other, not in five blocks"),
    Check("early_stopping", "early_stopping", 2, VISIBLE, stopping_visible, ref.early_stopping,
          hint="count epochs since the best one; stop after the first epoch that does not improve "
          "once that count reaches patience; return (stopped_epoch, kept_epoch)"),
    Check("early_stopping_hidden", "early_stopping", 3, HIDDEN, stopping_hidden, ref.early_stopping,
          hint="an improvement must beat the best by more than min_delta (a tie is none), and only "
          "an improvement moves the best epoch"),
]
