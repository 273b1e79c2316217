"""``review …`` (issue 6): the supervisor's queue over imported records, signed acknowledgements,
queries and sign-offs, and the ``.dlreview`` file that takes them back to the practitioner.

Real stores throughout: practitioners export real reports, the supervisor imports them, and
the practitioner imports the supervisor's real, sealed review file.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.strict_json import parse_record_body
from desktop.identity import Identity, certificate_fingerprint, new_identity
from desktop.identity_card import make_card
from desktop.reports.envelope import seal
from desktop.review.statement import (
    Action,
    Reviewer,
    Statement,
    make_review_file,
    sign_statement,
    verify_statement,
)
from tests.cli import test_import_cli
from tests.cli.conftest import dns_record, record_body
from tests.cli.test_import_cli import (
    Practitioner,
    cli,
    events,
    imported,
    practitioner,
    tables,
    trust,
)
from tests.cli.test_report_cli import audit_rows, opened
from tests.factories import us_share_body
from tests.store.old_schema import tables_created_after

# The import tests' supervisor store and identity card, as fixtures here too.
supervisor = test_import_cli.supervisor
card = test_import_cli.card

SAM_REASONS = ["without-consent", "objection-overruled", "sign-off-required"]
ALEX_REASONS = ["without-consent", "not-informed"]


@dataclass(frozen=True)
class Team:
    supervisor: Path
    sam: Practitioner
    alex: Practitioner
    ids: dict[str, str]
    """Record ids by what they hold: sam's override, consent, refusal; alex's US share."""


def by_outcome(store: Path) -> dict[str, str]:
    """A practitioner's record ids by outcome (each outcome once in these stores)."""
    with opened(store) as session:
        return {str(row.outcome): row.record_id for row in session.list_records()}


@pytest.fixture
def team(supervisor: Path, card: bytes, tmp_path: Path) -> Team:
    sam = practitioner(
        tmp_path, "sam", card, [record_body(), record_body(consent=True), dns_record()]
    )
    alex = practitioner(tmp_path, "alex", card, [record_body(us_share_body)])
    for who in (sam, alex):
        trust(supervisor, who)
        done = imported(supervisor, who.export(who.store.with_suffix(".dlreport")))
        assert done.returncode == 0, done.stderr
    sams = by_outcome(sam.store)
    ids = {
        "override": sams["SHARE_WITHOUT_CONSENT"],
        "consent": sams["SHARE_WITH_CONSENT"],
        "refusal": sams["DO_NOT_SHARE"],
        "us_share": by_outcome(alex.store)["SHARE_WITHOUT_CONSENT"],
    }
    return Team(supervisor, sam, alex, ids)


def queue(store: Path, *args: str) -> list[dict[str, Any]]:
    done = cli(store, "review", "queue", "--json", *args)
    assert done.returncode == 0, done.stderr
    listed: list[dict[str, Any]] = json.loads(done.stdout)
    return listed


def fingerprint(who: Practitioner) -> str:
    return certificate_fingerprint(who.identity.certificate)


def test_the_queue_holds_what_needs_attention_filtered_every_way(team: Team) -> None:
    ids, sup = team.ids, team.supervisor
    waiting = queue(sup)
    assert {(item["id"], tuple(item["reasons"])) for item in waiting} == {
        (ids["override"], tuple(SAM_REASONS)),
        (ids["us_share"], tuple(ALEX_REASONS)),
    }
    assert all(item["practitioner"] for item in waiting)
    assert {item["practitioner_sha256"] for item in waiting} == {
        fingerprint(team.sam),
        fingerprint(team.alex),
    }
    assert {item["id"] for item in queue(sup, "--all")} == set(ids.values())
    assert [item["id"] for item in queue(sup, "--practitioner", fingerprint(team.alex))] == [
        ids["us_share"]
    ]
    assert [item["id"] for item in queue(sup, "--reason", "not-informed")] == [ids["us_share"]]
    assert [item["id"] for item in queue(sup, "--all", "--outcome", "DO_NOT_SHARE")] == [
        ids["refusal"]
    ]
    assert queue(sup, "--from", "2099-01-01") == []

    listed = json.loads(cli(sup, "review", "practitioners", "--json").stdout)
    assert sorted((p["fingerprint"], p["records"], p["waiting"]) for p in listed) == sorted(
        [(fingerprint(team.sam), 3, 1), (fingerprint(team.alex), 1, 1)]
    )
    human = cli(sup, "review", "queue")
    assert human.returncode == 0, human.stderr
    assert b"the person was not informed" in human.stdout
    assert ids["override"].encode() in human.stdout


