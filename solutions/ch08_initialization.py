"""Keras references for chapter 8, weight initialization (权重初始化).

Each initialiser reference is the ``keras.initializers`` object itself, seeded
with the case's seed and drawn in float64. A learner's NumPy generator cannot
give the same numbers as TensorFlow's, so the grader compares the two samples
by their statistics (see grader/suites/ch08_initialization.py), not value by
value.

What Keras 3 draws (``keras/src/initializers/random_initializers.py``):

* ``RandomNormal(mean, stddev)``: N(mean, stddev^2), not truncated.
* ``TruncatedNormal(mean, stddev)``: N(mean, stddev^2) with every value beyond
  2 stddev redrawn, so its standard deviation is 0.8796... stddev.
* ``VarianceScaling(scale, mode, distribution)`` with n = fan_in, fan_out or
  their mean: ``"truncated_normal"`` draws TruncatedNormal(0, sqrt(scale / n)
  / 0.87962566103423978), whose standard deviation is then sqrt(scale / n);
  ``"untruncated_normal"`` draws N(0, scale / n); ``"uniform"`` draws
  U(-sqrt(3 scale / n), sqrt(3 scale / n)).
* Glorot = VarianceScaling(1, "fan_avg"), He = VarianceScaling(2, "fan_in");
  their ``Normal`` variants are truncated, their ``Uniform`` ones uniform.
"""
import numpy as np
import keras
# The helper every VarianceScaling initialiser calls; Keras does not export it.
from keras.src.initializers.random_initializers import compute_fans as _keras_compute_fans


def _draw(initializer, shape):
    return np.asarray(initializer(tuple(int(n) for n in shape), dtype="float64"))


def compute_fans(shape):
    """(fan_in, fan_out) as Keras computes them for a weight of this shape."""
    return _keras_compute_fans(tuple(int(n) for n in shape))


def standard_normal(shape, seed=None):
    """keras.initializers.RandomNormal(mean=0, stddev=1): Nielsen's first initialisation."""
    return _draw(keras.initializers.RandomNormal(mean=0.0, stddev=1.0, seed=seed), shape)


def scaled_normal(shape, seed=None):
    """N(0, 1/n_in), not truncated: VarianceScaling(1, "fan_in", "untruncated_normal").

    (keras.initializers.LecunNormal has the same variance but is truncated.)
    """
    return _draw(keras.initializers.VarianceScaling(scale=1.0, mode="fan_in",
                                                    distribution="untruncated_normal", seed=seed),
                 shape)


def truncated_normal(shape, stddev, seed=None):
    """keras.initializers.TruncatedNormal(mean=0, stddev): values beyond 2 stddev redrawn."""
    return _draw(keras.initializers.TruncatedNormal(mean=0.0, stddev=stddev, seed=seed), shape)


def glorot_normal(shape, seed=None):
    """keras.initializers.GlorotNormal: truncated, standard deviation sqrt(2 / (fan_in + fan_out))."""
    return _draw(keras.initializers.GlorotNormal(seed=seed), shape)


def glorot_uniform(shape, seed=None):
    """keras.initializers.GlorotUniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))."""
    return _draw(keras.initializers.GlorotUniform(seed=seed), shape)


def he_normal(shape, seed=None):
    """keras.initializers.HeNormal: truncated, standard deviation sqrt(2 / fan_in)."""
    return _draw(keras.initializers.HeNormal(seed=seed), shape)


def he_uniform(shape, seed=None):
    """keras.initializers.HeUniform: U(-limit, limit), limit = sqrt(6 / fan_in)."""
    return _draw(keras.initializers.HeUniform(seed=seed), shape)
