"""pytest plugin: `pytest exercises/` (or any folder of chapter files) runs their visible checks.

A chapter file (``ch02_activations.py`` or ``.ipynb``) becomes one test per
visible check. The chapter is checked once, the first time one of its tests
runs, from the compiled check data in a child process, as ``nndl check`` does,
and each test reports that check's message. The file itself is never imported
by pytest, so its demo cells do not run.

Other files are left alone, and the project's own tests (``testpaths = tests``)
hold no chapter files.

Messages are in English, or in Chinese with ``pytest --lang zh`` (or ``NNDL_LANG=zh``).
"""
import pytest


def pytest_addoption(parser):
    group = parser.getgroup("nndl", "nndl exercises")
    group.addoption("--lang", dest="nndl_lang", choices=("en", "zh"), default=None,
                    help="the language of the checks' messages: en (default) or zh; "
                         "also NNDL_LANG=zh")


def pytest_configure(config):
    if config.getoption("nndl_lang", None):
        from nndl import i18n

        i18n.set_language(config.getoption("nndl_lang"))


def pytest_unconfigure(config):
    if config.getoption("nndl_lang", None):   # an in-process run (pytester) must not leak it
        from nndl import i18n

        i18n.set_language(None)


def _chapter(path):
    """The chapter id a file is, or None."""
    from nndl.course import chapter_of

    return chapter_of(path)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    """A chapter .py named on the command line: our collector, not pytest's Module."""
    if _chapter(module_path):
        return ChapterFile.from_parent(parent, path=module_path)
    return None


def pytest_collect_file(file_path, parent):
    """Chapter files in a folder named on the command line or called exercises, and notebooks
    named there (a .py named there is pytest_pycollect_makemodule's)."""
    if not _chapter(file_path):
        return None
    session = parent.session
    if session.isinitpath(file_path):
        return ChapterFile.from_parent(parent, path=file_path) if file_path.suffix == ".ipynb" else None
    # A folder named on the command line (`pytest handout/`, `pytest .`) or called exercises;
    # not a folder pytest only walks into (the project's own test data).
    if session.isinitpath(file_path.parent) or file_path.parent.name == "exercises":
        return ChapterFile.from_parent(parent, path=file_path)
    return None


class CheckFailed(Exception):
    """A visible check that did not pass; carries the grader's Result."""

    def __init__(self, result):
        super().__init__(result.output)
        self.result = result


class ChapterFile(pytest.File):
    """One chapter file: a test per visible check, graded together on first use."""

    _results = None

    def collect(self):
        from nndl import compiled

        chapter = self.path.stem
        if chapter not in compiled.chapters():
            return
        for check in compiled.checks(chapter):
            yield CheckItem.from_parent(self, name=check.id, check=check)

    def results(self):
        if self._results is None:
            from nndl.local import check_file

            results = check_file(self.path.stem, self.path)
            self._results = {r.name: r for r in results}
            _remember(self.path, results)
        return self._results


def _remember(path, results):
    """Count this check in `nndl progress` (the file is the one its folder's chapter is read from)."""
    from nndl import learner
    from nndl.course import chapter_files
    from nndl.records import Report

    try:
        if chapter_files(path.parent).get(path.stem) == path:
            learner.record(path.parent, Report(results, 0.0, ""), {path.stem: path})
    except (OSError, ValueError):
        pass


class CheckItem(pytest.Item):
    """One visible check of a chapter."""

    def __init__(self, *, check, **kwargs):
        super().__init__(**kwargs)
        self.check = check

    def runtest(self):
        result = self.parent.results()[f"{self.parent.path.stem}/{self.check.id}"]
        if result.status != "passed":
            raise CheckFailed(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            from nndl.i18n import t

            result = excinfo.value.result
            return t("{name} ({score:g}/{max_score:g} points)", name=result.name,
                     score=result.score, max_score=result.max_score) + f"\n{result.output}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.parent.path.stem}/{self.check.id}"
