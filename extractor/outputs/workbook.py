"""The evidence table as a workbook reviewers open in Excel or LibreOffice:
sheet "studies" (one row per paper) and sheet "mentions" (one row per
mention), each study cell linked to the first mention row it was built from.

Cells are written as text values, never formulas (a cell starting with "="
stays a string), so nothing in a paper can run in the reviewer's spreadsheet.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from extractor.outputs.studies import DATA_COLUMNS, STUDY_COLUMNS
from extractor.run.writer import plain


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [{key: _raw(value) for key, value in row.items()} for row in csv.DictReader(handle)]


def _raw(value: str | None) -> str:
    """The cell text without the CSV's spreadsheet-safety apostrophe (openpyxl
    writes strings as strings, never as formulas)."""
    return plain(value or "")


def _text_cell(sheet, row: int, column: int, value: str):
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    cell.data_type = "s"  # a string even when it starts with "="
    return cell


def write_workbook(mentions_csv: Path, studies_csv: Path, target: Path) -> int:
    """Write ``target`` (.xlsx) from a batch's mentions and studies CSVs; returns the studies count."""
    mentions = _read(mentions_csv)
    studies = _read(studies_csv)
    book = Workbook()
    study_sheet = book.active
    if not isinstance(study_sheet, Worksheet):  # a new workbook has one worksheet; the stubs allow None
        raise TypeError("openpyxl made a workbook without a worksheet")
    study_sheet.title = "studies"
    mention_sheet = book.create_sheet("mentions")
    mention_columns = list(mentions[0].keys()) if mentions else ["doc_id", "field", "text", "start", "end"]
    row_of: dict[tuple[str, str], int] = {}
    for k, name in enumerate(mention_columns, start=1):
        _text_cell(mention_sheet, 1, k, name).font = Font(bold=True)
    for r, mention in enumerate(mentions, start=2):
        row_of.setdefault((mention["doc_id"], f"{mention['start']}-{mention['end']}"), r)
        for k, name in enumerate(mention_columns, start=1):
            _text_cell(mention_sheet, r, k, mention.get(name, ""))
    for k, name in enumerate(STUDY_COLUMNS, start=1):
        _text_cell(study_sheet, 1, k, name).font = Font(bold=True)
    for r, study in enumerate(studies, start=2):
        for k, name in enumerate(STUDY_COLUMNS, start=1):
            cell = _text_cell(study_sheet, r, k, study.get(name, ""))
            if name in DATA_COLUMNS and study.get(name):
                evidence = [e.strip() for e in study.get(f"{name}_evidence", "").split(";") if e.strip()]
                target_row = next(
                    (row_of[(study["doc_id"], e)] for e in evidence if (study["doc_id"], e) in row_of), None
                )
                if target_row is not None:
                    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"mentions!A{target_row}")
                    cell.font = Font(color="0563C1", underline="single")
    for sheet, columns in ((study_sheet, STUDY_COLUMNS), (mention_sheet, mention_columns)):
        sheet.freeze_panes = "B2"
        for k in range(1, len(columns) + 1):
            sheet.column_dimensions[get_column_letter(k)].width = 18
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        book.save(tmp_name)
        os.replace(tmp_name, target)  # a reader never sees half a workbook
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return len(studies)
