"""Object rules of the oversight app.

Staff and leadership reach every oversight record through their scope region
(``congress.rules.scoped_rule``). Units and experts do not use the admin: the
portal shows them only what they are assigned (``oversight.selectors``).
"""

from __future__ import annotations

import rules

from congress.rules import scoped_rule

SCOPED_MODELS = (
    "researchcampaign",
    "researchgroup",
    "topicproposal",
    "oversightplan",
    "oversightitem",
    "milestone",
    "expert",
    "expertconflict",
    "expertassignment",
    "randomdraw",
    "casefile",
    "casescore",
    "inquiryquestion",
    "appointedofficial",
    "officialreview",
    "projectreview",
    "deliberationopinion",
    "followup",
    "problem",
    "countermeasure",
    "rectification",
    "publicevaluation",
    "budgetindicator",
)

for _model in SCOPED_MODELS:
    for _action in ("view", "change", "delete"):
        rules.add_perm(f"oversight.{_action}_{_model}", scoped_rule(_action))
