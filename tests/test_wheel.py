"""The wheel is a working install (issue #14): built from the checkout and installed into a fresh virtual environment,
it migrates a new database, seeds the bundled catalogue and serves the start page from a directory outside the
checkout, where nothing of the source tree can stand in for a file the wheel forgot."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from contextlib import closing
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from webapp.db import Base

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("webapp", "models", "programmes")
# What the build does not read: version control, environments, caches and local state.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "instance", "build", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "test-results"
)
TIMEOUT = 120
# Run by the new environment's Python: where each package was imported from, and the start page and stylesheet.
SERVE_START_PAGE = """
import json, config, models, programmes, webapp
client = webapp.create_app().test_client()
start, stylesheet = client.get("/"), client.get("/static/app.css")
print(json.dumps({
    "modules": [module.__file__ for module in (config, models, programmes, webapp)],
    "start": start.status_code,
    "start_page": start.get_data(as_text=True),
    "stylesheet": stylesheet.status_code,
}))
"""


def _run(args: list[str | Path], **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=TIMEOUT, check=False, **kwargs)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The SPDX `license` string of pyproject.toml needs setuptools 77; Python's venv brings 65 (3.11) or none (3.12+).
    setuptools_major = int(metadata.version("setuptools").split(".")[0])
    assert setuptools_major >= 77, "the test environment needs setuptools>=77 (the test extra of pyproject.toml)"
    # Built from a copy, so the build writes no build/ folder into the checkout and finds no stale one there.
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE, dirs_exist_ok=True)
    out = tmp_path_factory.mktemp("dist")
    result = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            out,
            source,
        ]
    )
    assert "warning" not in (result.stdout + result.stderr).lower(), result.stdout + result.stderr
    (built,) = out.glob("tremplin-*.whl")
    return built


@dataclass
class Installed:
    venv: Path
    python: Path
    workdir: Path
    database: Path
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run([self.python, *args], cwd=self.workdir, env=self.env)

    def flask(self, *args: str) -> str:
        # `python -m flask`: the new environment has no bin/flask, since Flask itself comes from the project's one.
        return self.run("-m", "flask", "--app", "webapp", *args).stdout


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    site_packages = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    # The dependencies without a download: the project environment's site-packages, added by a .pth file. Python does
    # not read the .pth files of a folder added this way, so the project's editable install is not picked up.
    (site_packages / "project_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-index",
            "--quiet",
            wheel,
        ]
    )
    workdir = tmp_path_factory.mktemp("elsewhere")
    database = workdir / "tremplin.db"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TREMPLIN_", "FLASK_", "PYTHON")) and k not in {"DATABASE_URL", "VIRTUAL_ENV"}
    }
    env |= {"TREMPLIN_ENV": "development", "TREMPLIN_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}
    return Installed(venv, python, workdir, database, env)


def _source_files(package: str) -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith(".")
    }


def test_the_wheel_holds_every_module_and_data_file_of_the_packages(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in PACKAGES:
        missing = _source_files(package) - names
        assert not missing, f"not in the wheel: {sorted(missing)}"
    # The parts issue #14 found missing, by name, so that an empty source tree cannot pass the check above.
    expected = {
        "config.py",
        "webapp/admin/__init__.py",
        "webapp/assessment/__init__.py",
        "webapp/results/__init__.py",
        "webapp/api/__init__.py",
        "webapp/templates/start.html",
        "webapp/static/app.css",
        "webapp/translations/messages.pot",
        "webapp/migrations/env.py",
        "webapp/migrations/alembic.ini",
        "webapp/migrations/script.py.mako",
        "programmes/catalogue/eu.yaml",
        "programmes/catalogue/cases/eu.yaml",
        "programmes/aliases.yaml",
        "programmes/rates.yaml",
        "models/questionnaire.yaml",
        "models/ranker_prior.json",
    }
    assert expected <= names, sorted(expected - names)
    assert any(name.startswith("webapp/migrations/versions/") for name in names)
    assert not [name for name in names if name.startswith(("tests/", "bench/", "scripts/", "loadtest/")) or "__pycache__" in name]


def test_the_installed_app_migrates_seeds_and_serves_outside_the_checkout(installed: Installed) -> None:
    installed.flask("db", "upgrade")
    with closing(sqlite3.connect(installed.database)) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert set(Base.metadata.tables) | {"alembic_version"} <= tables
        assert connection.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)

    # `seed` (what make run and docs/deploy.md run) reads the catalogue bundled in the installed package.
    assert "Seeded the empty catalogue" in installed.flask("catalogue", "seed")
    with closing(sqlite3.connect(installed.database)) as connection:
        assert connection.execute("SELECT count(*) FROM programmes").fetchone()[0] > 0

    served = json.loads(installed.run("-c", SERVE_START_PAGE).stdout)
    for path in served["modules"]:
        assert Path(path).is_relative_to(installed.venv), f"{path} is not the installed copy"
    assert served["start"] == 200
    assert "Tremplin" in served["start_page"]
    assert served["stylesheet"] == 200
