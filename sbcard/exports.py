"""Spreadsheet and CSV exports: a cell that starts like a formula is written as text (SECURITY.md 17)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Excel, WPS and LibreOffice run a cell starting with = + - @ (or tab, CR) as a formula: prefix a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
