"""Spreadsheet cells that are safe to open: no text a spreadsheet program runs as a formula.

Excel and LibreOffice read a cell that begins with `=`, `+`, `-` or `@` as a formula (and a
leading tab or carriage return can hide one), so a name or a quote from an article could run
in the reader's spreadsheet. Chinese input methods type the full-width forms (＝ ＋ － ＠),
which Excel in a Chinese locale also accepts as the start of a formula, so they are treated
alike. Every exporter of CSV or XLSX passes each cell through `neutralize_cell`.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralize_cell(value):
    """Return `value` safe for a spreadsheet cell.

    Text that begins like a formula gets a leading apostrophe, which spreadsheets read as
    "this is text". Numbers, dates and None pass through unchanged: they are not formulas.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
