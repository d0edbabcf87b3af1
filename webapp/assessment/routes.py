"""The SME journey: start, one section per page, check your answers, submit; save and resume by private link.

Every post is validated on the server. A section is saved only when all of it is valid; otherwise the page comes
back with an error summary and what was typed, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import Email, InputRequired, Length

from models.readiness import load_bank
from webapp import drafts
from webapp.assessment.sections import Section
from webapp.assessment.steps import PATHS, next_section, previous_section, section, sections
from webapp.assessment.summary import summary_rows
from webapp.assessments import InvalidProfileError
from webapp.db import Draft, write_transaction
from webapp.form_text import mark_unreadable, shows_unreadable_per_field
from webapp.mail import MailError, mail_configured, send_mail
from webapp.presentation import catalogue_changed_message

journey = Blueprint("journey", __name__)
RETURN_TO_CHECK = "check"
LATER = "later"  # the name of the "Save and come back later" button: save this page, then show the private link


class StartForm(FlaskForm):
    path = RadioField(choices=[SelectChoice(p, p) for p in PATHS], validators=[InputRequired()])


class EmailLinkForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        validators=[
            InputRequired(message=_l("Enter an email address")),
            Length(max=254, message=_l("Enter an email address of 254 characters or fewer")),
            Email(message=_l("Enter an email address in the correct format, like name@example.com"), check_deliverability=False),
        ],
    )


def _draft_or_404(token: str) -> Draft:
    draft = drafts.find_draft(token)
    if draft is None:
        abort(404)
    return draft


def _private_link(token: str) -> str:
    return url_for("journey.resume", token=token, _external=True)


@journey.post("/start")
def start() -> Response:
    form = StartForm()
    if not form.validate():
        abort(400)
    with write_transaction():
        token = drafts.new_draft(form.path.data)
    first = sections(form.path.data, load_bank())[0]
    return redirect(url_for("journey.step", token=token, slug=first.slug))


@journey.get("/p/<token>")
def resume(token: str) -> Response:
    """The private link: back to the first section not yet answered, or to the check page when all are."""
    draft = _draft_or_404(token)
    done = set(draft.data.get("done", []))
    for s in sections(draft.path, load_bank()):
        if s.slug not in done:
            return redirect(url_for("journey.step", token=token, slug=s.slug))
    return redirect(url_for("journey.check", token=token))


def _unexpected_fields(form: FlaskForm) -> list[str]:
    allowed = set(form._fields) | {"return", LATER}
    return sorted(set(request.form) - allowed)


def _render_section(
    token: str, draft: Draft, current: Section, form: FlaskForm, status: int = 200, form_problem: str | None = None
) -> tuple[str, int]:
    bank = load_bank()
    ordered = sections(draft.path, bank)
    previous = previous_section(draft.path, bank, current.slug)
    returning = request.args.get("return") == RETURN_TO_CHECK
    if returning:
        back = url_for("journey.check", token=token)
    elif previous:
        back = url_for("journey.step", token=token, slug=previous.slug)
    else:
        back = url_for("pages.start")
    return (
        render_template(
            "assessment/section.html",
            token=token,
            draft=draft,
            section=current,
            total=len(ordered),
            form=form,
            back=back,
            returning=returning,
            form_problem=form_problem,
            LATER=LATER,
            leaving=request.method == "POST" and LATER in request.form,
        ),
        status,
    )


@journey.route("/p/<token>/<slug>", methods=["GET", "POST"])
@shows_unreadable_per_field
def step(token: str, slug: str) -> Any:
    draft = _draft_or_404(token)
    bank = load_bank()
    current = section(draft.path, bank, slug)
    if current is None:
        abort(404)
    form_class = current.form(draft.data)
    if request.method == "GET":
        return _render_section(token, draft, current, form_class(data=current.load(draft.data), formdata=None))

    form = form_class()
    unexpected = _unexpected_fields(form)
    valid = form.validate()
    unreadable = mark_unreadable(form)  # "This answer contains characters we cannot read", on the field itself
    if unexpected or not valid or unreadable:
        problem = _("The form had fields it should not have; nothing was saved. Check your answers and try again.") if unexpected else None
        return _render_section(token, draft, current, form, 400, problem)
    with write_transaction():
        draft = _draft_or_404(token)  # read again inside the write transaction
        drafts.save(draft, current.save(form, draft.data))
    if LATER in request.form:
        return redirect(url_for("journey.save", token=token))
    if request.args.get("return") == RETURN_TO_CHECK:
        return redirect(url_for("journey.check", token=token))
    following = next_section(draft.path, bank, slug)
    return redirect(url_for("journey.step", token=token, slug=following.slug) if following else url_for("journey.check", token=token))


def step_after_csrf_error(token: str, slug: str) -> tuple[str, int] | None:
    """A section posted with an expired or missing CSRF token (webapp.errors): nothing is saved, and nothing typed is
    lost. The same page comes back with the posted answers and a fresh token; None when the link or page is unknown."""
    draft = drafts.find_draft(token)
    bank = load_bank()
    current = section(draft.path, bank, slug) if draft else None
    if draft is None or current is None:
        return None
    form = current.form(draft.data)()  # filled from the post, neither validated nor saved
    mark_unreadable(form)
    button = _("Save and return to check your answers") if request.args.get("return") == RETURN_TO_CHECK else _("Save and continue")
    problem = _("This page timed out for your security. Your answers are shown below: check them and select ‘%(button)s’.", button=button)
    return _render_section(token, draft, current, form, 400, problem)


@journey.get("/p/<token>/check")
def check(token: str) -> str:
    draft = _draft_or_404(token)
    bank = load_bank()
    missing = [s for s in sections(draft.path, bank) if s.slug not in set(draft.data.get("done", []))]
    return render_template(
        "assessment/check.html",
        token=token,
        draft=draft,
        groups=summary_rows(draft, bank),
        missing=missing,
        has_results=bool(drafts.history(draft)),
        form=FlaskForm(),
    )


@journey.post("/p/<token>/submit")
def submit(token: str) -> Response:
    form = FlaskForm()
    if not form.validate():
        abort(400)
    draft = _draft_or_404(token)
    bank = load_bank()
    missing = [s for s in sections(draft.path, bank) if s.slug not in set(draft.data.get("done", []))]
    if missing:
        return redirect(url_for("journey.step", token=token, slug=missing[0].slug))
    try:
        with write_transaction():
            draft = _draft_or_404(token)
            submission = drafts.submit(draft)
        created = submission.created
        if submission.changed_since_last is not None:
            flash(catalogue_changed_message(submission.changed_since_last))
    except InvalidProfileError:
        # Every section validated on its own; this only happens if the question bank changed under a draft.
        current_app.logger.warning("a complete draft failed profile validation")
        flash(_("Some answers need checking again before we can show results."))
        return redirect(url_for("journey.check", token=token))
    except IntegrityError:
        # Another submit of the same answers committed first (write_transaction rolled this one back): show that one.
        created = False
    if not created:
        # Back, then submit again, or a double click (GOV.UK question pages: say it was already sent).
        flash(_("You have already submitted these answers. These are your results."))
    return redirect(url_for("results.latest", token=token))


@journey.route("/p/<token>/save", methods=["GET", "POST"])
def save(token: str) -> Any:
    draft = _draft_or_404(token)
    form = EmailLinkForm()
    sent_to = None
    status = 200
    if request.method == "POST" and mail_configured():
        if form.validate():
            body = render_template("assessment/email_link.txt", link=_private_link(token), days=current_app.config["DRAFT_LIFETIME_DAYS"])
            try:
                send_mail(form.email.data, _("Your Tremplin link"), body)
                sent_to = form.email.data
            except MailError:
                form.email.errors = [_("We could not send the e-mail just now. Copy the link instead, or try again later.")]
                status = 503
        else:
            status = 400
    return render_template(
        "assessment/save.html",
        token=token,
        draft=draft,
        link=_private_link(token),
        form=form,
        mail=mail_configured(),
        sent_to=sent_to,
        days=current_app.config["DRAFT_LIFETIME_DAYS"],
    ), status
