"""Course content and the course build: chapters, how checks are written (check.py, inputs.py),
the student edition (build.py), compiled checks (compile.py), the student kit (kit.py, wheel.py).
"""
