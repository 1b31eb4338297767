"""Messages in English by default and in Chinese with `--lang zh`, for every message a learner sees.

The completeness test reads the code: every template given to t() (or marked
with N_() for a later t()) in grader/ and nndl/*.py must have a zh
translation with the same fields. The other tests drive `nndl` as a learner
does, in this process (TensorFlow loads once), on chapter 2.
"""
import ast
import json
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

import nndl
from conftest import CH02, replace_functions
from nndl import i18n
from nndl.grader.content import chapters
from nndl.grader import cli
from nndl.checking import check_function

ROOT = chapters.ROOT
SOURCES = sorted((ROOT / "grader").rglob("*.py")) + sorted((ROOT / "nndl").rglob("*.py"))
CJK = re.compile(r"[\u4e00-\u9fff]")

# Fixed words of our English templates, none of which may be left in a Chinese report.
ENGLISH = ["not implemented", "still raises", "values differ", "expected", "wrong answer",
           "raised an exception", " raised ", "Hint:", "case 1/", "passed", "Total:",
           "withheld", "your output", "max abs error", "checks", "chapter "]


def templates():
    """{template: "file:line"} of every literal first argument of t() and N_()."""
    found = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("t", "N_") and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def fields(template):
    """The {field!conversion:spec} of a template, sorted."""
    return sorted((name, conversion or "", spec or "")
                  for _, name, spec, conversion in string.Formatter().parse(template) if name is not None)


@pytest.fixture
def zh():
    """Chinese for the code under test, English again afterwards."""
    i18n.set_language("zh")
    yield
    i18n.set_language(None)


@pytest.fixture(autouse=True)
def wide_and_english(monkeypatch):
    """A wide terminal (no phrase wrapped over two lines) and no NNDL_LANG from outside."""
    monkeypatch.setenv("COLUMNS", "1000")
    monkeypatch.delenv("NNDL_LANG", raising=False)


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_chinese(text):
    """text reads as Chinese: CJK characters and none of our English templates' words."""
    assert CJK.search(text), text
    left = [word for word in ENGLISH if word in text]
    assert not left, f"English left: {left}\n{text}"


# ---------------------------------------------------------------- the catalogue
def test_every_template_has_a_chinese_translation_with_the_same_fields():
    """Does every t()/N_() template in grader/ and nndl/ have a zh translation with exactly its fields?"""
    found = templates()
    assert len(found) > 100 and "case {number}/{total} ({label})" in found
    catalogue = i18n.catalogue("zh")
    missing = [f"{where}: {key!r}" for key, where in found.items() if key not in catalogue]
    assert not missing, "no zh translation:\n" + "\n".join(missing)
    differ = [f"{where}: {key!r} -> {catalogue[key]!r}" for key, where in found.items()
              if fields(key) != fields(catalogue[key])]
    assert not differ, "fields differ:\n" + "\n".join(differ)
    same = [key for key in found if re.search("[a-z]{3}", key) and catalogue[key] == key]
    assert not same, f"left in English: {same}"


def test_core_catalogue_is_valid_and_reads_as_chinese():
    """Is core.json one flat object of strings whose worded entries are in Chinese?"""
    core = json.loads((ROOT / "nndl" / "locale" / "zh" / "core.json").read_text(encoding="utf-8"))
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in core.items())
    english = [k for k, v in core.items() if re.search("[a-z]{4} [a-z]{3}", k) and not CJK.search(v)]
    assert not english, english


@pytest.mark.parametrize("english, chinese", [
    ("relu() still raises NotImplementedError", "relu() 仍然抛出 NotImplementedError"),
    ("function linear() is not defined", "函数 linear() 没有定义"),     # "linear" alone is a label
    ("relu() raised KeyError: 'secret'", "relu() 抛出了 KeyError: 'secret'"),    # the student's own text
    ("relu() did not return within 2 s", "relu() 在 2 秒内没有返回"),
    ("the following arguments are required: submission", "缺少以下参数：submission"),
    ("no such file or folder: nothing", "没有这个文件或文件夹：nothing"),
])
def test_english_made_elsewhere_is_translated_by_pattern(zh, english, chinese):
    """Are the sandboxed worker's, argparse's and the submission finder's English sentences translated?"""
    assert i18n.tr(english) == chinese


def test_a_template_without_words_is_not_a_pattern(zh):
    """Does tr() leave alone text that only a wordless key ("{where}: {message}") would match?"""
    assert i18n.tr("ValueError: bad input") == "ValueError: bad input"


