from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ronghe.platform.accounts"
    label = "accounts"
    verbose_name = "组织与账户 Organizations"

    def ready(self) -> None:
        from ronghe.platform.accounts.identity import AccountsIdentity
        from ronghe.platform.core import identity

        identity.use(AccountsIdentity())
