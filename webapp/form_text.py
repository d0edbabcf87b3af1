"""Form answers whose bytes are not UTF-8: found once, for every form, before any view can store them.

How Werkzeug reads them otherwise: an url-encoded body with a raw non-UTF-8 byte fails to decode as a whole, the
form comes out empty and the reader gets the CSRF time-out page (the token went with it); a percent-escaped one
(%E9) is kept as the three characters "%E9", which a person could also have typed; a multipart field is decoded
with U+FFFD in place of each bad byte, which a person could also have typed. None of them can tell which answer
was unreadable. So the request reads form bodies with `FormTextParser`: url-encoded bodies are decoded field by
field (bad bytes become U+FFFD, as in multipart), multipart bodies are checked part by part, and the form records
the names of the fields that were not UTF-8 (`unreadable_fields`).

Then, before the view runs, a post with such a field is refused (400; nothing is stored) with a page saying an
answer could not be read, unless its view shows the message on the field itself: such a view is marked with
`@shows_unreadable_per_field` and calls `mark_unreadable(form)` after validating, which puts "This answer contains
characters we cannot read" on each such field and makes the form invalid. An unreadable CSRF token is refused for
the page everywhere: no person typed it. The check is registered before CSRFProtect's (webapp/__init__.py), so
that it runs first and a post is never called "timed out" for an answer it could not read.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, current_app, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wrappers import Response

from webapp.redaction import redact

log = logging.getLogger("tremplin")

UNREADABLE = _l("This answer contains characters we cannot read")
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PER_FIELD_MARK = "_shows_unreadable_per_field"
View = TypeVar("View", bound=Callable[..., Any])


class FormFields(ImmutableMultiDict):
    """The posted fields, and the names of those whose bytes were not UTF-8 (their values hold U+FFFD there)."""

    unreadable: frozenset[str] = frozenset()


def _decoded(raw: bytes) -> tuple[str, bool]:
    """The text, and whether every byte of it was UTF-8."""
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), False


def _urlencoded_fields(body: bytes) -> tuple[list[tuple[str, str]], set[str]]:
    # What urllib.parse.parse_qsl does (blank values kept, '+' is a space, '&' separates), but decoding each name
    # and value on its own, so that one bad field neither empties the form nor hides which field it was.
    fields: list[tuple[str, str]] = []
    unreadable: set[str] = set()
    for pair in body.split(b"&"):
        if not pair:
            continue
        raw_name, _sep, raw_value = pair.partition(b"=")
        name, name_ok = _decoded(unquote_to_bytes(raw_name.replace(b"+", b" ")))
        value, value_ok = _decoded(unquote_to_bytes(raw_value.replace(b"+", b" ")))
        fields.append((name, value))
        if not (name_ok and value_ok):
            unreadable.add(name)
    return fields, unreadable


def _multipart_unreadable(body: bytes, boundary: bytes) -> set[str]:
    """Names of the text parts (not files) whose bytes are not in the part's charset, as Werkzeug reads it."""
    charset_of = MultiPartParser().get_part_charset
    decoder = MultipartDecoder(boundary)
    decoder.receive_data(body)
    decoder.receive_data(None)
    unreadable: set[str] = set()
    current: Field | None = None
    chunks: list[bytes] = []
    while not isinstance(event := decoder.next_event(), Epilogue | NeedData):
        if isinstance(event, Field):
            current, chunks = event, []
        elif isinstance(event, File):
            current = None  # a file's bytes are the file's business
        elif isinstance(event, Data) and current is not None:
            chunks.append(event.data)
            if not event.more_data:
                try:
                    b"".join(chunks).decode(charset_of(current.headers))
                except UnicodeDecodeError:
                    unreadable.add(current.name)
    return unreadable


class FormTextParser(FormDataParser):
    """Werkzeug's form parser, recording which fields were not UTF-8 (see the module's docstring)."""

    def parse(self, stream: Any, mimetype: str, content_length: int | None, options: dict[str, str] | None = None) -> Any:
        if mimetype not in FORM_MIMETYPES:
            return super().parse(stream, mimetype, content_length, options)
        body = stream.read()  # the stream is limited to MAX_CONTENT_LENGTH (64 KB), so it is read whole
        if mimetype == "application/x-www-form-urlencoded":
            items, unreadable = _urlencoded_fields(body)
            form = FormFields(items)
            files: Any = self.cls()
        else:
            _stream, parsed, files = super().parse(io.BytesIO(body), mimetype, content_length, options)
            form = FormFields(parsed)
            boundary = (options or {}).get("boundary", "").encode("ascii", "replace")
            try:
                unreadable = _multipart_unreadable(body, boundary) if parsed else set()
            except ValueError:  # a malformed body: Werkzeug already read what it could, and so the form is empty
                unreadable = set()
        form.unreadable = frozenset(unreadable)
        return stream, form, files


class FormTextRequest(Request):
    form_data_parser_class = FormTextParser


def unreadable_fields() -> frozenset[str]:
    """Names of the posted form fields of this request whose bytes were not UTF-8."""
    if request.mimetype not in FORM_MIMETYPES:
        return frozenset()
    return getattr(request.form, "unreadable", frozenset())


def shows_unreadable_per_field(view: View) -> View:
    """Mark a view that calls `mark_unreadable(form)` itself, so its page can show the message on the field."""
    setattr(view, PER_FIELD_MARK, True)
    return view


def _marked(view: Any) -> bool:
    while view is not None:  # rate limits and other decorators wrap the view (functools.wraps keeps __wrapped__)
        if getattr(view, PER_FIELD_MARK, False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def mark_unreadable(form: FlaskForm, fields: Iterable[str] | None = None) -> bool:
    """Put the message on each unreadable field of `form` (call after validate()); True if there was one.

    A field of the post that the form does not have is left to the view (the journey refuses unexpected fields)."""
    found = False
    message = str(UNREADABLE)
    for name in unreadable_fields() if fields is None else fields:
        field = form._fields.get(name)
        if field is not None:
            # The only message on the field: "Not a valid choice" or "Enter a number" would be about the U+FFFD.
            field.errors = [message]
            found = True
    return found


def _back() -> str | None:
    """The page that was sent, when it can be opened again (its saved answers, not the unreadable ones)."""
    rule = request.url_rule
    if rule is None or "GET" not in (rule.methods or ()):
        return None
    return request.full_path.rstrip("?")


def unreadable_page() -> Response:
    from webapp.error_page import error_page

    log.info("a form posted to %s %s had fields that are not UTF-8: %s", request.method, redact(request.path), sorted(unreadable_fields()))
    return error_page(400, unreadable=True, back=_back())


def refuse_unreadable() -> Response | None:
    """Before any view: a post with an unreadable answer stores nothing (unless the view marks the fields itself)."""
    fields = unreadable_fields()
    if request.blueprint == "api" or not fields:
        return None  # the API reads JSON only, and answers a form body with 415
    # The CSRF token is no answer a person typed, and CSRFProtect, which reads it next, would answer "timed out".
    token_unreadable = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in fields
    if _marked(current_app.view_functions.get(request.endpoint or "")) and not token_unreadable:
        return None
    return unreadable_page()


def init_form_text(app: Flask) -> None:
    app.request_class = FormTextRequest
    app.before_request(refuse_unreadable)
