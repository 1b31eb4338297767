"""Checks for chapter 3: dense layers, feed-forward networks, parameter counts, Keras models."""
import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check, MODEL
from nndl.grader.grading.oracle import references

ref = references("ch03_networks")


def layer(rng, n_in, n_out, scale=1.0):
    return rng.normal(0, scale, (n_in, n_out)), rng.normal(0, scale, n_out)


def network(rng, sizes):
    pairs = [layer(rng, a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    return [W for W, _ in pairs], [b for _, b in pairs]


def dense_visible(rng):
    W, b = layer(rng, 3, 2)
    X = rng.normal(size=(4, 3))
    W3, b3 = layer(rng, 3, 3)
    return [Case("4 samples, 3 inputs, 2 sigmoid units", (X, W, b)),
            Case("4 samples, softmax over 3 units (each row sums to 1)", (X, W3, b3),
                 {"activation": "softmax"})]


def dense_hidden(rng):
    W, b = layer(rng, 6, 4)
    X = rng.normal(size=(5, 6))
    return [Case("relu", (X, W, b), {"activation": "relu"}),
            Case("tanh", (X, W, b), {"activation": "tanh"}),
            Case("linear", (X, W, b), {"activation": "linear"}),
            Case("softmax over the units", (X, W, b), {"activation": "softmax"}),
            Case("one sample, one unit", (X[:1], W[:, :1], b[:1])),
            Case("large inputs (saturated sigmoid)", (X * 300, W, b)),
            Case("softmax of large inputs", (X * 300, W, b), {"activation": "softmax"})]


def feedforward_visible(rng):
    return [Case("sizes [3, 4, 2]", (rng.normal(size=(5, 3)), *network(rng, [3, 4, 2])))]


def feedforward_hidden(rng):
    return [Case("sizes [5, 7, 3, 2]", (rng.normal(size=(6, 5)), *network(rng, [5, 7, 3, 2]))),
            Case("relu, sizes [4, 8, 8, 3]", (rng.normal(size=(3, 4)), *network(rng, [4, 8, 8, 3])),
                 {"activation": "relu"}),
            Case("a single layer [4, 3]", (rng.normal(size=(2, 4)), *network(rng, [4, 3]))),
            Case("a batch of one", (rng.normal(size=(1, 3)), *network(rng, [3, 6, 1])))]


def count_visible(rng):
    return [Case("[784, 30, 10] (Nielsen's MNIST network)", ([784, 30, 10],))]


def count_hidden(rng):
    return [Case("[2, 3, 1]", ([2, 3, 1],)), Case("[64, 30, 30, 10]", ([64, 30, 30, 10],)),
            Case("[10, 1]", ([10, 1],)), Case("[1, 1, 1, 1]", ([1, 1, 1, 1],))]


def model_visible(rng):
    return [Case("sizes [4, 5, 3]", ([4, 5, 3],))]


def model_hidden(rng):
    return [Case("[64, 30, 10], relu hidden layer", ([64, 30, 10],), {"activation": "relu"}),
            Case("[3, 1] with a sigmoid output", ([3, 1],), {"output_activation": "sigmoid"}),
            Case("[6, 8, 8, 2], tanh", ([6, 8, 8, 2],), {"activation": "tanh"})]


def model_probe(rng):
    return rng.normal(size=(3, 64)).astype(np.float32)


CHECKS = [
    Check("dense_forward", "dense_forward", 1, VISIBLE, dense_visible, ref.dense_forward,
          hint="activation(X @ W + b): W has shape (n_in, n_out), as a Keras Dense kernel"),
    Check("dense_forward_hidden", "dense_forward", 3, HIDDEN, dense_hidden, ref.dense_forward,
          hint="support every activation name: sigmoid, relu, tanh, linear, softmax; "
          "softmax normalises over the units of each sample"),
    Check("feedforward", "feedforward", 1, VISIBLE, feedforward_visible, ref.feedforward,
          hint="a = X; for each (W, b): a = activation(a @ W + b)"),
    Check("feedforward_hidden", "feedforward", 3, HIDDEN, feedforward_hidden, ref.feedforward,
          hint="apply the activation after every layer, including the last"),
    Check("param_count", "param_count", 1, VISIBLE, count_visible, ref.param_count,
          hint="each layer has n_in * n_out weights plus n_out biases"),
    Check("param_count_hidden", "param_count", 2, HIDDEN, count_hidden, ref.param_count,
          hint="the input layer has no parameters of its own"),
    Check("build_mlp", "build_mlp", 2, VISIBLE, model_visible, ref.build_mlp,
          kit=MODEL, probe=model_probe, timeout=60,
          hint="keras.Sequential([keras.Input((sizes[0],)), Dense(...), ...])"),
    Check("build_mlp_hidden", "build_mlp", 3, HIDDEN, model_hidden, ref.build_mlp,
          kit=MODEL, probe=model_probe, timeout=60,
          hint="hidden layers use `activation`, the last layer `output_activation`"),
]
