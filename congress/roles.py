"""The roles of DESIGN.md, as Django groups, and the model permissions each holds.

Object-level rules (which records a role may touch) live in ``congress/rules.py`` and
each app's ``rules.py``; this module only says which admin screens a role may use.
Groups are kept in step with this table after every ``migrate``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    STAFF = "staff", _("常委会工作人员")
    LEADERSHIP = "leadership", _("领导")
    DEPUTY = "deputy", _("人大代表")
    UNIT_LIAISON = "unit_liaison", _("承办单位联络员")
    STATION_MANAGER = "station_manager", _("联络站管理员")
    EXPERT = "expert", _("专家")


# Roles that work in the Django admin (is_staff is kept in step with this).
ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.STAFF, Role.LEADERSHIP}

ALL = ("add", "change", "delete", "view")
READ = ("view",)

# app_label.model -> actions, per role. Apps list their models here as they grow;
# a model missing from the database yet is skipped without error.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.STAFF: {
        "congress.region": READ,
        "congress.organization": ALL,
        "congress.term": ALL,
        "congress.session": ALL,
        "congress.workcalendarday": READ,
        "congress.generatedreport": READ,
        "congress.notification": READ,
        "congress.user": ALL,
        "congress.poll": ALL,
        "congress.polloption": ALL,
        "congress.pollvoter": ALL,
        "congress.papercount": ("add", "change", "view"),
        "suggestions.suggestion": READ,  # every step runs through a service
        "deputies.deputy": ALL,
        "deputies.mandate": ALL,
        "deputies.delegation": ALL,
        "deputies.constituency": ALL,
        "deputies.liaisonstation": ALL,
        "deputies.stationassignment": ALL,
        "deputies.stationduty": ALL,
        "deputies.stationchecklistentry": ALL,
        "deputies.stationvisit": ALL,
        "deputies.visitphoto": ALL,
        "deputies.activity": ALL,
        "deputies.activityparticipant": ALL,
        "deputies.checklistitem": READ,
        # 履职积分: rules, the read-only ledger, confirmations, 晾晒 and 述职.
        "deputies.pointrule": ALL,
        "deputies.pointentry": READ,
        "deputies.pointconfirmation": ("add", "view"),
        "deputies.rankingsnapshot": ("add", "change", "view"),
        "deputies.voterreport": ALL,
        "deputies.citizenopinion": ALL,
        "deputies.sensitiveword": ALL,
    },
    Role.SYSTEM_ADMIN: {
        "congress.region": ALL,
        "congress.organization": ALL,
        "congress.term": ALL,
        "congress.session": ALL,
        "congress.user": ALL,
        "congress.workcalendarday": ALL,
        "congress.generatedreport": READ,
        "congress.notification": READ,
        "congress.auditevent": READ,
        "suggestions.suggestion": READ,
        "congress.poll": ALL,
        "congress.polloption": ALL,
        "congress.pollvoter": ALL,
        "congress.papercount": READ,
        "deputies.deputy": ALL,
        "deputies.mandate": ALL,
        "deputies.delegation": ALL,
        "deputies.constituency": ALL,
        "deputies.liaisonstation": ALL,
        "deputies.stationassignment": ALL,
        "deputies.stationduty": ALL,
        "deputies.stationchecklistentry": ALL,
        "deputies.stationvisit": ALL,
        "deputies.visitphoto": ALL,
        "deputies.activity": ALL,
        "deputies.activityparticipant": ALL,
        "deputies.checklistitem": ALL,
        # 履职积分: rules, the read-only ledger, confirmations, 晾晒 and 述职.
        "deputies.pointrule": ALL,
        "deputies.pointentry": READ,
        "deputies.pointconfirmation": ("add", "view"),
        "deputies.rankingsnapshot": ("add", "change", "view"),
        "deputies.voterreport": ALL,
        "deputies.citizenopinion": ALL,
        "deputies.sensitiveword": ALL,
    },
    Role.LEADERSHIP: {
        "congress.region": READ,
        "congress.organization": READ,
        "congress.term": READ,
        "congress.session": READ,
        "congress.generatedreport": READ,
        "congress.poll": READ,
        "congress.papercount": READ,
        "deputies.deputy": READ,
        "deputies.mandate": READ,
        "deputies.liaisonstation": READ,
        "deputies.stationduty": READ,
        "deputies.stationchecklistentry": READ,
        "deputies.stationvisit": READ,
        "deputies.visitphoto": READ,
        "deputies.activity": READ,
        "deputies.activityparticipant": READ,
        "deputies.checklistitem": READ,
        "deputies.pointrule": READ,
        "deputies.pointentry": READ,
        "deputies.rankingsnapshot": READ,
        "deputies.voterreport": READ,
        "deputies.citizenopinion": READ,
        "deputies.sensitiveword": READ,
    },
    # Station managers log and read their stations' visits in the portal; the
    # object rules (deputies/visit_rules.py) keep them to those stations.
    Role.STATION_MANAGER: {
        # 民情民意: their stations' opinions (deputies/rules.py keeps them there).
        "deputies.citizenopinion": ("view", "change"),
        "deputies.stationvisit": ("add", "view"),
        "deputies.visitphoto": ("add", "view"),
    },
}

# oversight (监督工作): staff and system admins manage every model of the app, the
# leadership reads them. Polls of evaluations are congress.poll (above).
_OVERSIGHT_MODELS = (
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
for _model in _OVERSIGHT_MODELS:
    ROLE_PERMISSIONS[Role.STAFF][f"oversight.{_model}"] = ALL
    ROLE_PERMISSIONS[Role.SYSTEM_ADMIN][f"oversight.{_model}"] = ALL
    ROLE_PERMISSIONS[Role.LEADERSHIP][f"oversight.{_model}"] = READ

# livelihood_votes (民生实事项目票决): staff run rounds and follow projects (progress
# reports come only from the units, through the portal); the leadership reads them.
_LIVELIHOOD_MODELS = {
    "votinground": ALL,
    "projectproposal": ALL,
    "candidateproject": ALL,
    "livelihoodproject": ("change", "view"),
    "milestone": ALL,
    "progressreport": READ,
    "supervisionvisit": ALL,
}
for _model, _actions in _LIVELIHOOD_MODELS.items():
    ROLE_PERMISSIONS[Role.STAFF][f"livelihood_votes.{_model}"] = _actions
    ROLE_PERMISSIONS[Role.SYSTEM_ADMIN][f"livelihood_votes.{_model}"] = _actions
    ROLE_PERMISSIONS[Role.LEADERSHIP][f"livelihood_votes.{_model}"] = READ

# Extra (non-model) permissions granted by role.
ROLE_EXTRA_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.STAFF: ("congress.view_personal_data", "congress.export_data"),
    Role.SYSTEM_ADMIN: ("congress.view_personal_data", "congress.export_data"),
}
