"""Importing nndl, or pytest loading its plugin, leaves other people's environment alone."""
import os
import subprocess
import sys

UNRELATED_TEST = '''
import os


def test_nothing_of_nndl_in_the_environment():
    import nndl  # noqa: F401 - as a notebook or another tool would
    import nndl.checking, nndl.cli, nndl.judges  # noqa: F401
    set_by_nndl = sorted(k for k in os.environ if k.startswith(("TF_", "NNDL_")))
    assert set_by_nndl == []
'''


def test_an_unrelated_projects_pytest_sees_no_tf_or_nndl_variable(tmp_path):
    """pytest autoloads nndl's plugin (an entry point) in any project of this environment:
    does a test there see any TF_* or NNDL_* variable that nndl set?"""
    (tmp_path / "test_unrelated.py").write_text(UNRELATED_TEST)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "NNDL_", "PYTEST_"))}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_unrelated.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert "1 passed" in done.stdout, done.stdout[-2000:]
    plugins = subprocess.run([sys.executable, "-m", "pytest", "--trace-config", "-q", "-p", "no:cacheprovider",
                              "--co", "test_unrelated.py"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert "nndl.pytest_plugin" in plugins.stdout  # the plugin was loaded, so the test above means something
