"""Bad parameters stop a chapter or the build before any work, with a message naming the problem."""

import json

import pandas as pd
import pytest

from voldata import paths
from voldata.cli import main
from voldata.edition import ParameterError, open_chapter, validate_parameters

SAMPLE_YEAR = 2020  # the sample store (conftest.py) covers 2019–2020


def test_defaults_resolve(sample_store):
    resolved = validate_parameters(year=SAMPLE_YEAR, store=str(sample_store))
    assert resolved["store"] == sample_store
    assert resolved["output_dir"] == paths.REPORTS_DIR / "notebooks" / str(SAMPLE_YEAR)
    assert resolved["population"] is None
    assert resolved["suppression_threshold"] == 10


def test_empty_store_means_the_demo_store(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "DEMO_DIR", tmp_path / "demo")  # as on a fresh checkout: no demo store yet
    with pytest.raises(ParameterError) as error:
        validate_parameters(year=SAMPLE_YEAR, store="")
    assert str(paths.DEMO_DIR / "store") in str(error.value) and "make demo-store" in str(error.value)


def test_year_not_in_store(sample_store):
    with pytest.raises(ParameterError, match=r"year 2031 is not in the store .*2019–2020"):
        validate_parameters(year=2031, store=sample_store)


def test_missing_store(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        validate_parameters(year=SAMPLE_YEAR, store=tmp_path / "nowhere")


def test_folder_that_is_not_a_store(tmp_path):
    with pytest.raises(ParameterError, match="not a voldata store"):
        validate_parameters(year=SAMPLE_YEAR, store=tmp_path)


@pytest.mark.parametrize("threshold", [0, -5, 1001, "10", 2.5, True])
def test_bad_threshold(sample_store, threshold):
    with pytest.raises(ParameterError, match="suppression_threshold"):
        validate_parameters(year=SAMPLE_YEAR, store=sample_store, suppression_threshold=threshold)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"language": "en"}, "language"),
        ({"featured_projects": 0}, "featured_projects"),
        ({"featured_projects": "5"}, "featured_projects"),
        ({"colour": 3}, "unknown parameter 'colour'"),
        ({"year": "2020"}, "year must be a whole number"),
    ],
)
def test_bad_chapter_parameters(sample_store, extra, message):
    parameters = {"year": SAMPLE_YEAR, "store": sample_store, **extra}
    with pytest.raises(ParameterError, match=message):
        validate_parameters(**parameters)


def test_population_table_is_checked(sample_store, tmp_path):
    bad = tmp_path / "population.csv"
    bad.write_text("district_code,population\n999999,5\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="unknown district codes"):
        validate_parameters(year=SAMPLE_YEAR, store=sample_store, population=bad)
    with pytest.raises(ParameterError, match="does not exist"):
        validate_parameters(year=SAMPLE_YEAR, store=sample_store, population=tmp_path / "none.csv")


def test_unknown_chapter(sample_store):
    with pytest.raises(ParameterError, match="unknown chapter"):
        open_chapter("06_epilogue", year=SAMPLE_YEAR, store=sample_store)


def test_demo_store_is_recognised(sample_store, tmp_path):
    chapter = open_chapter("01_general_report", year=SAMPLE_YEAR, store=sample_store, output_dir=tmp_path)
    assert chapter.is_demo
    assert (tmp_path / "figures").is_dir() and (tmp_path / "tables").is_dir()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "2031"], "year 2031 is not in the store"),
        (["--threshold", "0"], "suppression_threshold must be between 1 and 1000"),
        (["--jobs", "0"], "--jobs must be a whole number"),
    ],
)
def test_build_command_rejects_bad_configuration(sample_store, tmp_path, capsys, arguments, message):
    base = {"--year": str(SAMPLE_YEAR), "--store": str(sample_store), "--out": str(tmp_path / "out")}
    for flag, value in zip(arguments[::2], arguments[1::2]):
        base[flag] = value
    code = main(["build", *[item for pair in base.items() for item in pair]])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("voldata build: ") and message in captured.err
    assert "Traceback" not in captured.err
    assert not (tmp_path / "out").exists()  # nothing was done


def test_build_command_rejects_missing_store(tmp_path, capsys):
    code = main(["build", "--year", "2020", "--store", str(tmp_path / "none"), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def test_notebook_parameter_cells_hold_literals_only():
    import ast

    for path in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        tagged = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, path.name
        tree = ast.parse("".join(tagged[0]["source"]))
        names = set()
        for node in tree.body:
            assert isinstance(node, ast.Assign), f"{path.name}: only assignments in the parameters cell"
            ast.literal_eval(node.value)  # raises for anything but a literal
            names.add(node.targets[0].id)
        assert {"year", "store", "output_dir", "language", "suppression_threshold"} <= names, path.name
        index = notebook["cells"].index(tagged[0])
        assert "open_chapter(" in "".join(notebook["cells"][index + 1]["source"]), path.name


def test_notebooks_are_committed_without_outputs():
    for path in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


def test_chapters_use_the_builds_indicators_only_for_the_same_inputs(sample_store, tmp_path):
    from voldata.edition.chapter import indicator_cache_key, write_indicator_cache

    key = indicator_cache_key(sample_store, year=SAMPLE_YEAR, population=None)
    marker = {"registered_volunteers": -1}
    district = pd.DataFrame({"district_code": ["440103"], "registered_volunteers": [-1]})
    write_indicator_cache(tmp_path, key, marker, district)

    chapter = open_chapter("01_general_report", year=SAMPLE_YEAR, store=sample_store, output_dir=tmp_path)
    assert chapter.indicators == marker
    assert chapter.district_indicators["registered_volunteers"].tolist() == [-1]

    stale = {**key, "ingest_report_sha256": "0" * 64}  # the store was re-ingested since
    write_indicator_cache(tmp_path, stale, marker, district)
    fresh = open_chapter("01_general_report", year=SAMPLE_YEAR, store=sample_store, output_dir=tmp_path)
    assert fresh.indicators["registered_volunteers"] > 0
    assert len(fresh.district_indicators) == 11


def test_chapters_wait_for_the_indicators_the_build_is_computing(sample_store, tmp_path):
    import threading

    from voldata.edition.chapter import (
        clear_cache_pending,
        indicator_cache_key,
        mark_cache_pending,
        read_indicator_cache,
        write_indicator_cache,
    )

    key = indicator_cache_key(sample_store, year=SAMPLE_YEAR, population=None)
    marker = {"registered_volunteers": -1}
    district = pd.DataFrame({"district_code": ["440103"], "registered_volunteers": [-1]})
    mark_cache_pending(tmp_path)
    assert read_indicator_cache(tmp_path, key, timeout=0.2) is None  # still pending, nothing written yet

    def build_finishes():
        write_indicator_cache(tmp_path, key, marker, district)
        clear_cache_pending(tmp_path)

    timer = threading.Timer(0.3, build_finishes)
    timer.start()
    chapter = open_chapter("01_general_report", year=SAMPLE_YEAR, store=sample_store, output_dir=tmp_path)
    assert chapter.indicators == marker
    timer.join()