def test_actions_are_signed_audited_and_settle_the_queue_as_the_contract_asks(
    team: Team,
) -> None:
    ids, sup = team.ids, team.supervisor
    before = len(audit_rows(sup))

    done = cli(sup, "review", "acknowledge", ids["override"])
    assert done.returncode == 0, done.stderr
    assert b"stays in the queue" in done.stdout  # V9: advice not recorded needs a sign-off
    assert ids["override"] in {item["id"] for item in queue(sup)}

    assert cli(sup, "review", "query", ids["us_share"]).returncode == 2  # no comment
    blank = cli(sup, "review", "query", ids["us_share"], "--comment", "   ")
    assert blank.returncode == 4, blank.stderr
    done = cli(sup, "review", "query", ids["us_share"], "--comment", "Why was she not told?")
    assert done.returncode == 0, done.stderr
    done = cli(sup, "review", "sign-off", ids["override"], "--comment", "Agreed with DSL.")
    assert done.returncode == 0, done.stderr

    assert queue(sup) == []
    states = {item["id"]: item["state"] for item in queue(sup, "--all")}
    assert states == {
        ids["override"]: "signed_off",
        ids["consent"]: "open",
        ids["refusal"]: "open",
        ids["us_share"]: "queried",
    }
    assert [item["id"] for item in queue(sup, "--all", "--state", "queried")] == [ids["us_share"]]

    shown = json.loads(cli(sup, "review", "show", ids["override"], "--json").stdout)
    assert [a["action"] for a in shown["actions"]] == ["acknowledge", "sign_off"]
    assert shown["actions"][1]["comment"] == "Agreed with DSL."
    assert shown["versions"][-1]["id"] == ids["override"]
    assert cli(sup, "review", "show", str(uuid.uuid4())).returncode == 4

    with opened(sup) as session:
        certificate = session.identity().certificate
        rows = session.store.conn.execute(
            "SELECT statement, signature FROM review_actions ORDER BY acted_at, action_id"
        ).fetchall()
    assert len(rows) == 3
    for text, signature in rows:
        statement = verify_statement(str(text), bytes(signature), certificate)
        assert statement.reviewer.certificate_sha256 == certificate_fingerprint(certificate)
    changed = str(rows[0][0]).replace("acknowledge", "sign_off")
    with pytest.raises(Exception, match="changed"):
        verify_statement(changed, bytes(rows[0][1]), certificate)

    assert [event for event, _ in events(sup, before)] == [
        "review_acknowledge",
        "review_query",
        "review_sign_off",
    ]


def test_a_new_version_goes_back_to_the_queue(team: Team, tmp_path: Path) -> None:
    ids, sup = team.ids, team.supervisor
    assert cli(sup, "review", "sign-off", ids["override"]).returncode == 0
    assert ids["override"] not in {item["id"] for item in queue(sup)}
    with opened(team.sam.store) as session:
        body = record_body(notes="Amended after the supervisor's question.")
        session.amend_record(
            ids["override"], parse_record_body(json.dumps(body).encode()), "clarified"
        )
    done = imported(sup, team.sam.export(tmp_path / "second.dlreport"))
    assert done.returncode == 0, done.stderr
    (item,) = [item for item in queue(sup) if item["id"] == ids["override"]]
    assert (item["version"], item["state"]) == (2, "open")


