"""Data for the course: scikit-learn's bundled digits by default, MNIST when cached.

Nothing here downloads by default. ``load_digits`` needs no network (the
1,797 8x8 images ship with scikit-learn). ``load_mnist`` uses
``keras.datasets.mnist`` only when its file is already cached, or when
``download=True`` is asked for; otherwise it says so and returns the digits.
"""
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """A train/validation/test split. X rows are samples scaled to [0, 1]; y are ints."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def image_shape(self):
        side = int(round(np.sqrt(self.X_train.shape[1])))
        return (side, side)


def split(name, X, y, seed, val_fraction, test_fraction):
    """Shuffle with `seed` and cut into train, validation and test parts."""
    order = np.random.default_rng(seed).permutation(len(X))
    X, y = X[order], y[order]
    n_test = int(round(len(X) * test_fraction))
    n_val = int(round(len(X) * val_fraction))
    n_train = len(X) - n_test - n_val
    return Dataset(name, X[:n_train], y[:n_train], X[n_train:n_train + n_val],
                   y[n_train:n_train + n_val], X[n_train + n_val:], y[n_train + n_val:])


def load_digits(seed=0, val_fraction=0.15, test_fraction=0.2):
    """scikit-learn's 8x8 digits (1,797 images, 64 features in [0, 1]), split with `seed`."""
    from sklearn.datasets import load_digits as sklearn_digits

    digits = sklearn_digits()
    X = (digits.data / 16.0).astype(np.float64)
    return split("digits", X, digits.target.astype(np.int64), seed, val_fraction, test_fraction)


def mnist_cache_path():
    """Where keras.datasets.mnist keeps its file."""
    base = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return base / "datasets" / "mnist.npz"


def load_mnist(seed=0, val_fraction=1 / 6, download=False):
    """MNIST (28x28, 70,000 images) via keras.datasets.mnist, or the digits as a fallback.

    Uses the cached file; downloads only with download=True. When MNIST is not
    available, prints one line saying so and returns load_digits(seed).
    """
    from nndl.i18n import t

    if not (mnist_cache_path().exists() or download):
        print(t("nndl: MNIST is not cached at {path}; using the bundled 8x8 digits instead "
                "(pass download=True to fetch MNIST)", path=mnist_cache_path()), file=sys.stderr)
        return load_digits(seed)
    import keras

    try:
        (X_train, y_train), (X_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # noqa: BLE001 - no network, a broken cache: fall back
        print(t("nndl: could not load MNIST ({error}); using the bundled 8x8 digits instead",
                error=exc), file=sys.stderr)
        return load_digits(seed)
    X_train = X_train.reshape(len(X_train), -1) / 255.0
    X_test = X_test.reshape(len(X_test), -1) / 255.0
    order = np.random.default_rng(seed).permutation(len(X_train))
    n_val = int(round(len(X_train) * val_fraction))
    val, train = order[:n_val], order[n_val:]
    return Dataset("mnist", X_train[train], y_train[train].astype(np.int64), X_train[val],
                   y_train[val].astype(np.int64), X_test, y_test.astype(np.int64))
