"""Export of deputies (django-import-export): Chinese headers, region by code.

Phones and ID numbers are masked unless the admin passes ``unmasked=True``, which it
does only for a user with ``congress.view_personal_data`` who chose the unmasked
export (and the export is audited either way, see ``congress.admin``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields
from import_export import resources
from import_export.widgets import ForeignKeyWidget

from congress.fields import mask_id_number
from congress.fields import mask_phone
from congress.models import Region
from deputies.models import Deputy
from deputies.models import LiaisonStation


class DeputyResource(resources.ModelResource):
    """One row per deputy."""

    name = fields.Field(attribute="name", column_name=_("姓名"))
    gender = fields.Field(attribute="get_gender_display", column_name=_("性别"))
    ethnicity = fields.Field(attribute="ethnicity", column_name=_("民族"))
    birth_date = fields.Field(attribute="birth_date", column_name=_("出生日期"))
    political_status = fields.Field(
        attribute="get_political_status_display", column_name=_("政治面貌")
    )
    occupation_category = fields.Field(
        attribute="get_occupation_category_display", column_name=_("职业类别")
    )
    workplace = fields.Field(attribute="workplace", column_name=_("工作单位"))
    title = fields.Field(attribute="title", column_name=_("职务"))
    phone = fields.Field(attribute="phone", column_name=_("手机号码"))
    id_number = fields.Field(attribute="id_number", column_name=_("身份证号"))
    region_code = fields.Field(
        attribute="region",
        column_name=_("区划代码"),
        widget=ForeignKeyWidget(Region, field="code"),
    )
    region_name = fields.Field(attribute="region__name", column_name=_("所在区划"))

    class Meta:
        model = Deputy
        fields = (
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "political_status",
            "occupation_category",
            "workplace",
            "title",
            "phone",
            "id_number",
            "region_code",
            "region_name",
        )
        export_order = fields

    def __init__(self, *, unmasked: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.unmasked = unmasked

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def dehydrate_phone(self, deputy: Deputy) -> str:
        return deputy.phone if self.unmasked else mask_phone(deputy.phone)

    def dehydrate_id_number(self, deputy: Deputy) -> str:
        return deputy.id_number if self.unmasked else mask_id_number(deputy.id_number)


class LiaisonStationResource(resources.ModelResource):
    """One row per liaison station."""

    name = fields.Field(attribute="name", column_name=_("名称"))
    kind = fields.Field(attribute="get_kind_display", column_name=_("类别"))
    region_code = fields.Field(
        attribute="region",
        column_name=_("区划代码"),
        widget=ForeignKeyWidget(Region, field="code"),
    )
    region_name = fields.Field(attribute="region__name", column_name=_("所在区划"))
    address = fields.Field(attribute="address", column_name=_("地址"))
    contact_phone = fields.Field(attribute="contact_phone", column_name=_("站点电话"))
    is_active = fields.Field(attribute="is_active", column_name=_("启用"))

    class Meta:
        model = LiaisonStation
        fields = (
            "name",
            "kind",
            "region_code",
            "region_name",
            "address",
            "contact_phone",
            "is_active",
        )
        export_order = fields
