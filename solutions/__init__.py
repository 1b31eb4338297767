"""Keras/TensorFlow references: for every graded function, the same signature.

The grader calls these in its own process; submissions never see them.
"""
import os

# Before TensorFlow loads: oneDNN off makes the references' float results independent of
# the CPU's instruction set (the compiled checks and the reference cache rely on it), and
# its C++ start-up lines stay off stderr. A setting the instructor made is kept.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402 - after its settings

# Retracing notices from tape.jacobian are about speed, not correctness.
tf.get_logger().setLevel("ERROR")
