"""``voldata indicators`` end to end on the hand-made store."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from voldata.cli import main


def _run(capsys, *argv):
    code = main(["indicators", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("engine", ["polars", "pandas"])
def test_city_json(capsys, fixture_store, engine):
    code, out, err = _run(capsys, "--year", "2020", "--store", str(fixture_store), "--engine", engine)
    assert code == 0, err
    values = json.loads(out)
    assert values["registered_volunteers"] == 7
    assert values["service_hours"] == 27.0
    assert values["registered_volunteers_yoy"] == 0.75


def test_district_csv(capsys, fixture_store):
    code, out, err = _run(capsys, "--year", "2020", "--store", str(fixture_store), "--by", "district")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), dtype={"district_code": str})
    assert len(table) == 11
    assert table.set_index("district_code").loc["440103", "active_volunteers"] == 2


def test_population_file(capsys, fixture_store, tmp_path):
    population = tmp_path / "population.csv"
    population.write_text("district_code,population\n440103,70000\n", encoding="utf-8")
    code, out, _ = _run(capsys, "--year", "2020", "--store", str(fixture_store), "--population", str(population))
    assert code == 0
    assert json.loads(out)["volunteers_per_10k"] == pytest.approx(1.0)  # 7 / 70,000 × 10,000


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--year", "2018"], "year 2018 is not in store"),
        (["--year", "2020", "--population", "/nonexistent/population.csv"], "population file"),
    ],
)
def test_user_errors(capsys, fixture_store, argv, message):
    code, out, err = _run(capsys, *argv, "--store", str(fixture_store))
    assert code == 2
    assert out == ""
    assert err.startswith("voldata indicators: ") and message in err


def test_not_a_store(capsys, tmp_path):
    code, _, err = _run(capsys, "--year", "2020", "--store", str(tmp_path))
    assert code == 2 and "not a voldata store" in err


def test_bad_population_table(capsys, fixture_store, tmp_path):
    population = tmp_path / "population.csv"
    population.write_text("district,people\n440103,1\n", encoding="utf-8")
    code, _, err = _run(capsys, "--year", "2020", "--store", str(fixture_store), "--population", str(population))
    assert code == 2 and "population table needs columns" in err
