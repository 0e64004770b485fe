"""`Identity`: Cognito user pools for the app's users and for the moderation tool.

Two pools, because the two populations must never mix: the **end-user pool** (self sign-up by
e-mail or Google/Facebook, optional TOTP MFA, web/mobile/backend clients) and the **admin pool**
(users created only by administrators, MFA always required, groups `admins` and `moderators`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from social_components.base import SocialComponent, policy_json

from .args import AppClientUrls, CustomAttribute, IdentityArgs, SocialIdentityProvider
from .validation import validate_args

OAUTH_SCOPES = ["openid", "email", "profile"]
"""Scopes the web, mobile and admin clients may ask for."""
REFRESH_ONLY = ["ALLOW_REFRESH_TOKEN_AUTH"]
"""The only non-OAuth flow any client allows: no password, SRP or custom flows outside managed login.
(Leaving the list empty would not do: Cognito then turns on SRP and custom auth by default.)"""
STANDARD_READ = ["email", "email_verified", "name", "preferred_username", "picture", "locale", "zoneinfo"]
STANDARD_WRITE = ["email", "name", "preferred_username", "picture", "locale", "zoneinfo"]
"""Attributes the user-facing clients may write; federation needs email and name among them."""
ADMIN_REFRESH_TOKEN_DAYS = 1
"""Moderators sign in again every day, whatever the end-user refresh token lifetime is."""
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
"""Hosted zone of every CloudFront distribution, the alias target of a custom Cognito domain."""

ATTRIBUTE_MAPPING = {
    "Google": {"email": "email", "email_verified": "email_verified", "name": "name", "username": "sub"},
    "Facebook": {"email": "email", "name": "name", "username": "id"},
}
DEFAULT_SCOPES = {"Google": "openid email profile", "Facebook": "public_profile,email"}
SCOPE_SEPARATOR = {"Google": " ", "Facebook": ","}
"""How each provider's `authorize_scopes` are written in Cognito's provider details."""


class Identity(SocialComponent):
    """Cognito for the platform: end-user pool, admin pool, app clients, domains and IdPs.

    Outputs: pool ids and ARNs, `client_ids` (web, mobile, backend, admin), the managed-login
    URLs, the issuer and JWKS URLs, and the Secrets Manager secret holding the backend client's
    credentials (`backend_client_secret_arn`; read it with `backend_secret_read_policy()`).
    """

    MODULE = "identity"

    user_pool_id: pulumi.Output[str]
    """The end-user pool."""
    user_pool_arn: pulumi.Output[str]
    admin_pool_id: pulumi.Output[str]
    """The admin pool (the moderation tool's users: created by administrators only, TOTP MFA required)."""
    admin_pool_arn: pulumi.Output[str]
    client_ids: dict[str, pulumi.Output[str]]
    """App client ids by client: `web`, `mobile`, `backend`, `admin`. Not secrets."""
    domain: pulumi.Output[str]
    """Base URL of the end users' managed login; the OAuth endpoints are `<domain>/oauth2/authorize`
    and `<domain>/oauth2/token`."""
    admin_domain: pulumi.Output[str]
    """Base URL of the admin pool's managed login."""
    issuer_url: pulumi.Output[str]
    """Issuer the backend validates end users' tokens against."""
    jwks_url: pulumi.Output[str]
    """The end-user pool's signing keys."""
    admin_issuer_url: pulumi.Output[str]
    admin_jwks_url: pulumi.Output[str]
    api_scopes: list[str]
    """Full scope names (`<api_identifier>/<scope>`) the backend client is granted."""
    backend_client_secret_arn: pulumi.Output[str]
    """Secrets Manager secret (JSON: client id, secret, token URL, scopes) of the backend client, which
    uses the client-credentials flow; read access: `backend_secret_read_policy()`."""
    custom_domain_target: pulumi.Output[str] | None
    """With `custom_domain`: the CloudFront name its DNS alias record must point at (None otherwise)."""
    user_pool: aws.cognito.UserPool
    admin_pool: aws.cognito.UserPool
    clients: dict[str, aws.cognito.UserPoolClient]
    admin_groups: dict[str, aws.cognito.UserGroup]
    """Groups of the admin pool by name (`admins`, `moderators`)."""

    def __init__(self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_args(args)
        super().__init__(name, protect=args.protect, opts=opts)
        self.args = args
        # Threat protection only exists on the Plus feature plan; Essentials has everything else
        # used here (managed login, custom domains, token customisation).
        self.feature_plan = "ESSENTIALS" if args.threat_protection == "off" else "PLUS"

        # --- End-user pool -----------------------------------------------------------------
        self.user_pool = self._pool("users", admin=False)
        self.user_pool_id = self.user_pool.id
        self.user_pool_arn = self.user_pool.arn
        self._allow_triggers()
        providers = self._identity_providers()
        self.api = aws.cognito.ResourceServer(
            self.child_name("api"),
            user_pool_id=self.user_pool.id,
            identifier=args.api_identifier,
            name=args.api_identifier,
            scopes=[
                aws.cognito.ResourceServerScopeArgs(scope_name=scope, scope_description=description)
                for scope, description in args.api_scopes.items()
            ],
            opts=self.child(),
        )
        self.api_scopes = [f"{args.api_identifier}/{scope}" for scope in args.api_scopes]

        attributes = args.custom_attributes
        user_clients = {
            "web": self._public_client("web", self.user_pool, args.web, providers, attributes),
            "mobile": self._public_client("mobile", self.user_pool, args.mobile, providers, attributes),
        }
        backend = self._backend_client()
        self.custom_domain_target = None
        self.user_pool_domain, self.domain = self._domain(
            "users", self.user_pool, args.domain_prefix, args.custom_domain, user_clients
        )

        # --- Admin pool (moderation tool) --------------------------------------------------
        self.admin_pool = self._pool("admins", admin=True)
        self.admin_pool_id = self.admin_pool.id
        self.admin_pool_arn = self.admin_pool.arn
        admin = self._public_client("admin", self.admin_pool, args.admin, [], {})
        self.admin_pool_domain, self.admin_domain = self._domain(
            "admins", self.admin_pool, f"{args.domain_prefix}-admin", None, {"admin": admin}
        )
        self.admin_groups = {
            group: aws.cognito.UserGroup(
                self.child_name(f"group-{group}"),
                user_pool_id=self.admin_pool.id,
                name=group,
                description=description,
                precedence=index * 10,
                opts=self.child(),
            )
            for index, (group, description) in enumerate(args.admin_groups.items())
        }

        # --- Shared by both pools ----------------------------------------------------------
        for role, pool in (("users", self.user_pool), ("admins", self.admin_pool)):
            self._threat_protection(role, pool)
            if args.waf_web_acl_arn is not None:
                aws.wafv2.WebAclAssociation(
                    self.child_name(f"{role}-waf"),
                    resource_arn=pool.arn,
                    web_acl_arn=args.waf_web_acl_arn,
                    opts=self.child(),
                )

        self.clients = {**user_clients, "backend": backend, "admin": admin}
        # People sign in through the web, mobile and admin clients (the backend's is machine-to-machine).
        for role, pool in (("web", self.user_pool), ("mobile", self.user_pool), ("admin", self.admin_pool)):
            self.watch("cognito-client", role, {"UserPool": pool.id, "UserPoolClient": self.clients[role].id})
        self.client_ids = {k: c.id for k, c in self.clients.items()}
        self.issuer_url = pulumi.Output.concat("https://", self.user_pool.endpoint)
        self.jwks_url = pulumi.Output.concat(self.issuer_url, "/.well-known/jwks.json")
        self.admin_issuer_url = pulumi.Output.concat("https://", self.admin_pool.endpoint)
        self.admin_jwks_url = pulumi.Output.concat(self.admin_issuer_url, "/.well-known/jwks.json")
        self.backend_client_secret = self._backend_secret(backend)
        self.backend_client_secret_arn = self.backend_client_secret.arn
        self.register_outputs(
            {
                "user_pool_id": self.user_pool_id,
                "user_pool_arn": self.user_pool_arn,
                "admin_pool_id": self.admin_pool_id,
                "admin_pool_arn": self.admin_pool_arn,
                "client_ids": self.client_ids,
                "domain": self.domain,
                "admin_domain": self.admin_domain,
                "issuer_url": self.issuer_url,
                "jwks_url": self.jwks_url,
                "admin_issuer_url": self.admin_issuer_url,
                "admin_jwks_url": self.admin_jwks_url,
                "backend_client_secret_arn": self.backend_client_secret_arn,
            }
        )

    # --- Intent -----------------------------------------------------------------------------

    def backend_secret_read_policy(self) -> pulumi.Output[str]:
        """IAM policy JSON for the backend's service role: read the backend client's credentials."""
        return policy_json(
            [
                {
                    "Sid": "ReadCognitoBackendClient",
                    "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    "Resource": self.backend_client_secret_arn,
                },
                {
                    "Sid": "DecryptCognitoBackendClient",
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": self.backend_secret_key.arn,
                    "Condition": {
                        "StringEquals": {
                            "kms:ViaService": pulumi.Output.concat(
                                "secretsmanager.",
                                self.region(),
                                ".amazonaws.com",
                            )
                        }
                    },
                },
            ]
        )

    def admin_sign_in_client(
        self,
        role: str,
        *,
        callback_urls: Sequence[str],
        logout_urls: Sequence[str],
        groups: Mapping[str, str],
    ) -> aws.cognito.UserPoolClient:
        """A confidential client of the admin pool for an operator tool that signs people in with
        OIDC (Argo CD, Grafana): authorization code flow, a client secret, `openid email profile`, and
        the admin-pool `groups` (name → description) whose members the tool trusts (in the ID token's
        ``cognito:groups``)."""
        client = aws.cognito.UserPoolClient(
            self.child_name(role),
            user_pool_id=self.admin_pool.id,
            generate_secret=True,
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_flows=["code"],
            allowed_oauth_scopes=["openid", "email", "profile"],
            callback_urls=list(callback_urls),
            logout_urls=list(logout_urls),
            supported_identity_providers=["COGNITO"],
            explicit_auth_flows=REFRESH_ONLY,
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            **self._token_lifetimes(refresh_days=ADMIN_REFRESH_TOKEN_DAYS),
            opts=self.child(additional_secret_outputs=["clientSecret"]),
        )
        aws.cognito.ManagedLoginBranding(
            self.child_name(f"{role}-branding"),
            user_pool_id=self.admin_pool.id,
            client_id=client.id,
            use_cognito_provided_values=True,
            opts=self.child(depends_on=[self.admin_pool_domain]),
        )
        for group, description in groups.items():
            if group not in self.admin_groups:
                self.admin_groups[group] = aws.cognito.UserGroup(
                    self.child_name(f"group-{group}"),
                    user_pool_id=self.admin_pool.id,
                    name=group,
                    description=description,
                    precedence=len(self.admin_groups) * 10,
                    opts=self.child(),
                )
        self.clients[role] = client
        self.watch("cognito-client", role, {"UserPool": self.admin_pool.id, "UserPoolClient": client.id})
        return client

    # --- Pools ------------------------------------------------------------------------------

    def _pool(self, role: str, *, admin: bool) -> aws.cognito.UserPool:
        args = self.args
        mfa: dict[str, Any] = {"mfa_configuration": "OFF"}
        if admin or args.user_mfa == "optional":
            mfa = {
                "mfa_configuration": "ON" if admin else "OPTIONAL",
                "software_token_mfa_configuration": aws.cognito.UserPoolSoftwareTokenMfaConfigurationArgs(
                    enabled=True
                ),
            }
        return aws.cognito.UserPool(
            self.child_name(role),
            user_pool_tier=self.feature_plan,
            # Sign-in by e-mail address, whatever its letter case.
            username_attributes=["email"],
            username_configuration=aws.cognito.UserPoolUsernameConfigurationArgs(case_sensitive=False),
            auto_verified_attributes=["email"],
            # A changed e-mail address takes effect only once verified; until then the old one stays.
            user_attribute_update_settings=aws.cognito.UserPoolUserAttributeUpdateSettingsArgs(
                attributes_require_verification_before_updates=["email"]
            ),
            password_policy=aws.cognito.UserPoolPasswordPolicyArgs(
                minimum_length=args.password_minimum_length,
                require_lowercase=True,
                require_uppercase=True,
                require_numbers=True,
                require_symbols=True,
                temporary_password_validity_days=3,
                # Password reuse prevention is a Plus feature.
                password_history_size=5 if self.feature_plan == "PLUS" else None,
            ),
            account_recovery_setting=aws.cognito.UserPoolAccountRecoverySettingArgs(
                recovery_mechanisms=[
                    aws.cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs(
                        name="verified_email", priority=1
                    )
                ]
            ),
            admin_create_user_config=aws.cognito.UserPoolAdminCreateUserConfigArgs(
                allow_admin_create_user_only=admin
            ),
            verification_message_template=aws.cognito.UserPoolVerificationMessageTemplateArgs(
                default_email_option="CONFIRM_WITH_CODE"
            ),
            email_configuration=self._email(),
            user_pool_add_ons=None
            if args.threat_protection == "off"
            else aws.cognito.UserPoolUserPoolAddOnsArgs(
                advanced_security_mode=args.threat_protection.upper()
            ),
            deletion_protection="ACTIVE" if args.enable_deletion_protection else "INACTIVE",
            schemas=None if admin else _schemas(args.custom_attributes),
            lambda_config=None if admin else self._lambda_config(),
            **mfa,
            # Cognito cannot change or remove a custom attribute once the pool exists: a changed
            # schema would make Pulumi replace the pool, and a replaced pool loses every user and
            # password. So the schema is fixed at creation and later edits are ignored; new
            # attributes are added on purpose (see docs/components/identity.md).
            opts=self.stateful(ignore_changes=["schemas"]),
        )

    def _email(self) -> aws.cognito.UserPoolEmailConfigurationArgs:
        email = self.args.email
        if email is None:
            return aws.cognito.UserPoolEmailConfigurationArgs(email_sending_account="COGNITO_DEFAULT")
        return aws.cognito.UserPoolEmailConfigurationArgs(
            email_sending_account="DEVELOPER",
            source_arn=email.source_arn,
            from_email_address=email.from_address,
            reply_to_email_address=email.reply_to_address,
        )

    def _lambda_config(self) -> aws.cognito.UserPoolLambdaConfigArgs | None:
        args = self.args
        if args.pre_sign_up_lambda_arn is None and args.post_confirmation_lambda_arn is None:
            return None
        return aws.cognito.UserPoolLambdaConfigArgs(
            pre_sign_up=args.pre_sign_up_lambda_arn,
            post_confirmation=args.post_confirmation_lambda_arn,
        )

    def _allow_triggers(self) -> None:
        """Let this pool (and only this pool) invoke its Lambda triggers."""
        triggers = {
            "pre-sign-up": self.args.pre_sign_up_lambda_arn,
            "post-confirmation": self.args.post_confirmation_lambda_arn,
        }
        for trigger, arn in triggers.items():
            if arn is not None:
                aws.lambda_.Permission(
                    self.child_name(f"{trigger}-invoke"),
                    action="lambda:InvokeFunction",
                    function=arn,
                    principal="cognito-idp.amazonaws.com",
                    source_arn=self.user_pool.arn,
                    opts=self.child(),
                )

    def _threat_protection(self, role: str, pool: aws.cognito.UserPool) -> None:
        """In enforced mode, what Cognito does about risky sign-ins (audit mode only logs them)."""
        if self.args.threat_protection != "enforced":
            return
        # Low risk: sign in; medium: MFA if the user has it; high: MFA or no sign-in at all.
        # Users are not e-mailed about it (that needs notification templates and SES).
        takeover = aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsArgs(
            low_action=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsLowActionArgs(
                event_action="NO_ACTION", notify=False
            ),
            medium_action=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsMediumActionArgs(
                event_action="MFA_IF_CONFIGURED", notify=False
            ),
            high_action=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsHighActionArgs(
                event_action="MFA_REQUIRED", notify=False
            ),
        )
        # A password found in a public breach is refused at sign-in, sign-up and password change.
        leaked = aws.cognito.RiskConfigurationCompromisedCredentialsRiskConfigurationArgs(
            actions=aws.cognito.RiskConfigurationCompromisedCredentialsRiskConfigurationActionsArgs(
                event_action="BLOCK"
            )
        )
        aws.cognito.RiskConfiguration(
            self.child_name(f"{role}-risk"),
            user_pool_id=pool.id,
            account_takeover_risk_configuration=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationArgs(
                actions=takeover
            ),
            compromised_credentials_risk_configuration=leaked,
            opts=self.child(),
        )

    # --- Federation ---------------------------------------------------------------------------

    def _identity_providers(self) -> list[pulumi.Output[str]]:
        """Google and Facebook, when given; returns their names for the clients (as dependencies)."""
        names: list[pulumi.Output[str]] = []
        given: dict[str, SocialIdentityProvider | None] = {
            "Google": self.args.google,
            "Facebook": self.args.facebook,
        }
        for provider, idp in given.items():
            if idp is None:
                continue
            details: dict[str, pulumi.Input[str]] = {
                "client_id": idp.client_id,
                # Secret on the way in, and in the state: never plain text anywhere.
                "client_secret": pulumi.Output.secret(idp.client_secret),
                "authorize_scopes": (
                    SCOPE_SEPARATOR[provider].join(idp.authorize_scopes)
                    if idp.authorize_scopes
                    else DEFAULT_SCOPES[provider]
                ),
            }
            if provider == "Facebook" and idp.api_version:
                details["api_version"] = idp.api_version
            resource = aws.cognito.IdentityProvider(
                self.child_name(provider.lower()),
                user_pool_id=self.user_pool.id,
                provider_name=provider,
                provider_type=provider,
                provider_details=details,
                attribute_mapping=ATTRIBUTE_MAPPING[provider],
                opts=self.child(additional_secret_outputs=["providerDetails"]),
            )
            names.append(resource.provider_name)
        return names

    # --- App clients --------------------------------------------------------------------------

    def _token_lifetimes(self, *, refresh_days: int | None = None) -> dict[str, Any]:
        tokens = self.args.tokens
        return {
            "access_token_validity": tokens.access_token_minutes,
            "id_token_validity": tokens.id_token_minutes,
            "refresh_token_validity": refresh_days or tokens.refresh_token_days,
            "token_validity_units": aws.cognito.UserPoolClientTokenValidityUnitsArgs(
                access_token="minutes", id_token="minutes", refresh_token="days"
            ),
        }

    def _public_client(
        self,
        role: str,
        pool: aws.cognito.UserPool,
        urls: AppClientUrls,
        providers: Sequence[pulumi.Input[str]],
        attributes: Mapping[str, CustomAttribute],
    ) -> aws.cognito.UserPoolClient:
        """A browser or device app: no secret, authorization-code flow only (the app adds PKCE)."""
        custom = [f"custom:{name}" for name in attributes]
        writable = [f"custom:{name}" for name, attribute in attributes.items() if attribute.user_writable]
        return aws.cognito.UserPoolClient(
            self.child_name(role),
            user_pool_id=pool.id,
            generate_secret=False,
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_flows=["code"],
            allowed_oauth_scopes=OAUTH_SCOPES,
            callback_urls=list(urls.callback_urls),
            logout_urls=list(urls.logout_urls),
            supported_identity_providers=["COGNITO", *providers],
            explicit_auth_flows=REFRESH_ONLY,
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            read_attributes=[*STANDARD_READ, *custom],
            write_attributes=[*STANDARD_WRITE, *writable],
            **self._token_lifetimes(refresh_days=ADMIN_REFRESH_TOKEN_DAYS if role == "admin" else None),
            opts=self.child(),
        )

    def _backend_client(self) -> aws.cognito.UserPoolClient:
        """The backend's machine identity: a secret, the client-credentials flow and the API scopes."""
        return aws.cognito.UserPoolClient(
            self.child_name("backend"),
            user_pool_id=self.user_pool.id,
            generate_secret=True,
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_flows=["client_credentials"],
            # Built from the resource server's outputs so the scopes exist before the client.
            allowed_oauth_scopes=self.api.scope_identifiers,
            explicit_auth_flows=REFRESH_ONLY,
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            **self._token_lifetimes(),
            opts=self.child(additional_secret_outputs=["clientSecret"]),
        )

    def _backend_secret(self, backend: aws.cognito.UserPoolClient) -> aws.secretsmanager.Secret:
        """The backend client's credentials where the backend reads them at run time."""
        self.backend_secret_key = self.kms_key("backend-client", f"{self.name}: backend client credentials")
        return self.json_secret(
            "backend-client",
            "Cognito backend app client: client id, secret, token URL and scopes",
            {
                "client_id": backend.id,
                "client_secret": backend.client_secret,
                "token_url": pulumi.Output.concat(self.domain, "/oauth2/token"),
                "scopes": self.api_scopes,
            },
            self.backend_secret_key,
        )

    # --- Managed login ------------------------------------------------------------------------

    def _domain(
        self,
        role: str,
        pool: aws.cognito.UserPool,
        prefix: str,
        custom_domain: str | None,
        clients: Mapping[str, aws.cognito.UserPoolClient],
    ) -> tuple[aws.cognito.UserPoolDomain, pulumi.Output[str]]:
        """Managed login (version 2) on a domain; returns the domain and its base URL."""
        domain = aws.cognito.UserPoolDomain(
            self.child_name(f"{role}-domain"),
            user_pool_id=pool.id,
            domain=custom_domain or prefix,
            certificate_arn=self.args.certificate_arn if custom_domain else None,
            managed_login_version=2,
            opts=self.child(),
        )
        # Managed login shows a page only for clients that have a style; Cognito's own is enough.
        for client_role, client in clients.items():
            aws.cognito.ManagedLoginBranding(
                self.child_name(f"{client_role}-branding"),
                user_pool_id=pool.id,
                client_id=client.id,
                use_cognito_provided_values=True,
                opts=self.child(depends_on=[domain]),
            )
        if custom_domain is None:
            region = pool.arn.apply(lambda arn: arn.split(":")[3])
            return domain, pulumi.Output.concat("https://", prefix, ".auth.", region, ".amazoncognito.com")
        if self.args.dns_zone_id is not None:
            aws.route53.Record(
                self.child_name(f"{role}-domain-alias"),
                zone_id=self.args.dns_zone_id,
                name=custom_domain,
                type="A",
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=domain.cloudfront_distribution,
                        zone_id=domain.cloudfront_distribution_zone_id,
                        evaluate_target_health=False,
                    )
                ],
                opts=self.child(),
            )
        self.custom_domain_target = domain.cloudfront_distribution
        return domain, pulumi.Output.from_input(f"https://{custom_domain}")


def _schemas(attributes: Mapping[str, CustomAttribute]) -> list[aws.cognito.UserPoolSchemaArgs]:
    schemas = []
    for name, attribute in attributes.items():
        strings = numbers = None
        if attribute.type == "String":
            strings = aws.cognito.UserPoolSchemaStringAttributeConstraintsArgs(
                min_length=str(attribute.min_length or 0), max_length=str(attribute.max_length or 2048)
            )
        if attribute.type == "Number" and (attribute.min_value, attribute.max_value) != (None, None):
            numbers = aws.cognito.UserPoolSchemaNumberAttributeConstraintsArgs(
                min_value=None if attribute.min_value is None else str(attribute.min_value),
                max_value=None if attribute.max_value is None else str(attribute.max_value),
            )
        schemas.append(
            aws.cognito.UserPoolSchemaArgs(
                name=name,
                attribute_data_type=attribute.type,
                mutable=attribute.mutable,
                developer_only_attribute=False,
                required=False,
                string_attribute_constraints=strings,
                number_attribute_constraints=numbers,
            )
        )
    return schemas
