"""The safeguarding checklist: rule packs and the engine that evaluates answers against them.

The contract (``checklist-contract.md``) fixes the input (§2), the output (§3) and the decision
procedure (§4); a rule pack per jurisdiction supplies every text, code list and threshold.
"""

from desktop.domain.checklist.engine import evaluate, evaluate_with_trace, questions
from desktop.domain.checklist.rule_pack import (
    RulePack,
    builtin_pack,
    load_pack,
    rule_pack_json_schema,
)

__all__ = [
    "RulePack",
    "builtin_pack",
    "evaluate",
    "evaluate_with_trace",
    "load_pack",
    "questions",
    "rule_pack_json_schema",
]
