"""On-disk cache of what every process would otherwise rebuild: the validated rule catalog and the compiled lexicon.

An entry is a pickle named by the SHA-256 of everything it was built from: the content (and relative path) of
every input file, the source of the modules that build and define the cached objects, the package version and
the Python version. Editing a rule file, the vocabulary, the reasons, the lexicon or the loader code therefore
makes a new key; a stale entry is never read.

The cache lives in the user's cache folder (platformdirs), ``IMRCHECK_CACHE_DIR`` overrides it and
``IMRCHECK_CACHE=0`` turns it off. It is only an accelerator: an unwritable folder, a corrupt or truncated
entry, or an object that no longer unpickles all fall back to building from the files, silently.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Optional, TypeVar

T = TypeVar("T")

_PKG = Path(__file__).resolve().parent
# modules whose code shapes the cached objects: a change to any of them is a new key
_SOURCES = ("rules.py", "facts", "requests", "models.py", "cache.py", "regex_cache.py")  # a folder: every module in it
_OFF = ("0", "off", "no", "false")
_KEEP = 8  # entries kept per kind (several rule folders in use, e.g. a test folder and the packaged one)


def cache_dir() -> Optional[Path]:
    """The cache folder, or None when caching is turned off."""
    if os.environ.get("IMRCHECK_CACHE", "1").strip().lower() in _OFF:
        return None
    override = os.environ.get("IMRCHECK_CACHE_DIR")
    if override:
        return Path(override)
    try:
        from platformdirs import user_cache_dir
    except ImportError:  # pragma: no cover - a dependency; be safe anyway
        return Path.home() / ".cache" / "imrcheck"
    return Path(user_cache_dir("imrcheck", appauthor=False))


def content_key(kind: str, files: Iterable[Path], base: Optional[Path] = None) -> str:
    """SHA-256 of the inputs' paths and bytes, the loader sources and the versions.

    The absolute ``base`` is part of the key too: the cached objects record the paths of their files.
    """
    from . import __version__

    h = hashlib.sha256()
    h.update(f"{kind}\0{__version__}\0{sys.version}\0{pickle.HIGHEST_PROTOCOL}\0{base}\0".encode())
    for name in _SOURCES:
        src = _PKG / name
        for f in sorted(src.glob("*.py")) if src.is_dir() else [src]:
            try:
                h.update(f.name.encode() + b"\0" + f.read_bytes())
            except OSError:  # pragma: no cover - installed without sources
                h.update(f.name.encode())
    for f in files:
        f = Path(f)
        h.update(b"\0file\0" + str(f).encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()


def cached(kind: str, files: Iterable[Path], build: Callable[[], T], base: Optional[Path] = None) -> T:
    """``build()``, or its pickled result from an earlier process with the same inputs.

    Errors raised by ``build`` (a broken rule file) propagate and nothing is stored. Reading the inputs for
    the key is left to ``build`` when it fails (missing file), so the caller's own error message is kept.
    """
    folder = cache_dir()
    if folder is None:
        return build()
    try:
        key = content_key(kind, files, base)
    except OSError:
        return build()
    path = folder / f"{kind}-{key[:40]}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - corrupt, truncated or from incompatible code: rebuild
        _remove(path)
    obj = build()
    _store(folder, kind, path, obj)
    return obj


def _store(folder: Path, kind: str, path: Path, obj) -> None:
    """Write atomically (temporary file, then rename); drop older entries of this kind. Never raises."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = _dumps(obj)
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            _remove(Path(tmp))
            raise
        others = sorted((q for q in folder.glob(f"{kind}-*.pickle") if q != path),
                        key=lambda q: q.stat().st_mtime, reverse=True)
        for old in others[_KEEP - 1:]:
            _remove(old)
    except Exception:  # noqa: BLE001 - read-only folder, full disk, unpicklable object: run uncached
        pass


def _dumps(obj) -> bytes:
    """Pickle, with compiled regular expressions stored as their generated code (``checker.regex_cache``):
    a plain pickle recompiles each one, with the pure-Python parser, when it is read back."""
    import io
    import re

    from .regex_cache import reduce_pattern

    class _Pickler(pickle.Pickler):
        def reducer_override(self, o):
            if type(o) is re.Pattern:
                return reduce_pattern(o)
            return NotImplemented

    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
