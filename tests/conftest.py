"""Test session set-up: the on-disk cache of the catalog and lexicon goes to a fresh temporary folder, so the
tests exercise building and storing it and never read or write the user's cache."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

if "IMRCHECK_CACHE_DIR" not in os.environ:
    os.environ["IMRCHECK_CACHE_DIR"] = _dir = tempfile.mkdtemp(prefix="imrcheck-test-cache-")
    atexit.register(shutil.rmtree, _dir, ignore_errors=True)
