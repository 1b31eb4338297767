"""Grading: the harness, the reference oracle that owns its cache (oracle.py), submissions,
batches, and hidden checks inside nbgrader's kernels (inprocess.py).
"""
