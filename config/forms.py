"""The sign-in form of the admin, with the username bounded as the user model bounds it."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator


class SignInForm(AdminAuthenticationForm):
    """The admin's sign-in form, refusing a username longer than any user's.

    Django's form sets the username field's `max_length` after the field is built, which
    sizes the input box but adds no validator, so any length reached `authenticate()`, and
    django-axes then recorded the failed sign-in in a 255-character column: PostgreSQL
    refused the row and the sign-in page answered 500. A longer username now fails as an
    invalid field, before anything is looked up or recorded.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
