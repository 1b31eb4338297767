"""pytest plugin: `pytest exercises/` runs each chapter's visible checks.

A chapter file (``ch02_activations.py`` or ``.ipynb``) given on the command
line, or found in a folder called ``exercises``, becomes one test per visible
check. The chapter is graded once, the first time one of its tests runs, by
the same sandboxed harness as ``nndl check``, and each test reports that
check's message. The file itself is never imported by pytest, so its demo
cells do not run.

Other files are left alone: the project's own tests (``testpaths = tests``)
never see the learners' stubs.

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
    from nndl.grader import chapters

    if path.suffix in (".py", ".ipynb") and path.stem in chapters.CHAPTERS:
        return path.stem
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    """A chapter .py named on the command line: our collector, not pytest's Module."""
    if _chapter(module_path):
        return ChapterFile.from_parent(parent, path=module_path)
    return None


def pytest_collect_file(file_path, parent):
    """Chapter files in an exercises/ folder, and notebooks named on the command line."""
    if not _chapter(file_path):
        return None
    named = parent.session.isinitpath(file_path)
    if file_path.suffix == ".ipynb" and (named or file_path.parent.name == "exercises"):
        return ChapterFile.from_parent(parent, path=file_path)
    if file_path.suffix == ".py" and not named and file_path.parent.name == "exercises":
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
        from nndl.grader import chapters, harness
        from nndl.grader.check import VISIBLE

        chapter = self.path.stem
        if chapter not in chapters.available():
            return
        for check in harness.select(chapter, (VISIBLE,)):
            yield CheckItem.from_parent(self, name=check.id, check=check)

    def results(self):
        if self._results is None:
            from nndl.grader import harness
            from nndl.grader.check import VISIBLE
            from nndl.grader.config import GraderConfig

            graded = harness.grade_chapter(self.path.stem, self.path, GraderConfig.from_env(),
                                           visibility=(VISIBLE,))
            self._results = {r.name: r for r in graded}
        return self._results


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
