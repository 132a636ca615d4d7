"""People and organisation: users (admins, agents, customers), organisations, groups."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    AGENT = "agent", _("Agent")
    CUSTOMER = "customer", _("Customer")


class Language(models.TextChoices):
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")


@functools.cache
def known_time_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk: about 100 ms a call.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(_("“%(zone)s” is not a known time zone."), params={"zone": value})


def normalise_domain(domain: str) -> str:
    return (domain or "").strip().lower().lstrip("@")


def normalise_email(address: str) -> str:
    """One spelling per mailbox: trimmed and lower case (domains are case-insensitive, and in
    practice so are local parts)."""
    return (address or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalise_email(username or ""))

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalise_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class Organisation(models.Model):
    """A customer company or an internal department."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    shared_tickets = models.BooleanField(
        _("members see all tickets of the organisation"), default=False
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationDomain(models.Model):
    """A mail domain whose new customers join the organisation automatically."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="domains",
        verbose_name=_("organisation"),
    )
    domain = models.CharField(_("mail domain"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("mail domain")
        verbose_name_plural = _("mail domains")

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The lookup for new customers compares lower case; a stored "Example.COM" never matches.
        self.domain = normalise_domain(self.domain)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.domain = normalise_domain(self.domain)
        if "." not in self.domain or "@" in self.domain or " " in self.domain:
            raise ValidationError({"domain": _("Enter a domain such as example.com.")})


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: administrators, agents and customers."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )
    is_active = models.BooleanField(_("active"), default=True)  # type: ignore[assignment,misc]
    # Set when mail to the address bounced hard; mail is then not sent to it automatically.
    email_undeliverable_at = models.DateTimeField(
        _("mail undeliverable since"), null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(Lower("name"), name="user_name_lower"),
            models.Index(fields=["role", "is_active"], name="user_role_active"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalise_email(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # One spelling per mailbox, however the row was written: sign-in and mail intake look
        # addresses up in lower case, so a mixed-case row would be a second, unreachable person.
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_agent(self) -> bool:
        """Agents and admins work tickets; customers do not."""
        return self.role in (Role.AGENT, Role.ADMIN)

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_staff(self) -> bool:  # the Django admin asks this
        return self.is_active and self.role == Role.ADMIN

    # The role decides, not Django's per-model permissions: an active administrator may use
    # every admin page, agents and customers none (they work in the desk and the portal).
    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list: Iterable[str], obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff


class PhoneNumber(models.Model):
    """A person's phone number in E.164, indexed so that a caller's number finds them."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("office")
        MOBILE = "mobile", _("mobile")
        HOME = "home", _("home")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_numbers")
    number = models.CharField(_("number (E.164)"), max_length=20, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OFFICE)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [
            models.UniqueConstraint(fields=["user", "number"], name="phone_unique_per_user")
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        from tresen.core.phone import try_normalise_phone

        # A caller's number is looked up in E.164; store that form whenever it can be had.
        self.number = try_normalise_phone(self.number) or self.number.strip()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from tresen.core.errors import ValidationError as DomainValidationError
        from tresen.core.phone import normalise_phone

        try:
            self.number = normalise_phone(self.number)
        except DomainValidationError as exc:
            raise ValidationError({"number": str(exc.message)}) from exc


class Group(models.Model):
    """A team that owns tickets: First Level, IT Second Level, Facility, HR ..."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    email = models.EmailField(_("sender address"), blank=True)
    sender_name = models.CharField(_("sender name"), max_length=100, blank=True)
    signature = models.TextField(_("signature"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        User, through="GroupMembership", related_name="agent_groups", verbose_name=_("agents")
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Access(models.TextChoices):
    READ = "read", _("read")
    FULL = "full", _("full")


class GroupMembership(models.Model):
    """An agent in a group, with read or full access to the group's tickets."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    access = models.CharField(
        _("access"), max_length=8, choices=Access.choices, default=Access.FULL
    )

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.access})"

    def clean(self) -> None:
        if self.user_id and not self.user.is_agent:
            raise ValidationError(_("Only agents and administrators can be members of a group."))
