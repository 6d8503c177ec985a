"""The ``imrcheck`` command line.

Exit status: 0 when all went well; 1 when any input failed (every other result is still printed);
2 for usage errors.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn, Optional

import typer
from rich.console import Console
from rich.table import Table

from .cli_options import _check_time_limit, rules_option, run, time_limit_option, version_option, workers_option

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Rule-based checker of California workers' compensation IMR criteria for imaging and therapy requests.")
rules_app = typer.Typer(no_args_is_help=True, help="The criteria catalog: list, show, lint, test, schema.")
app.add_typer(rules_app, name="rules")

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


_STATE = {"redact": False}


@app.callback()
def _options(redact: bool = typer.Option(False, "--redact", help="Mask names, dates of birth and claim numbers in all output"),
             rules: Optional[Path] = rules_option(), version: bool = version_option()) -> None:
    _STATE["redact"] = redact
    if redact:
        from .redact import redact as _redact

        out.push_render_hook(_RedactHook(lambda t: _redact(t, keep_width=True)))


class _RedactHook:
    """Rich render hook that redacts what the console prints."""

    def __init__(self, fn):
        self.fn = fn

    def process_renderables(self, renderables):
        from rich.text import Text

        done = []
        for r in renderables:
            if isinstance(r, str):
                r = self.fn(r)
            elif isinstance(r, Text):
                r = Text(self.fn(r.plain), style=r.style)
            else:
                with out.capture() as cap:
                    out.pop_render_hook()
                    try:
                        out.print(r)
                    finally:
                        out.push_render_hook(self)
                r = Text(self.fn(cap.get()))
            done.append(r)
        return done


def _dump(obj) -> None:
    line = json.dumps(obj, ensure_ascii=False, sort_keys=False, default=str)
    if _STATE["redact"]:
        from .redact import redact

        line = json.dumps(_redact_obj(json.loads(line), redact), ensure_ascii=False)
    sys.stdout.write(line + "\n")


def _redact_obj(obj, fn):
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, list):
        return [_redact_obj(x, fn) for x in obj]
    if isinstance(obj, dict):
        return {k: _redact_obj(v, fn) for k, v in obj.items()}
    return obj


def _parse_date(value: Optional[str], what: str = "--as-of") -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=what)


def _fail(message) -> NoReturn:
    """An input failed: say so on stderr and exit 1."""
    err.print(f"[red]error[/red] {message}", highlight=False)
    raise typer.Exit(1)


def _preflight() -> None:
    """Load the rules and the lexicon once here, so a broken file is one clear error, not a crashed worker."""
    from .facts import LexiconError, load_lexicon
    from .rules import RuleError, default_rules

    try:
        default_rules()
        load_lexicon()
    except (RuleError, LexiconError) as exc:
        _fail(exc)


def _read_text(path: Path) -> str:
    """A note's text (any common encoding, or PDF) via :func:`checker.inputs.read_note`; ValueError naming the file."""
    from .inputs import InputError, read_note

    try:
        return read_note(path).text
    except InputError as exc:
        raise ValueError(str(exc)) from None


