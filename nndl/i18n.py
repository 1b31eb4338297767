"""Messages in the learner's language: English by default, Chinese with ``--lang zh``.

Every sentence the grader writes goes through ``t``: ``t("shape {got}, expected
{want}", got=..., want=...)`` formats the English template, or its translation
when one is chosen. Translations live in ``locale/<lang>/*.json``, one object
per file mapping an English template to its translation; a file per chapter
holds that chapter's hints, case labels and known mistakes.

A key with ``{name}`` fields also translates text that was formatted from it:
``tr("patience 2, factor 0.5")`` finds the key ``"patience {p}, factor {f}"``
and puts 2 and 0.5 into its translation (translating each field's text in turn,
unless it is a single word: a name in code stays as it is). ``t`` is for
templates, ``tr`` for text made elsewhere (a check's hint, a case's label, a
message of the sandboxed worker).

One process speaks one language: the CLI sets it once (``set_language``); the
environment variable ``NNDL_LANG`` sets it for ``nndl.check`` in a notebook.
"""
import functools
import json
import re
import string
from pathlib import Path

from nndl import config

LANGUAGES = ("en", "zh")
LOCALE = Path(__file__).parent / "locale"
_language = None


def set_language(lang):
    """Choose the language of every message that follows; ValueError for an unknown one.

    None goes back to the default: ``NNDL_LANG``, else English.
    """
    global _language
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _language = lang


def language():
    if _language is not None:
        return _language
    lang = config.language()
    return lang if lang in LANGUAGES else "en"


@functools.lru_cache(maxsize=None)
def catalogue(lang):
    """{English template: translation} from every locale/<lang>/*.json."""
    entries = {}
    for path in sorted((LOCALE / lang).glob("*.json")):
        entries.update(json.loads(path.read_text(encoding="utf-8")))
    return entries


def _plain(template):
    """template with its fields' conversions and format specs dropped: "{x!r:>6}" -> "{x}".

    tr() fills fields with text cut out of a message, which "{x:.3g}" cannot format.
    """
    out = []
    for text, name, _, _ in string.Formatter().parse(template):
        out.append(text.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            out.append("{" + name + "}")
    return "".join(out)


@functools.lru_cache(maxsize=None)
def _patterns(lang):
    """[(compiled regex, translation)] for the keys that have fields.

    A key with no words of its own ("{where}: {message}") would match almost
    any text: such a key is only a template for t(), never a pattern.
    """
    patterns = []
    for key, value in catalogue(lang).items():
        parts = list(string.Formatter().parse(key))
        if all(name is None for _, name, _, _ in parts):
            continue
        if not any(ch.isalpha() for text, _, _, _ in parts for ch in text):
            continue
        regex = "".join(re.escape(text) + (f"(?P<{name}>.+?)" if name is not None else "")
                        for text, name, _, _ in parts)
        try:
            patterns.append((re.compile(regex + r"\Z", re.S), _plain(value)))
        except re.error:  # a field used twice: such a key is only a template for t()
            continue
        except ValueError:  # a translation with unbalanced braces: not a pattern
            continue
    # Longer keys first: the most specific pattern wins.
    patterns.sort(key=lambda p: -len(p[0].pattern))
    return patterns


def t(template, **fields):
    """template in the chosen language, formatted with fields."""
    lang = language()
    translation = catalogue(lang).get(template, template) if lang != "en" else template
    if not fields:
        return translation
    try:
        return translation.format(**fields)
    except (KeyError, IndexError, ValueError):  # a broken translation: the English still reads
        return template.format(**fields)


def N_(template):
    """template itself: marks a message that is stored now and translated later with t()."""
    return template


def tr(text):
    """Text made from a template (a hint, a case label) in the chosen language, if known."""
    lang = language()
    if lang == "en" or not text:
        return text
    entries = catalogue(lang)
    if text in entries:
        return entries[text]
    for regex, value in _patterns(lang):
        match = regex.match(text)
        if match:
            try:
                return value.format(**{k: v if _WORD.match(v) else tr(v)
                                       for k, v in match.groupdict().items()})
            except (KeyError, IndexError, ValueError):  # a translation with other fields
                continue
    return text


# A field's text that is one word (a function's name, a dtype, an exception's type) is
# code: "linear() still raises ..." keeps "linear" even where "linear" alone is a label.
_WORD = re.compile(r"[\w.\-]*\Z")


def translated(text, lang):
    """Is there a translation of text (a template or text made from one) in lang?"""
    if text in catalogue(lang):
        return True
    return any(regex.match(text) for regex, _ in _patterns(lang))
