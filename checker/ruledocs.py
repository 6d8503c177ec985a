"""`imrcheck rules docs`: one Markdown page per rule, generated from the YAML catalog."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from .rules import ALWAYS, Group, Leaf, Rule, load_reasons, load_rules, vocabulary

EFFECT = {
    "supports_certification": "supports certification (the request is medically necessary when met)",
    "supports_denial": "supports denial (the request is not medically necessary when met)",
    "documentation_required": "documentation required (the request fails while this is not documented)",
}


def describe(node, depth: int = 0) -> list[str]:
    pad = "  " * depth
    if node == ALWAYS:
        return [f"{pad}- always: the guideline entry has no condition"]
    if isinstance(node, Leaf):
        if node.fact:
            what = f"`{node.fact}` ({vocabulary()[node.fact]['description']})"
        else:
            what = f"request `{node.request}`"
        if node.is_ is not None:
            test = " or ".join(str(v) for v in node.values())
            return [f"{pad}- {what} is {test}"]
        ops = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<"}
        tests = ", ".join(f"{ops[k]} {getattr(node, k):g}" for k in ops if getattr(node, k) is not None)
        return [f"{pad}- {what} {tests}"]
    assert isinstance(node, Group)
    if node.all is not None:
        head, kids = "all of:", node.all
    elif node.any is not None:
        head, kids = "any of:", node.any
    elif node.none is not None:
        head, kids = "none of:", node.none
    else:
        head, kids = f"at least {node.at_least.n} of:", node.at_least.of
    out = [f"{pad}- {head}"]
    for k in kids:
        out += describe(k, depth + 1)
    return out


def reason_lines(rule: Rule) -> list[str]:
    """The reason codes (checker/lexicon/reasons.yaml) the rule stands for when it decides an item."""
    taxonomy = load_reasons()

    def codes(cs: list[str]) -> str:
        return "; ".join(f"`{c}` ({taxonomy[c]['title']})" for c in cs)

    when_decides = {"supports_certification": "when met (overturn)", "supports_denial": "when met (uphold)",
                    "documentation_required": "when not documented (uphold)"}[rule.effect]
    lines = [f"- {when_decides}: {codes(rule.reasons)}"]
    if rule.reasons_unmet:
        lines.append(f"- when not met (uphold): {codes(rule.reasons_unmet)}")
    return lines


def page(rule: Rule, root: Path) -> str:
    c = rule.citation
    a = rule.applies_to
    lines = [f"# {rule.title}", "", f"`{rule.id}` · {EFFECT[rule.effect]}" + (f" · precedence {rule.precedence}" if rule.precedence else ""), ""]
    lines += ["## Source", "",
              f"- **{c.source}**, {c.document}",
              f"- section: {c.section}" + (f"; {c.table}" if c.table else "") + (f"; p. {c.page}" if c.page else ""),
              f"- edition: {c.edition}",
              f"- confidence: {c.confidence}" + (f" ({c.confirmed_in})" if c.confirmed_in else ""),
              f"- defined in `{Path(rule.file).resolve().relative_to(root)}`", ""]
    lines += ["## Applies to", "",
              f"- modalities: {', '.join(a.modalities)}",
              f"- regions: {', '.join(a.regions)}",
              f"- in force for requests dated {a.in_force.from_.isoformat()} to {a.in_force.to.isoformat()}"]
    if a.in_force.kept:
        lines.append(f"- kept after the MTUS of 12/1/2017: {a.in_force.kept}")
    if a.postsurgical is not None:
        lines.append(f"- {'post-surgical requests only' if a.postsurgical else 'not for post-surgical requests'}")
    if rule.applies_if is not None:
        lines += ["- and only when:"] + ["  " + l for l in describe(rule.applies_if)]
    lines += ["", "## Criterion", "", "Met when:", ""] + describe(rule.when)
    if rule.unless:
        lines += ["", "Unless (exceptions that override):", ""]
        for u in rule.unless:
            lines += describe(u)
    lines += ["", "## Decisive reasons", ""] + reason_lines(rule)
    lines += ["", "## Rationale", "", rule.rationale.strip(), "", "## What to document", "", rule.documentation.strip(), ""]
    met = [t for t in rule.tests if t.expect == "met"]
    not_met = [t for t in rule.tests if t.expect == "not met"]
    not_applicable = [t for t in rule.tests if t.expect == "not applicable"]
    lines += ["## Examples", ""]
    for label, ts in (("Met", met), ("Not met", not_met), ("Not applicable", not_applicable)):
        for t in ts[:2]:
            lines += [f"- **{label}** — request “{t.request}”" + (f" on {t.as_of.isoformat()}" if t.as_of else "") + f": {t.text}"]
    lines.append("")
    return "\n".join(lines)


def index(rules: list[Rule]) -> str:
    lines = ["# The criteria catalog", "", "Generated from `checker/criteria/` by `imrcheck rules docs`; do not edit by hand.", "",
             f"{len(rules)} rules.", "", "| rule | modalities | regions | in force | effect | reasons | source |",
             "|---|---|---|---|---|---|---|"]
    for r in sorted(rules, key=lambda r: r.id):
        f = r.applies_to.in_force
        span = f"{f.from_.isoformat()} – " + ("" if f.to.year == 2999 else f.to.isoformat())
        reasons = ", ".join(r.reasons) + (f" / unmet: {', '.join(r.reasons_unmet)}" if r.reasons_unmet else "")
        lines.append(f"| [{r.id}]({r.id}.md) | {', '.join(r.applies_to.modalities)} | {', '.join(r.applies_to.regions)} | "
                     f"{span} | {r.effect.replace('_', ' ')} | {reasons} | {r.citation.source} {r.citation.section} |")
    lines.append("")
    return "\n".join(lines)


def render(rules_dir: Optional[Path] = None) -> dict[str, str]:
    """File name -> content of every page (the index is README.md)."""
    rules = load_rules(rules_dir)
    root = Path(__file__).resolve().parent.parent
    pages = {f"{r.id}.md": page(r, root) for r in rules}
    pages["README.md"] = index(rules)
    return pages


def write(out_dir: Path, rules_dir: Optional[Path] = None) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = render(rules_dir)
    for old in out_dir.glob("*.md"):
        if old.name not in pages:
            old.unlink()
    for name, text in pages.items():
        (out_dir / name).write_text(text, encoding="utf-8")
    return len(pages)
