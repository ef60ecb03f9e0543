"""The indicator suite on Spark: the same narwhals code on PySpark DataFrames gives the Polars figures.

One local session serves every test (``spark_session``); the stores are the
hand-made fixture store and a small demo store from the real generator and ingest.
"""

from __future__ import annotations

import json
import math
import sys

import pandas.testing as pdt
import pytest
from test_indicators import _actual_city, _expected_city

from voldata import indicators, store
from voldata import spark as voldata_spark
from voldata.cli import main
from voldata.indicators import city_indicators, district_indicators
from voldata.indicators._engine import Context, as_context

TOLERANCE = 1e-9


def assert_same_city(spark_values: dict, polars_values: dict) -> None:
    assert spark_values.keys() == polars_values.keys()
    for key, expected in polars_values.items():
        actual = spark_values[key]
        if isinstance(expected, float) and isinstance(actual, (int, float)):
            assert math.isclose(actual, expected, rel_tol=TOLERANCE, abs_tol=1e-12), key
        else:
            assert actual == expected, key


@pytest.fixture(scope="module")
def spark_tables(spark_session, fixture_store):
    """The fixture store on Spark, as one context: its aggregates are computed once for the module."""
    return Context(store.tables(str(fixture_store), engine="spark"))


@pytest.mark.parametrize("year", [2020, 2021])  # 2020 with growth on 2019; 2021 without records
def test_city_and_district_equal_polars(spark_tables, fixture_store, year):
    polars_tables = store.tables(fixture_store)
    assert_same_city(city_indicators(spark_tables, year=year), city_indicators(polars_tables, year=year))
    pdt.assert_frame_equal(
        district_indicators(spark_tables, year=year), district_indicators(polars_tables, year=year), rtol=TOLERANCE
    )


def test_city_2020_equals_the_values_worked_out_by_hand(spark_tables):
    expected = _expected_city("expected_city_2020.csv")
    actual = _actual_city(city_indicators(spark_tables, year=2020), expected["id"])
    pdt.assert_frame_equal(actual, expected, rtol=1e-12)


@pytest.mark.parametrize("function", indicators.TABLE_FUNCTIONS)
def test_table_indicators_equal_polars(spark_tables, fixture_store, function):
    compute = getattr(indicators, function)
    expected = compute(store.tables(fixture_store), year=2020)
    pdt.assert_frame_equal(compute(spark_tables, year=2020), expected, rtol=TOLERANCE)


def test_monthly_series_equals_polars(spark_tables, fixture_store):
    expected = indicators.monthly_hours_series(store.tables(fixture_store))
    pdt.assert_frame_equal(indicators.monthly_hours_series(spark_tables), expected, rtol=TOLERANCE)


def test_demo_store_equals_polars(spark_session, synth_store):
    """Thousands of volunteers with ties in their hours: the median, Gini and civic core by rank sums."""
    spark_tables = store.tables(str(synth_store), engine="spark")
    polars_tables = store.tables(synth_store)
    spark_values = city_indicators(spark_tables, year=2020)
    assert spark_values["active_volunteers"] > 1000 and spark_values["hours_gini"] > 0
    assert_same_city(spark_values, city_indicators(polars_tables, year=2020))
    pdt.assert_frame_equal(
        district_indicators(spark_tables, year=2020), district_indicators(polars_tables, year=2020), rtol=TOLERANCE
    )


def test_store_read_by_uri_and_restricted_to_years(spark_session, fixture_store):
    uri = fixture_store.as_uri()  # file:///…: a URI, as hdfs:// and s3a:// stores are given
    assert voldata_spark.store_years(spark_session, uri) == [2019, 2020]
    records = store.tables(uri, engine="spark", years=[2020])["service_records"]
    assert records.count() == len(store.load("service_records", store=fixture_store, years=[2020]))
    assert "year" not in records.columns


def test_store_paths_are_joined_as_text():
    assert voldata_spark._join("s3a://bucket/stores/gz/", "teams") == "s3a://bucket/stores/gz/teams"
    assert voldata_spark._join("hdfs://namenode:8020/voldata", "service_records") == (
        "hdfs://namenode:8020/voldata/service_records"
    )


def test_a_store_folder_without_a_table_gives_an_empty_table(spark_session, tmp_path):
    (tmp_path / store.REPORT_FILE).write_text("{}", encoding="utf-8")
    teams = store.tables(str(tmp_path), engine="spark")["teams"]
    assert teams.count() == 0 and teams.columns == store.scan("teams", store=tmp_path).collect_schema().names()


