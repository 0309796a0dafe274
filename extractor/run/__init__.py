"""Batch runs: inputs, manifest, worker processes or a Dask cluster, atomic outputs."""
