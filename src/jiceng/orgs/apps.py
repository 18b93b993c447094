from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "jiceng.orgs"
    verbose_name = "组织与人员"

    def ready(self):
        from jiceng.regions.models import Region

        from . import tokens
        from .models import ApiToken, Unit, User

        tokens.accounts.watch(ApiToken, User, Region, Unit, through=[User.roles.through])
