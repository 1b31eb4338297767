"""Keras/TensorFlow references: for every graded function, the same signature.

The grader calls these in its own process; submissions never see them.
"""
import tensorflow as tf

# Retracing notices from tape.jacobian are about speed, not correctness.
tf.get_logger().setLevel("ERROR")
