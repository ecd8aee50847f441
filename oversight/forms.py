"""Forms of the oversight portal pages: shape only; rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oversight.models import Category


class TopicForm(forms.Form):
    title = forms.CharField(label=_("议题"), max_length=200)
    category = forms.ChoiceField(label=_("领域"), choices=Category.choices)
    description = forms.CharField(
        label=_("理由和建议"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class RectificationForm(forms.Form):
    done = forms.CharField(
        label=_("整改成效"), widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.CharField(
        label=_("佐证材料"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    completed = forms.BooleanField(label=_("整改已完成"), required=False)


class CaseScoreForm(forms.Form):
    score = forms.IntegerField(label=_("得分"), min_value=0, max_value=100)
    comment = forms.CharField(
        label=_("评查意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
