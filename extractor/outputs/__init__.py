"""What a run writes and reads back: the CSVs, the studies table, the workbook, the HTML report, annotation-tool files."""
