"""Forms of livelihood_votes: they check shape; the services check the rules."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congress.models import BallotChoice
from livelihood_votes.models import SupervisionVisit

phone_validator = RegexValidator(r"^1\d{10}$", _("请填写11位手机号码。"), code="phone")


class ProposalForm(forms.Form):
    """群众提: a citizen's project proposal on the public page."""

    title = forms.CharField(label=_("项目名称"), max_length=200)
    content = forms.CharField(
        label=_("项目内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text=_("想办什么事、为什么要办、受益的群众有多少。"),
    )
    place = forms.CharField(label=_("实施地点"), max_length=200, required=False)
    estimated_cost = forms.DecimalField(
        label=_("估算投资(万元)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    proposer_name = forms.CharField(label=_("您的称呼"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=11,
        required=False,
        validators=[phone_validator],
        help_text=_("选填,仅用于工作人员联系您,不会公开。"),
    )


class PortalProposalForm(ProposalForm):
    """群众提 in the portals: a deputy's or a unit's proposal (the proposer is the
    signed-in deputy or unit, so no name or phone is asked)."""

    proposer_name = None
    phone = None


class ReceiptCheckForm(forms.Form):
    code = forms.CharField(
        label=_("回执码"),
        max_length=24,
        help_text=_("投票后显示的16位回执码,可不输入短横线。"),
    )


class BallotForm(forms.Form):
    """A ballot: 赞成/反对/弃权 per candidate, or one grade for a satisfaction poll."""

    def __init__(self, *args, poll, options=None, **kwargs):
        """``options``: the ballot's [(option, candidate project or None)], to show
        it. Left out, the fields are made from ``poll.option_ids`` without labels:
        all a submitted ballot needs to be read, and a ballot POST need not load
        the options and their candidates (the view shows a refused ballot again
        with them)."""
        super().__init__(*args, **kwargs)
        self.poll = poll
        self.satisfaction = poll.kind == "satisfaction"
        if options is None:
            options = [
                (SimpleNamespace(pk=pk, label=""), None) for pk in poll.option_ids
            ]
        if self.satisfaction:
            self.fields["grade"] = forms.ChoiceField(
                label=_("测评意见"),
                choices=[(o.pk, o.label) for o, _c in options],
                widget=forms.RadioSelect,
                error_messages={"required": _("请选择满意、基本满意或不满意。")},
            )
        else:
            # Built once: the enum makes a new list on every ``.choices``.
            answers = BallotChoice.Answer.choices
            for option, candidate in options:
                self.fields[f"option_{option.pk}"] = forms.ChoiceField(
                    label=option.label,
                    choices=answers,
                    widget=forms.RadioSelect,
                    required=False,
                    help_text=candidate.description if candidate else "",
                )

    def choices(self):
        """The ballot in the engine's shape."""
        if self.satisfaction:
            return [int(self.cleaned_data["grade"])]
        return {
            int(name.removeprefix("option_")): value
            for name, value in self.cleaned_data.items()
            if value
        }

    def option_fields(self):
        return [self[name] for name in self.fields if name.startswith("option_")]


class ProgressReportForm(forms.Form):
    month = forms.DateField(
        label=_("所报月份"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    percent = forms.IntegerField(label=_("完成进度(%)"), min_value=0, max_value=100)
    funds_spent = forms.DecimalField(
        label=_("累计完成投资(万元)"), min_value=0, max_digits=12, decimal_places=2
    )
    narrative = forms.CharField(
        label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4})
    )
    problems = forms.CharField(
        label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        last = today.replace(day=1) - datetime.timedelta(days=1)
        self.fields["month"].initial = last.replace(day=1)


class SupervisionVisitForm(forms.Form):
    date = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    deputies = forms.ModelMultipleChoiceField(
        label=_("督查代表"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择参加督查的代表。")},
    )
    rating = forms.ChoiceField(
        label=_("督查结论"), choices=SupervisionVisit.Rating.choices
    )
    findings = forms.CharField(
        label=_("督查意见"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, deputies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputies"].queryset = deputies
        self.fields["date"].initial = timezone.localdate()


class PublicSurveyForm(forms.Form):
    satisfied = forms.IntegerField(label=_("满意"), min_value=0)
    basically_satisfied = forms.IntegerField(label=_("基本满意"), min_value=0)
    unsatisfied = forms.IntegerField(label=_("不满意"), min_value=0)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=200)
    due_date = forms.DateField(
        label=_("计划日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


class PaperCountForm(forms.Form):
    """A clerk's paper counts: ballots, then 赞成/反对/弃权 per candidate."""

    label = forms.CharField(label=_("计票组"), max_length=100, initial=_("纸质选票"))
    ballots = forms.IntegerField(label=_("有效纸质选票数"), min_value=0)

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_rows = []
        for option in options:
            row = []
            for answer, label in BallotChoice.Answer.choices:
                name = f"o{option.pk}_{answer}"
                self.fields[name] = forms.IntegerField(
                    label=f"{option.label} {label}", min_value=0, initial=0
                )
                row.append(name)
            self.option_rows.append((option, row))

    def counts(self) -> dict[str, dict[str, int]]:
        data = self.cleaned_data
        return {
            str(option.pk): {
                name.rsplit("_", 1)[1]: data.get(name) or 0 for name in names
            }
            for option, names in self.option_rows
        }

    def rows(self):
        return [
            (option, [self[n] for n in names]) for option, names in self.option_rows
        ]


class CandidateForm(forms.Form):
    """A candidate at screening: its unit, budget and the proposals it merges."""

    title = forms.CharField(label=_("项目名称"), max_length=200)
    description = forms.CharField(
        label=_("项目内容"), widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible_unit = forms.ModelChoiceField(label=_("责任单位"), queryset=None)
    budget = forms.DecimalField(
        label=_("预算(万元)"), min_value=0, max_digits=12, decimal_places=2
    )
    target_date = forms.DateField(
        label=_("计划完成日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    proposals = forms.ModelMultipleChoiceField(
        label=_("合并的项目建议"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, units, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = units
        self.fields["proposals"].queryset = proposals


class OpinionPromoteForm(forms.Form):
    code = forms.CharField(label=_("群众意见查询码"), max_length=16)
    title = forms.CharField(label=_("项目名称"), max_length=200)


class ProposalDeclineForm(forms.Form):
    proposal = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("未采纳的理由"), max_length=500)
