"""Forms of the deputy portal: logging a station visit in under a minute."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from deputies.models import Deputy
from deputies.models import LiaisonStation
from deputies.models import StationVisit
from deputies.visits import MAX_PHOTOS
from deputies.visits import station_group

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; the service checks type, size and count."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [data] if data else []


class StationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LiaisonStation) -> str:
        return f"{obj.name}({obj.region.name})"


class VisitLogForm(forms.Form):
    """What a deputy types after a morning at the station; defaults do the rest."""

    station = StationChoiceField(
        label=_("联络站"),
        queryset=LiaisonStation.objects.none(),
        empty_label=None,
    )
    date = forms.DateField(
        label=_("进站日期"),
        # ISO format: a type="date" input shows nothing for a localised value.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kind = forms.ChoiceField(
        label=_("履职类型"),
        choices=StationVisit.Kind.choices,
        initial=StationVisit.Kind.RECEPTION,
        widget=forms.RadioSelect,
    )
    deputies = forms.ModelMultipleChoiceField(
        label=_("到场代表"),
        queryset=Deputy.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    voters_received = forms.IntegerField(
        label=_("接待选民人数"),
        min_value=0,
        max_value=10_000,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    summary = forms.CharField(
        label=_("履职情况"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("接待了谁、反映了什么问题、如何处理。"),
    )
    photos = MultipleFileField(
        label=_("现场照片"),
        required=False,
        help_text=_("最多%(max)s张,JPEG、PNG或WebP格式,每张不超过10MB。")
        % {"max": MAX_PHOTOS},
    )

    def __init__(
        self,
        *args,
        stations: list[LiaisonStation],
        default_station: LiaisonStation | None,
        today: datetime.date,
        me: Deputy | None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.stations = stations
        self.fields["station"].queryset = LiaisonStation.objects.filter(
            pk__in=[s.pk for s in stations]
        ).select_related("region")
        self.fields["station"].choices = [
            (s.pk, self.fields["station"].label_from_instance(s)) for s in stations
        ]
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        station = self.selected_station(default_station)
        self.selected = station
        if station is not None:
            self.fields["deputies"].queryset = station_group(station=station)
        if not self.is_bound:
            self.initial.setdefault("date", today)
            if station is not None:
                self.initial.setdefault("station", station.pk)
                if me is not None:
                    self.initial.setdefault("deputies", [me.pk])

    def selected_station(self, default: LiaisonStation | None) -> LiaisonStation | None:
        """The station the form is about: the posted one, else the default."""
        raw = self.data.get("station") if self.is_bound else None
        by_pk = {str(s.pk): s for s in self.stations}
        if raw is not None and str(raw) in by_pk:
            return by_pk[str(raw)]
        return default