# ---------------------------------------------------------------- nndl check, nndl grade
@pytest.fixture(scope="module")
def wrong_ch02(tmp_path_factory, ch02_answers):
    """Chapter 2 with sigmoid = 1 - the right one, relu transposed twice over, softmax raising its input."""
    snippet = '''def sigmoid(x):
    return 1.0 / (1.0 + np.exp(np.asarray(x, dtype=np.float64)))


def relu(x):
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0).reshape(-1, 1)


def softmax(x, axis=-1):
    raise ValueError("secret " + repr(x))
'''
    folder = tmp_path_factory.mktemp("wrong") / "exercises"
    folder.mkdir()
    (folder / f"{CH02}.py").write_text(replace_functions(ch02_answers, snippet), encoding="utf-8")
    return folder


def test_check_on_the_stubs_in_chinese(capsys, stubs_dir):
    """Does `nndl check ch02_activations --lang zh` on the stubs say 尚未实现 in Chinese only?"""
    code, out, err = run(capsys, "check", CH02, "--dir", stubs_dir, "--lang", "zh")
    assert code == 0, err
    assert "章节" in out and "得分" in out and "总分：0/" in out
    assert re.search(r"通过 0/\d+", out)
    assert "✗ sigmoid（可见）：尚未实现——sigmoid() 仍然抛出 NotImplementedError" in out
    assert "linear() 仍然抛出" in out                 # a function's name is never translated
    assert_chinese(out)


def test_grade_of_wrong_answers_in_chinese(capsys, tmp_path, wrong_ch02):
    """Do the table and the JSON say what is wrong in Chinese, hidden checks withholding in Chinese too?"""
    results = tmp_path / "results.json"
    code, out, err = run(capsys, "grade", wrong_ch02, "--chapter", CH02, "--json", results, "--lang", "zh")
    assert code == 0, err
    assert "答案错误——用例 1/" in out and "不一致；最大绝对误差" in out
    assert "你的输出是 1 减去正确结果" in out                          # compare's diagnosis
    assert "抛出了异常——用例 1/" in out and "softmax() 抛出了" in out
    assert_chinese(out)
    tests = {t["name"].split("/")[1]: t for t in json.loads(results.read_text(encoding="utf-8"))["tests"]}
    sigmoid = tests["sigmoid"]["output"]
    assert sigmoid.startswith("答案错误——用例 1/") and "\n提示：" in sigmoid
    assert re.search(r"，位于索引 \(\d+,?\)：得到 [-\d.e]+，应为 [-\d.e]+（atol 1e-06，rtol 1e-06）", sigmoid)
    assert "形状为 (" in tests["relu"]["output"] and "，应为 (" in tests["relu"]["output"]
    hidden = tests["softmax_hidden"]["output"]
    assert "ValueError: （隐藏检查中不显示；运行可见检查可查看详情）" in hidden
    assert "secret array(" not in hidden and "secret array(" in tests["softmax"]["output"]
    for test in tests.values():
        if test["status"] == "passed":
            assert re.fullmatch(r"通过了 \d+ 个用例", test["output"]), test
        else:
            assert_chinese(test["output"].replace("secret", ""))


def test_check_on_the_right_answers_in_chinese(capsys, answers_dir):
    """Do the model answers pass with every line in Chinese?"""
    code, out, err = run(capsys, "check", CH02, "--dir", answers_dir, "--lang", "zh")
    assert code == 0, err
    total = sum(c.visibility == "visible" for c in chapters.checks(CH02))
    assert f"通过 {total}/{total}" in out and "sigmoid（可见）" in out and "：通过了 " in out
    assert f"总分：{sum(c.points for c in chapters.checks(CH02) if c.visibility == 'visible'):g}" in out
    assert_chinese(out)


def test_english_is_the_default(capsys, tmp_path, monkeypatch):
    """Is a run without --lang in English (also right after a Chinese one), and NNDL_LANG=zh Chinese?

    (`nndl check` in English is what test_cli.py and test_learner.py check, unchanged.)
    """
    assert run(capsys, "hint", f"{CH02}/relu", "--level", "1", "--dir", tmp_path, "--lang", "zh")[0] == 0
    code, out, _ = run(capsys, "progress", "--dir", tmp_path)
    assert code == 0 and "0/15 chapters done" in out and not CJK.search(out)
    check_function(f"{CH02}/relu", lambda x: "not an array")
    out = capsys.readouterr().out
    assert "returned something that is not a numeric array — case 1/" in out and not CJK.search(out)
    monkeypatch.setenv("NNDL_LANG", "zh")
    code, out, _ = run(capsys, "hint", f"{CH02}/relu", "--level", "1", "--dir", tmp_path)
    assert out.startswith(f"{CH02}/relu 的提示 1/3：")
    code, out, _ = run(capsys, "hint", f"{CH02}/relu", "--level", "1", "--dir", tmp_path, "--lang", "en")
    assert out.startswith(f"Hint 1/3 for {CH02}/relu: ")


