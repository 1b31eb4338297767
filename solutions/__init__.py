"""Keras/TensorFlow references: for every graded function, the same signature.

The grader calls these in its own process; submissions never see them.
"""
