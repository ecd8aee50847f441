"""Forms of the portals: they check shape; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congress.models import Session
from deputies.models import Deputy
from suggestions.models import Category
from suggestions.models import Evaluation
from suggestions.models import HandlingStep
from suggestions.models import ResultClass


class SuggestionForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    content = forms.CharField(
        label=_("内容"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("写明问题、原因和具体建议。"),
    )
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    session = forms.ModelChoiceField(
        label=_("会议"),
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("闭会期间"),
    )
    attachment = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args, deputy: Deputy, **kwargs):
        super().__init__(*args, **kwargs)
        county = deputy.region.county or deputy.region
        self.fields["session"].queryset = (
            Session.objects.filter(
                kind=Session.Kind.CONGRESS, term__region=county
            ).select_related("term__region")
        ).order_by("-start_date")


class InviteForm(forms.Form):
    deputy = forms.ModelChoiceField(
        label=_("邀请联名代表"), queryset=Deputy.objects.none()
    )

    def __init__(self, *args, suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = (
            Deputy.objects.in_region(suggestion.region)
            .exclude(pk=suggestion.lead_deputy_id)
            .order_by("name")
        )


class EvaluationForm(forms.Form):
    result = forms.ChoiceField(
        label=_("测评结果"),
        choices=Evaluation.Result.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=HandlingStep.Kind.choices)
    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=_("情况"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class CoViewForm(forms.Form):
    text = forms.CharField(
        label=_("协办意见"), widget=forms.Textarea(attrs={"rows": 4})
    )


class ReassignForm(forms.Form):
    reason = forms.CharField(
        label=_("申请调整的理由"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CommitmentDoneForm(forms.Form):
    note = forms.CharField(label=_("完成情况"), max_length=500)


class ReplyForm(forms.Form):
    letter_number = forms.CharField(label=_("答复文号"), max_length=60, required=False)
    result_class = forms.ChoiceField(
        label=_("办理结果"), choices=ResultClass.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 8})
    )
    signer = forms.CharField(label=_("签发的单位负责人"), max_length=50)
    commitment_1 = forms.CharField(
        label=_("承诺事项一"), max_length=300, required=False
    )
    commitment_1_due = forms.DateField(
        label=_("完成日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    commitment_2 = forms.CharField(
        label=_("承诺事项二"), max_length=300, required=False
    )
    commitment_2_due = forms.DateField(
        label=_("完成日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    attachment = forms.FileField(label=_("附件"), required=False)

    def clean(self):
        data = super().clean()
        for n in (1, 2):
            if data.get(f"commitment_{n}") and not data.get(f"commitment_{n}_due"):
                self.add_error(f"commitment_{n}_due", _("请填写承诺完成日期。"))
        return data

    def commitments(self) -> list[tuple[str, object]]:
        data = self.cleaned_data
        return [
            (data[f"commitment_{n}"], data.get(f"commitment_{n}_due"))
            for n in (1, 2)
            if data.get(f"commitment_{n}")
        ]