def test_not_a_store(spark_session, tmp_path):
    with pytest.raises(FileNotFoundError, match="not a voldata store"):
        store.tables(str(tmp_path), engine="spark")


def test_shared_aggregates_stay_on_the_cluster_until_released(spark_session, fixture_store):
    ctx = as_context(store.tables(str(fixture_store), engine="spark"))
    native = ctx.volunteer_years().to_native()
    assert native.is_cached
    ctx.release()
    assert not native.is_cached


# -- the command ----------------------------------------------------------------
def _run(capsys, *argv):
    code = main(["indicators", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_gives_the_polars_json(capsys, spark_session, fixture_store):
    code, out, err = _run(capsys, "--year", "2020", "--store", str(fixture_store), "--engine", "spark")
    assert code == 0, err
    assert "starting Spark" in err
    code, polars_out, _ = _run(capsys, "--year", "2020", "--store", str(fixture_store))
    assert code == 0
    assert_same_city(json.loads(out), json.loads(polars_out))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--spark-master", "local[1]"], "need --engine spark"),
        (["--engine", "spark", "--spark-conf", "spark.driver.memory"], "is not KEY=VALUE"),
        (["--engine", "spark", "--year", "2018"], "year 2018 is not in store"),
    ],
)
def test_cli_user_errors(capsys, spark_session, fixture_store, argv, message):
    code, out, err = _run(capsys, "--year", "2020", "--store", str(fixture_store), *argv)
    assert code == 2 and out == ""
    assert err.splitlines()[-1].startswith("voldata indicators: ") and message in err


def test_cli_not_a_store(capsys, spark_session, tmp_path):
    code, _, err = _run(capsys, "--year", "2020", "--store", str(tmp_path), "--engine", "spark")
    assert code == 2 and "not a voldata store" in err


# -- without PySpark or Java: one line saying what to install ---------------------
def test_without_pyspark(capsys, monkeypatch, fixture_store):
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # import fails as if not installed
    code, out, err = _run(capsys, "--year", "2020", "--store", str(fixture_store), "--engine", "spark")
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == (
        "voldata indicators: PySpark is not installed; install it with: pip install 'voldata[spark]'"
    )


def test_without_java(monkeypatch, tmp_path, spark_session):
    from pyspark.sql import SparkSession

    monkeypatch.setattr(SparkSession, "getActiveSession", staticmethod(lambda: None))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(voldata_spark.SparkUnavailable, match=r"Java 17 .* apt-get install openjdk-17-jre-headless"):
        voldata_spark.session()


def test_spark_settings_are_key_value_pairs():
    assert voldata_spark.parse_conf(["spark.driver.memory=8g", "spark.sql.shuffle.partitions = 400"]) == {
        "spark.driver.memory": "8g",
        "spark.sql.shuffle.partitions": "400",
    }
    with pytest.raises(ValueError, match="KEY=VALUE"):
        voldata_spark.parse_conf(["=8g"])


def test_build_computes_the_shared_indicators_on_spark(spark_session, fixture_store, tmp_path):
    """`voldata build --engine spark`: the build's shared step gives the city indicators a Polars build
    publishes (the chapters read that file whatever the engine; executing them is the edition tests' job)."""
    from voldata.edition.build import compute_shared, validate_build
    from voldata.edition.shared import json_ready, read_indicators

    config = validate_build(year=2020, store=fixture_store, out=tmp_path / "out", engine="spark")
    city, indicators_file = compute_shared(config, tmp_path / "shared")
    expected = json.loads(json.dumps(json_ready(city_indicators(store.tables(fixture_store), year=2020))))
    assert_same_city(json.loads(json.dumps(city)), expected)
    assert read_indicators(indicators_file)[0] == city
    pdt.assert_frame_equal(
        read_indicators(indicators_file)[1],
        district_indicators(store.tables(fixture_store), year=2020),
        rtol=TOLERANCE,
    )


def test_build_refuses_spark_settings_without_the_spark_engine(fixture_store, tmp_path):
    from voldata.edition.build import validate_build
    from voldata.edition.parameters import ParameterError

    with pytest.raises(ParameterError, match="need --engine spark"):
        validate_build(year=2020, store=fixture_store, out=tmp_path, spark_master="local[1]")
    with pytest.raises(ParameterError, match="--engine must be one of polars, spark"):
        validate_build(year=2020, store=fixture_store, out=tmp_path, engine="pandas")
