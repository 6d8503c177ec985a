"""Normalise a disputed item's text (as an IMR letter words it) into a :class:`Request`.

Public API
----------
``normalize_request(text, as_of=None) -> Request``
    Never raises for any ``str``; everything is done with precompiled regular expressions.
``request_core(text) -> str``
    The request phrase inside an item heading (see "Long headings" below).

How the category is chosen
--------------------------
1. A drug dose (``10mg``, ``5%``, ``2 mcg``, ``5cc``, ``120 grams``...) makes the item a ``medication``
   whatever else it says ("Diazepam 5mg 1 hour before MRI" is a drug request).
2. Otherwise every *head word* is found: modality words (MRI, CT, x-ray, EMG, physical therapy,
   chiropractic...) and "other" heads (injection, surgery, DME, programs, labs/tests/exams,
   passive modalities, medications, consults to a physician). The **earliest** head decides the
   category; at the same position an "other" head wins ("manipulation under anesthesia"). An "other" head
   gives its own category: ``medication``, ``injection``, ``surgery``, ``equipment``, ``test``,
   ``consultation`` or ``program`` (:mod:`checker.requests.kinds`); with no head at all the item is ``other``.
   Heads preceded by ``post-``/``pre-`` are descriptions, not heads ("post-injection MRI").
   An imaging word used as guidance ("under fluoroscopic guidance", "ultrasound-guided") is not
   a head.
3. The modality within the winning category:
   imaging - arthrogram > myelogram > DEXA > bone scan (when bone scan *and* SPECT are named:
   "bone scan/SPECT" -> ``bone_scan``) > PET > SPECT > the earliest of MRI/CT/x-ray/ultrasound
   ("MRI/CT" -> ``mri``). "MRA" of a joint is read as an MR arthrogram, elsewhere as MRI.
   electrodiagnostic - EMG and NCS/NCV both named (or "electrodiagnostic") -> ``emg_ncs``.
   therapy - aquatic > work conditioning > the earliest of chiro/pt/ot/acupuncture/massage
   ("PT/OT" -> ``pt``; "chiropractic physiotherapy" -> ``chiro``).

Ambiguous cases (decisions)
---------------------------
* "manual therapy", "spinal manipulation", "chirophysio", "CMT" -> therapy/``chiro``: IMR reviewers
  judge them under MTUS "Manual therapy & manipulation". "therapeutic exercise" -> therapy/``pt``
  (MTUS "Physical medicine"). "Physical therapy evaluation" / "Chiropractic evaluation" -> therapy.
* Passive modalities given in the clinic are therapy with their own modality: ``e_stim``
  (electrical/muscle stimulation, EMS, NMES, interferential, galvanic), ``ultrasound_therapy``,
  ``infrared``, ``shockwave`` (ESWT), ``traction``, ``laser`` and ``heat_cold`` (hot/cold packs, ice,
  cryotherapy). Each has its own MTUS/ODG entry, not the physical-medicine visit limits. Named with a
  device, rental or purchase ("Cold compression therapy 30 day rental") they are ``equipment``,
  except traction and electrical stimulation (TENS, interferential): ACOEM Ch 12 judges traction wherever
  it is given, and the Chronic Pain guidelines judge a TENS or interferential unit by a one-month home
  trial (a *purchase* of a stimulator, which follows a successful trial, is ``equipment``). H-wave,
  biofeedback, thermography, iontophoresis, phonophoresis, paraffin, diathermy, whirlpool and
  vasopneumatic devices are ``equipment`` (biofeedback a ``program``).
  "Ultrasound" is *therapeutic* when it is called therapy/treatment or comes with a therapy schedule
  ("Ultrasound 1 times 8") and is not called diagnostic; otherwise it is diagnostic imaging
  ("ultrasound of the shoulder").
* Programs and levels of care (acute inpatient rehabilitation, SNF, functional restoration,
  home aide, gym/pool membership) are ``program`` even when they mention PT/OT: the question the
  reviewer answers is the level of care, not a visit count.
* Consults, referrals and transfers of care to a *physician* ("TOC to ortho spine
  surgeon", "Neurology consult for EMG") are ``consultation``; a referral to a chiropractor/therapist/acupuncturist is
  that therapy ("Referral to chiropractor ... twice a week for 3 weeks" -> ``chiro``).
* "Electroencephalogram", "EKG", "SSEP"/evoked potentials are ``test`` (not EMG/NCS).
* A chest x-ray requested as a pre-op "lab" is imaging (region ``chest``): the "Labs to include:"
  prefix is dropped.
* Regions: "total/whole/entire spine" and a bare "spine"/"spinal" with no level -> ``["spine"]``
  (not expanded to three regions); a bare "back" -> ``lumbar``; "groin" -> ``hip``; spinal levels
  (``L4-5``, ``C5-6``, ``T12``) give the region. For electrodiagnostic requests a named limb joint adds
  the limb (hand/wrist/elbow/shoulder -> ``upper_extremity``; hip/knee/ankle/foot -> ``lower_extremity``).
* Laterality: "bilateral", "both knees", plural paired parts ("knees", "upper extremities"), or
  both "left" and right" named (even for different parts) -> ``bilateral``.
* Contrast is only read for imaging.
* Counts: explicit sessions ("Twelve sessions", "(8 sessions)", "#6", "x 12", "(6)") win over
  frequency x weeks; ranges use the upper bound ("2-3 times a week for 6-8 weeks" -> 3/week,
  8 weeks); "2x4", "2 times 8", "2x4 weeks" mean 2 a week for 4/8 weeks ("3x week x 4 weeks": 3 a
  week for 4); months count as 4 weeks. For drugs only ``quantity`` (``#60``) is read. For non-therapy
  items a bare count ("#2", "times 3", "One (1)", "QTY:1.00", a trailing ", 2") is the ``quantity``.
* ``repeat`` is also set for therapy asked as "additional/continued/further" care (prior care was
  given), besides "repeat/follow-up/updated/new/second MRI".
* ``retrospective_date``: the first date in the request (a date after "DOS"/"date of service" is
  preferred); "between 8/5/2013 and 10/20/2013" -> 2013-08-05. Two-digit years are 20yy (19yy when
  that would be after ``as_of``); a month/day without a year after "DOS" needs ``as_of``.

Speed
-----
About 40 microseconds per request (Python 3.11): head words and regions are two alternations of
named groups tried at word starts only, on a lower-cased copy of the text (so a failing alternative
is skipped on its first character), plus a short one for case-sensitive abbreviations; the other
patterns run only when a cheap substring test says they can match.

Modules
-------
``text`` (clean-up, number words, dates), ``heads`` (head words, regions, laterality, contrast, flags), ``counts``
(sessions, frequency, weeks, quantity), ``core`` (``normalize_request``), ``kinds`` (the categories beyond imaging,
electrodiagnostic and therapy) and one module per category: ``medications``, ``injections``, ``equipment``,
``testing``, ``consultations``, ``programs``, ``surgery``. A category module sets the modality its criteria name
(``None``: no criteria, reported out of scope with its kind), a kind for the reader and its own attributes.

Long headings
-------------
Modified requests are worded "X was the original request. ... The remaining IMR eligible portion of
the original request, Y is: Upheld". :func:`request_core` keeps X (the original request: the
guideline limits apply to the whole course), or Y when no original request is given. A trailing
": Upheld"/": Overturned" and a "Labs to include:"/"Associated surgical service:" prefix are removed.
"""
from __future__ import annotations

from .core import HOME_DEVICE_MODALITIES, PASSIVE_MODALITIES, normalize_request
from .kinds import BASE_CATEGORIES, CATEGORIES, CATEGORY_MODULES
from .text import request_core

__all__ = ["normalize_request", "request_core", "PASSIVE_MODALITIES", "HOME_DEVICE_MODALITIES", "CATEGORIES",
           "BASE_CATEGORIES", "CATEGORY_MODULES"]