def add_card(store: Path, name: str, card: Path) -> None:
    done = cli(store, "recipients", "add", card, "--name", name, "--yes")
    assert done.returncode == 0, done.stderr


def test_reviews_go_back_to_the_practitioner_sealed_signed_and_checked(
    team: Team, tmp_path: Path
) -> None:
    ids, sup, sam = team.ids, team.supervisor, team.sam
    assert cli(sup, "review", "acknowledge", ids["consent"]).returncode == 0
    comment = "Signed off: the risk to the child justified it."
    assert cli(sup, "review", "sign-off", ids["override"], "--comment", comment).returncode == 0
    assert cli(sup, "review", "query", ids["us_share"], "--comment", "Tell her?").returncode == 0
    out = tmp_path / "sam.dlreview"

    no_card = cli(sup, "review", "export", "--practitioner", fingerprint(sam), "--out", out)
    assert no_card.returncode == 4
    assert b"recipients add" in no_card.stderr
    with opened(sam.store) as session:
        session.write_identity_card(tmp_path / "sam.card")
    add_card(sup, "Sam", tmp_path / "sam.card")
    ambiguous = cli(sup, "review", "export", "--practitioner", "Sam", "--out", out)
    assert ambiguous.returncode == 4  # both test practitioners are called Sam
    assert b"more than one practitioner matches" in ambiguous.stderr
    done = cli(sup, "review", "export", "--practitioner", fingerprint(sam), "--out", out)
    assert done.returncode == 0, done.stderr
    assert b"2 reviews" in done.stdout  # alex's query is not in sam's file
    sealed = out.read_bytes()
    assert comment.encode() not in sealed
    assert ids["override"].encode() not in sealed
    assert out.stat().st_mode & 0o077 == 0

    before = tables(sam.store)
    flipped = bytearray(sealed)
    flipped[len(sealed) // 2] ^= 1
    (tmp_path / "bad.dlreview").write_bytes(bytes(flipped))
    bad = cli(sam.store, "review", "import", tmp_path / "bad.dlreview")
    assert bad.returncode == 1, bad.stderr
    assert tables(sam.store) == before
    not_for_alex = cli(team.alex.store, "review", "import", out)
    assert not_for_alex.returncode == 1
    assert b"not for your key" in not_for_alex.stderr

    done = cli(sam.store, "review", "import", out)
    assert done.returncode == 0, done.stderr
    assert b"2 reviews" in done.stdout
    again = cli(sam.store, "review", "import", out)
    assert again.returncode == 0
    assert b"nothing changed" in again.stdout
    shown = cli(sam.store, "show", ids["override"])
    assert shown.returncode == 0, shown.stderr
    assert b"signed off by" in shown.stdout
    assert comment.encode() in shown.stdout
    with opened(sam.store) as session:
        outcomes = session.review.outcomes(ids["override"])
        assert [(o.action, o.comment) for o in outcomes] == [(Action.SIGN_OFF, comment)]
        assert [o.action for o in session.review.outcomes(ids["consent"])] == [Action.ACKNOWLEDGE]
    assert [event for event, _ in events(sam.store)][-1:] == ["review_imported"]


def forged_file(team: Team, carol: Identity, record_hash: str | None = None) -> bytes:
    """A review file signed by ``carol``, about sam's own record, sealed to sam."""
    with opened(team.sam.store) as session:
        document = session.record(team.ids["override"])
        own = session.identity()
    statement = Statement(
        format="disclosure-log-review/1",
        action_id=str(uuid.uuid4()),
        action=Action.SIGN_OFF,
        practitioner_sha256=certificate_fingerprint(own.certificate),
        record_id=team.ids["override"],
        version=1,
        record_hash=record_hash or document["hash"],
        comment=None,
        acted_at=datetime.now(UTC).replace(microsecond=0),
        reviewer=Reviewer(
            name="Carol",
            role="Manager",
            certificate_sha256=certificate_fingerprint(carol.certificate),
        ),
    )
    signed = sign_statement(statement, carol.signing_key)
    plaintext = make_review_file(
        [signed], carol.certificate, statement.practitioner_sha256, datetime.now(UTC)
    )
    return seal(plaintext, [own.encryption_key.public_key()])


def test_reviews_from_someone_unknown_or_about_other_records_are_refused(
    team: Team, tmp_path: Path
) -> None:
    sam = team.sam
    before = tables(sam.store)
    carol = new_identity("Carol Unknown", "Elsewhere")
    (tmp_path / "carol.dlreview").write_bytes(forged_file(team, carol))
    done = cli(sam.store, "review", "import", tmp_path / "carol.dlreview")
    assert done.returncode == 1
    assert b"does not know" in done.stderr
    assert tables(sam.store) == before
    reasons = [
        json.loads(detail)["reason"]
        for event, detail in audit_rows(sam.store)
        if event == "review_import_refused"
    ]
    assert reasons == ["verification_failed"]

    (tmp_path / "junk.dlreview").write_bytes(b"not a review" * 10)
    assert cli(sam.store, "review", "import", tmp_path / "junk.dlreview").returncode == 4
    assert tables(sam.store) == before


def test_a_review_of_another_version_is_refused(team: Team, tmp_path: Path) -> None:
    """Sam knows this reviewer, so only the check against sam's own record refuses it."""
    sam = team.sam
    carol = new_identity("Carol Known", "Northshire Council")
    (tmp_path / "carol.card").write_bytes(make_card(carol, "Carol", "Manager", "Northshire"))
    add_card(sam.store, "Carol", tmp_path / "carol.card")
    before = tables(sam.store)
    (tmp_path / "other.dlreview").write_bytes(forged_file(team, carol, record_hash="0" * 64))
    done = cli(sam.store, "review", "import", tmp_path / "other.dlreview")
    assert done.returncode == 1
    assert b"differs from yours" in done.stderr
    assert tables(sam.store) == before
    (tmp_path / "good.dlreview").write_bytes(forged_file(team, carol))
    done = cli(sam.store, "review", "import", tmp_path / "good.dlreview")  # the control
    assert done.returncode == 0, done.stderr


def test_gaps_in_a_series_warn_and_a_late_report_fills_them(
    supervisor: Path, card: bytes, tmp_path: Path
) -> None:
    sam = practitioner(tmp_path, "sam", card, [record_body()])
    trust(supervisor, sam)
    first, second, third = (sam.export(tmp_path / f"{n}.dlreport") for n in (1, 2, 3))
    assert imported(supervisor, first).returncode == 0
    done = imported(supervisor, third)
    assert done.returncode == 0, done.stderr
    assert b"report(s) 2 have not been imported" in done.stderr
    done = imported(supervisor, second)  # arrived late: it links to 1 and 3
    assert done.returncode == 0, done.stderr
    assert b"Warning" not in done.stderr
    with opened(supervisor) as session:
        numbers = session.store.conn.execute("SELECT seq FROM imported_reports ORDER BY seq")
        assert [row[0] for row in numbers] == [1, 2, 3]


def test_a_schema_5_supervisor_store_joins_the_review_when_opened(team: Team) -> None:
    """Records imported before the review existed are indexed when the store next opens."""
    sup = team.supervisor
    expected = {(item["id"], tuple(item["reasons"])) for item in queue(sup)}
    with opened(sup) as session:
        conn = session.store.conn
        conn.execute("BEGIN IMMEDIATE")
        for table in tables_created_after(5):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("ALTER TABLE imported_reports DROP COLUMN previous_sha256")
        conn.execute("PRAGMA user_version = 5")
        conn.execute("COMMIT")
    waiting = queue(sup)  # the command opens (and migrates) the store
    assert {(item["id"], tuple(item["reasons"])) for item in waiting} == expected
    assert {item["practitioner"] for item in waiting} == {""}  # named by their next report
    assert len(queue(sup, "--all")) == len(team.ids)
    assert cli(sup, "review", "sign-off", team.ids["override"]).returncode == 0
