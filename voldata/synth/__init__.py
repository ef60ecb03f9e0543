"""Seeded demo platform exports for voldata: every table of the data contract, at any scale.

No real data is needed to run the notebooks, tests and benchmarks: :func:`generate`
writes Chinese-headed CSV and XLSX exports, marked 示例数据, that go through the
real loaders (``voldata ingest``). Optionally it injects realistic faults and lists
them in ``faults.csv``.
"""

from __future__ import annotations

from voldata.synth.generator import DEMO_MARK, FAULTS_FILE, SUMMARY_FILE, generate

__all__ = ["generate", "SUMMARY_FILE", "FAULTS_FILE", "DEMO_MARK"]
