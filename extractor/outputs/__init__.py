"""What a reviewer opens: the studies table, the workbook, the HTML report, annotation-tool files, and a finished batch
read back (the CSVs themselves are written by ``extractor.run.writer``)."""