# ---------------------------------------------------------------- nndl hint, progress
def test_hint_in_chinese(capsys, tmp_path):
    """Does `nndl hint ch02_activations/sigmoid --lang zh` give the three levels in Chinese, clause by clause?"""
    english = run(capsys, "hint", f"{CH02}/sigmoid", "--level", "2", "--dir", tmp_path / "en")[1]
    texts = [run(capsys, "hint", f"{CH02}/sigmoid", "--dir", tmp_path, "--lang", "zh")[1] for _ in range(3)]
    assert texts[0].startswith(f"{CH02}/sigmoid 的提示 1/3：") and texts[0].rstrip().endswith("。")
    assert texts[1].startswith(f"{CH02}/sigmoid 的提示 2/3：\n")
    assert texts[1].count("\n  - ") == english.count("\n  - ") >= 2      # split at "；" as at "; "
    assert texts[2].startswith(f"{CH02}/sigmoid 的提示 3/3——先是函数的约定，再是检查会找的每个易错点：")
    assert "`keras.activations.sigmoid`" in texts[2]
    assert f"运行 `nndl check {CH02}`，看看哪个用例没通过、偏差有多大。" in texts[2]
    for text in texts:
        assert_chinese(text)
        assert "Hint" not in text and "Run `nndl" not in text


def test_progress_in_chinese(capsys, tmp_path, stubs_dir):
    """Does `nndl progress --lang zh` name each chapter's state in Chinese?"""
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / f"{CH02}.py").write_bytes((stubs_dir / f"{CH02}.py").read_bytes())
    code, out, _ = run(capsys, "progress", "--dir", folder, "--lang", "zh")
    assert code == 0
    assert "nndl 学习进度（可见检查）" in out and "尚未检查" in out and "没有文件" in out
    assert "已完成 0/15 章 — 运行 `nndl progress --run` 检查其余章节" in out
    assert_chinese(out)


# ---------------------------------------------------------------- bad usage
@pytest.mark.parametrize("argv", [["check", "--lang", "xx"], ["--lang=xx", "hint", f"{CH02}/relu"],
                                  ["grade", "nothing", "--lang", "fr"]])
def test_an_unknown_language_is_one_line_and_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nndl: error: unknown language "), err
    assert "choose one of en, zh" in lines[0]


@pytest.mark.parametrize("argv, fragment", [
    (["hint", "ch99_magic/x"], "nndl：错误：未知的章节 'ch99_magic'；见 `nndl list`"),
    (["hint", f"{CH02}/relu", "--level", "4"], "nndl：错误：--level 必须在 1 到 3 之间"),
    (["grade"], "nndl：错误：缺少以下参数：submission"),
    (["check", "--dir", "does-not-exist"], "这里没有 does-not-exist/ 文件夹"),
    (["check", "--bogus"], "nndl：错误：无法识别的参数：--bogus"),
])
def test_usage_errors_in_chinese(capsys, argv, fragment):
    """Are bad usage errors, argparse's own included, one Chinese line with exit status 2?"""
    code, out, err = run(capsys, *argv, "--lang", "zh")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert fragment in err


def test_help_in_chinese(capsys):
    with pytest.raises(SystemExit):
        cli.main(["check", "--help", "--lang", "zh"])
    out = capsys.readouterr().out
    assert out.startswith("用法：nndl check") and "练习所在的文件夹" in out and "显示此帮助信息并退出" in out


# ---------------------------------------------------------------- a notebook, pytest
def test_nndl_check_in_a_notebook_in_chinese(capsys):
    """Does nndl.check, after nndl.set_language("zh"), print what is wrong in Chinese?"""
    import numpy as np

    nndl.set_language("zh")
    try:
        share = nndl.check(f"{CH02}/sigmoid", lambda x: 1.0 / (1.0 + np.exp(np.asarray(x))))
        out = capsys.readouterr().out
        assert share == 0 and out.startswith(f"✗ {CH02}/sigmoid: 答案错误——用例 1/")
        assert "你的输出是 1 减去正确结果" in out and "\n提示：" in out
        check_function(f"{CH02}/relu", lambda x: "not an array")
        out = capsys.readouterr().out
        assert "返回值不是数值数组——用例 1/" in out and "relu()：返回了 str，应返回数值数组" in out
    finally:
        nndl.set_language(None)


def test_pytest_plugin_in_chinese(tmp_path, stubs_dir):
    """Does `pytest exercises/ch01_perceptron.py --lang zh` report each check in Chinese?"""
    (tmp_path / "exercises").mkdir()
    chapter = "ch01_perceptron"
    (tmp_path / "exercises" / f"{chapter}.py").write_bytes((stubs_dir / f"{chapter}.py").read_bytes())
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           f"exercises/{chapter}.py", "--lang", "zh"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert f"{chapter}/step（0/1 分）\n尚未实现——step() 仍然抛出 NotImplementedError" in out
    assert "not implemented" not in out and "points)" not in out
