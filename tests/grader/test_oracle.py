"""The reference oracle's disk cache: hits skip the references, damage and staleness are never trusted."""
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from nndl.grader.content import chapters

from nndl.grader.grading import harness, oracle
from nndl.grader.config import GraderConfig
from nndl.grader.content.check import HIDDEN

CH02 = "ch02_activations"
SEED = 4242


def hidden_case(chapter=CH02, check_id="softmax_hidden", number=1):
    check = next(c for c in chapters.checks(chapter) if c.id == check_id)
    assert check.visibility == HIDDEN
    case = check.cases(check.rng(chapter, SEED))[number - 1]
    return check, f"{chapter}/{check_id}", case


@pytest.fixture
def calls(monkeypatch):
    """How many times a reference function actually ran."""
    counted = []
    real = oracle.Reference.__call__

    def counting(self, *args, **kwargs):
        counted.append(self.name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(oracle.Reference, "__call__", counting)
    return counted


def test_a_stored_answer_is_used_without_running_the_reference(tmp_path, calls):
    check, name, case = hidden_case()
    first = oracle.Oracle(tmp_path).answer(check, name, SEED, 1, case)
    assert calls == ["softmax"]
    again = oracle.Oracle(tmp_path)  # a new process, as the next grade would be
    answer = again.answer(check, name, SEED, 1, case)
    assert calls == ["softmax"] and again.disk.hits == 1
    np.testing.assert_array_equal(answer, first)
    assert answer.dtype == first.dtype and not answer.flags.writeable


def _stored(tmp_path):
    files = list(tmp_path.rglob("*.npz"))
    assert len(files) == 1
    return files[0]


def test_a_corrupt_file_is_recomputed_and_rewritten(tmp_path, calls):
    check, name, case = hidden_case()
    first = oracle.Oracle(tmp_path).answer(check, name, SEED, 1, case)
    path = _stored(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    fresh = oracle.Oracle(tmp_path)
    np.testing.assert_array_equal(fresh.answer(check, name, SEED, 1, case), first)
    assert (fresh.disk.rejected, fresh.disk.hits, len(calls)) == (1, 0, 2)
    assert oracle.Oracle(tmp_path).disk.load(name, SEED, 1, case) is not None  # rewritten whole


def test_a_well_formed_file_with_other_values_fails_its_hash(tmp_path, calls):
    check, name, case = hidden_case()
    first = oracle.Oracle(tmp_path).answer(check, name, SEED, 1, case)
    path = _stored(tmp_path)
    with np.load(path) as stored:
        record, value = stored["record"], stored["v0"]
    np.savez(path.with_suffix(""), record=record, v0=value + 1.0)  # np.savez adds .npz back
    fresh = oracle.Oracle(tmp_path)
    np.testing.assert_array_equal(fresh.answer(check, name, SEED, 1, case), first)
    assert fresh.disk.rejected == 1 and len(calls) == 2
    with zipfile.ZipFile(path) as archive:  # nothing but arrays and JSON: no pickle to load
        assert sorted(archive.namelist()) == ["record.npy", "v0.npy"]


def test_an_entry_of_other_inputs_is_not_trusted(tmp_path, calls):
    """A file moved to another case's place (or inputs changed under the same name) is rejected."""
    check, name, case = hidden_case()
    oracle.Oracle(tmp_path).answer(check, name, SEED, 1, case)
    other = check.cases(check.rng(CH02, SEED))[1]
    path = _stored(tmp_path)
    os.replace(path, path.with_name(f"{SEED}-2-answer.npz"))
    fresh = oracle.Oracle(tmp_path)
    np.testing.assert_array_equal(fresh.answer(check, name, SEED, 2, other), check.reference(*other.args, **other.kwargs))
    assert fresh.disk.rejected == 1


def test_a_new_fingerprint_starts_afresh(tmp_path, monkeypatch, calls):
    """Other suites, references or library versions: stored answers are not used."""
    check, name, case = hidden_case()
    oracle.Oracle(tmp_path).answer(check, name, SEED, 1, case)
    monkeypatch.setattr(oracle, "_FINGERPRINT", None)
    real = oracle.importlib.metadata.version
    monkeypatch.setattr(oracle.importlib.metadata, "version",
                        lambda n: "9.9.9" if n == "keras" else real(n))
    assert oracle.fingerprint() != oracle.DiskCache.key(name, SEED, 1, case) and oracle._FINGERPRINT
    fresh = oracle.Oracle(tmp_path)
    fresh.answer(check, name, SEED, 1, case)
    assert (fresh.disk.misses, fresh.disk.hits, len(calls)) == (1, 0, 2)


def test_the_fingerprint_covers_the_suites_and_references():
    files = {p.name for p in oracle._package_files()}
    assert {f"{CH02}.py", "check.py", "inputs.py", "data.py"} <= files
    assert sum(p.name == f"{CH02}.py" for p in oracle._package_files()) == 2  # its suite and its references


def test_a_models_facts_are_stored_and_the_model_is_not(tmp_path, calls):
    """A Keras model is no plain data: the judge's facts about it (layers, outputs with seeded
    weights) are stored instead, and a warm oracle gives them without building the model."""
    check, name, case = hidden_case("ch03_networks", "build_mlp_hidden")
    probe = check.probe(check.rng("ch03_networks", SEED))
    facts = oracle.Oracle(tmp_path).facts(check, name, SEED, 1, case, probe)
    assert [p.name for p in tmp_path.rglob("*.npz")] == [f"{SEED}-1-facts.npz"]
    again = oracle.Oracle(tmp_path)
    stored = again.facts(check, name, SEED, 1, case, probe)
    assert calls == ["build_mlp"] and again.disk.hits == 1
    assert stored["rows"] == facts["rows"]
    np.testing.assert_array_equal(stored["output"], facts["output"])
    assert again.disk.load(name, SEED, 1, case, "facts", probe * 2) is None  # another probe: not this entry


def test_unlisted_references_stay_off_disk(tmp_path):
    """A reference outside the suites and reference modules has no fingerprint."""
    import dataclasses

    check, name, case = hidden_case()
    patched = dataclasses.replace(check, reference=lambda x, **k: np.zeros_like(x))
    assert not oracle.Oracle(tmp_path).answer(patched, name, SEED, 1, case).any()
    assert not list(tmp_path.rglob("*.npz"))


GRADED = [CH02, "ch03_networks"]  # NumPy answers, and Keras models judged from stored facts


def test_a_warm_grade_gives_the_same_results_without_tensorflow(answers_dir, tmp_path):
    """Graded twice on one cache folder, is every result the same, and does the second grade's
    grader process (the submission's own sandboxed process aside) never import TensorFlow?"""
    script = ("import json, sys\n"
              "from nndl.grader.grading import harness\n"
              "from nndl.grader.config import GraderConfig\n"
              "from nndl.grader.grading.oracle import oracle\n"
              f"report = harness.grade(sys.argv[1], GraderConfig.from_env(hidden_seed={SEED}), {GRADED})\n"
              "disk = oracle().disk\n"
              "print(json.dumps({'results': [(r.name, r.score, r.output) for r in report.results],\n"
              "                  'hits': disk.hits, 'misses': disk.misses,\n"
              "                  'tensorflow': 'tensorflow' in sys.modules}))\n")
    env = dict(os.environ, NNDL_CACHE_DIR=str(tmp_path))
    runs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", script, str(answers_dir)], env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        runs.append(__import__("json").loads(done.stdout.strip().splitlines()[-1]))
    cold, warm = runs
    assert cold["results"] == warm["results"]
    assert cold["hits"] == 0 and cold["misses"] > 0 and cold["tensorflow"]
    assert warm["misses"] == 0 and not warm["tensorflow"]
    assert warm["hits"] == len(list(tmp_path.rglob("*.npz"))) > 0  # every stored entry used
    total = sum(k.points for c in GRADED for k in chapters.checks(c))
    assert sum(score for _, score, _ in warm["results"]) == total


def test_the_graders_population_cost_is_the_references():
    """ch04's compare measures learners' populations in NumPy: the Keras reference's values."""
    from nndl.grader.suites.ch04_gradient_descent import population_costs
    from nndl.solutions.ch04_gradient_descent import ga_cost

    rng = np.random.default_rng(7)
    for n, n_in, pop in ((30, 3, 40), (1, 2, 5), (15, 1, 2)):
        X, y, genes = rng.normal(size=(n, n_in)), rng.normal(size=n), rng.normal(size=(pop, n_in + 1))
        np.testing.assert_allclose(population_costs(X, y, genes), ga_cost(X, y, genes), rtol=1e-12)
