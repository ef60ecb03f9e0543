"""Bad parameters stop a chapter or the build before any work, with a message naming the problem."""

import ast
import json

import pandas as pd
import pytest

from voldata import paths
from voldata.cli import main
from voldata.demo import is_demo_store
from voldata.edition.chapter import open_chapter
from voldata.edition.parameters import (
    CHAPTERS,
    ParameterError,
    chapter_parameters,
    parse_languages,
    validate_parameters,
)
from voldata.edition.shared import write_indicators

SAMPLE_YEAR = 2020  # the fixture store (conftest.py) covers 2019–2020


def test_defaults_resolve(fixture_store):
    resolved = validate_parameters(year=SAMPLE_YEAR, store=str(fixture_store))
    assert resolved["store"] == fixture_store
    assert resolved["output_dir"] == paths.REPORTS_DIR / "notebooks" / str(SAMPLE_YEAR)
    assert resolved["population"] is None
    assert resolved["suppression_threshold"] == 10


def test_empty_store_means_the_demo_store(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "DEMO_DIR", tmp_path / "demo")  # as on a fresh checkout: no demo store yet
    with pytest.raises(ParameterError) as error:
        validate_parameters(year=SAMPLE_YEAR, store="")
    assert str(paths.DEMO_DIR / "store") in str(error.value) and "make demo-store" in str(error.value)


def test_year_not_in_store(fixture_store):
    with pytest.raises(ParameterError, match=r"year 2031 is not in the store .*2019–2020"):
        validate_parameters(year=2031, store=fixture_store)


def test_missing_store(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        validate_parameters(year=SAMPLE_YEAR, store=tmp_path / "nowhere")


def test_folder_that_is_not_a_store(tmp_path):
    with pytest.raises(ParameterError, match="not a voldata store"):
        validate_parameters(year=SAMPLE_YEAR, store=tmp_path)


@pytest.mark.parametrize("threshold", [0, -5, 1001, "10", 2.5, True])
def test_bad_threshold(fixture_store, threshold):
    with pytest.raises(ParameterError, match="suppression_threshold"):
        validate_parameters(year=SAMPLE_YEAR, store=fixture_store, suppression_threshold=threshold)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"language": "fr"}, "language"),
        ({"featured_projects": 0}, "featured_projects"),
        ({"featured_projects": "5"}, "featured_projects"),
        ({"colour": 3}, "unknown parameter 'colour'"),
        ({"year": "2020"}, "year must be a whole number"),
    ],
)
def test_bad_chapter_parameters(fixture_store, extra, message):
    parameters = {"year": SAMPLE_YEAR, "store": fixture_store, **extra}
    with pytest.raises(ParameterError, match=message):
        validate_parameters(**parameters)


def test_population_table_is_checked(fixture_store, tmp_path):
    bad = tmp_path / "population.csv"
    bad.write_text("district_code,population\n999999,5\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="unknown district codes"):
        validate_parameters(year=SAMPLE_YEAR, store=fixture_store, population=bad)
    with pytest.raises(ParameterError, match="does not exist"):
        validate_parameters(year=SAMPLE_YEAR, store=fixture_store, population=tmp_path / "none.csv")


def test_unknown_chapter(fixture_store):
    with pytest.raises(ParameterError, match="unknown chapter"):
        open_chapter("06_epilogue", year=SAMPLE_YEAR, store=fixture_store)


def test_demo_store_is_recognised_by_its_file_names(fixture_store, tmp_path):
    chapter = open_chapter("01_general_report", year=SAMPLE_YEAR, store=fixture_store, output_dir=tmp_path)
    assert not chapter.is_demo
    assert (tmp_path / "figures").is_dir() and (tmp_path / "tables").is_dir()
    assert is_demo_store({"files": [{"file": "service_records/服务时长记录_2020_示例数据.csv"}]})
    assert not is_demo_store({"files": [{"file": "service_records_2020.csv"}]})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "2031"], "year 2031 is not in the store"),
        (["--threshold", "0"], "suppression_threshold must be between 1 and 1000"),
        (["--jobs", "0"], "--jobs must be a whole number"),
        (["--lang", "zh,fr"], "--lang must be languages among zh, en"),
        (["--lang", "en,en"], "--lang names a language twice"),
        (["--lang", ""], "--lang must be languages"),
        (["--licence", "GPL"], "--licence must be one of CC-BY-4.0"),
    ],
)
def test_build_command_rejects_bad_configuration(fixture_store, tmp_path, capsys, arguments, message):
    base = {"--year": str(SAMPLE_YEAR), "--store": str(fixture_store), "--out": str(tmp_path / "out")}
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


def test_notebook_parameters_are_the_defined_ones():
    """Each parameters cell declares exactly its chapter's parameters, with the defaults defined once."""
    for key in CHAPTERS:
        notebook = json.loads((paths.NOTEBOOKS_DIR / f"{key}.ipynb").read_text(encoding="utf-8"))
        cell = next(c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
        declared = {
            node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse("".join(cell["source"])).body
        }
        assert declared == chapter_parameters(key), key


def test_chapter_reads_the_indicators_file_it_is_given(fixture_store, tmp_path):
    marker = {"registered_volunteers": -1}
    district = pd.DataFrame({"district_code": ["440103"], "registered_volunteers": [-1]})
    path = write_indicators(tmp_path / "shared", marker, district)

    chapter = open_chapter(
        "01_general_report", year=SAMPLE_YEAR, store=fixture_store, output_dir=tmp_path, indicators_file=str(path)
    )
    assert chapter.indicators == marker
    assert chapter.district_indicators["registered_volunteers"].tolist() == [-1]

    computed = open_chapter("01_general_report", year=SAMPLE_YEAR, store=fixture_store, output_dir=tmp_path)
    assert computed.indicators["registered_volunteers"] > 0
    assert len(computed.district_indicators) == 11


def test_missing_indicators_file(fixture_store, tmp_path):
    with pytest.raises(ParameterError, match="indicators_file .* does not exist"):
        validate_parameters(year=SAMPLE_YEAR, store=fixture_store, indicators_file=str(tmp_path / "none.json"))


@pytest.mark.parametrize(("given", "languages"), [("zh", ("zh",)), ("en", ("en",)), ("en,zh", ("zh", "en"))])
def test_languages_of_a_build(given, languages):
    assert parse_languages(given) == languages
