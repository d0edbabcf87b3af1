"""flask commands: catalogue check / import / seed / export, match, users, and purge (retention)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from programmes.cases import case_problems, load_cases
from programmes.loader import BUNDLED_DIR, FORMATS, Problem, catalogue_files, catalogue_version, dump, load_catalogue, load_file
from programmes.schema import Programme
from webapp.admin.audit import record
from webapp.admin.auth import ROLES, create_user
from webapp.assessments import InvalidProfileError, evaluate, validate_profile
from webapp.batch import match_batch_command
from webapp.catalogue import (
    BUNDLED,
    CREATE_DRAFT,
    OFFER_REVISION,
    PLAN_PHRASES,
    UPDATE_DRAFT,
    apply_plan,
    catalogue_is_empty,
    origin_of_path,
    plan_import,
    published_programmes,
    upsert_programmes,
)
from webapp.db import db, write_transaction

catalogue_cli = AppGroup("catalogue", help="Check, import and export the programme catalogue.")


def _read_paths(path: Path) -> tuple[list[Programme], list[Problem]]:
    if path.is_dir():
        return load_catalogue(path)
    return load_file(path)


def _print_problems(problems: list[Problem] | list[str]) -> None:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"{len(problems)} problem(s); nothing was changed.", err=True)


@catalogue_cli.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
def check(path: Path | None) -> None:
    """Validate a catalogue file or folder (default: the bundled catalogue and its test cases)."""
    path = path or BUNDLED_DIR
    programmes, problems = _read_paths(path)
    if path.is_dir() and (path / "cases").is_dir():
        cases, case_file_problems = load_cases(path / "cases")
        problems += case_file_problems + case_problems(cases, programmes)
    if problems:
        _print_problems(problems)
        sys.exit(1)
    files = len(catalogue_files(path)) if path.is_dir() else 1
    click.echo(f"ok: {len(programmes)} programmes in {files} file(s) are valid.")


def _read_or_exit(path: Path) -> list[Programme]:
    try:
        programmes, problems = _read_paths(path)
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    if problems:
        _print_problems(problems)
        sys.exit(1)
    return programmes


def _audit_from_cli(action: str, programme_id: str, details: dict) -> None:
    record(action, "programme", programme_id, details, actor_email="cli")


@catalogue_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--apply", "apply_offer", is_flag=True, help="Write the offer: new programmes as drafts, newer copies as revisions for review."
)
@click.option("--dry-run", is_flag=True, help="Report only (the default; kept for scripts that pass it).")
def import_(path: Path, apply_offer: bool, dry_run: bool) -> None:
    """Compare a YAML, JSON or CSV file (or a folder of YAML files) with the stored catalogue, programme by programme.

    Reports each programme as new, unchanged, newer (its stored text is exactly as a bundled release or file brought
    it) or curated (a person changed it since: kept), and writes nothing. With --apply, in one transaction: new
    programmes become drafts and newer copies become revisions beside the published text, for administrators to
    review and publish; nothing published and nothing curated changes. On any problem in the file nothing is changed.
    """
    if apply_offer and dry_run:
        click.echo("error: choose --apply or --dry-run, not both.", err=True)
        sys.exit(2)
    programmes = _read_or_exit(path)
    origin = origin_of_path(path)
    if apply_offer:
        with write_transaction():
            plan = plan_import(programmes, origin)
            done = apply_plan(plan, str(path), _audit_from_cli)
    else:
        plan = plan_import(programmes, origin)
        db.session.rollback()  # the plan only reads
    click.echo(f"{len(programmes)} programme(s) in {path} ({origin} {plan.origin_version}), compared with the stored catalogue:")
    for item in plan.items:
        remark = f" ({item.remark})" if item.remark else ""
        click.echo(f"  {item.programme.id}: {PLAN_PHRASES[item.status]}{remark}")
    click.echo(f"{plan.summary()}.")
    if plan.not_in_file:
        click.echo(f"{plan.not_in_file} stored programme(s) are not in this file: an import never changes or removes them.")
    if not apply_offer:
        offered = len(plan.writes())
        hint = f" Run again with --apply to write {offered} as drafts and revisions for review." if offered else ""
        click.echo(f"Nothing was written.{hint}")
        return
    written = (
        f"Written: {done[CREATE_DRAFT]} new draft(s), {done[OFFER_REVISION]} revision(s) for review, {done[UPDATE_DRAFT]} draft(s) updated."
    )
    if any(done.values()):
        written += " Nothing published changed: administrators review and publish them in the admin pages (/admin/programmes)."
    click.echo(written)


@catalogue_cli.command("seed")
def seed() -> None:
    """Publish the bundled catalogue into an empty catalogue; once it holds any programme, write nothing.

    Safe at every start (`make run` runs it): a catalogue that has programmes belongs to its curators. Then only a
    summary of what the bundled copy would offer is printed; `catalogue import programmes/catalogue` shows it per
    programme, and `--apply` writes it as drafts and revisions for review.
    """
    try:
        programmes, problems = _read_paths(BUNDLED_DIR)
    except ValueError as error:  # a file that is not YAML at all
        programmes, problems = [], [str(error)]
    if problems and not catalogue_is_empty():
        # A broken checkout must not stop a service whose catalogue is in the database: say so, and start.
        click.echo(f"warning: the bundled catalogue has {len(problems)} problem(s) (catalogue check lists them); not compared.", err=True)
        return
    if problems:
        _print_problems(problems)
        sys.exit(1)
    version = catalogue_version(programmes)
    # The emptiness check and the seed share one write transaction (BEGIN IMMEDIATE on SQLite), so two starts at
    # once cannot both seed; on PostgreSQL the second one's inserts collide on the ids and it writes nothing.
    try:
        with write_transaction():
            seeded = catalogue_is_empty()
            if seeded:
                report = upsert_programmes(programmes, None, "seeded from the bundled catalogue", BUNDLED, version)
                record("catalogue_seed", "catalogue", version, {"origin": BUNDLED, "published": report.created}, actor_email="cli")
            else:
                plan = plan_import(programmes, BUNDLED, version)
    except IntegrityError:
        click.echo("The catalogue was seeded by another process at the same time; this one wrote nothing.")
        return
    if seeded:
        click.echo(f"Seeded the empty catalogue: {len(report.created)} bundled programmes published (catalogue version {report.version}).")
        return
    click.echo(f"The catalogue is not empty, so nothing was written. The bundled catalogue ({version}) compared with it: {plan.summary()}.")
    if plan.writes():
        click.echo(
            "To see the offer programme by programme: flask --app webapp catalogue import programmes/catalogue "
            "(add --apply to write it as drafts and revisions for review)."
        )


@catalogue_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="yaml", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="File to write (default: standard output)."
)
def export(fmt: str, output: Path | None) -> None:
    """Write the published catalogue in a format `catalogue import` reads back."""
    text = dump(published_programmes(), fmt)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@click.command("match")
@click.argument("profile", type=click.File("r", encoding="utf-8"))
@click.option("--on", "on_day", type=click.DateTime(formats=["%Y-%m-%d"]), help="Match as on this date (default: today).")
def match_command(profile: click.utils.LazyFile, on_day: dt.datetime | None) -> None:
    """Print the match document for PROFILE.json (the API's request body) without storing anything."""
    try:
        data = json.load(profile)
    except json.JSONDecodeError as error:
        click.echo(f"error: {profile.name}: not valid JSON (line {error.lineno}: {error.msg})", err=True)
        sys.exit(1)
    try:
        request = validate_profile(data)
    except InvalidProfileError as problem:
        for field, message in problem.fields.items():
            click.echo(f"error: {field}: {message}", err=True)
        sys.exit(1)
    try:
        document = evaluate(request, on_day.date() if on_day else None)
    except SQLAlchemyError:
        click.echo("error: the database has no catalogue yet; run `flask --app webapp db upgrade` and `catalogue seed`.", err=True)
        sys.exit(1)
    db.session.rollback()  # matching only reads; make sure nothing lingers
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice(ROLES), required=True, help="admin manages staff; curator edits programmes; viewer sees dashboards."
)
def create_user_command(email: str, role: str) -> None:
    """Create a staff account and print its one-time password (changed at first sign-in, with a second factor)."""
    try:
        with write_transaction():
            user, password = create_user(email, role)
            record("staff_create", "staff", str(user.id), {"email": user.email, "role": role}, actor_email="cli")
    except ValueError as problem:
        click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    click.echo(f"Created {user.email} ({role}). One-time password, shown once: {password}")


