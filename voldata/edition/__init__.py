"""The annual edition.

Modules, each with one job:

* :mod:`~voldata.edition.parameters`: the edition's parameters, defined and checked once;
* :mod:`~voldata.edition.chapter`: what a chapter notebook opens (``open_chapter``);
* :mod:`~voldata.edition.output`: prose, tables and figures as a chapter shows and publishes them;
* :mod:`~voldata.edition.text`: Chinese number formatting and phrases for the chapters' sentences;
* :mod:`~voldata.edition.analysis`: grouped aggregates beyond the indicator suite;
* :mod:`~voldata.edition.shared`: the year's indicators, computed once for every chapter;
* :mod:`~voldata.edition.build`, :mod:`~voldata.edition.html`, :mod:`~voldata.edition.workbook`,
  :mod:`~voldata.edition.manifest`, :mod:`~voldata.edition.privacy`: the build and what it writes.

Only the parameters are imported here, so the build's processes start without
the notebooks' display and plotting libraries.
"""

from __future__ import annotations

from voldata.edition.parameters import CHAPTERS, PARAMETERS, ParameterError, validate_parameters

__all__ = ["CHAPTERS", "PARAMETERS", "ParameterError", "validate_parameters"]
