"""imrcheck: rule-based clinical criteria checker for California workers' compensation IMR."""

__version__ = "0.1.0"

__all__ = ["check", "__version__"]


def check(summary, request, as_of=None):
    """Predict the IMR outcome of ``request`` from a case summary; returns a ``checker.models.Result``."""
    from .predict import check as _check

    return _check(summary, request, as_of=as_of)
