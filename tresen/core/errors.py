"""Domain errors every service may raise; interfaces turn them into 404, 403, 409 or 400."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A request the domain refuses, with a message a person can read."""

    default_message = _("The request could not be carried out.")

    def __init__(self, message: object = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class NotFound(DomainError):
    """Does not exist, or the caller may not see it: the two answer alike."""

    default_message = _("Not found.")


class PermissionDenied(DomainError):
    """Visible to the caller, but the caller may not do this."""

    default_message = _("You are not allowed to do this.")


class ValidationError(DomainError):
    """Input the domain cannot accept."""

    default_message = _("The input is not valid.")


class InvalidTransition(ValidationError):
    """A state change that the ticket's state machine does not allow."""

    default_message = _("This state change is not allowed.")


class StaleObject(DomainError):
    """The object changed since the caller loaded it: reload instead of overwriting."""

    default_message = _(
        "Someone else changed this ticket in the meantime. Reload it to see the change."
    )
