"""The from-scratch rule: a framework that runs inside a from-scratch function costs that function.

The corpus (files/frameworks.py) holds right answers computed by TensorFlow or
Keras, reached directly, through an alias, importlib, __import__, a helper, a
module-level object, a layer, a cell and GradientTape. Graded with the rule,
exactly their functions' checks fail, each saying so; with the rule off they
earn full marks, so the rule is the only reason. The same holds in the
learner's visible checks (nndl check, and a notebook's nndl.check).
"""
import importlib.util
import json
import zipfile

import numpy as np
import pytest

from nndl import checking, compiled, local
from nndl.grader.content import chapters, compile as compiler, kit
from nndl.grader.grading import harness, inprocess
from nndl.grader.config import GraderConfig
from nndl.grader.integrations import gradescope
from nndl.grader.processes.runner import worker_failure
from nndl.worker import policy

from conftest import FILES

spec = importlib.util.spec_from_file_location("frameworks", FILES / "frameworks.py")
frameworks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(frameworks)
CORPUS = frameworks.CORPUS
CORPUS_CHAPTERS = sorted({chapter for chapter, _, _ in CORPUS})
BROKEN = {(chapter, function) for chapter, function, _ in CORPUS}


def test_every_graded_function_is_marked_in_its_chapter():
    for chapter in chapters.available():
        graded = {c.function for c in chapters.checks(chapter)}
        assert set(chapters.rules(chapter)) >= graded, (chapter, graded - set(chapters.rules(chapter)))
    framework = {(c, f) for c in chapters.available() for f, rule in chapters.rules(c).items()
                 if rule == "framework"}
    assert framework == {("ch03_networks", "build_mlp"), ("ch12_cnn", "build_cnn"), ("ch12_cnn", "train_cnn")}
    assert compiled.rules("ch12_cnn").scratch == chapters.scratch("ch12_cnn") >= {"conv2d", "max_pool2d"}
    assert compiled.rules("ch02_activations").stable == chapters.stable("ch02_activations") >= {"sigmoid"}


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory, answers_dir):
    """The model answers with each corpus function redefined at the end of its chapter file."""
    folder = tmp_path_factory.mktemp("frameworks")
    for chapter in CORPUS_CHAPTERS:
        code = "".join(f"\n\n# %%\n{c}" for ch, _, c in CORPUS if ch == chapter)
        (folder / f"{chapter}.py").write_text((answers_dir / f"{chapter}.py").read_text(encoding="utf-8") + code,
                                              encoding="utf-8")
    return folder


def graded(folder, **settings):
    return harness.grade(folder, GraderConfig.from_env(**settings), CORPUS_CHAPTERS, jobs=2).results


def function_of(result):
    chapter, check_id = result.name.split("/")
    return chapter, next(c.function for c in chapters.checks(chapter) if c.id == check_id)


def test_framework_calls_lose_exactly_their_functions_points(corpus_dir):
    results = graded(corpus_dir)
    failed = [r for r in results if r.status != "passed"]
    assert {function_of(r) for r in failed} == BROKEN
    assert all(function_of(r) in BROKEN for r in failed)
    assert all(r.kind == "forbidden" for r in failed), [r.output for r in failed if r.kind != "forbidden"]
    for result in failed:
        assert "this exercise is from scratch" in result.output
        assert any(name in result.output for name in ("TensorFlow", "Keras"))
    # the learner's own line is shown in a visible check, only the chapter file and line in a hidden one
    relu = next(r for r in failed if r.name == "ch02_activations/relu")
    assert "np2.nn.relu" in relu.output and "ran TensorFlow code" in relu.output
    hidden = next(r for r in failed if r.name == "ch02_activations/relu_hidden")
    assert "np2.nn.relu" not in hidden.output and 'ch02_activations.py", line' in hidden.output


def test_with_the_rule_off_the_corpus_earns_full_marks(corpus_dir):
    results = graded(corpus_dir, from_scratch=False)
    assert [r.name for r in results if r.status != "passed"] == []


def test_the_visible_checks_enforce_the_rule_too(corpus_dir):
    """nndl check (the kit's child process) and a notebook's nndl.check (this process)."""
    for chapter in ("ch02_activations", "ch12_cnn"):
        results = local.check_file(chapter, corpus_dir / f"{chapter}.py")
        failed = {function_of(r) for r in results if r.status != "passed"}
        assert failed == {b for b in BROKEN if b[0] == chapter}
        assert all(r.kind == "forbidden" for r in results if r.status != "passed")
    import keras

    def sigmoid(x):
        return np.asarray(keras.activations.sigmoid(np.asarray(x, dtype="float64")))
    assert checking.check_function("ch02_activations/sigmoid", sigmoid) == 0.0
    assert inprocess.check_hidden("ch02_activations/sigmoid", sigmoid) == 0.0


