r"""Fact extractor: clinical case summary -> list of :class:`checker.models.Fact`.

Design (decided by measurement, see ``benchmarks/bench_facts.py``)
------------------------------------------------------------------
The extractor is a ConText-style (Harkema et al. 2009, the algorithm behind
medspaCy's ``ConTextComponent``) rule system written directly over regular
expressions; the lexicon, the trigger lists and all options are data in
``checker/lexicon/lexicon.yaml``, loaded and compiled once per process.

Why not the medspaCy pipeline itself?  Measured on this machine, pinned to one
core, on 60 case summaries of the 2016 corpus (mean 1.5 KB; script in the
report, numbers per summary):

* ``spacy.blank("en")`` tokenizer alone: 1.4 ms;
* ``medspacy.load()`` default pipeline (PyRuSH sentences + empty TargetMatcher
  + default ConText): 32.7 ms;
* blank pipeline + sentencizer + TargetMatcher with this lexicon's 352 regex
  target rules + ConText with its 197 trigger/termination rules: 63.9 ms;
* this module (same lexicon): ~1.9 ms, lexicon load + compile ~0.3-0.5 s
  (``benchmarks/bench_facts.py``: ~530 summaries/s on the 125 letters).

So medspaCy misses the 6.7 ms budget by 5-10x (its regex rules are matched one
by one over the whole text) and the tokenizer alone eats a fifth of it.

The default medspaCy ConText rules are also wrong for UR/IMR prose ("the
claims administrator denied a request for ..." negates whatever follows), so
the domain rules had to be written anyway.  What we keep from ConText is its
semantics: trigger phrases per category (negation, hypothetical, historical,
other experiencer, plus a domain ``request`` category for "request for",
"ordering", "was recommended"), forward and backward scopes bounded by the
sentence, termination phrases ("but", "however", ";", a new clause with its
own subject) and a word limit, and pseudo-triggers that cancel a trigger
("denied a request", "failed to approve", "non-certified").

Pipeline for one summary:

1. Normalise a copy of the text: every whitespace run -> one space, and a
   hyphen at a line end is joined to the next word; keep a segment map so
   every match maps back to exact offsets of the original text
   (``Evidence.quote == text[start:end]`` always holds).
2. Split sentences with one regex (full stop + space + capital/digit, not after
   an abbreviation).
3. Scan once (``_Scanner``): every pattern of every channel (each fact's
   targets and excludes, each trigger category and direction, pseudo and
   termination phrases, attribution cues) is indexed by the first two
   characters it can start with (computed from the parsed regex); the scanner
   visits only token starts and punctuation and tries only the patterns whose
   prefix fits.  Same matches as ``finditer`` over ``(?<!\w)(?:p1|p2|..)(?!\w)``,
   ~10x faster than letting ``re`` try every alternative at every position.
4. For every target match decide negated / hypothetical / historical /
   resolved / experiencer / request / reported from the triggers whose scope
   reaches it (a scope runs past its word limit over a coordinated list:
   "Denies fever, chills, ..., or history of cancer"), and from the note
   section it sits in ("Plan:", "FHx:", "PMH:", "HPI:"); then apply the fact's
   options (``request: drop|require|...``, ``invert``, ``speaker``, fixed
   flags) and its vocabulary class (``prior: true`` facts never come from a
   request, a plan or UR's decision) and compute its value (grade, sessions,
   age, pain, dates, weeks, purpose text, ...).
5. ``time``: resolved, past (historical), planned (a plan fact, or a request
   cue for ``request: hypothetical`` facts) or current.
6. ``asserted_by``: ``claims_administrator`` when the sentence reports what
   UR / the claims administrator did, ``reviewer`` for the reviewer's own
   comments, else ``patient`` inside a report cue ("the patient reports",
   "c/o", "denies") or a subjective section, else ``provider``.

Modules, one concern each: ``lexicon`` (loading and compiling lexicon.yaml), ``scanner`` (the prefix-indexed
multi-pattern scanner), ``text`` (whitespace normalisation with an offset map, sentence splitting), ``values``
(numbers, grades, dates, sessions), ``context`` (ConText triggers and their scopes, speaker) and ``extract``
(one summary -> facts), ``sections`` (note section headers and their scopes).
"""
from __future__ import annotations

from .extract import extract_facts, regions_named
from .lexicon import LEXICON_PATH, VOCABULARY_PATH, LexiconError, _compiled, _load_lexicon, load_lexicon

__all__ = ["extract_facts", "load_lexicon", "LEXICON_PATH", "VOCABULARY_PATH", "LexiconError", "regions_named"]
