"""Forms of the opinion pages: they check shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deputies.models import OpinionCategory
from deputies.models import Satisfaction
from deputies.opinions import CONTENT_MAX_LENGTH
from deputies.opinions import REPLY_MAX_LENGTH


class OpinionSubmitForm(forms.Form):
    """A citizen's opinion (码上找代表): what they ask, and how to reach them."""

    content = forms.CharField(
        label=_("您反映的问题或建议"),
        max_length=CONTENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=OpinionCategory.choices, initial=OpinionCategory.OTHER
    )
    name = forms.CharField(label=_("您的称呼(可不填)"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("联系电话(可不填)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "type": "tel"}
        ),
    )
    phone_consent = forms.BooleanField(
        label=_("同意代表通过此号码联系我"),
        required=False,
        help_text=_("号码加密保存,只有接收意见的代表和联络站在您同意时才能查看。"),
    )


class TrackingLookupForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
    )


class OpinionRateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("您对答复是否满意"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价意见(可不填)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OpinionReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("答复内容(群众凭查询码可以看到)"),
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class OpinionReferForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("转交单位"), queryset=None)
    note = forms.CharField(
        label=_("向群众说明(可不填)"),
        max_length=REPLY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class OpinionAssignForm(forms.Form):
    deputy = forms.ModelChoiceField(label=_("分派给代表"), queryset=None)

    def __init__(self, *args, deputies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = deputies


class OpinionRejectForm(forms.Form):
    review_note = forms.CharField(
        label=_("不予受理的理由(群众凭查询码可以看到)"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
