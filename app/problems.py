"""Every problem the app and the central store report, in one list (as ODK Central's problem.js).

Each problem has a stable code that never changes meaning once released, the HTTP status
a request refused for it answers with, whether a client may send the same thing again
later, and its message key (`error.<code>`) in every catalog. Nothing else spells a code:

    raise DomainError(Problem.TITLE_REQUIRED, field="title")
    Problem("issue.title_required").status  # 422

A problem is a `str`, so it goes into JSON, logs and comparisons as its code.
"""

from __future__ import annotations

from enum import StrEnum


class Problem(StrEnum):
    """One problem: its code, HTTP status, whether it may be retried, its message key."""

    status: int
    retryable: bool

    def __new__(cls, code: str, status: int = 422, retryable: bool = False) -> "Problem":
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        member.retryable = retryable
        return member

    @property
    def code(self) -> str:
        return self.value

    @property
    def message_key(self) -> str:
        return f"error.{self.value}"

    # -- requests -------------------------------------------------------------------------------
    MALFORMED = "request.malformed", 400  # not JSON, or not the shape the protocol says
    TOO_LARGE = "request.too_large", 413  # a body over the limit (or a blob over MAX_BLOB_BYTES)
    UNSUPPORTED_VERSION = "protocol.unsupported_version", 400  # X-Lianluo-Protocol the server does not speak
    NOT_FOUND = "not_found", 404
    SERVER_ERROR = "server.error", 500, True  # a bug or a database failure; the request may be retried

    # -- signing in and who may do what ---------------------------------------------------------
    AUTH_REQUIRED = "auth.required", 401  # no bearer token
    AUTH_INVALID = "auth.invalid_token", 401  # unknown token
    AUTH_EXPIRED = "auth.token_expired", 401  # token past its expiry
    AUTH_REVOKED = "auth.token_revoked", 401  # the office revoked this device
    BAD_CREDENTIALS = "auth.bad_credentials", 401  # wrong username or password
    TOO_MANY_ATTEMPTS = "auth.too_many_attempts", 429, True  # too many wrong passwords; see Retry-After
    FORBIDDEN = "auth.forbidden", 403  # the role may not do this
    OUT_OF_SCOPE = "scope.forbidden", 403  # another station's (or department's) data

    # -- mutations as the push judges them ------------------------------------------------------
    MUTATION_CONFLICT = "mutation.conflict", 409  # same mutation id, different body
    UNKNOWN_MUTATION = "mutation.unknown_kind", 422  # a mutation kind this server does not know
    RECORD_EXISTS = "record.exists", 409  # another mutation already created a record with this id
    RECORD_NOT_FOUND = "record.not_found", 404  # an event on a record the store does not hold
    PHOTO_TWICE = "record.photo_twice", 422  # the same photo attached twice (two offline devices)
    TIME_IN_FUTURE = "record.time_in_future", 422  # a time more than a day ahead of the server's clock

    # -- timeline events (app.records) -----------------------------------------------------------
    UNKNOWN_EVENT = "event.unknown_kind", 422
    CREATE_TWICE = "event.create_twice", 422
    ROLE_NOT_ALLOWED = "event.role_not_allowed", 403
    NOT_ALLOWED_IN_STATUS = "event.not_allowed_in_status", 409
    TEXT_REQUIRED = "event.text_required", 422
    EVENT_TEXT_TOO_LONG = "event.text_too_long", 422

    # -- issues (app.issues) --------------------------------------------------------------------
    TITLE_REQUIRED = "issue.title_required", 422
    TITLE_TOO_LONG = "issue.title_too_long", 422
    DESCRIPTION_TOO_LONG = "issue.description_too_long", 422
    PLACE_NAME_TOO_LONG = "issue.place_name_too_long", 422
    CATEGORY_REQUIRED = "issue.category_required", 422
    UNKNOWN_CATEGORY = "issue.unknown_category", 422
    UNKNOWN_PLACE_TYPE = "issue.unknown_place_type", 422
    UNKNOWN_SOURCE = "issue.unknown_source", 422
    UNKNOWN_STATION = "issue.unknown_station", 422
    NOT_YOUR_DEPARTMENT = "event.not_your_department", 403
    DEPARTMENT_REQUIRED = "event.department_required", 422
    UNKNOWN_DEPARTMENT = "event.unknown_department", 422
    EVENT_CATEGORY_REQUIRED = "event.category_required", 422
    MERGE_TARGET_REQUIRED = "event.merge_target_required", 422
    PHOTO_HASH_REQUIRED = "event.photo_hash_required", 422
    SCORE_RANGE = "event.score_range", 422

    # -- the closed loop (assign, supervise, extensions, ratings, look-backs) ----------------------
    DEADLINE_REQUIRED = "event.deadline_required", 422
    DEADLINE_PAST = "event.deadline_past", 422  # a deadline before today
    DEADLINE_NOT_LATER = "event.deadline_not_later", 422  # an extension that does not move the deadline on
    NO_EXTENSION_ASKED = "event.no_extension_asked", 409  # granting or refusing what nobody asked for
    EXTENSION_PENDING = "event.extension_pending", 409  # asking again before the office answered
    NOT_THE_REPORTER = "event.not_the_reporter", 403  # only the deputy who raised an issue rates it
    SATISFACTION_REQUIRED = "event.satisfaction_required", 422
    FINDING_REQUIRED = "event.finding_required", 422
    UNKNOWN_URGENCY = "event.unknown_urgency", 422
    UNKNOWN_NATURE = "event.unknown_nature", 422
    MERGE_INTO_ITSELF = "event.merge_into_itself", 422
    UNKNOWN_ISSUE = "event.unknown_issue", 422  # a duplicate mark or a letter naming an issue not in view
    PERSON_REQUIRED = "event.person_required", 422
    UNKNOWN_PERSON = "event.unknown_person", 422
    LEAD_IS_CO = "event.lead_is_co", 422  # the lead department also listed as co-handling
    ESCALATION_RANGE = "event.escalation_range", 422

    # -- supervision letters (app.letters) ------------------------------------------------------
    LETTER_ISSUES_REQUIRED = "letter.issues_required", 422
    LETTER_ISSUE_ELSEWHERE = "letter.issue_elsewhere", 422  # an issue not with the letter's department
    LETTER_DEPARTMENT_REQUIRED = "letter.department_required", 422

    # -- inspections (app.inspections) ----------------------------------------------------------
    UNKNOWN_TEMPLATE = "inspection.unknown_template", 422  # not a published version of a template
    TEMPLATE_INVALID = "inspection.template_invalid", 422  # a template file the app cannot use
    TEMPLATE_VERSION_OLD = "inspection.template_version_old", 409  # publishing a version not newer than the last
    NOT_A_PARTICIPANT = "inspection.not_a_participant", 403
    ONLY_LEAD = "inspection.only_lead", 403  # what only the lead deputy does: choose between answers, sign off
    UNKNOWN_ITEM = "inspection.unknown_item", 422
    ITEM_NOT_SHOWN = "inspection.item_not_shown", 422  # a follow-up answered before the answer that asks it
    BAD_ANSWER = "inspection.bad_answer", 422
    NO_CONFLICT = "inspection.no_conflict", 409
    UNKNOWN_ANSWER = "inspection.unknown_answer", 422
    CONFLICTS_OPEN = "inspection.conflicts_open", 409  # two answers to an item wait for the lead's choice
    EVIDENCE_MISSING = "inspection.evidence_missing", 422  # a flagged item without its photo or note
    NOT_FLAGGED = "inspection.not_flagged", 422  # only a flagged item becomes an issue
    ISSUE_RAISED = "inspection.issue_raised", 409  # the item became an issue already

    # -- stations, receptions, visits, villagers' concerns ---------------------------------------
    PHONE_INVALID = "reception.phone_invalid", 422  # not a mainland mobile number
    VISITOR_CONCERN_REQUIRED = "reception.concern_required", 422
    UNKNOWN_CONCERN = "reception.unknown_concern", 422
    CONCERN_HANDLED = "reception.concern_handled", 409  # answered or made an issue already
    DAY_OUT_OF_RANGE = "reception.day_out_of_range", 422
    STATION_REQUIRED = "reception.station_required", 422
    VISIT_HAS_ISSUES = "visit.has_issues", 409  # a visit that raised issues is kept
    CONCERN_EMPTY = "concern.empty", 422
    CONCERN_TOO_LONG = "concern.too_long", 422
    VILLAGE_REQUIRED = "concern.village_required", 422
    TOO_MANY_CONCERNS = "concern.too_many", 429, True  # the limits per address and per phone number
    RECEIPT_UNKNOWN = "concern.receipt_unknown", 404
    UNKNOWN_GROUP = "group.unknown", 422

    # -- livelihood projects, the deputies' ballot, tasks, ratings (app.projects) ----------------
    VOTE_NOT_OPEN = "ballot.not_open", 409  # a vote outside an open round
    NOT_ON_ROLL = "ballot.not_on_roll", 403
    ALREADY_VOTED = "ballot.already_voted", 409  # also from a second device, also offline
    BAD_BALLOT = "ballot.bad_choices", 422  # not one of for/against/abstain on every candidate (or the rating words)
    NO_QUORUM = "ballot.no_quorum", 409  # more than half of all deputies must be present
    CANDIDATES_REQUIRED = "ballot.candidates_required", 422
    TO_CHOOSE_RANGE = "ballot.to_choose_range", 422
    UNKNOWN_PROJECT = "project.unknown", 422
    NOT_CHOSEN = "project.not_chosen", 409  # adopting a project the closed round did not choose
    TASK_AFTER_PROJECT = "task.after_project", 422  # a task's deadline after its project's end
    PERCENT_RANGE = "task.percent_range", 422

    # -- the year on record: trainings, duty reports, the quiz (app.trainings, app.duty, app.quiz) --
    NOT_INVITED = "training.not_invited", 403  # attendance of someone the session did not invite
    ONLY_AUTHOR = "report.only_author", 403  # only the deputy who wrote a report changes it
    UNKNOWN_CALL = "report.unknown_call", 422
    CALL_CLOSED = "report.call_closed", 409
    NOT_CALLED = "report.not_called", 403  # a report to a call that does not ask this deputy
    UNKNOWN_QUIZ = "quiz.unknown", 422
    QUIZ_CLOSED = "quiz.closed", 409  # handed in after the quiz closed
    NOT_ON_QUIZ_ROLL = "quiz.not_on_roll", 403
    QUIZ_NO_RETAKE = "quiz.no_retake", 409  # a second submission the office has not allowed
    QUIZ_ALREADY_SUBMITTED = "quiz.already_submitted", 409  # the same attempt handed in twice (two devices)
    QUIZ_WRONG_QUESTIONS = "quiz.wrong_questions", 422  # not the questions drawn for this deputy and attempt
    QUIZ_TIME_UP = "quiz.time_up", 409  # handed in after the time limit
    QUIZ_BAD_ANSWER = "quiz.bad_answer", 422
    QUIZ_BAD_POOL = "quiz.bad_pool", 422  # questions this store does not have (yet)
    QUIZ_COUNT_RANGE = "quiz.count_range", 422
    QUIZ_CLOSES_BEFORE = "quiz.closes_before", 422

    # -- locations ------------------------------------------------------------------------------
    LATITUDE_RANGE = "location.latitude_range", 422
    LONGITUDE_RANGE = "location.longitude_range", 422
    LATITUDE_NOT_NUMBER = "location.latitude_not_number", 422
    LONGITUDE_NOT_NUMBER = "location.longitude_not_number", 422
    ACCURACY_NOT_NUMBER = "location.accuracy_m_not_number", 422
    ACCURACY_NEGATIVE = "location.accuracy_negative", 422
    UNKNOWN_LOCATION_SOURCE = "location.unknown_source", 422

    # -- exports (app.exports) ------------------------------------------------------------------
    EXPORT_FORBIDDEN = "export.forbidden", 403  # a role that may see none of the table's records
    EXPORT_UNKNOWN = "export.unknown_table", 404
    EXPORT_FORMAT = "export.format", 404  # a format the table has not (GeoJSON of a table without places)

    # -- photos (app.photos; the central store's blobs) -----------------------------------------
    PHOTO_EMPTY = "photo.empty", 422
    PHOTO_NOT_IMAGE = "photo.not_image", 422
    PHOTO_UNSUPPORTED = "photo.unsupported_format", 422
    PHOTO_DAMAGED = "photo.damaged", 422
    PHOTO_TOO_MANY_PIXELS = "photo.too_many_pixels", 422
    PHOTO_HASH_MISMATCH = "photo.hash_mismatch", 422
    BLOB_HASH_MISMATCH = "blob.hash_mismatch", 422  # the uploaded bytes do not hash to the name
    BLOB_OFFSET_MISMATCH = "blob.offset_mismatch", 409, True  # resume from the offset the server gives
    BLOB_MISSING = "blob.missing", 409, True  # a record names a photo the server lacks: upload it, send again
    BLOB_NOT_IMAGE = "blob.not_image", 422  # the uploaded bytes are not a photo the store keeps

    # -- the phone's side of sync ---------------------------------------------------------------
    OFFLINE = "network.offline", 503, True  # no answer from the central store: the normal state in the field
    PENDING_OTHER_USER = "sync.pending_other_user", 409  # another user's changes wait on this device


RETRYABLE = frozenset(p for p in Problem if p.retryable)


def problem_of(code: str | None) -> Problem | None:
    """Return the problem with this code, or None for a code this version does not know."""
    try:
        return Problem(code) if code else None
    except ValueError:
        return None