def _retention_rules(now: dt.datetime) -> list[tuple[str, Any, Any]]:
    """(label, table, condition) of every kind of row `purge` deletes, children first. The conditions are disjoint,
    so counting them (--dry-run) gives the same numbers as deleting them in this order.

    Periods: drafts end at expires_at (DRAFT_LIFETIME_DAYS after the last change), and their assessments, share
    links and consents go with them; API assessments (no draft) after ASSESSMENT_RETENTION_DAYS; share links when
    they expire; failed sign-ins after SIGN_IN_ATTEMPT_RETENTION_DAYS; staff sessions STAFF_SESSION_RETENTION_DAYS
    after they ended (revoked, idle or past their absolute limit). The audit log is never purged (append-only).
    """
    from flask import current_app

    from webapp.admin.auth import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT
    from webapp.db import Assessment, Draft, FollowUpConsent, ShareLink, SignInAttempt, StaffSession

    config = current_app.config
    expired_drafts = select(Draft.id).where(Draft.expires_at <= now)
    assessments_before = now - dt.timedelta(days=config["ASSESSMENT_RETENTION_DAYS"])
    attempts_before = now - dt.timedelta(days=config["SIGN_IN_ATTEMPT_RETENTION_DAYS"])
    ended_before = now - dt.timedelta(days=config["STAFF_SESSION_RETENTION_DAYS"])
    return [
        ("consents of expired drafts", FollowUpConsent, FollowUpConsent.draft_id.in_(expired_drafts)),
        ("share links of expired drafts", ShareLink, ShareLink.draft_id.in_(expired_drafts)),
        ("assessments of expired drafts", Assessment, Assessment.draft_id.in_(expired_drafts)),
        ("expired drafts", Draft, Draft.expires_at <= now),
        (
            f"API assessments older than {config['ASSESSMENT_RETENTION_DAYS']} days",
            Assessment,
            and_(Assessment.draft_id.is_(None), Assessment.created_at < assessments_before),
        ),
        ("other expired share links", ShareLink, and_(ShareLink.expires_at <= now, ShareLink.draft_id.not_in(expired_drafts))),
        (f"failed sign-ins older than {config['SIGN_IN_ATTEMPT_RETENTION_DAYS']} days", SignInAttempt, SignInAttempt.at < attempts_before),
        (
            f"staff sessions ended over {config['STAFF_SESSION_RETENTION_DAYS']} days ago",
            StaffSession,
            or_(
                StaffSession.revoked_at < ended_before,
                and_(
                    StaffSession.revoked_at.is_(None),
                    or_(StaffSession.last_seen_at < ended_before - IDLE_TIMEOUT, StaffSession.created_at < ended_before - ABSOLUTE_TIMEOUT),
                ),
            ),
        ),
    ]


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Print what would be deleted, and delete nothing.")
def purge_command(dry_run: bool) -> None:
    """Delete what is past its retention period (docs/privacy.md), in one transaction, and audit the counts.

    Running it again at once deletes nothing. Meant to run daily (cron, a systemd timer or the platform's scheduler).
    """
    from webapp.db import utcnow

    counts: dict[str, int] = {}
    with write_transaction():
        for label, table, condition in _retention_rules(utcnow()):
            if dry_run:
                counts[label] = db.session.scalar(select(func.count()).select_from(table).where(condition)) or 0
            else:
                result = db.session.execute(delete(table).where(condition), execution_options={"synchronize_session": False})
                counts[label] = result.rowcount
        if not dry_run:
            record("purge", "retention", None, counts, actor_email="cli")
        else:
            db.session.rollback()
    verb = "would be deleted" if dry_run else "deleted"
    for label, number in counts.items():
        click.echo(f"{number:>8}  {label}")
    click.echo(f"{sum(counts.values())} row(s) {verb}.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(catalogue_cli)
    app.cli.add_command(match_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(match_batch_command)
    app.cli.add_command(purge_command)
