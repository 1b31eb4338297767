"""Keras/TF references for chapter 5, backpropagation (反向传播).

The learner's weights are copied into a ``keras.Sequential`` of
``Dense(sigmoid)`` layers in float64, and ``tf.GradientTape`` differentiates
the cost through it: that is what backprop must reproduce.

The costs are Nielsen's, both AVERAGED over the batch and SUMMED over the
output units:

    quadratic:     C = 1/n sum_x 1/2 ||a - y||^2  = n_out/2 * mean(keras.losses.mean_squared_error)
    cross_entropy: C = -1/n sum_x sum_j [y ln a + (1-y) ln(1-a)]
                     = n_out * mean(keras.losses.binary_crossentropy)

``binary_crossentropy`` is fed the sigmoid's output tensor itself: Keras then
uses the logits that tensor carries (see CURRICULUM, "Facts about Keras"), so
there is no clipping at 1e-7 and the cost and its gradient stay exact where the
sigmoid saturates.
"""
import numpy as np
import tensorflow as tf
import keras


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _model(weights, biases):
    """A Sequential of Dense(sigmoid) layers (float64) holding the given kernels and biases."""
    n_in = np.shape(weights[0])[0]
    layers = [keras.layers.Dense(np.shape(W)[1], activation="sigmoid", dtype="float64")
              for W in weights]
    model = keras.Sequential([keras.Input((n_in,), dtype="float64")] + layers)
    model.set_weights([_f64(p) for pair in zip(weights, biases) for p in pair])
    return model


def _per_sample_cost(a, y, cost):
    """C_x for every sample x of the batch, shape (batch,); `a` straight from a sigmoid."""
    n_out = a.shape[-1]
    if cost == "quadratic":
        return 0.5 * n_out * keras.losses.mean_squared_error(y, a)
    if cost == "cross_entropy":
        return n_out * keras.losses.binary_crossentropy(y, a)
    raise ValueError(f"unknown cost {cost!r}")


def _cost(model, X, y, cost):
    return tf.reduce_mean(_per_sample_cost(model(X), y, cost))


def output_error(z, y, cost="quadratic"):
    """dC_x/dz^L for every sample, by GradientTape through keras.activations.sigmoid."""
    z = tf.Variable(_f64(z))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(_per_sample_cost(keras.activations.sigmoid(z), _f64(y), cost))
    return tape.gradient(total, z).numpy()


def cost_value(X, y, weights, biases, cost="quadratic"):
    """The batch-averaged cost of the Keras model holding these weights."""
    return float(_cost(_model(weights, biases), _f64(X), _f64(y), cost))


def backprop(X, y, weights, biases, cost="quadratic"):
    """(nabla_W, nabla_b): GradientTape's gradient of the batch-averaged cost."""
    model = _model(weights, biases)
    with tf.GradientTape() as tape:
        total = _cost(model, _f64(X), _f64(y), cost)
    grads = [g.numpy() for g in tape.gradient(total, model.trainable_weights)]
    return grads[0::2], grads[1::2]


def backprop_loop(X, y, weights, biases, cost="quadratic"):
    """The same gradients: looping over samples changes the speed, not the answer."""
    return backprop(X, y, weights, biases, cost)


def numerical_gradient(X, y, weights, biases, cost="quadratic", h=1e-5):
    """Central differences (C(p + h) - C(p - h)) / 2h of the Keras model's cost, one parameter at a time.

    Differences of the same h, not the exact gradient: then a correct learner
    agrees to rounding (~1e-11) even for a coarse h, where a one-sided
    difference is off by O(h).
    """
    model = _model(weights, biases)
    X, y = tf.constant(_f64(X)), tf.constant(_f64(y))
    # One graph for the ~100 evaluations: the same ops, without eager overhead per call.
    evaluate = tf.function(lambda: _cost(model, X, y, cost))
    grads = []
    for variable in model.trainable_weights:
        saved = variable.numpy()
        grad = np.empty_like(saved)
        for i in np.ndindex(saved.shape):
            costs = []
            for shift in (h, -h):
                moved = saved.copy()
                moved[i] += shift
                variable.assign(moved)
                costs.append(float(evaluate()))
            grad[i] = (costs[0] - costs[1]) / (2 * h)
        variable.assign(saved)
        grads.append(grad)
    return grads[0::2], grads[1::2]
