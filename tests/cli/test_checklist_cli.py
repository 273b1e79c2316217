"""`checklist evaluate` and `checklist questions`, through the real program."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import CliRunner, run_cli

CASES = Path(__file__).resolve().parents[1] / "domain" / "data" / "cases"


def _input(tmp_path: Path, name: str = "UK-ENG-01") -> Path:
    case = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    path = tmp_path / "input.json"
    path.write_text(json.dumps(case["input"]), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(p.stem for p in CASES.glob("*.json")))
def test_evaluate_prints_the_contract_output(cli: CliRunner, tmp_path: Path, name: str) -> None:
    expected = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))["expected"]
    result = cli("checklist", "evaluate", _input(tmp_path, name))
    assert result.code == 0, result.err
    output = result.json()
    assert output["outcome"] == expected["outcome"]
    assert set(expected.get("basis_codes_include", [])) <= set(output["basis_codes"])
    assert [b["id"] for b in output["blocks"]] == expected["blocks"]


def test_explain_writes_the_path_taken_to_stderr(tmp_path: Path) -> None:
    done = run_cli("checklist", "evaluate", _input(tmp_path), "--explain")
    assert done.returncode == 0
    assert json.loads(done.stdout)["decided_at"] == "Q11_override_basis"
    explained = done.stderr.decode()
    lines = explained.splitlines()
    assert lines[0].startswith("Q1_jurisdiction")
    assert any(line.startswith("Q11_override_basis") for line in lines)
    assert "Rests on:" in explained


def test_a_block_is_explained_with_what_to_do(tmp_path: Path) -> None:
    document = json.loads(_input(tmp_path).read_text())
    del document["answers"]["Q14_inform"]  # the person was not told, and no reason is given
    path = tmp_path / "blocked.json"
    path.write_text(json.dumps(document))
    done = run_cli("checklist", "evaluate", path, "--explain")
    assert done.returncode == 0
    assert [b["id"] for b in json.loads(done.stdout)["blocks"]] == ["V2"]
    block = next(line for line in done.stderr.decode().splitlines() if line.startswith("BLOCK V2"))
    assert "What to do:" in block


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["answers"].pop("Q2_purpose"), "answers.Q2_purpose"),
        (lambda d: d.update(jurisdiction="UK"), "jurisdiction"),
        (lambda d: d["answers"]["Q3_emergency"].update(immediate_risk="no"), "immediate_risk"),
        (lambda d: d.update(regimes=["HIPAA"]), "regimes"),
    ],
)
def test_invalid_input_exits_4_with_the_error_document(
    tmp_path: Path, change: object, field: str
) -> None:
    document = json.loads(_input(tmp_path).read_text())
    change(document)  # type: ignore[operator]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    done = run_cli("checklist", "evaluate", path)
    assert done.returncode == 4
    error = json.loads(done.stdout)
    assert error["error"] == "INVALID_INPUT"
    assert any(field in detail["field"] for detail in error["details"]), error


def test_malformed_json_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"jurisdiction": "UK-ENG", "jurisdiction": "US"}')
    done = run_cli("checklist", "evaluate", path)
    assert done.returncode == 4
    assert json.loads(done.stdout)["error"] == "INVALID_INPUT"


def test_questions_lists_every_question_in_order(cli: CliRunner) -> None:
    result = cli(
        "checklist",
        "questions",
        "--jurisdiction",
        "UK-ENG",
        "--regimes",
        "UK_GDPR,CL_CONFIDENCE",
        "--json",
    )
    assert result.code == 0, result.err
    listed = result.json()
    assert [q["id"] for q in listed][:4] == [
        "Q1_jurisdiction",
        "Q2_purpose",
        "Q3_emergency",
        "Q4_recipient",
    ]
    assert len(listed) == 17
    purpose = listed[1]
    assert purpose["help"]
    assert {"YES", "NO", "UNSURE"} <= set(
        next(f for f in purpose["fields"] if f["name"] == "legitimate")["allowed"]
    )
    human = cli("checklist", "questions", "--jurisdiction", "UK-ENG", "--regimes", "UK_GDPR")
    assert human.code == 0
    assert "1. " in human.out
    assert "[Q17_record]" in human.out


def test_questions_refuse_regimes_of_the_other_jurisdiction(cli: CliRunner) -> None:
    result = cli("checklist", "questions", "--jurisdiction", "UK-ENG", "--regimes", "HIPAA")
    assert result.code == 4
