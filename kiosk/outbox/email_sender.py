"""Delivery to a council mailbox: one plain-text email per report, for a case officer.

SMTP with STARTTLS (RFC 3207) on the submission port; the certificate is checked against the
system's trust store, or against `ca_file` when the council's server has its own CA or a
pinned self-signed certificate. Plain SMTP is allowed only to this machine (the profile
refuses it elsewhere), and the sender logs a warning when it is used.

The Message-ID is made from the submission id, so a report sent twice (the answer to DATA
was lost and the relay retried) carries the same Message-ID both times and a mail system or
a case officer can recognise the duplicate. The reference is in the subject for the same
reason and for searching.

Outcomes: a refused connection, a timeout, a dropped connection or a 4xx reply is retried;
authentication refused, STARTTLS not offered, or a 5xx reply (a mailbox that does not exist)
is permanent with a short reason made here: never the server's own text, which may quote
addresses or content.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate

from kiosk.clock import UK
from kiosk.outbox.described import ReportContext, answer_lines
from kiosk.outbox.open311 import SendResult
from kiosk.reference import spaced
from kiosk.submission import Submission

logger = logging.getLogger(__name__)


class EmailSender:
    """Sends each report to the council mailbox(es) through one SMTP server."""

    def __init__(self, host: str, port: int, *, from_address: str, to: Sequence[str],
                 context: ReportContext | None = None, starttls: bool = True,
                 ca_file: str | None = None, username: str | None = None,
                 password: str | None = None, subject_prefix: str = "[Civic Kiosk]",
                 timeout_seconds: float = 30.0,
                 clock: Callable[[], float] = time.time) -> None:
        self._host, self._port = host, port
        self._from = from_address
        self._to = tuple(to)
        self._context = context or ReportContext()
        self._starttls = starttls
        self._ca_file = ca_file
        self._login = (username, password) if username is not None and password is not None \
            else None
        self._prefix = subject_prefix
        self._timeout = timeout_seconds
        self._clock = clock
        if not starttls:
            logger.warning("email destination %s:%d is used without STARTTLS: reports cross "
                           "the connection in plain text (allowed only on this machine)",
                           host, port)

    def close(self) -> None:
        """Nothing held between sends: each report opens its own SMTP connection."""

    def message(self, submission: Submission) -> EmailMessage:
        context = self._context
        title = context.service_title(submission)
        message = EmailMessage()
        message["From"] = self._from
        message["To"] = ", ".join(self._to)
        message["Subject"] = f"{self._prefix} {submission.reference}: {title}".strip()
        message["Date"] = formatdate(self._clock(), usegmt=True)
        domain = self._from.rpartition("@")[2] or "civic-kiosk.invalid"
        message["Message-ID"] = f"<{submission.submission_id}@{domain}>"
        message["X-Kiosk-Reference"] = submission.reference
        message.set_content(self.body(submission), charset="utf-8")
        return message

    def body(self, submission: Submission) -> str:
        context = self._context
        site = context.site_name or context.site_id or "a Civic Kiosk"
        lines = [
            f"A report made on the Civic Kiosk at {site}.",
            "",
            f"Service:      {context.service_title(submission)} ({submission.service_id}, "
            f"code {submission.service_code})",
            f"Reference:    {spaced(submission.reference)}",
            f"Submitted at: {_uk_time(submission.created_at)}",
            f"Site:         {site}" + (f" ({context.site_id})" if context.site_id else ""),
            f"Language:     {submission.language}"
            + (" (made with help from staff)" if submission.assisted else ""),
            "",
            "Answers",
            "-------",
        ]
        for question, answer in answer_lines(submission, context):
            lines.append(question)
            lines.extend(f"    {line}" for line in (answer.splitlines() or [""]))
            lines.append("")
        lines.append("Reply to the resident only through the contact details they gave above.")
        return "\n".join(lines) + "\n"

    def send(self, submission: Submission) -> SendResult:
        message = self.message(submission)
        try:
            refused = self._transmit(message)
        except _NoStartTls:
            return SendResult("permanent", "smtp STARTTLS not offered by the server")
        except smtplib.SMTPAuthenticationError as exc:
            return SendResult("permanent", f"smtp_{exc.smtp_code} authentication refused: "
                              "check the username and password", exc.smtp_code)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            return _by_code(min(codes) if codes else 550, "recipient refused")
        except smtplib.SMTPSenderRefused as exc:
            return _by_code(exc.smtp_code, "sender refused")
        except smtplib.SMTPResponseException as exc:
            return _by_code(exc.smtp_code, "refused")
        except smtplib.SMTPServerDisconnected:
            return SendResult("retry", "smtp connection dropped")
        except ssl.SSLCertVerificationError:
            return SendResult("retry", "smtp certificate not trusted (see ca_file)")
        except TimeoutError:
            return SendResult("retry", "timeout")
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult("retry", f"connection_error {type(exc).__name__}")
        if refused:
            # Some mailboxes took it: a retry would duplicate it there. Staff must look.
            return SendResult("permanent", f"smtp {len(refused)} recipient(s) refused")
        return SendResult("delivered", "smtp_250", 250)

    def _transmit(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        """One SMTP conversation. Once DATA is accepted the report is sent, so a failure of
        the closing QUIT is ignored rather than turned into a retry (a duplicate)."""
        smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        try:
            smtp.ehlo()
            if self._starttls:
                if not smtp.has_extn("starttls"):
                    raise _NoStartTls
                smtp.starttls(context=self._tls())
                smtp.ehlo()
            if self._login is not None:
                smtp.login(*self._login)
            return smtp.send_message(message)
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
            smtp.close()

    def _tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self._ca_file)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context


class _NoStartTls(Exception):
    """The server does not offer STARTTLS, and this destination requires it."""


def _by_code(code: int, what: str) -> SendResult:
    """4xx is "try again later" in SMTP; 5xx is final."""
    if 400 <= code < 500:
        return SendResult("retry", f"smtp_{code} {what} for now", code)
    return SendResult("permanent", f"smtp_{code} {what}", code)


def _uk_time(created_at: str) -> str:
    try:
        moment = datetime.fromisoformat(created_at)
    except ValueError:
        return created_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(UK):%d %B %Y at %H:%M} (UK time)"
