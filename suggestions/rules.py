"""Object rules of the suggestions app.

Staff and leadership reach a suggestion through their scope region
(``congress.rules.scoped_rule``); deputies, units and supervisors reach theirs
through the portals, whose selectors (``suggestions.selectors``) hold those rules.
"""

from __future__ import annotations

import rules

from congress.rules import scoped_rule

for _action in ("view", "change", "delete"):
    rules.add_perm(f"suggestions.{_action}_suggestion", scoped_rule(_action))
