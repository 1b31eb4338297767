"""Integrations: an nbgrader course (course.py), Gradescope's autograder (gradescope.py).
"""
