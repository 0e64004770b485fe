"""Identity (Cognito): what every environment's pools, clients and domains look like.

The committed stacks show the tier defaults. A fully configured dev stack (Google and Facebook
with encrypted client secrets, SES, Lambda triggers, a custom domain with the edge's certificate,
its WAF and zone) is rendered once from a temporary copy of the project to show the optional paths.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

import jsonschema
import pytest
import yaml

from social_components.identity import (
    AppClientUrls,
    CustomAttribute,
    Identity,
    IdentityArgs,
    SesEmail,
    TokenLifetimes,
)
from social_components.identity import validation as v
from social_components.testing import fake_id
from social_platform import stackfiles
from social_platform.config import load_config
from social_platform.errors import ConfigError
from social_platform.render import RenderedResource, RenderedStack, render
from social_platform.schema import SCHEMA_FILE

from .conftest import ENVIRONMENTS, raw_config

POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
IDP = "aws:cognito/identityProvider:IdentityProvider"
DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain"
COMPONENT = "social:identity:Identity"
USER_FLOWS = {
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
}

EDGE_CERT = "arn:aws:acm:us-east-1:222222222222:certificate/0000-cert"


# --- Helpers -------------------------------------------------------------------------------------


def identity(stack: RenderedStack) -> RenderedResource:
    (component,) = stack.components(COMPONENT)
    return component


def part(stack: RenderedStack, type_: str, role: str) -> RenderedResource:
    """The identity component's child of `type_` whose name ends with `-<role>`."""
    found = [r for r in stack.descendants(identity(stack)) if r.type == type_ and r.name.endswith(f"-{role}")]
    assert len(found) == 1, f"{len(found)} {type_} named *-{role} in {stack.stack}"
    return found[0]


def users(stack: RenderedStack) -> RenderedResource:
    return part(stack, POOL, "users")


def admins(stack: RenderedStack) -> RenderedResource:
    return part(stack, POOL, "admins")


def pool_of(stack: RenderedStack, resource: RenderedResource) -> RenderedResource:
    """The pool a client, group or domain belongs to (by the pool id it was given)."""
    (pool,) = [p for p in stack.of_type(POOL) if resource.inputs["userPoolId"] == p.id]
    return pool


def plain_text(stack: RenderedStack) -> str:
    return json.dumps(stack.to_json())


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> RenderedStack:
    """dev with every optional identity feature on, and the edge's WAF, certificate and zone."""
    project = tmp_path_factory.mktemp("project")
    shutil.copy(stackfiles.PROJECT_ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    stack = yaml.safe_load(stackfiles.stack_file("dev").read_text())
    stack["config"]["social-platform:identity"] = CONFIGURED_IDENTITY
    (project / "Pulumi.dev.yaml").write_text(yaml.safe_dump(stack, sort_keys=False))
    return render("dev", project_dir=project)


CONFIGURED_IDENTITY: dict[str, Any] = {
    "threat_protection": "off",
    "user_mfa": "off",
    "custom_domain": "login.dev.social.example.com",
    "web": {
        "callback_urls": ["https://app.example.test/cb", "http://localhost:3000/cb"],
        "logout_urls": ["https://app.example.test/"],
    },
    "access_token_minutes": 15,
    "id_token_minutes": 30,
    "refresh_token_days": 7,
    "google": {"client_id": "123.apps.googleusercontent.com", "client_secret": {"secure": "v1:Z29vZ2xl"}},
    "facebook": {"client_id": "987654321", "client_secret": {"secure": "v1:ZmFjZWJvb2s="}},
    "email": {
        "source_arn": "arn:aws:ses:eu-west-1:222222222222:identity/social.example.com",
        "from_address": "no-reply@dev.social.example.com",
    },
    "pre_sign_up_lambda_arn": "arn:aws:lambda:eu-west-1:222222222222:function:pre-sign-up",
    "post_confirmation_lambda_arn": "arn:aws:lambda:eu-west-1:222222222222:function:post-confirm",
}


# --- Every environment -----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_every_environment_has_both_pools_in_its_own_account_and_primary_region(
    rendered: dict, stack: str
) -> None:
    cfg = load_config(raw_config(stack))
    for pool in (users(rendered[stack]), admins(rendered[stack])):
        assert (pool.account, pool.region) == (cfg.account.id, cfg.regions.primary.name)
    assert len(rendered[stack].of_type(POOL)) == 2  # prod's second region reuses the same pools


