"""Reading exports (clvlib.data.io): encodings and transcoding, staging CSV/Parquet/XLSX in
DuckDB as raw columns with their 1-based data row number, and the errors a user can act on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from clvlib.config import CsvOptions, Source
from clvlib.data.io import (
    check_utf8,
    clean_header,
    drop_stage,
    needs_transcoding,
    read_excel,
    stage_source,
    suggest_encoding,
    transcode_to_utf8,
)
from clvlib.errors import DataError

POLISH = "Zażółć gęślą jaźń;ŁÓDŹ Świętokrzyskie\n"


def source(path: str, **csv) -> Source:
    return Source(path=Path(path), csv=CsvOptions(**csv))


def staged_rows(duck, raw) -> list[tuple]:
    cols = ", ".join(f'"{c}"' for c in raw.columns)
    return duck.execute(f"SELECT __row, {cols} FROM {raw.view} ORDER BY __row").fetchall()


# -- transcoding ------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2", "utf-16"])
@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_transcode_round_trips_across_chunk_boundaries(tmp_path, encoding, chunk):
    # 1- and 7-byte chunks split utf-16's two-byte units: the decoder must carry state over
    text = POLISH * 40
    src = tmp_path / "in.csv"
    src.write_bytes(text.encode(encoding))
    read = transcode_to_utf8(src, encoding, tmp_path / "out.csv", chunk_bytes=chunk)
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == text
    assert read == src.stat().st_size


def test_invalid_byte_names_offset_line_and_suggests_utf8(tmp_path):
    # UTF-8 'Ł' is C5 81; 0x81 is undefined in cp1250 -> a decode error at byte 14 on line 2
    src = tmp_path / "t.csv"
    src.write_bytes("a;b\nx;y\nŁódź;1\n".encode())
    assert "Ł".encode() == b"\xc5\x81"
    with pytest.raises(DataError) as info:
        transcode_to_utf8(src, "cp1250", tmp_path / "o.csv", chunk_bytes=3)
    message = str(info.value)
    assert str(src) in message
    assert "byte 0x81" in message and "byte offset 9, line 3" in message
    assert "csv.encoding: utf-8" in message


def test_utf8_file_declared_cp1250_is_detected_even_without_decode_errors(tmp_path):
    # 'żółć' in UTF-8 (C5 BC C3 B3 C5 82 C4 87) decodes in cp1250 without error as 'ĹĽĂłĹ‚Ä‡'
    src = tmp_path / "t.csv"
    src.write_bytes("klient;miasto\n1;żółć\n".encode())
    assert "żółć".encode().decode("cp1250") == "ĹĽĂłĹ‚Ä‡"
    with pytest.raises(DataError, match="declared as cp1250 but is UTF-8.*csv.encoding: utf-8"):
        transcode_to_utf8(src, "cp1250", tmp_path / "o.csv")


def test_ascii_file_declared_cp1250_is_fine(tmp_path):
    src = tmp_path / "t.csv"
    src.write_bytes(b"a;b\n1;2\n")
    transcode_to_utf8(src, "cp1250", tmp_path / "o.csv")
    assert (tmp_path / "o.csv").read_bytes() == b"a;b\n1;2\n"


def test_cp1250_file_declared_iso_8859_2_is_detected(tmp_path):
    # 'ś' is 0x9C in cp1250 but a C1 control code in ISO-8859-2 (where 'ś' is 0xB6)
    src = tmp_path / "t.csv"
    src.write_bytes("miasto\nŚwinoujście\n".encode("cp1250"))
    with pytest.raises(DataError, match="0x8c.*control code.*line 2.*csv.encoding: cp1250"):
        transcode_to_utf8(src, "iso-8859-2", tmp_path / "o.csv")


def test_check_utf8_points_at_cp1250_bytes(tmp_path):
    src = tmp_path / "t.csv"
    src.write_bytes("klient;miasto\n1;Kraków\n2;Łódź\n".encode("cp1250"))
    with pytest.raises(DataError) as info:
        check_utf8(src, chunk_bytes=5)
    # 'ó' (0xF3 in cp1250) is byte 20: 'klient;miasto\n' is 14 bytes, '1;Krak' 6 more
    assert "not valid UTF-8: byte 0xf3" in str(info.value)
    assert "byte offset 20, line 2" in str(info.value)
    assert "csv.encoding: cp1250" in str(info.value)


def test_suggest_encoding():
    assert suggest_encoding("Łódź".encode(), "cp1250") == "utf-8"
    assert suggest_encoding("Łódź".encode("cp1250"), "utf-8") == "cp1250"
    assert suggest_encoding(b"plain", "utf-8") is None


def test_needs_transcoding_uses_codec_names():
    assert not needs_transcoding("UTF8")
    assert not needs_transcoding("utf-8-sig")
    assert not needs_transcoding("ascii")
    assert needs_transcoding("windows-1250")
    assert needs_transcoding("ISO-8859-2")


def test_clean_header():
    assert clean_header("\ufeff Data zamówienia ") == "Data zamówienia"
    assert clean_header(2024) == "2024"


# -- staging CSV ------------------------------------------------------------------------------
def test_stage_cp1250_csv_as_text_with_row_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(" Miasto ;Kwota\r\nŁódź;1 234,56\r\nKraków;\r\n;7\r\n".encode("cp1250"))
    duck = duckdb.connect()
    raw = stage_source(duck, "t", source("t.csv", sep=";", encoding="cp1250"), path, tmp_path)
    assert raw.columns == ["Miasto", "Kwota"]  # spaces stripped from the header
    assert set(raw.types.values()) == {"VARCHAR"}
    assert staged_rows(duck, raw) == [(1, "Łódź", "1 234,56"), (2, "Kraków", None), (3, None, "7")]
    assert (tmp_path / "t.utf8.csv").is_file()  # the transcoded copy lives in workdir
    drop_stage(duck, raw)
    views = duck.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    assert views == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_bom_is_not_part_of_the_first_header(tmp_path, encoding):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffID klienta;Kwota\n1;2\n".encode())
    duck = duckdb.connect()
    raw = stage_source(duck, "t", source("t.csv", sep=";", encoding=encoding), path, tmp_path)
    assert raw.columns == ["ID klienta", "Kwota"]
    assert not (tmp_path / "t.utf8.csv").exists()  # read directly, no transcoding


def test_stage_skip_rows_and_no_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Raport sprzedaży\nwygenerowano 2025-01-01\nA,1\nB,2\n", encoding="utf-8")
    duck = duckdb.connect()
    raw = stage_source(duck, "t", source("t.csv", skip_rows=2, header=False), path, tmp_path)
    assert raw.columns == ["column0", "column1"]
    assert staged_rows(duck, raw) == [(1, "A", "1"), (2, "B", "2")]


def test_values_are_never_type_inferred(tmp_path):
    # '007' stays '007' and '1,5' stays text: parsing happens later, per configured dialect
    path = tmp_path / "t.csv"
    path.write_text("id;kwota;data\n007;1,5;2024-01-01\n", encoding="utf-8")
    duck = duckdb.connect()
    raw = stage_source(duck, "t", source("t.csv", sep=";"), path, tmp_path)
    assert staged_rows(duck, raw) == [(1, "007", "1,5", "2024-01-01")]


def test_csv_rows_are_never_dropped_or_guessed(tmp_path):
    # no dialect sniffing: '#7' is a value, not a comment; a quoted value may hold the separator
    # and a line break; a short row is padded; a trailing separator adds no column
    path = tmp_path / "t.csv"
    path.write_text(
        'Nr;Opis;Kwota;\n#7;zwykły;1;\n8;"dwie; linie\ndruga";2;\n9;krótki\n', encoding="utf-8"
    )
    duck = duckdb.connect()
    raw = stage_source(duck, "t", source("t.csv", sep=";"), path, tmp_path)
    assert raw.columns == ["Nr", "Opis", "Kwota", "column3"]
    assert staged_rows(duck, raw) == [
        (1, "#7", "zwykły", "1", None),
        (2, "8", "dwie; linie\ndruga", "2", None),
        (3, "9", "krótki", None, None),
    ]


def test_duplicate_and_empty_header_names_are_made_unique(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Kwota,,Kwota\n1,2,3\n", encoding="utf-8")
    raw = stage_source(duckdb.connect(), "t", source("t.csv"), path, tmp_path)
    assert raw.columns == ["Kwota", "column1", "Kwota_1"]


def test_header_in_wrong_encoding_is_reported_precisely(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("Nr zamówienia;Kwota\n1;2\n".encode("cp1250"))  # "Nr zam" is 6 bytes
    with pytest.raises(DataError, match="byte 0xf3.*byte offset 6, line 1.*cp1250"):
        stage_source(duckdb.connect(), "t", source("t.csv", sep=";"), path, tmp_path)


def test_nothing_after_skipped_lines(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Raport\n", encoding="utf-8")
    with pytest.raises(DataError, match="no header line after skipping 1 line.*csv.skip_rows"):
        stage_source(duckdb.connect(), "t", source("t.csv", skip_rows=1), path, tmp_path)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "t.json"
    path.write_text("{}")
    with pytest.raises(DataError, match="'.json' is not supported.*CSV, Parquet or XLSX"):
        stage_source(duckdb.connect(), "t", source("t.json"), path, tmp_path)


# -- Parquet and Excel ------------------------------------------------------------------------
def test_stage_parquet_keeps_types(tmp_path):
    frame = pd.DataFrame(
        {
            "klient": ["A", "B"],
            "ts": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "kwota": [1.5, 2],
        }
    )
    frame.to_parquet(tmp_path / "t.parquet")
    duck = duckdb.connect()
    raw = stage_source(duck, "t", source("t.parquet"), tmp_path / "t.parquet", tmp_path)
    assert raw.types["ts"].startswith("TIMESTAMP") and raw.types["kwota"] == "DOUBLE"
    assert [r[0] for r in staged_rows(duck, raw)] == [1, 2]


def test_excel_typed_cells_are_written_in_the_configured_dialect(tmp_path):
    frame = pd.DataFrame(
        {
            " Klient ": ["K1", "K2"],
            "Data": [dt.datetime(2024, 3, 1, 10, 15), "02.03.2024"],  # a date cell and a text cell
            "Kwota": [1234.5, "1 234,50"],  # a number cell and a text cell
            "Ilość": [3, None],
        }
    )
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    src = source("t.xlsx", decimal=",", date_format="%d.%m.%Y")
    out = read_excel(tmp_path / "t.xlsx", src)
    assert list(out.columns) == ["Klient", "Data", "Kwota", "Ilość"]
    assert out.to_dict("list") == {
        "Klient": ["K1", "K2"],
        "Data": ["01.03.2024 10:15:00", "02.03.2024"],
        "Kwota": ["1234,5", "1 234,50"],
        "Ilość": ["3", None],
    }


def test_excel_multi_sheet_needs_a_sheet(tmp_path):
    frame = pd.DataFrame({"a": [1]})
    with pd.ExcelWriter(tmp_path / "t.xlsx") as writer:
        frame.to_excel(writer, sheet_name="Zamówienia", index=False)
        frame.to_excel(writer, sheet_name="Zwroty", index=False)
    with pytest.raises(DataError) as info:
        read_excel(tmp_path / "t.xlsx", source("t.xlsx"), table="transactions")
    message = str(info.value)
    assert "2 sheets ('Zamówienia', 'Zwroty')" in message
    assert "set sources.transactions.sheet" in message
    by_name = Source(path=Path("t.xlsx"), sheet="Zwroty")
    assert read_excel(tmp_path / "t.xlsx", by_name).to_dict("list") == {"a": ["1"]}
    with pytest.raises(DataError, match="no sheet 'Zwrot' — did you mean 'Zwroty'"):
        read_excel(tmp_path / "t.xlsx", Source(path=Path("t.xlsx"), sheet="Zwrot"))
    with pytest.raises(DataError, match="no sheet number 2"):
        read_excel(tmp_path / "t.xlsx", Source(path=Path("t.xlsx"), sheet=2))


def test_broken_workbook(tmp_path):
    (tmp_path / "t.xlsx").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="workbook cannot be opened"):
        read_excel(tmp_path / "t.xlsx", source("t.xlsx"))
