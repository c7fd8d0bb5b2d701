"""The store and ingest over the synthetic demonstration returns: nothing lost, nothing twice.

The demo returns are ingested once per test session, by the demo cycle in conftest.py; this
module works on its own copy of that store, so what it adds here never reaches other modules.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from pathlib import Path

import pytest

from scrutiny import demo, store
from scrutiny.framework import load_framework
from scrutiny.ingest import ingest
from scrutiny.partnership import load_partnership
from scrutiny.privacy import WITHHELD_TEXT

NORTH_SOMERSET, BRISTOL = "E06000024", "E06000023"
CORRECTED = "training_E06000024_2025-26-Q4_v2.csv"
RETURN_TABLES = ("indicators", "reviews", "actions", "training", "audits", "voice", "section11")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, demo_ingested):
    data, pristine, files = demo_ingested
    store_path = tmp_path_factory.mktemp("ingest") / "store.duckdb"
    shutil.copyfile(pristine, store_path)
    return data, store_path, files


def query(store_path: Path, sql: str, parameters=()) -> list[tuple]:
    with store.open_store(store_path) as connection:
        return connection.execute(sql, list(parameters)).fetchall()


def counts(store_path: Path) -> dict[str, int]:
    tables = ("submissions", "findings", *(f"rows_{name}" for name in RETURN_TABLES))
    return {table: query(store_path, f"SELECT count(*) FROM {table}")[0][0] for table in tables}


def stored_name(data: Path, name: str) -> str:
    """The name a demo file has in the store: its path in the returns folder."""
    return next((data / "returns").rglob(name)).relative_to(data / "returns").as_posix()


def data_rows(path: Path) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(path.read_text(encoding="utf-8")))) - 1


# --- the first ingest --------------------------------------------------------------------------


def test_every_demo_return_was_received_once(demo_store):
    data, store_path, files = demo_store
    on_disk = sorted(p.name for p in (data / "returns").rglob("*") if p.is_file())
    assert len(on_disk) == 495
    assert sorted(Path(item["file"]).name for item in files) == on_disk
    statuses = [item["status"] for item in files]
    assert (statuses.count("accepted"), statuses.count("rejected")) == (494, 1)
    assert query(store_path, "SELECT count(*), count(DISTINCT file_name) FROM submissions") == [
        (495, 495)]


def test_accepted_rows_trace_back_to_the_exact_bytes_received(demo_store):
    data, store_path, _ = demo_store
    submissions = {
        (sha, name): (path, status, rows, bytes(content))
        for sha, name, path, status, rows, content in query(
            store_path,
            "SELECT sha256, file_name, source_path, status, data_rows, content FROM submissions")
    }
    traced = 0
    for table in RETURN_TABLES:
        sources = query(store_path, f"SELECT source_sha256, source_file, count(*), "
                                    f"min(source_row), max(source_row) FROM rows_{table} "
                                    "GROUP BY ALL")
        for sha, name, count, first_row, last_row in sources:
            path, status, rows, content = submissions[(sha, name)]
            on_disk = (data / "returns" / path).read_bytes()
            assert path == name and Path(name).name.startswith(f"{table}_")
            assert hashlib.sha256(on_disk).hexdigest() == sha
            assert content == on_disk
            assert status == "accepted"
            assert count == rows and (first_row, last_row) == (2, rows + 1)
            traced += 1
    # every accepted file with rows has them stored
    assert traced == sum(1 for _, status, rows, _ in submissions.values()
                         if status == "accepted" and rows)
    assert traced > 450


def test_every_received_file_is_kept_byte_for_byte(demo_store):
    data, store_path, _ = demo_store
    for sha, path, size, content in query(
            store_path, "SELECT sha256, source_path, size_bytes, content FROM submissions"):
        assert not Path(path).is_absolute()  # the store names files inside the data folder
        on_disk = (data / "returns" / path).read_bytes()
        assert bytes(content) == on_disk and size == len(on_disk)
        assert hashlib.sha256(bytes(content)).hexdigest() == sha


def test_row_counts_match_the_files(demo_store):
    data, store_path, _ = demo_store
    for name in ("indicators_E06000023_2025-26-Q4.csv", "training_E06000022_2024-25-Q2.csv",
                 "actions_E06000066_2025-26-Q4.csv", "voice_E06000025_2023-24-Q1.csv"):
        path = next((data / "returns").rglob(name))
        table = "rows_" + name.split("_")[0]
        stored = query(store_path, f"SELECT count(*) FROM {table} WHERE source_file = ?",
                       [stored_name(data, name)])
        assert stored == [(data_rows(path),)]


def test_the_faulty_return_is_rejected_and_none_of_its_rows_stored(demo_store):
    data, store_path, files = demo_store
    (entry,) = [item for item in files if Path(item["file"]).name == demo.FAULTY_RETURN]
    assert entry["status"] == "rejected"
    faulty = stored_name(data, demo.FAULTY_RETURN)
    assert query(store_path, "SELECT status, data_rows FROM submissions WHERE file_name = ?",
                 [faulty])[0][0] == "rejected"
    stored = query(store_path, "SELECT count(*) FROM rows_training WHERE source_file = ? "
                               "OR source_sha256 = ?", [faulty, entry["sha256"]])
    assert stored == [(0,)]
    assert query(store_path, "SELECT count(*) FROM training WHERE area_code = ? AND period = ?",
                 [NORTH_SOMERSET, "2025-26-Q4"]) == [(0,)]
    findings = query(store_path, "SELECT rule, columns, row_numbers FROM findings "
                                 "WHERE file_name = ? AND severity = 'error'", [faulty])
    # the five planted faults, in the rows the demo put them (header is row 1)
    assert sorted((rule, tuple(columns), tuple(rows)) for rule, columns, rows in findings) == [
        ("code_list", ("theme",), (5,)),
        ("consistency", ("places", "attended"), (3,)),
        ("duplicate", ("area_code", "month", "course", "delivery"), (6, 7)),
        ("period", ("month",), (2,)),
        ("whole_number", ("evaluations",), (4,)),
    ]


def test_the_suspect_return_is_accepted_and_its_text_withheld_from_the_store(demo_store):
    data, store_path, _ = demo_store
    suspect = stored_name(data, demo.SUSPECT_RETURN)
    assert query(store_path, "SELECT status FROM submissions WHERE file_name = ?",
                 [suspect]) == [("accepted",)]
    findings = query(store_path, "SELECT severity, rule, columns, row_numbers, message "
                                 "FROM findings WHERE file_name = ?", [suspect])
    assert [finding[:4] for finding in findings] == [
        ("warning", "personal_data", ["what_we_heard"], [2])]
    assert "a postcode and a date of birth" in findings[0][4]
    assert "BS5" not in findings[0][4]  # the kind is named, never the value
    stored = query(store_path, "SELECT what_we_heard FROM voice WHERE source_file = ? "
                               "AND source_row = 2", [suspect])
    assert stored == [(WITHHELD_TEXT,)]
    assert query(store_path, "SELECT count(*) FROM rows_voice WHERE what_we_heard LIKE ?",
                 ["%BS5 6XX%"]) == [(0,)]
    # no other file has any finding
    assert query(store_path, "SELECT DISTINCT file_name FROM findings ORDER BY 1") == [
        (stored_name(data, demo.FAULTY_RETURN),), (suspect,)]


# --- ingesting again ---------------------------------------------------------------------------


def test_reingesting_the_same_folder_adds_nothing(demo_store):
    data, store_path, _ = demo_store
    before = counts(store_path)
    again = ingest(data, store_path, load_partnership(data), load_framework(), progress=False)
    assert len(again.files) == 495
    assert {item["status"] for item in again.files} == {"already stored"}
    assert again.summary() == ("496 files: 0 accepted, 0 quarantined, 495 already stored, "
                               "1 not read")  # the demo's README.txt
    assert counts(store_path) == before


def test_corrected_resubmission_supersedes_and_the_original_is_kept(demo_store, tmp_path):
    data, store_path, _ = demo_store
    header = ",".join(demo.COLUMNS["training"])
    corrected = tmp_path / "returns" / "2025-26-Q4" / CORRECTED
    corrected.parent.mkdir(parents=True)
    corrected.write_text(
        f"{header}\n"
        "E06000024,2026-01,Working with neglect,early_help,face_to_face,24,21,18,16\n"
        "E06000024,2026-02,Missing children and return home interviews,missing,virtual,"
        "40,35,25,23\n"
        "E06000024,2026-03,Professional curiosity and escalation,partnership,e_learning,"
        "90,64,40,37\n", encoding="utf-8")
    before = counts(store_path)
    result = ingest(tmp_path, store_path, load_partnership(data), load_framework(),
                    progress=False)
    assert [item["status"] for item in result.files] == ["accepted"]
    after = counts(store_path)
    assert after["submissions"] == before["submissions"] + 1
    assert after["rows_training"] == before["rows_training"] + 3
    assert after["findings"] == before["findings"]
    # the view of current data now shows the corrected return for that slot
    current = query(store_path, "SELECT source_file, count(*), sum(attended), sum(places) "
                                "FROM training WHERE area_code = ? AND period = ? GROUP BY 1",
                    [NORTH_SOMERSET, "2025-26-Q4"])
    assert current == [(f"2025-26-Q4/{CORRECTED}", 3, 120, 154)]
    assert query(store_path, "SELECT file_name, version FROM current_submissions "
                             "WHERE slot = 'training_E06000024_2025-26-Q4'") == [
        (f"2025-26-Q4/{CORRECTED}", 2)]
    # and the rejected original is still kept, with its findings
    faulty = stored_name(data, demo.FAULTY_RETURN)
    original = query(store_path, "SELECT status, content FROM submissions WHERE file_name = ?",
                     [faulty])
    faulty_path = next((data / "returns").rglob(demo.FAULTY_RETURN))
    assert [(status, bytes(content)) for status, content in original] == [
        ("rejected", faulty_path.read_bytes())]
    assert query(store_path, "SELECT count(*) FROM findings WHERE file_name = ?",
                 [faulty]) == [(5,)]


def test_resubmitting_an_accepted_return_keeps_its_rows(demo_store, tmp_path):
    """A v2 of an accepted return replaces it in the views; the v1 rows stay in the store."""
    data, store_path, _ = demo_store
    original = next((data / "returns").rglob(demo.SUSPECT_RETURN))
    lines = original.read_text(encoding="utf-8").splitlines()
    kept = [lines[0], *lines[2:]]  # the row with personal data removed
    name = demo.SUSPECT_RETURN.replace(".csv", "_v2.csv")
    (tmp_path / name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    result = ingest(tmp_path, store_path, load_partnership(data), load_framework(),
                    progress=False)
    assert [item["status"] for item in result.files] == ["accepted"]
    view = query(store_path, "SELECT DISTINCT source_file FROM voice WHERE area_code = ? "
                             "AND period = '2025-26-Q4'", [BRISTOL])
    assert view == [(name,)]
    assert query(store_path, "SELECT count(*) FROM voice WHERE source_file = ?", [name]) == [
        (len(kept) - 1,)]
    assert query(store_path, "SELECT count(*) FROM rows_voice WHERE source_file = ?",
                 [stored_name(data, demo.SUSPECT_RETURN)]) == [(len(lines) - 1,)]
    # other periods of the same area are untouched
    assert query(store_path, "SELECT count(DISTINCT period) FROM voice WHERE area_code = ?",
                 [BRISTOL]) == [(12,)]


def test_identical_nil_returns_from_two_areas_are_both_stored(demo_store, tmp_path):
    data, store_path, _ = demo_store
    header = (",".join(demo.COLUMNS["audits"]) + "\n").encode("utf-8")
    names = ["audits_E06000022_2026-27-Q1.csv", "audits_E06000023_2026-27-Q1.csv"]
    for name in names:
        (tmp_path / name).write_bytes(header)
    result = ingest(tmp_path, store_path, load_partnership(data), load_framework(),
                    progress=False)
    assert [item["status"] for item in result.files] == ["accepted", "accepted"]
    assert len({item["sha256"] for item in result.files}) == 1  # the same bytes
    stored = query(store_path, "SELECT file_name, sha256, status, data_rows, content "
                               "FROM submissions WHERE period = '2026-27-Q1' ORDER BY 1")
    sha = hashlib.sha256(header).hexdigest()
    assert [(n, s, st, r, bytes(c)) for n, s, st, r, c in stored] == [
        (names[0], sha, "accepted", 0, header), (names[1], sha, "accepted", 0, header)]
    assert query(store_path, "SELECT count(*) FROM current_submissions "
                             "WHERE period = '2026-27-Q1'") == [(2,)]
    # and both count as returned, with nothing to report
    assert query(store_path, "SELECT count(*) FROM audits WHERE period = '2026-27-Q1'") == [(0,)]
    again = ingest(tmp_path, store_path, load_partnership(data), load_framework(),
                   progress=False)
    assert {item["status"] for item in again.files} == {"already stored"}


def test_the_same_name_in_two_subfolders_is_two_submissions(demo_store, tmp_path):
    """Neither file's rows overwrite the other's; the reports use one and say which."""
    data, store_path, _ = demo_store
    header = ",".join(demo.COLUMNS["audits"])
    name = "audits_E06000024_2026-27-Q2.csv"
    for folder, cases in (("from-email", "6,1,3,2,0"), ("from-portal", "9,2,4,2,1")):
        path = tmp_path / "returns" / folder / name
        path.parent.mkdir(parents=True)
        path.write_text(f"{header}\nNSOM-MACA-090,E06000024,missing,2026-08-12,{cases}\n",
                        encoding="utf-8")
    result = ingest(tmp_path, store_path, load_partnership(data), load_framework(),
                    progress=False)
    assert sorted((item["file"], item["status"]) for item in result.files) == [
        (f"from-email/{name}", "accepted"), (f"from-portal/{name}", "accepted")]
    rows = query(store_path, "SELECT source_file, source_sha256, cases FROM rows_audits "
                             "WHERE source_file LIKE ? ORDER BY 1", [f"%/{name}"])
    hashes = {item["file"]: item["sha256"] for item in result.files}
    assert rows == [(f"from-email/{name}", hashes[f"from-email/{name}"], 6),
                    (f"from-portal/{name}", hashes[f"from-portal/{name}"], 9)]
    used = query(store_path, "SELECT source_file FROM audits WHERE period = '2026-27-Q2'")
    assert used == [(f"from-portal/{name}",)]
    warnings = query(store_path, "SELECT file_name, message FROM findings "
                                 "WHERE rule = 'same_return_twice' ORDER BY 1")
    assert [file for file, _ in warnings] == [f"from-email/{name}", f"from-portal/{name}"]
    assert all(f"the reports use from-portal/{name}" in message for _, message in warnings)


def _next_quarter(source: Path, target: Path) -> None:
    """A Q4 indicators return moved on a quarter (January to March become April to June)."""
    text = source.read_text(encoding="utf-8")
    for old, new in (("2026-01", "2026-04"), ("2026-02", "2026-05"), ("2026-03", "2026-06")):
        text = text.replace(f",{old},", f",{new},")
    target.write_text(text, encoding="utf-8")


def test_one_submitter_early_with_a_quarter_does_not_make_it_the_one_reported(
        demo_ingested, tmp_path):
    from scrutiny.runner import latest_complete_quarter

    data, pristine, _files = demo_ingested
    store_path = tmp_path / "store.duckdb"
    shutil.copyfile(pristine, store_path)
    partnership = load_partnership(data)
    assert latest_complete_quarter(store_path, partnership).label == "2025-26-Q4"
    q4 = sorted((data / "returns").rglob("indicators_*_2025-26-Q4*.csv"))
    endings = {path.stem.split("_")[-1] for path in q4}
    assert {"police", "2025-26-Q4"} <= endings  # the police's, and the council's (no label)
    arrived = tmp_path / "arrived"
    arrived.mkdir()

    def send(which) -> None:
        for path in filter(which, q4):
            _next_quarter(path, arrived / path.name.replace("2025-26-Q4", "2026-27-Q1"))
        ingest(arrived, store_path, partnership, load_framework(), progress=False)

    send(lambda path: path.stem.endswith("_police"))  # every area's police, nobody else
    assert latest_complete_quarter(store_path, partnership).label == "2025-26-Q4"
    send(lambda path: not path.stem.endswith("_police"))  # then the others
    assert latest_complete_quarter(store_path, partnership).label == "2026-27-Q1"


def _numerators(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(int(row["numerator"]) for row in csv.DictReader(handle))


def _current_numerators(store_path: Path, area_code: str, period: str) -> int:
    return query(store_path, "SELECT coalesce(sum(numerator), 0) FROM indicators "
                             "WHERE area_code = ? AND period = ?", [area_code, period])[0][0]


def test_a_return_sent_again_under_another_name_is_not_counted_twice(demo_ingested, tmp_path):
    data, pristine, _files = demo_ingested
    store_path = tmp_path / "store.duckdb"
    shutil.copyfile(pristine, store_path)
    bath = "E06000022"
    original = next((data / "returns").rglob(f"indicators_{bath}_2025-26-Q4.csv"))
    sent = _numerators(original)
    assert _current_numerators(store_path, bath, "2025-26-Q4") > sent  # police, health too
    before = _current_numerators(store_path, bath, "2025-26-Q4")
    folder = tmp_path / "returns" / "2025-26-Q4"
    folder.mkdir(parents=True)
    shutil.copyfile(original, folder / original.name)
    copy = folder / original.name.replace(".csv", "_corrected.csv")
    shutil.copyfile(original, copy)
    result = ingest(tmp_path, store_path, load_partnership(data), load_framework(),
                    progress=False)
    assert {item["status"] for item in result.files} == {"accepted", "already stored"}
    assert _current_numerators(store_path, bath, "2025-26-Q4") == before  # not doubled
    [(rule, rows, message)] = query(
        store_path, "SELECT rule, rows, message FROM findings WHERE file_name = ?",
        [f"2025-26-Q4/{copy.name}"])
    assert rule == "repeats_another_return" and rows == sum(1 for _ in copy.open()) - 1
    assert f"the reports use 2025-26-Q4/{original.name}" in message

    # the copy removed from the folder: still not counted, and no longer warned about
    copy.unlink()
    ingest(tmp_path, store_path, load_partnership(data), load_framework(), progress=False)
    assert _current_numerators(store_path, bath, "2025-26-Q4") == before
    assert query(store_path, "SELECT count(*) FROM findings WHERE rule = ?",
                 ["repeats_another_return"]) == [(0,)]


def test_a_return_saved_over_counts_as_the_file_in_the_folder_now(demo_ingested, tmp_path):
    """A return corrected by saving over it, then put back as it was: the reports use the
    file in the folder, not the newest one received."""
    data, pristine, _files = demo_ingested
    store_path = tmp_path / "store.duckdb"
    shutil.copyfile(pristine, store_path)
    bath = "E06000022"
    original = next((data / "returns").rglob(f"indicators_{bath}_2025-26-Q4_police.csv"))
    folder = tmp_path / "returns" / "2025-26-Q4"  # where the demo has it: the same name
    folder.mkdir(parents=True)
    returned = folder / original.name
    before = _current_numerators(store_path, bath, "2025-26-Q4")
    lines = original.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[3] = str(int(cells[3]) + 100)  # one numerator corrected upwards
    returned.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n",
                        encoding="utf-8")
    ingest(tmp_path, store_path, load_partnership(data), load_framework(), progress=False)
    assert _current_numerators(store_path, bath, "2025-26-Q4") == before + 100
    shutil.copyfile(original, returned)  # put back: already in the store, received earlier
    result = ingest(tmp_path, store_path, load_partnership(data), load_framework(),
                    progress=False)
    assert [item["status"] for item in result.files] == ["already stored"]
    assert _current_numerators(store_path, bath, "2025-26-Q4") == before
