"""The category modules of checker/requests (drugs, injections, equipment, tests, consultations, programs, surgery)."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.datafiles import merged_section
from checker.predict import default_checker
from checker.requests import BASE_CATEGORIES, CATEGORY_MODULES, normalize_request
from checker.rules import MODALITIES, known_modalities, request_fields


def test_every_category_module_keeps_the_contract() -> None:
    assert set(CATEGORY_MODULES) == {"medication", "injection", "equipment", "test", "consultation", "program",
                                     "surgery"}
    seen: set[str] = set(MODALITIES)
    for cat, mod in CATEGORY_MODULES.items():
        assert mod.CATEGORY == cat and callable(mod.read)
        assert not seen & set(mod.MODALITIES), f"{cat}: a modality is declared twice"
        seen |= set(mod.MODALITIES)
    assert set(known_modalities()) == seen
    assert not set(BASE_CATEGORIES) & set(CATEGORY_MODULES)
    assert set(request_fields()) >= {"sessions", "quantity"}


@pytest.mark.parametrize("text,category", [
    ("Norco 10/325 #90", "medication"),
    ("L5-S1 transforaminal epidural steroid injection", "injection"),
    ("Lumbar support", "equipment"),
    ("Urine drug screen", "test"),
    ("Orthopedic consultation", "consultation"),
    ("Preoperative medical clearance", "consultation"),
    ("Functional restoration program, 10 days", "program"),
    ("Right shoulder arthroscopy with rotator cuff repair", "surgery"),
])
def test_items_get_their_category_and_a_kind(text: str, category: str) -> None:
    r = normalize_request(text)
    assert r.category == category
    assert r.kind.startswith(category)


def test_an_item_without_criteria_is_out_of_scope_with_its_kind() -> None:
    req = normalize_request("Home exercise kit")
    assert not req.in_scope and req.kind
    res = default_checker().check("Low back strain at work; a home exercise program was taught.", req)
    assert res.status == "no rule applies" and res.imr_outcome is None
    assert req.kind in res.rationale


def test_a_part_cannot_declare_a_name_twice(tmp_path: Path) -> None:
    main = tmp_path / "vocab.yaml"
    main.write_text("facts:\n  a: {kind: flag}\n", encoding="utf-8")
    (tmp_path / "vocab.d").mkdir()
    (tmp_path / "vocab.d" / "drugs.yaml").write_text("facts:\n  b: {kind: flag}\n", encoding="utf-8")
    assert set(merged_section(main, "facts")) == {"a", "b"}
    (tmp_path / "vocab.d" / "more.yaml").write_text("facts:\n  a: {kind: number}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="more.yaml.*'a'.*already declared"):
        merged_section(main, "facts")