# ----------------------------------------------------------------------------------------------------------------
@app.command()
def parse(letters: list[Path] = typer.Argument(..., help="Letters (PDF or text)"),
          as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Parse IMR final determination letters."""
    from .letters import LetterError, parse_letter

    failed = False
    parsed, errors = [], []
    for p in letters:
        try:
            letter = parse_letter(p)
            parsed.append({**letter.model_dump(mode="json"), "text": letter.source})  # why --json offsets index it
        except LetterError as exc:
            failed = True
            errors.append({"path": str(p), "error": str(exc)})
    if as_json:
        _dump({"letters": parsed, "errors": errors})
    else:
        for letter in parsed:
            t = Table(title=f"{letter['path']} ({letter.get('case_number') or 'no case number'}, {letter['layout']} layout)")
            for col in ("#", "item", "decision", "MAXIMUS guideline"):
                t.add_column(col, overflow="fold")
            for it in letter["items"]:
                t.add_row(str(it["index"]), it["text"], it["decision"], it["maximus_guideline"][:120])
            out.print(t)
        for e in errors:
            err.print(f"[red]error[/red] {e['error']}")
    raise typer.Exit(1 if failed else 0)


@app.command()
def facts(file: Path = typer.Argument(..., help="A case-summary text file"),
          as_of: Optional[str] = typer.Option(None, "--as-of", help="Date of the request, YYYY-MM-DD"),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """Extract clinical facts from a case summary."""
    from .facts import extract_facts

    day = _parse_date(as_of)
    try:
        text = _read_text(file)
    except ValueError as exc:
        _fail(exc)
    found = extract_facts(text, as_of=day)
    if as_json:
        _dump({"facts": [f.model_dump(mode="json") for f in found]})
        return
    t = Table(title=f"Facts in {file}")
    for col in ("fact", "value", "flags", "region", "evidence"):
        t.add_column(col, overflow="fold")
    for f in found:
        flags = ",".join(k for k in ("negated", "historical", "hypothetical") if getattr(f, k))
        if f.experiencer != "patient":
            flags += ",other person"
        if f.time not in ("current", "past"):
            flags += f",{f.time}"
        if f.asserted_by != "provider":
            flags += f",by {f.asserted_by.replace('_', ' ')}"
        flags = flags.strip(",")
        t.add_row(f.name, "" if f.value is True else str(f.value), flags, ",".join(f.regions), f.evidence.quote)
    out.print(t)


def card_summary(r) -> str:
    """A CDS Hooks-style card summary: at most 140 characters."""
    if r.imr_outcome is None:
        text = f"No rule applies: {r.request}"
    else:
        verdict = "Likely certified" if r.certify else "Likely not certified"
        src = f" ({r.citations[0].source})" if r.citations else ""
        text = f"{verdict}, criteria {r.status}{src}: {r.request}"
    return text if len(text) <= 140 else text[:139] + "…"


def judged_as_of(r) -> str:
    """"judged as of YYYY-MM-DD", saying when the date is today's for want of --as-of."""
    if r.as_of is None:
        return ""
    return f"judged as of {r.as_of.isoformat()}" + (" (today; give --as-of for the request date)" if r.as_of_defaulted else "")


def _print_result(r) -> None:
    from rich.panel import Panel

    colour = {"Upheld": "red", "Overturned": "green"}.get(r.imr_outcome or "", "yellow")
    head = f"[bold]{card_summary(r)}[/bold]\n"
    if r.imr_outcome:
        head += f"likely IMR outcome: [{colour}]{r.imr_outcome}[/{colour}] ({'certify' if r.certify else 'not certified'}; criteria {r.status})\n"
        if r.firmness:
            head += f"how firm: [bold]{r.firmness}[/bold] - {r.firmness_reason}\n"
        if r.probability_certified is not None:
            head += (f"results like this were certified {r.probability_certified:.0%} of the time on the real letters "
                     "(a table fitted on the corpus; its reliability, cross-validated by letter, is in docs/status.md)\n")
    else:
        head += f"[yellow]{r.status}[/yellow]\n"
    from rich.markup import escape

    head += judged_as_of(r) + "\n"
    body = (head + "".join(f"[yellow]Warning:[/yellow] {escape(w)}\n" for w in r.warnings)
            + "".join(f"[yellow]Note:[/yellow] {escape(n)}\n" for n in r.notes) + escape(r.rationale or ""))
    if r.citations:
        body += "\n[dim]Source: " + "; ".join(f"{c.source} {c.document}, {c.section} ({c.edition})" for c in r.citations) + "[/dim]"
    if r.reasons:
        from .rules import load_reasons
        body += "\n[dim]Decisive reasons: " + "; ".join(load_reasons()[c]["title"] for c in r.reasons if c in load_reasons()) + "[/dim]"
    if r.missing:
        body += "\n[bold]To document:[/bold]\n" + "\n".join(f"  - {m}" for m in r.missing)
    if r.set_aside:
        body += ("\n[bold]Set aside[/bold] (about another part of the body than the request):\n"
                 + "\n".join(f'  - "{a.evidence.quote}" ({", ".join(a.regions)})' for a in r.set_aside[:5]))
    out.print(Panel(body, expand=False))


@app.command("facts-eval")
def facts_eval(split: Optional[str] = typer.Option(None, "--split", help="dev, heldout, heldout2 or all (default: each and all)"),
               as_json: bool = typer.Option(False, "--json")) -> None:
    """Precision and recall of the fact extractor per fact type against the hand annotations in tests/annotations."""
    from .facts_eval import main as facts_eval_main

    argv = (["--split", split] if split else []) + (["--json"] if as_json else [])
    raise typer.Exit(facts_eval_main(argv))


@app.command()
def check(summary_file: Optional[Path] = typer.Argument(None, help="A case-summary text file, or a structured request (.yaml/.yml/.json)"),
          request: list[str] = typer.Option([], "--request", "-r", help="The requested item (repeatable)"),
          as_of: Optional[str] = typer.Option(None, "--as-of", help="Date of the request, YYYY-MM-DD"),
          batch: Optional[Path] = typer.Option(None, "--batch", help="JSON Lines: {id, summary, requests, as_of?}"),
          schema: bool = typer.Option(False, "--schema", help="Print the JSON Schema of a structured request file"),
          workers: Optional[int] = workers_option(),
          time_limit: float = typer.Option(30.0, "--time-limit", callback=_check_time_limit,
                                           help="Seconds allowed per note (per --batch line)"),
          as_json: bool = typer.Option(False, "--json"), rules: Optional[Path] = rules_option()) -> None:
    """Predict whether a request would pass IMR, with the criteria, evidence and what is missing.

    The note may be UTF-8, UTF-16 (with a byte-order mark) or Windows-1252 text, or a PDF; an empty note, a
    binary file or one over 200,000 characters is an error (exit 1)."""
    if schema:
        from .structured import PreSubmission

        _dump(PreSubmission.model_json_schema())
        return
    _preflight()
    if batch is not None:
        raise typer.Exit(_check_batch(batch, as_json, workers, time_limit))
    day = _parse_date(as_of)
    if summary_file is not None and summary_file.suffix.lower() in (".yaml", ".yml", ".json"):
        text, request, day = _structured(summary_file, request, day)
    else:
        if summary_file is None or not request:
            raise typer.BadParameter("give SUMMARY_FILE and at least one --request (or --batch IN.jsonl)")
        try:
            text = _read_text(summary_file)
        except ValueError as exc:
            _fail(exc)
    results = _check_in_time(text, request, day, time_limit, str(summary_file or "check"))
    if as_json:
        doc = {"results": [r.model_dump(mode="json") for r in results]}
        if summary_file is not None and summary_file.suffix.lower() in (".yaml", ".yml", ".json"):
            doc["summary"] = text  # the rendered form: evidence offsets point into it
        _dump(doc)
    else:
        for r in results:
            _print_result(r)


def _structured(path: Path, extra_requests: list[str], day):
    """Read a structured request file; returns (rendered summary, requests, as-of date)."""
    import yaml
    from pydantic import ValidationError

    from .structured import PreSubmission, render_summary

    try:
        raw = yaml.load(_read_text(path), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        form = PreSubmission.model_validate(raw)
    except (ValueError, yaml.YAMLError, ValidationError) as exc:
        msg = str(exc)
        if isinstance(exc, ValidationError):
            e = exc.errors()[0]
            msg = f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"
        _fail(f"{path}: {msg}")
    summary = render_summary(form)
    return summary, list(form.requests) + list(extra_requests), day or form.request_date


def _check_in_time(text: str, requests: list[str], day, seconds: float, where: str) -> list:
    """Check each request against the note, within ``seconds`` in all (exit 1 past it)."""
    from .batch import with_time_limit
    from .predict import default_checker

    checker = default_checker()

    def timed_out(_where: str, message: str) -> NoReturn:
        _fail(message)

    return with_time_limit(lambda _w: [checker.check(text, r, as_of=day) for r in requests], where, seconds, timed_out)


def _check_batch(path: Path, as_json: bool, workers: Optional[int] = None, time_limit: float = 30.0) -> int:
    """One output line per input line, in order, on a process pool; errors in place."""
    from .batch import check_record, check_timeout, map_paths
    from .inputs import InputError, open_lines

    try:
        fh = open_lines(path)
    except InputError as exc:
        err.print(f"[red]error[/red] {exc}", highlight=False)
        return 1
    n = failed = 0
    with fh:
        records = (f"{path}:{lineno}\t{line}" for lineno, line in enumerate(fh, 1) if line.strip())
        try:
            for out_rec in map_paths(check_record, records, workers=workers, on_timeout=check_timeout,
                                     time_limit=time_limit):
                n += 1
                failed += out_rec["error"] is not None
                _dump(out_rec)
        except UnicodeDecodeError as exc:  # a byte the encoding read at the start does not allow, further on
            err.print(f"[red]error[/red] {path}: not {fh.encoding} text further on ({exc.reason}); "
                      "lines after it were not checked", highlight=False)
            return 1
    err.print(f"{n} lines: {n - failed} checked, {failed} errors")
    return 1 if failed else 0


@app.command()
def evaluate(paths: list[Path] = typer.Argument(..., help="Letters or folders of letters (PDF, .txt)"),
             as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the scores and every result"),
             jsonl: bool = typer.Option(False, "--jsonl", help="Stream one JSON line per item (and per failed letter), then a summary line"),
             show_all: bool = typer.Option(False, "--all", help="List every scored item, not only the misses"),
             workers: Optional[int] = workers_option(), time_limit: float = time_limit_option(),
             rules: Optional[Path] = rules_option()) -> None:
    """Predict every disputed item from its case summary and score against the real outcome."""
    from .evaluate import iter_evaluations, iter_letter_paths, summarize

    _preflight()
    stream = iter_evaluations(paths, workers=workers, time_limit=time_limit)
    if jsonl:
        from .evaluate import Scorer

        scorer, letters, failed, n_items = Scorer(), 0, 0, 0
        for o in stream:
            letters += 1
            if o.error:
                failed += 1
                _dump({"type": "error", "path": o.path, "error": o.error})
            for i in o.items:
                n_items += 1
                _dump({"type": "item", **i.model_dump()})
                scorer.add(i)
        summary = {"type": "summary", "letters": letters, "letters_parsed": letters - failed, "items": n_items, **scorer.report()}
        _dump(summary)
        err.print(f"letters {letters} = parsed {letters - failed} + failed {failed}; items {n_items} = scored "
                  f"{summary['scored']} + in scope with no rule {summary['in_scope_no_rule']} + out of scope "
                  f"{n_items - summary['scored'] - summary['in_scope_no_rule']}")
        raise typer.Exit(1 if failed else 0)
    if as_json:
        report = summarize(list(stream))
        _dump(report)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        outcomes = []
        with Progress(TextColumn("letters"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, transient=True) as prog:
            task = prog.add_task("letters", total=len(list(iter_letter_paths(paths))))
            for o in stream:
                outcomes.append(o)
                prog.advance(task)
        report = summarize(outcomes)
        _print_report(report, show_all)
    raise typer.Exit(1 if report["errors"] else 0)


def _fmt(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _print_report(report: dict, show_all: bool) -> None:
    t = Table(title="Scored items" + ("" if show_all else ": the misses"))
    for col in ("letter", "#", "request", "actual", "predicted", "cited", "reviewer", "rules"):
        t.add_column(col, overflow="fold")
    for r in report["results"]:
        if r["predicted"] is None or (not show_all and r["predicted"] == r["actual"]):
            continue
        mark = "" if r["predicted"] == r["actual"] else "[red]"
        t.add_row(r["letter"], str(r["item"]), r["request"][:70], r["actual"], f"{mark}{r['predicted']}",
                  r["cited"] or "", r["actual_guideline"], ", ".join(r["rules"])[:80])
    if t.row_count:
        out.print(t)
    c = report["confusion"]
    failed = report["letters"] - report["letters_parsed"]
    out.print(f"letters {report['letters']} = parsed {report['letters_parsed']} + failed {failed}; "
              f"items {report['items']} = scored {report['scored']} + in scope with no rule {report['in_scope_no_rule']} "
              f"+ out of scope {report['items'] - report['scored'] - report['in_scope_no_rule']}")
    out.print(f"accuracy {_fmt(report['accuracy'])}  balanced accuracy {_fmt(report['balanced_accuracy'])}  "
              f"recall upheld {_fmt(report['recall']['Upheld'])} overturned {_fmt(report['recall']['Overturned'])}  "
              f"citation agreement {_fmt(report['citation_agreement'])}")
    out.print(f"confusion (actual -> predicted): Upheld {c['Upheld']}, Overturned {c['Overturned']}")
    for cat, s in report["by_category"].items():
        if s["scored"]:
            out.print(f"  {cat}: {s['items']} items, {s['scored']} scored, accuracy {_fmt(s['accuracy'])}, "
                      f"balanced {_fmt(s['balanced_accuracy'])}")
    kinds = report.get("out_of_scope_kinds") or {}
    if kinds:
        shown = [f"{k} ({n})" if n > 1 else k for k, n in list(kinds.items())[:12]]
        more = f"; and {len(kinds) - 12} more kinds" if len(kinds) > 12 else ""
        out.print(f"out of scope, by kind: {'; '.join(shown)}{more}")
    for e in report["errors"]:
        err.print(f"[red]error[/red] {e['error']}")


@app.command()
def why(letter: Path = typer.Argument(..., help="An IMR letter (PDF or text)"),
        item: Optional[int] = typer.Option(None, "--item", help="Only item N (1-based)"),
        as_json: bool = typer.Option(False, "--json", help="Print JSON. Offsets index the letter's source text: a text "
                                     "letter's file as given (characters, blank lines included); for a PDF the text "
                                     "that `imrcheck parse --json` prints as `text`."),
        rules: Optional[Path] = rules_option()) -> None:
    """Why was this denied? Each disputed item: the reviewer's outcome and reason beside ours, every criterion
    met, not met or not documented, and the evidence quoted from the letter."""
    from .explain import explain_letter, load_reason_titles, load_reviewer_reasons
    from .letters import LetterError, parse_letter

    try:
        parsed = parse_letter(letter)
    except LetterError as exc:
        _fail(exc)
    labels = load_reviewer_reasons()
    expl = explain_letter(parsed, item=item, labels=labels, titles=load_reason_titles())
    if item is not None and not expl:
        err.print(f"[red]error[/red] {letter}: no item {item} (the letter has {len(parsed.items)})")
        raise typer.Exit(2)
    if as_json:
        _dump({"letter": str(letter), "case_number": parsed.case_number, "offsets": "source text",
               "items": [e.model_dump(mode="json") for e in expl]})
        return
    from rich.text import Text

    from .why_text import render_item, sentences_of

    sentences = sentences_of(parsed)
    for k, e in enumerate(expl):
        out.print(Text(("\n" if k else "") + render_item(e, parsed, sentences)), soft_wrap=True)


# ----------------------------------------------------------------------------------------------------------------
@rules_app.command("list")
def rules_list(as_json: bool = typer.Option(False, "--json"), rules: Optional[Path] = rules_option()) -> None:
    """List the rules of the catalog."""
    from .rules import default_rules

    rules = default_rules()
    if as_json:
        _dump({"rules": [r.model_dump(mode="json", by_alias=True, exclude={"tests"}) for r in rules]})
        return
    t = Table(title=f"{len(rules)} rules")
    for col in ("id", "modalities", "regions", "effect", "source"):
        t.add_column(col, overflow="fold")
    for r in rules:
        t.add_row(r.id, ",".join(r.applies_to.modalities), ",".join(r.applies_to.regions), r.effect,
                  f"{r.citation.source} {r.citation.section} {r.citation.table} {r.citation.page}".strip())
    out.print(t)


@rules_app.command("show")
def rules_show(rule_id: str, rules: Optional[Path] = rules_option()) -> None:
    """Show one rule in full."""
    import yaml

    from .rules import default_rules

    for r in default_rules():
        if r.id == rule_id:
            out.print(f"[bold]{r.id}[/bold]  ({r.file}:{r.line})")
            out.print(yaml.dump(r.model_dump(mode="json", by_alias=True, exclude={"file", "line"}, exclude_none=True),
                                Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, allow_unicode=True))
            return
    _fail(f"no rule {rule_id!r}")


@rules_app.command("schema")
def rules_schema() -> None:
    """Print the JSON Schema of a rule file (for editors)."""
    from .rules import RuleFile

    _dump(RuleFile.model_json_schema(by_alias=True))


@rules_app.command("docs")
def rules_docs(out_dir: Path = typer.Option(Path(__file__).resolve().parent.parent / "docs" / "rules", "--out", help="Output folder"),
               rules: Optional[Path] = rules_option()) -> None:
    """Generate one Markdown page per rule (criterion, source, examples, what to document)."""
    from .ruledocs import write

    n = write(out_dir)
    out.print(f"wrote {n} pages to {out_dir}")


@rules_app.command("lint")
def rules_lint(rules_dir: Optional[Path] = rules_option("--dir", "--rules")) -> None:
    """Check the rule files: syntax and schema with file:line, duplicate ids, unknown facts, rules that cannot fire."""
    from .lint import lint

    problems = lint(rules_dir)
    for p in problems:
        typer.echo(p, err=True)
    out.print(f"{len(problems)} problem(s)")
    raise typer.Exit(1 if problems else 0)


@rules_app.command("test")
def rules_test(rules_dir: Optional[Path] = rules_option("--dir", "--rules")) -> None:
    """Run the example cases written beside each rule."""
    from .lint import run_rule_tests

    failures, total = run_rule_tests(rules_dir)
    for f in failures:
        typer.echo(f"FAIL {f}", err=True)
    out.print(f"{total - len(failures)} passed, {len(failures)} failed")
    raise typer.Exit(1 if failures else 0)


@app.command()
def audit(paths: list[Path] = typer.Argument(..., help="Letters or folders of letters (PDF, .txt)"),
          html_out: Optional[Path] = typer.Option(None, "--html", help="Write a self-contained HTML report (charts, sortable tables, links to every letter)"),
          as_json: bool = typer.Option(False, "--json", help="Print the audit as one JSON object: letters, items, findings, rates, agreement, errors"),
          csv_dir: Optional[Path] = typer.Option(None, "--csv", help="Write one CSV per finding type, rates.csv and agreement.csv into this folder"),
          workers: Optional[int] = workers_option(), time_limit: float = time_limit_option(),
          rules: Optional[Path] = rules_option()) -> None:
    """Audit letters for consistency: outcome rates, rule-contrary decisions, similar cases decided differently,
    guideline citations and agreement with our criteria."""
    from .audit import make_progress, print_summary, run_audit, write_csv
    from .evaluate import iter_letter_paths
    from .report_html import render_html

    if html_out is not None and html_out.is_dir():
        raise typer.BadParameter(f"{html_out} is a folder; give a file name", param_hint="--html")
    if csv_dir is not None and csv_dir.exists() and not csv_dir.is_dir():
        raise typer.BadParameter(f"{csv_dir} is a file; give a folder", param_hint="--csv")
    total = len(list(iter_letter_paths(paths)))
    if total == 0:
        raise typer.BadParameter("no letters (.pdf, .txt) found", param_hint="PATHS")
    if sys.stderr.isatty():
        with make_progress(err) as prog:
            task = prog.add_task("audit", total=total)
            report, acc = run_audit(paths, workers=workers, time_limit=time_limit, progress=lambda o: prog.advance(task))
    else:
        report, acc = run_audit(paths, workers=workers, time_limit=time_limit)
    shown, index = report, acc.index()
    if _STATE["redact"] and (html_out is not None or csv_dir is not None):
        from .redact import redact

        shown, index = _redact_obj(report, redact), _redact_obj(index, redact)
    try:
        if html_out is not None:
            html_out.parent.mkdir(parents=True, exist_ok=True)
            html_out.write_text(render_html(shown, index, html_out), encoding="utf-8")
            err.print(f"HTML report: {html_out}")
        if csv_dir is not None:
            write_csv(shown, csv_dir)
            err.print(f"CSV files: {csv_dir}")
    except OSError as exc:
        _fail(f"cannot write: {exc}")
    if as_json:
        _dump(report)
    else:
        print_summary(report, out)
    from rich.markup import escape

    for e in report["errors"]:
        err.print(f"[red]error[/red] {escape(e['error'])}", highlight=False)
    raise typer.Exit(1 if report["errors"] else 0)


@app.command("reasons-eval")
def reasons_eval_cmd(paths: Optional[list[Path]] = typer.Argument(None, help="Letters or folders (default: ../shared/seeds and ../shared/corpus/dwc-2016 beside the checkout)"),
                     as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
                     labels: Optional[Path] = typer.Option(None, "--labels", help="Reason labels: a CSV file or a folder of them (default: every CSV in eval/reasons/)"),
                     notes: Optional[Path] = typer.Option(None, "--notes", help="Folder of clinic-note YAML files (default: eval/notes)"),
                     workers: Optional[int] = workers_option(), rules: Optional[Path] = rules_option()) -> None:
    """Do our decisive criteria carry the reviewer's reasons? Agreement, right outcome for a wrong reason,
    per-reason precision and recall, and confusions, on the labelled letters and the clinic notes."""
    from .reasons import NOTES_DIR, ReasonsError, reasons_eval

    _preflight()
    if not paths:
        shared = Path(__file__).resolve().parent.parent.parent / "shared"
        paths = [shared / "seeds", shared / "corpus" / "dwc-2016"]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _fail(f"not found: {', '.join(missing)} (give the letters' folders as arguments)")
    try:
        report = reasons_eval(paths, labels, notes or NOTES_DIR, workers=workers)
    except ReasonsError as exc:
        _fail(exc)
    if as_json:
        _dump(report)
        return
    from .reasons import title

    t = Table(title="Reason agreement by split")
    for col in ("split", "labelled", "scored", "outcome accuracy", "reason agreement", "primary reason agrees",
                "right outcome, wrong reason"):
        t.add_column(col)
    for name, s in report["splits"].items():
        t.add_row(name, str(s["labelled"]), str(s["scored"]), _fmt(s["outcome_accuracy"]), _fmt(s["reason_agreement"]),
                  _fmt(s["primary_agreement"]), f"{s['right_outcome_wrong_reason']} ({_fmt(s['right_outcome_wrong_reason_share'])})")
    out.print(t)
    c = Table(title="Reason agreement by category (letters)")
    for col in ("category", "labelled", "scored", "outcome accuracy", "reason agreement", "primary reason agrees",
                "right outcome, wrong reason"):
        c.add_column(col)
    for name, s in report.get("categories", {}).items():
        c.add_row(name, str(s["labelled"]), str(s["scored"]), _fmt(s["outcome_accuracy"]), _fmt(s["reason_agreement"]),
                  _fmt(s["primary_agreement"]), f"{s['right_outcome_wrong_reason']} ({_fmt(s['right_outcome_wrong_reason_share'])})")
    if c.row_count:
        out.print(c)
    r = Table(title="Per reason (letters)")
    for col in ("reason", "reviewer gave", "we gave", "precision", "recall"):
        r.add_column(col)
    for code, v in sorted(report["by_reason"].items(), key=lambda kv: -kv[1]["support"]):
        r.add_row(f"{v['title']} ({code})", str(v["support"]), str(v["predicted"]), _fmt(v["precision"]), _fmt(v["recall"]))
    out.print(r)
    out.print("Most frequent confusions (reviewer's reason -> ours instead):")
    for code, lst in list(report["confusions"].items())[:10]:
        out.print(f"  {title(code)}: " + ", ".join(f"{title(o)} x{k}" for o, k in lst[:4]))
    out.print(f"letters: labelled {report['labelled']}, scored {report['scored']}, reason agreement "
              f"{_fmt(report['reason_agreement'])}, right outcome for a wrong reason {report['right_outcome_wrong_reason']}")


@app.command()
def serve(host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (default: this machine only)"),
          port: int = typer.Option(8000, "--port", help="TCP port"),
          workers: int = typer.Option(1, "--workers", help="Worker processes (each loads the rules once)", min=1)) -> None:
    """Start the web page (/), the JSON API (/api/check, docs at /docs) and the CDS Hooks service (/cds-services)."""
    from .service.app import serve as run_server
    from .service.settings import SettingsError

    _preflight()
    try:
        run_server(host=host, port=port, workers=workers)
    except SettingsError as exc:
        _fail(exc)


def main() -> None:
    import os

    # pydantic looks for plugins in every installed distribution's entry points (tens of ms at start-up);
    # the command line has none. A value set by the user wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    run(app)


if __name__ == "__main__":
    main()
