"""Object rules of livelihood_votes: the model permission AND the record in scope."""

from __future__ import annotations

import rules

from congress.rules import scoped_rule

MODELS = (
    "votinground",
    "projectproposal",
    "candidateproject",
    "livelihoodproject",
    "milestone",
    "progressreport",
    "supervisionvisit",
)

for _model in MODELS:
    for _action in ("view", "change", "delete"):
        rules.add_perm(f"livelihood_votes.{_action}_{_model}", scoped_rule(_action))
