"""imrcheck: rule-based clinical criteria checker for California workers' compensation IMR."""

__version__ = "0.1.0"
