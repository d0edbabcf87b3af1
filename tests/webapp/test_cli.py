"""flask catalogue check / import / export and flask match, run as a deployer runs them.

The import's plan (new, unchanged, newer, curated) and `catalogue seed` are tested in test_catalogue_seed_*.py."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from programmes.loader import dump, load_text
from tests.factories import make_programme, make_request, programme_document
from webapp.catalogue import current_version, published_programmes
from webapp.db import Assessment, ProgrammeRecord, db


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def programme_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ProgrammeRecord))


def test_check_passes_on_the_bundled_catalogue(app_context, bundled):
    result = run(app_context, "catalogue", "check")
    assert result.exit_code == 0
    assert f"{len(bundled)} programmes" in result.output


def test_check_reports_every_problem_with_file_line_id_and_field(app_context, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        dump([make_programme(), make_programme(id="other")], "yaml").replace("category: advisory", "category: lottery"), encoding="utf-8"
    )
    result = run(app_context, "catalogue", "check", str(bad))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 2
    assert "bad.yaml, line" in lines[0] and "id test-programme" in lines[0] and "field category" in lines[0]


def test_import_reports_and_changes_nothing_by_default(app_context, tmp_path):
    path = tmp_path / "new.json"
    path.write_text(dump([make_programme()], "json"), encoding="utf-8")
    for flags in ([], ["--dry-run"]):
        result = run(app_context, "catalogue", "import", str(path), *flags)
        assert result.exit_code == 0
        assert "test-programme: new" in result.output and "Nothing was written" in result.output
    assert programme_count() == 0


def test_import_apply_is_all_or_nothing_and_idempotent(app_context, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(dump([make_programme(), make_programme(id="second")], "csv"), encoding="utf-8")
    assert run(app_context, "catalogue", "import", str(good), "--apply").exit_code == 0
    version = current_version()
    assert programme_count() == 2
    # Imported programmes are offered as drafts: none is matched until an administrator publishes it.
    assert published_programmes() == []

    # One bad programme among good ones: nothing at all changes, and the error names its row.
    changed = make_programme(name="Renamed programme")
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        dump([changed], "csv")
        + dump([make_programme(id="third")], "csv").splitlines()[1].replace("https://example.org/programme", "nope")
        + "\n",
        encoding="utf-8",
    )
    result = run(app_context, "catalogue", "import", str(mixed), "--apply")
    assert result.exit_code == 1 and "row 3" in result.output and "nothing was changed" in result.output
    assert programme_count() == 2 and current_version() == version
    assert db.session.get(ProgrammeRecord, "test-programme").document["name"] == "Test programme"

    again = run(app_context, "catalogue", "import", str(good), "--apply")
    assert "0 new, 2 unchanged, 0 newer, 0 curated" in again.output
    assert "Written: 0 new draft(s), 0 revision(s) for review, 0 draft(s) updated" in again.output
    assert current_version() == version


def test_import_refuses_apply_and_dry_run_together(app_context, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(dump([make_programme()], "yaml"), encoding="utf-8")
    result = app_context.test_cli_runner().invoke(args=["catalogue", "import", str(path), "--apply", "--dry-run"])
    assert result.exit_code == 2 and "not both" in result.output
    assert programme_count() == 0


def test_import_refuses_unsafe_yaml(app_context, tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("!!python/object/apply:os.system ['touch /tmp/tremplin-pwned']\n", encoding="utf-8")
    result = run(app_context, "catalogue", "import", str(path))
    assert result.exit_code == 1 and "not valid YAML" in result.output
    assert programme_count() == 0


def test_export_reads_back_in_every_format(app_context, with_catalogue, tmp_path):
    for fmt in ("yaml", "json", "csv"):
        out = tmp_path / f"export.{fmt}"
        assert run(app_context, "catalogue", "export", "--format", fmt, "-o", str(out)).exit_code == 0
        programmes, problems = load_text(out.read_text(encoding="utf-8"), fmt, out.name)
        assert problems == [] and sorted(p.id for p in programmes) == sorted(p.id for p in with_catalogue)


def test_match_prints_the_document_and_stores_nothing(app_context, with_catalogue, tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(make_request()), encoding="utf-8")
    result = run(app_context, "match", str(path), "--on", "2026-11-25")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["readiness"]["weakest"] == ["skills", "compute"]
    assert document["matches"] and document["matched_on"] == "2026-11-25"
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_match_reports_invalid_profiles_field_by_field(app_context, tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(make_request({"employees": -3})), encoding="utf-8")
    result = app_context.test_cli_runner().invoke(args=["match", str(path)])
    assert result.exit_code == 1
    assert "enterprise.employees" in result.output


def test_a_programme_document_factory_is_valid():
    assert load_text(json.dumps([programme_document()]), "json", "x")[1] == []