def test_the_shared_stack_has_no_identity(rendered: dict) -> None:
    assert rendered["shared"].components(COMPONENT) == []
    assert "identity" not in rendered["shared"].outputs


TIERS = {
    # stack: (deletion protection, threat protection, protected by Pulumi)
    "dev": ("INACTIVE", "AUDIT", False),
    "staging": ("ACTIVE", "AUDIT", False),
    "prod": ("ACTIVE", "ENFORCED", True),
}


@pytest.mark.parametrize("stack", sorted(TIERS))
def test_pools_are_protected_and_watched_per_tier(rendered: dict, stack: str) -> None:
    deletion, threat, protected = TIERS[stack]
    for pool in (users(rendered[stack]), admins(rendered[stack])):
        assert pool.inputs["deletionProtection"] == deletion
        assert pool.inputs["userPoolAddOns"]["advancedSecurityMode"] == threat
        assert (pool.protect, pool.retain_on_delete) == (protected, protected)


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_threat_protection_runs_on_the_plus_feature_plan(rendered: dict, stack: str) -> None:
    for pool in rendered[stack].of_type(POOL):
        assert pool.inputs["userPoolTier"] == "PLUS"


def test_prod_acts_on_risky_sign_ins_and_blocks_leaked_passwords(rendered: dict) -> None:
    risks = rendered["prod"].of_type("aws:cognito/riskConfiguration:RiskConfiguration")
    assert {pool_of(rendered["prod"], r).name for r in risks} == {
        users(rendered["prod"]).name,
        admins(rendered["prod"]).name,
    }
    for risk in risks:
        actions = risk.inputs["accountTakeoverRiskConfiguration"]["actions"]
        assert actions["highAction"]["eventAction"] == "MFA_REQUIRED"
        assert risk.inputs["compromisedCredentialsRiskConfiguration"]["actions"]["eventAction"] == "BLOCK"
    # Audit mode only records risks: no actions configured outside prod.
    assert rendered["dev"].of_type("aws:cognito/riskConfiguration:RiskConfiguration") == []


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_end_users_sign_in_by_email_with_a_strong_password(rendered: dict, stack: str) -> None:
    pool = users(rendered[stack]).inputs
    assert pool["usernameAttributes"] == ["email"]
    assert pool["usernameConfiguration"] == {"caseSensitive": False}
    assert pool["autoVerifiedAttributes"] == ["email"]
    assert pool["accountRecoverySetting"]["recoveryMechanisms"] == [{"name": "verified_email", "priority": 1}]
    policy = pool["passwordPolicy"]
    assert policy["minimumLength"] >= 12
    assert all(policy[f"require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))
    assert pool["adminCreateUserConfig"]["allowAdminCreateUserOnly"] is False  # self sign-up
    assert pool["emailConfiguration"] == {"emailSendingAccount": "COGNITO_DEFAULT"}  # no SES configured


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_end_users_may_add_totp_mfa(rendered: dict, stack: str) -> None:
    pool = users(rendered[stack]).inputs
    assert pool["mfaConfiguration"] == "OPTIONAL"
    assert pool["softwareTokenMfaConfiguration"] == {"enabled": True}
    assert "smsConfiguration" not in pool


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_custom_attribute_changes_are_ignored_after_creation(rendered: dict, stack: str) -> None:
    pool = users(rendered[stack])
    assert "schemas" in pool.ignore_changes
    attributes = {a["name"]: a for a in pool.inputs["schemas"]}
    assert set(attributes) >= {"handle", "account_type"}
    web = part(rendered[stack], CLIENT, "web").inputs
    assert "custom:account_type" in web["readAttributes"]
    assert "custom:account_type" not in web["writeAttributes"]  # only the backend sets it
    assert "custom:handle" in web["writeAttributes"]


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_admin_pool_admits_only_invited_users_with_mfa(rendered: dict, stack: str) -> None:
    pool = admins(rendered[stack])
    assert pool.inputs["adminCreateUserConfig"]["allowAdminCreateUserOnly"] is True
    assert pool.inputs["mfaConfiguration"] == "ON"
    assert pool.inputs["softwareTokenMfaConfiguration"] == {"enabled": True}
    groups = rendered[stack].of_type("aws:cognito/userGroup:UserGroup")
    # Argo CD's admins and Grafana's admins and viewers (staging and prod, where both run).
    tools = {"argocd-admins", "grafana-admins", "grafana-viewers"} if stack != "dev" else set()
    assert {g.inputs["name"] for g in groups} == {"admins", "moderators"} | tools
    assert {pool_of(rendered[stack], g).name for g in groups} == {pool.name}
    assert pool_of(rendered[stack], part(rendered[stack], CLIENT, "admin")).name == pool.name


@pytest.mark.parametrize("stack", ENVIRONMENTS)
@pytest.mark.parametrize("role", ["web", "mobile", "admin"])
def test_user_facing_clients_are_public_and_use_only_the_code_flow(
    rendered: dict, stack: str, role: str
) -> None:
    client = part(rendered[stack], CLIENT, role).inputs
    assert client["generateSecret"] is False
    assert client["allowedOauthFlows"] == ["code"]
    assert client["allowedOauthFlowsUserPoolClient"] is True
    # No password, SRP or custom flow outside managed login; refresh tokens only.
    assert client["explicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["preventUserExistenceErrors"] == "ENABLED"
    assert client["callbackUrls"] and all("#" not in url for url in client["callbackUrls"])


def test_prod_sends_users_back_only_to_https_and_dev_also_to_localhost(rendered: dict) -> None:
    def redirects(stack: str) -> set[str]:
        return {
            url
            for role in ("web", "mobile", "admin")
            for key in ("callbackUrls", "logoutUrls")
            for url in part(rendered[stack], CLIENT, role).inputs.get(key, [])
        }

    assert {url.split("://")[0] for url in redirects("prod")} == {"https", "social"}  # social:// = mobile app
    assert "http://localhost:3000/auth/callback" in redirects("dev")


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_backend_client_has_a_secret_and_only_client_credentials(rendered: dict, stack: str) -> None:
    client = part(rendered[stack], CLIENT, "backend")
    api = part(rendered[stack], "aws:cognito/resourceServer:ResourceServer", "api")
    assert client.inputs["generateSecret"] is True
    assert client.inputs["allowedOauthFlows"] == ["client_credentials"]
    assert not USER_FLOWS & set(client.inputs["explicitAuthFlows"])
    assert "supportedIdentityProviders" not in client.inputs
    expected = [f"{api.inputs['identifier']}/{s['scopeName']}" for s in api.inputs["scopes"]]
    assert client.inputs["allowedOauthScopes"] == expected
    assert (
        pool_of(rendered[stack], client).name
        == pool_of(rendered[stack], api).name
        == users(rendered[stack]).name
    )


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_no_client_secret_is_in_plain_text(rendered: dict, stack: str) -> None:
    backend = part(rendered[stack], CLIENT, "backend")
    mock_secret = fake_id(backend.name, "secret", length=51)  # what the offline AWS returns
    assert mock_secret not in plain_text(rendered[stack])
    value = part(rendered[stack], "aws:secretsmanager/secretVersion:SecretVersion", "backend-client")
    assert value.secret_paths == ["secretString"]


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_managed_login_runs_on_the_prefix_domain_with_a_style_per_client(rendered: dict, stack: str) -> None:
    cfg = load_config(raw_config(stack))
    domains = {pool_of(rendered[stack], d).name: d.inputs for d in rendered[stack].of_type(DOMAIN)}
    prefix = f"{cfg.organization.name}-{stack}"
    assert {pool: d["domain"] for pool, d in domains.items()} == {
        users(rendered[stack]).name: prefix,
        admins(rendered[stack]).name: f"{prefix}-admin",
    }
    assert all(d["managedLoginVersion"] == 2 and "certificateArn" not in d for d in domains.values())
    styled = rendered[stack].of_type("aws:cognito/managedLoginBranding:ManagedLoginBranding")
    tools = ["argocd", "grafana"] if stack != "dev" else []  # the tools' sign-in clients (staging, prod)
    assert sorted(b.name.rsplit("-", 2)[-2] for b in styled) == sorted(["admin", "mobile", "web", *tools])


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_app_finds_client_ids_issuer_and_jwks_in_the_stack_outputs(rendered: dict, stack: str) -> None:
    out = rendered[stack].outputs["identity"]
    assert set(out["client_ids"]) == {"web", "mobile", "backend", "admin"}
    assert (
        out["issuer_url"]
        == f"https://cognito-idp.{rendered[stack].outputs['regions'][0]}.amazonaws.com/{out['user_pool_id']}"
    )
    assert out["jwks_url"] == out["issuer_url"] + "/.well-known/jwks.json"
    assert out["admin_issuer_url"].endswith(out["admin_pool_id"])
    assert out["domain"].startswith("https://") and out["domain"].endswith(".amazoncognito.com")
    assert out["backend_client_secret_arn"].startswith("arn:aws:secretsmanager:")


# --- Everything configured (temporary copy of dev) -------------------------------------------------


def test_social_sign_in_maps_email_and_name_and_keeps_its_secrets_secret(configured: RenderedStack) -> None:
    idps = {r.inputs["providerName"]: r for r in configured.of_type(IDP)}
    assert set(idps) == {"Google", "Facebook"}
    for idp in idps.values():
        assert {"email", "name"} <= set(idp.inputs["attributeMapping"])
        assert pool_of(configured, idp).name == users(configured).name
        # The whole details map travels as a secret, because it holds the client secret.
        assert idp.inputs["providerDetails"] == "[secret]"
        assert idp.secret_paths == ["providerDetails"]
    assert stackfiles.OFFLINE_SECRET not in plain_text(configured)
    for role in ("web", "mobile"):
        assert part(configured, CLIENT, role).inputs["supportedIdentityProviders"] == [
            "COGNITO",
            "Google",
            "Facebook",
        ]
    assert part(configured, CLIENT, "admin").inputs["supportedIdentityProviders"] == ["COGNITO"]


def test_redirect_urls_and_token_lifetimes_come_from_config(configured: RenderedStack) -> None:
    web = part(configured, CLIENT, "web").inputs
    assert web["callbackUrls"] == CONFIGURED_IDENTITY["web"]["callback_urls"]
    assert web["logoutUrls"] == CONFIGURED_IDENTITY["web"]["logout_urls"]
    for role in ("web", "mobile", "backend"):
        client = part(configured, CLIENT, role).inputs
        assert (client["accessTokenValidity"], client["idTokenValidity"], client["refreshTokenValidity"]) == (
            15,
            30,
            7,
        )
        assert client["tokenValidityUnits"] == {
            "accessToken": "minutes",
            "idToken": "minutes",
            "refreshToken": "days",
        }
    assert part(configured, CLIENT, "admin").inputs["refreshTokenValidity"] == 1  # moderators: daily sign-in


def test_email_goes_through_ses_when_configured(configured: RenderedStack) -> None:
    for pool in (users(configured), admins(configured)):
        assert pool.inputs["emailConfiguration"] == {
            "emailSendingAccount": "DEVELOPER",
            "sourceArn": CONFIGURED_IDENTITY["email"]["source_arn"],
            "fromEmailAddress": CONFIGURED_IDENTITY["email"]["from_address"],
        }


def test_lambda_triggers_are_wired_and_only_this_pool_may_invoke_them(configured: RenderedStack) -> None:
    pool = users(configured)
    assert pool.inputs["lambdaConfig"] == {
        "preSignUp": CONFIGURED_IDENTITY["pre_sign_up_lambda_arn"],
        "postConfirmation": CONFIGURED_IDENTITY["post_confirmation_lambda_arn"],
    }
    triggers = {
        CONFIGURED_IDENTITY["pre_sign_up_lambda_arn"],
        CONFIGURED_IDENTITY["post_confirmation_lambda_arn"],
    }
    permissions = [
        p for p in configured.of_type("aws:lambda/permission:Permission") if p.inputs["function"] in triggers
    ]
    assert {p.inputs["function"] for p in permissions} == triggers
    for permission in permissions:
        assert permission.inputs["principal"] == "cognito-idp.amazonaws.com"
        assert permission.inputs["sourceArn"].endswith(f"userpool/{pool.id}")
    assert "lambdaConfig" not in admins(configured).inputs


def test_threat_protection_off_drops_to_essentials_and_mfa_off_is_off(configured: RenderedStack) -> None:
    pool = users(configured).inputs
    assert pool["userPoolTier"] == "ESSENTIALS"
    assert "userPoolAddOns" not in pool and "passwordHistorySize" not in pool["passwordPolicy"]
    assert pool["mfaConfiguration"] == "OFF"
    assert admins(configured).inputs["mfaConfiguration"] == "ON"  # whatever the end-user setting


def test_the_edge_waf_guards_both_pools(configured: RenderedStack) -> None:
    associations = [
        a
        for a in configured.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
        if a.parent == users(configured).parent  # the Identity component's own (the ALB has one too)
    ]
    (regional,) = [
        acl for acl in configured.of_type("aws:wafv2/webAcl:WebAcl") if acl.inputs["scope"] == "REGIONAL"
    ]
    assert {a.inputs["webAclArn"].split("/")[-2] for a in associations} == {regional.name}
    assert {a.inputs["resourceArn"].rsplit("/", 1)[1] for a in associations} == {
        users(configured).id,
        admins(configured).id,
    }


def test_a_custom_domain_uses_the_edge_certificate_and_gets_an_alias(configured: RenderedStack) -> None:
    domain = part(configured, DOMAIN, "users-domain").inputs
    assert domain["domain"] == CONFIGURED_IDENTITY["custom_domain"]
    (certificate,) = [
        c
        for c in configured.of_type("aws:acm/certificate:Certificate")
        if CONFIGURED_IDENTITY["custom_domain"] in c.inputs.get("subjectAlternativeNames", [])
    ]
    assert certificate.region == "us-east-1"
    assert CONFIGURED_IDENTITY["custom_domain"] in certificate.inputs["subjectAlternativeNames"]
    assert domain["certificateArn"].startswith("arn:aws:acm:us-east-1:222222222222:certificate/")
    (zone,) = [
        z for z in configured.of_type("aws:route53/zone:Zone") if z.inputs["name"] == "dev.social.example.com"
    ]
    edge_records = [r for r in configured.of_type("aws:route53/record:Record") if r.name.startswith("edge-")]
    record = part(configured, "aws:route53/record:Record", "users-domain-alias").inputs
    assert record["zoneId"] in {r.inputs["zoneId"] for r in edge_records}, zone.name
    assert (record["name"], record["type"]) == (CONFIGURED_IDENTITY["custom_domain"], "A")
    assert record["aliases"][0]["name"].endswith(".cloudfront.net")
    assert configured.outputs["identity"]["domain"] == f"https://{CONFIGURED_IDENTITY['custom_domain']}"


def test_the_stack_file_schema_takes_secrets_only_encrypted() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    stack = {"config": {"social-platform:identity": CONFIGURED_IDENTITY}}
    jsonschema.validate(stack, schema)
    plain = json.loads(json.dumps(stack))
    plain["config"]["social-platform:identity"]["google"]["client_secret"] = "shh"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(plain, schema)


# --- Config guards -----------------------------------------------------------------------------------


BAD_IDENTITY = [
    # (description, stack, config sections to replace, key named in the error, words in the message)
    (
        "prod audits only",
        "prod",
        {"identity": {"threat_protection": "audit"}},
        "identity.threat_protection",
        "enforced",
    ),
    (
        "prod without deletion protection",
        "prod",
        {"identity": {"deletion_protection": False}},
        "identity.deletion_protection",
        "prod safety default",
    ),
    (
        "IdP secret in plain text",
        "dev",
        {"identity": {"google": {"client_id": "x", "client_secret": "shh"}}},
        "identity.google.client_secret",
        "must be stored encrypted",
    ),
    (
        "plain http callback",
        "dev",
        {"identity": {"web": {"callback_urls": ["http://app.example.com/cb"]}}},
        "identity.web.callback_urls.0",
        "use https",
    ),
    (
        "localhost callback in prod",
        "prod",
        {"identity": {"web": {"callback_urls": ["http://localhost:3000/cb"]}}},
        "identity.web.callback_urls.0",
        "prod allows https only",
    ),
    (
        "custom scheme on the web",
        "dev",
        {"identity": {"web": {"callback_urls": ["social://cb"]}}},
        "identity.web.callback_urls.0",
        "mobile client only",
    ),
    (
        "wildcard callback",
        "dev",
        {"identity": {"mobile": {"callback_urls": ["https://*.example.com/cb"]}}},
        "identity.mobile.callback_urls.0",
        "wildcards",
    ),
    (
        "no callback",
        "dev",
        {"identity": {"admin": {"callback_urls": []}}},
        "identity.admin.callback_urls",
        "at least 1",
    ),
    (
        "trigger in another region",
        "dev",
        {"identity": {"pre_sign_up_lambda_arn": "arn:aws:lambda:us-east-1:222222222222:function:f"}},
        "identity.pre_sign_up_lambda_arn",
        "primary region eu-west-1",
    ),
    (
        "trigger in another account",
        "dev",
        {"identity": {"post_confirmation_lambda_arn": "arn:aws:lambda:eu-west-1:999999999999:function:f"}},
        "identity.post_confirmation_lambda_arn",
        "account 222222222222",
    ),
    (
        "sender outside the SES identity",
        "dev",
        {
            "identity": {
                "email": {
                    "source_arn": "arn:aws:ses:eu-west-1:222222222222:identity/social.example.com",
                    "from_address": "a@evil.test",
                }
            }
        },
        "identity.email.from_address",
        "must belong to the SES identity",
    ),
    (
        "custom domain outside ours",
        "dev",
        {"identity": {"custom_domain": "login.other.test"}},
        "identity.custom_domain",
        "environment's zone 'dev.social.example.com'",
    ),
    (
        # Its records would be written into dev.social.example.com, which does not own the name.
        "custom domain in the organization's but not the environment's zone",
        "dev",
        {"identity": {"custom_domain": "login.social.example.com"}},
        "identity.custom_domain",
        "environment's zone 'dev.social.example.com'",
    ),
    (
        "custom domain without the edge",
        "dev",
        {"identity": {"custom_domain": "login.dev.social.example.com"}, "edge": {"enabled": False}},
        "identity.custom_domain",
        "needs edge.enabled",
    ),
    (
        "access token too long",
        "dev",
        {"identity": {"access_token_minutes": 2000}},
        "identity.access_token_minutes",
        "less than or equal to 1440",
    ),
    (
        "length limits on a number",
        "dev",
        {"identity": {"custom_attributes": {"karma": {"type": "Number", "max_length": 3}}}},
        "identity.custom_attributes.karma",
        "String attributes only",
    ),
    (
        "attribute name too long",
        "dev",
        {"identity": {"custom_attributes": {"a" * 21: {}}}},
        "identity.custom_attributes",
        "pattern",
    ),
    (
        "reserved word in the prefix",
        "dev",
        {"identity": {"domain_prefix": "social-cognito"}},
        "identity.domain_prefix",
        "without 'aws', 'amazon' or 'cognito'",
    ),
    (
        "unknown threat mode",
        "dev",
        {"identity": {"threat_protection": "block"}},
        "identity.threat_protection",
        "allowed",
    ),
]


@pytest.mark.parametrize(
    ("stack", "sections", "key", "words"), [c[1:] for c in BAD_IDENTITY], ids=[c[0] for c in BAD_IDENTITY]
)
def test_bad_identity_config_names_the_key_and_what_is_allowed(
    stack: str, sections: dict, key: str, words: str
) -> None:
    raw = {**raw_config(stack), **sections}
    with pytest.raises(ConfigError) as caught:
        load_config(raw)
    assert any(k.startswith(f"social-platform:{key}") for k in caught.value.keys), caught.value
    assert words in str(caught.value)


def test_the_good_versions_of_those_settings_load() -> None:
    raw = raw_config("dev")
    raw["identity"] = {
        **CONFIGURED_IDENTITY,
        "google": {"client_id": "g", "client_secret": "decrypted-by-pulumi"},
        "facebook": {"client_id": "f", "client_secret": "decrypted-by-pulumi"},
    }
    cfg = load_config(raw, secret_keys={"identity"})
    assert cfg.identity.google is not None
    assert cfg.identity.google.client_secret.get_secret_value() == "decrypted-by-pulumi"
    assert "decrypted-by-pulumi" not in repr(cfg)
    prod = raw_config("prod")
    prod["identity"] = {"mobile": {"callback_urls": ["social://auth/callback"]}}
    assert load_config(prod).identity.mobile is not None


# --- Component argument checks (no Pulumi) ------------------------------------------------------------

URLS = AppClientUrls(callback_urls=["https://app.example.com/cb"])


def args(**changes: Any) -> IdentityArgs:
    base: dict[str, Any] = {
        "domain_prefix": "social-dev",
        "web": URLS,
        "mobile": AppClientUrls(callback_urls=["social://auth/callback"]),
        "admin": URLS,
        "api_identifier": "https://api.example.com",
    }
    return IdentityArgs(**{**base, **changes})


def test_valid_arguments_pass() -> None:
    v.validate_args(args())
    v.validate_args(args(custom_domain="login.example.com", certificate_arn=EDGE_CERT, dns_zone_id="Z1"))


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"domain_prefix": "my-cognito-login"}, "may not contain 'cognito'"),
        ({"domain_prefix": "-bad"}, "domain_prefix"),
        ({"web": AppClientUrls(callback_urls=[])}, "web.callback_urls needs at least one"),
        ({"web": AppClientUrls(callback_urls=["social://cb"])}, "only the mobile client may"),
        ({"admin": AppClientUrls(callback_urls=["http://admin.example.com"])}, "must use https"),
        ({"mobile": AppClientUrls(callback_urls=["https://a.example.com/#x"])}, "without '#'"),
        ({"custom_domain": "login.example.com"}, "custom_domain needs certificate_arn"),
        ({"dns_zone_id": "Z1"}, "dns_zone_id is only used with custom_domain"),
        ({"api_scopes": {}}, "api_scopes needs at least one scope"),
        ({"api_scopes": {"read write": "x"}}, "not a valid scope name"),
        ({"custom_attributes": {"custom:x": CustomAttribute()}}, "without the 'custom:' prefix"),
        ({"custom_attributes": {"n": CustomAttribute(type="Boolean", min_value=1)}}, "apply to Number only"),
        ({"custom_attributes": {"s": CustomAttribute(min_length=9, max_length=3)}}, "greater than maximum"),
        ({"tokens": TokenLifetimes(access_token_minutes=1)}, "tokens.access_token_minutes must be 5 to 1440"),
        ({"tokens": TokenLifetimes(refresh_token_days=0)}, "refresh_token_days must be 1 to 3650"),
        ({"password_minimum_length": 6}, "password_minimum_length must be 8 to 99"),
        (
            {"email": SesEmail(source_arn="arn:aws:ses:eu-west-1:1:identity/x", from_address="a@b.c")},
            "not an SES identity ARN",
        ),
        (
            {
                "email": SesEmail(
                    source_arn="arn:aws:ses:eu-west-1:123456789012:identity/example.com",
                    from_address="a@example.org",
                )
            },
            "does not belong to the SES identity",
        ),
        ({"admin_groups": {}}, "admin_groups needs at least one group"),
    ],
)
def test_bad_arguments_are_refused_before_any_resource(changes: dict, words: str) -> None:
    with pytest.raises(ValueError) as caught:
        v.validate_args(args(**changes))
    assert words in str(caught.value)


def test_the_component_refuses_bad_arguments_in_its_constructor() -> None:
    # Validation comes first, so no Pulumi runtime (and no resource) is needed to see it fire.
    with pytest.raises(ValueError, match="custom_domain needs certificate_arn"):
        Identity("identity", args(custom_domain="login.example.com"))


def test_a_subdomain_sender_belongs_to_its_domain_identity() -> None:
    v.validate_ses_sender(
        "arn:aws:ses:eu-west-1:123456789012:identity/example.com", "no-reply@mail.example.com"
    )
    v.validate_ses_sender("arn:aws:ses:eu-west-1:123456789012:identity/me@example.com", "me@example.com")
