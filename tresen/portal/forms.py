"""The portal's forms: accounts, request forms with their custom fields, replies, ratings."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tresen.accounts.models import Language, User
from tresen.feedback.models import Score
from tresen.portal.models import RequestForm
from tresen.tickets.models import CustomField, FieldKind
from tresen.tickets.services import NewFile

MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Any number of files (up to MAX_FILES); sizes and types are checked by the services."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(count)d files.") % {"count": MAX_FILES})
        return [super(FilesField, self).clean(f, initial) for f in files]


def new_files(uploads: list[UploadedFile]) -> list[NewFile]:
    return [
        NewFile(filename=f.name or "", data=f.read(), content_type=f.content_type or "")
        for f in uploads
    ]


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        probe = User(email=self.data.get("email", ""), name=self.data.get("name", ""))
        password_validation.validate_password(password, probe)
        return password


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)

    class Meta:
        model = User
        fields = ["name", "language", "time_zone"]


class RequestTicketForm(forms.Form):
    """Subject, description, files and the custom fields the admin chose for this form."""

    title = forms.CharField(label=_("Subject"), max_length=250)
    body = forms.CharField(
        label=_("Describe your request"), widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = FilesField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, request_form: RequestForm, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs.update(
            {
                "hx-get": reverse("portal:suggestions"),
                "hx-trigger": "input changed delay:400ms, load",
                "hx-target": "#suggestions",
                "hx-sync": "this:replace",
                "autocomplete": "off",
            }
        )
        self.custom_fields = list(request_form.fields.filter(is_active=True))
        for custom in self.custom_fields:
            self.fields[f"cf_{custom.key}"] = _form_field(custom, language)

    def custom_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for custom in self.custom_fields:
            value = self.cleaned_data.get(f"cf_{custom.key}")
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            if value not in (None, "", []):
                values[custom.key] = value
        return values


def _form_field(custom: CustomField, language: str) -> forms.Field:
    label = custom.label(language)
    required = custom.required and custom.kind != FieldKind.CHECKBOX
    choices = [(str(o), str(o)) for o in custom.options or []]
    match custom.kind:
        case FieldKind.NUMBER:
            return forms.DecimalField(label=label, required=required)
        case FieldKind.DATE:
            return forms.DateField(
                label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
            )
        case FieldKind.CHECKBOX:
            return forms.BooleanField(label=label, required=custom.required)
        case FieldKind.SELECT:
            return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *choices])
        case FieldKind.MULTISELECT:
            return forms.MultipleChoiceField(
                label=label, required=required, choices=choices, widget=forms.CheckboxSelectMultiple
            )
        case _:
            return forms.CharField(label=label, required=required, max_length=1000)


class GuestRequestForm(RequestTicketForm):
    """The request form without an account: who is asking, and a field only robots fill in."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    # The honeypot: hidden from people (and from screen readers), filled in by form robots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    field_order = ["name", "email", "title", "body", "attachments"]


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}))
    attachments = FilesField(label=_("Attachments"), required=False)


class RatingForm(forms.Form):
    score = forms.ChoiceField(label=_("Rating"), choices=Score.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