# ------------------------------------------------------------- the hook itself
def by_tensorflow(x):
    import tensorflow as tf

    return tf.nn.relu(x).numpy()


def test_numpy_and_scipy_are_allowed():
    import scipy.special
    import scipy.signal

    x = np.linspace(-3, 3, 7)

    def independent(x):
        return scipy.special.expit(x) + scipy.signal.correlate(x, [1.0, 2.0], mode="same") + np.tanh(x)
    assert np.allclose(policy.run_from_scratch(independent, x), independent(x))


def test_keras_imported_at_the_top_does_not_count():
    import keras  # as a chapter imports it for its Keras exercises

    assert keras.__name__ == "keras"

    assert np.array_equal(policy.run_from_scratch(np.maximum, np.arange(-2.0, 3.0), 0.0), [0, 0, 0, 1, 2])


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_caught_exceptions_and_threads_do_not_hide_a_framework():
    import threading

    def swallowing(x):
        try:
            return by_tensorflow(x)
        except BaseException:  # noqa: B902 - the learner catches everything
            return np.maximum(x, 0)

    def threaded(x):
        out = {}
        thread = threading.Thread(target=lambda: out.update(y=by_tensorflow(x)))
        thread.start()
        thread.join()
        return out.get("y", np.maximum(x, 0))

    for function in (swallowing, threaded):
        with pytest.raises(policy.Forbidden) as caught:
            policy.run_from_scratch(function, np.ones(3))
        assert caught.value.library == "TensorFlow"
    assert sys_profile_is_clear()


def sys_profile_is_clear():
    import sys

    return sys.getprofile() is None


def test_another_from_scratch_function_is_charged_for_its_own_framework_use():
    namespace = {"by_tensorflow": by_tensorflow, "np": np}
    exec("def caller(x):\n    return by_tensorflow(x) * 2\n", namespace)
    with pytest.raises(policy.Forbidden):
        policy.run_from_scratch(namespace["caller"], np.ones(2))
    assert np.array_equal(policy.run_from_scratch(namespace["caller"], np.ones(2), others=["by_tensorflow"]),
                          [2.0, 2.0])


def test_a_forged_forbidden_reply_is_a_protocol_error():
    assert worker_failure({"kind": "forbidden", "library": "secret input 42", "frames": []}, "relu") is None
    reply = worker_failure({"kind": "forbidden", "library": "Keras", "frames": []}, "relu")
    assert reply.kind == "forbidden" and "relu() ran Keras code" in reply.message


# ------------------------------------------------------------- the course setting
def test_a_course_can_turn_the_rule_off(tmp_path, monkeypatch):
    monkeypatch.setenv("NNDL_FROM_SCRATCH", "off")
    assert GraderConfig.from_env().from_scratch is False
    monkeypatch.delenv("NNDL_FROM_SCRATCH")
    assert GraderConfig.from_env().from_scratch is True

    bundle = tmp_path / "autograder.zip"
    gradescope.build_bundle(bundle, hidden_seed=7, chapters_wanted=["ch02_activations"], from_scratch=False)
    with zipfile.ZipFile(bundle) as archive:
        settings = json.loads(archive.read(gradescope.SETTINGS))
    assert settings["from_scratch"] is False and GraderConfig.from_env(
        **{k: v for k, v in settings.items() if k != "chapters"}).from_scratch is False

    kit.write_kit(tmp_path / "kit", from_scratch=False)
    folder = tmp_path / "kit" / "nndl" / "compiled"
    record = json.loads((folder / "ch02_activations.json").read_text(encoding="utf-8"))
    assert record["scratch"] == [] and record["checks"]
    files = {p.name: p.read_bytes() for p in folder.glob("ch*.*")}
    assert json.loads((folder / compiler.MANIFEST).read_text()) == compiler.manifest(files)


@pytest.mark.parametrize("author", ["terse", "loops", "scipy", "oop"])
def test_independent_numpy_and_scipy_solutions_keep_full_marks(author):
    """Four authors wrote chapters 2, 4, 5 and 13 from the handout alone (files/independent/)."""
    folder = FILES / "independent" / author
    results = harness.grade(folder, GraderConfig.from_env(), sorted(p.stem for p in folder.glob("ch*.py")),
                            jobs=2).results
    assert [(r.name, r.output) for r in results if r.status != "passed"] == []
