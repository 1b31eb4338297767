"""Sandbox and processes: bubblewrap and limits (sandbox.py), submission processes and warm
sandboxes (runner.py).
"""
