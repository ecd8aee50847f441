"""Authentication backend of the platform."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    """Django's model backend, loading the user with their scope region.

    Every scoped page needs ``user.scope_region`` (``visible_to``); loading it with
    the user saves a query on every request.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("scope_region").get(
                pk=user_id
            )
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
