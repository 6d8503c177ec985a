"""The on-disk cache of the catalog and the compiled lexicon: keyed by content, safe when broken or unwritable."""
from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest

from checker import cache, facts, rules
from checker.regex_cache import compile_keep, compile_stored

PACKAGED = Path(rules.__file__).parent / "criteria"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("IMRCHECK_CACHE_DIR", str(d))
    monkeypatch.delenv("IMRCHECK_CACHE", raising=False)
    rules._catalog.cache_clear()
    yield d
    rules._catalog.cache_clear()


@pytest.fixture
def rules_copy(tmp_path):
    d = tmp_path / "criteria"
    shutil.copytree(PACKAGED, d)
    return d


def _dexa(d: Path) -> Path:
    return d / "acr" / "dexa.yaml"


def test_catalog_is_stored_then_read_back_without_parsing(cache_dir, rules_copy, monkeypatch):
    first = rules.default_rules(rules_copy)
    stored = list(cache_dir.glob("rules-*.pickle"))
    assert len(stored) == 1
    rules._catalog.cache_clear()

    def no_parsing(*a, **k):
        raise AssertionError("the catalog was parsed again although nothing changed")

    monkeypatch.setattr(rules, "load_rules", no_parsing)
    again = rules.default_rules(rules_copy)
    assert [r.id for r in again] == [r.id for r in first]
    assert [(r.file, r.line) for r in again] == [(r.file, r.line) for r in first]


def test_a_changed_rule_file_invalidates_the_cache(cache_dir, rules_copy):
    before = {r.id: r.title for r in rules.default_rules(rules_copy)}
    path = _dexa(rules_copy)
    text = path.read_text(encoding="utf-8")
    rid = next(i for i in before if i.startswith("acr.") or "dexa" in i)
    old_title = before[rid]
    assert old_title in text
    path.write_text(text.replace(old_title, old_title + " (edited)", 1), encoding="utf-8")
    rules._catalog.cache_clear()
    after = {r.id: r.title for r in rules.default_rules(rules_copy)}
    assert after[rid] == old_title + " (edited)"
    assert len(list(cache_dir.glob("rules-*.pickle"))) == 2  # a new key; the old entry is kept for its folder


def test_a_broken_rule_file_still_names_file_and_line_after_caching(cache_dir, rules_copy):
    rules.default_rules(rules_copy)  # a good catalog is cached first
    path = _dexa(rules_copy)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.strip().startswith("effect:"))
    lines[n] = lines[n].split("effect:")[0] + "effect: bogus\n"
    path.write_text("".join(lines), encoding="utf-8")
    rules._catalog.cache_clear()
    with pytest.raises(rules.RuleError) as ei:
        rules.default_rules(rules_copy)
    assert f"{path}:{n + 1}:" in str(ei.value)


def test_a_corrupt_entry_is_rebuilt(cache_dir, rules_copy):
    n = len(rules.default_rules(rules_copy))
    (entry,) = cache_dir.glob("rules-*.pickle")
    entry.write_bytes(b"not a pickle")
    rules._catalog.cache_clear()
    assert len(rules.default_rules(rules_copy)) == n
    assert pickle.loads(entry.read_bytes())  # rewritten


def test_an_unwritable_cache_folder_is_ignored(tmp_path, monkeypatch, rules_copy):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("IMRCHECK_CACHE_DIR", str(blocker / "cache"))  # cannot be created: a file is in the way
    rules._catalog.cache_clear()
    try:
        assert len(rules.default_rules(rules_copy)) > 10
    finally:
        rules._catalog.cache_clear()


def test_the_cache_can_be_turned_off(cache_dir, rules_copy, monkeypatch):
    monkeypatch.setenv("IMRCHECK_CACHE", "0")
    assert cache.cache_dir() is None
    rules.default_rules(rules_copy)
    assert not cache_dir.exists()


def test_the_key_covers_content_and_loader_sources(tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text("a: 1\n")
    k1 = cache.content_key("rules", [f])
    f.write_text("a: 2\n")
    assert cache.content_key("rules", [f]) != k1
    assert cache.content_key("lexicon", [f]) != cache.content_key("rules", [f])


def test_load_lexicon_is_one_entry_however_it_is_named():
    default = facts.load_lexicon()
    assert facts.load_lexicon(facts.LEXICON_PATH) is default
    assert facts.load_lexicon(str(facts.LEXICON_PATH)) is default


def test_the_cached_lexicon_extracts_exactly_what_a_fresh_one_does(monkeypatch):
    text = ("45-year-old with low back pain radiating to the left leg since 01/05/2016. Decreased sensation in the L5 "
            "dermatome, positive straight leg raise, no red flags. He completed 12 sessions of physical therapy "
            "without improvement. No prior MRI. Surgery is not planned. Prednisone/dexamethasone two years ago.")
    fresh = facts._compiled(facts._load_lexicon(facts.LEXICON_PATH))
    restored = pickle.loads(pickle.dumps(fresh))
    scan_a = fresh.scanner.scan(text)
    scan_b = restored.scanner.scan(text)
    assert [[(a, b, c) for a, b, c, _ in ch] for ch in scan_a] == [[(a, b, c) for a, b, c, _ in ch] for ch in scan_b]
    assert sum(map(len, scan_a)) > 10


def test_kept_patterns_and_stored_patterns_match_like_re():
    pat, flags = r"(?P<n>\d+)\s*(sessions?|visits?)\b", re.IGNORECASE
    kept = pickle.loads(pickle.dumps(compile_keep(pat, flags)))
    for rx in (kept.rx, compile_stored(pat, flags)):
        m = rx.search("Completed 12 Sessions so far")
        assert m and m.group("n") == "12" and m.group(2) == "Sessions"
        assert rx.groupindex == re.compile(pat, flags).groupindex


@pytest.mark.parametrize("text", [
    "Knee pain since a fall. McMurray and Apley grind tests were positive. He had surgery two years ago.",
    "Low back pain for 6 months; no prior imaging. Pain 7/10. Physical therapy 12 sessions without relief.",
    "Prednisone/dexamethasone taper last month; naïve to injections. Symptoms began 3 months ago.",
])
def test_skipping_every_word_patterns_a_text_cannot_match_changes_no_match(text, monkeypatch):
    sc = facts.load_lexicon().scanner
    fast = sc.scan(text)
    monkeypatch.setattr(sc, "_dead_everywhere", lambda t, tl: frozenset())
    slow = sc.scan(text)
    assert [[m[:3] for m in ch] for ch in fast] == [[m[:3] for m in ch] for ch in slow]


def test_every_word_patterns_are_skipped_when_their_literals_are_missing():
    sc = facts.load_lexicon().scanner
    text = "Low back pain; physical therapy helped."
    dead = sc._dead_everywhere(text, text.lower())
    assert dead and dead <= {entry for entry, _ in sc.t0_literals}
    assert not sc._dead_everywhere("naïve", "naïve")  # non-ASCII: nothing skipped
