"""The `CiRoles` component: keyless CI access to one account for one GitLab project."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from social_components.base import SocialComponent, policy_json
from social_components.ci_roles.args import CiRolesArgs
from social_components.ci_roles.validation import (
    READ_ONLY_POLICY,
    assume_statement,
    data_read_denials,
    deploy_subjects,
    issuer_host,
    peer_statement,
    preview_subjects,
    state_statements,
    validate,
    web_identity_statement,
)


class CiRoles(SocialComponent):
    """An IAM OIDC provider for the GitLab instance and two roles only this project's jobs can assume:

    - **preview** (merge requests of `preview_refs`, by default any branch): AWS's ReadOnlyAccess
      minus data-plane reads (explicit denies: object contents, items, messages, secret values, any
      decrypt but with the state key), read of the Pulumi state and decrypt with its key, and
      assuming the project's other preview roles. It can change nothing and read no data.
    - **deploy** (protected branches and tags only): no permission of its own beyond the state; it
      assumes the deploy roles of the accounts its stack spans, which do the work.

    Jobs authenticate with ``id_tokens`` (``AWS_ROLE_ARN`` + ``AWS_WEB_IDENTITY_TOKEN_FILE``); no
    static key exists anywhere.
    """

    MODULE = "ci_roles"

    oidc_provider_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: CiRolesArgs, opts: pulumi.ResourceOptions | None = None, protect: bool = False
    ) -> None:
        super().__init__(name, protect=protect, opts=opts)
        validate(
            gitlab_url=args.gitlab_url,
            project_path=args.project_path,
            role_names=[args.preview_role_name, args.deploy_role_name],
            deploy_refs=args.deploy_refs,
            role_arns=[
                *args.deploy_assumable_role_arns,
                *args.preview_assumable_role_arns,
                *args.preview_trusted_role_arns,
            ],
            max_session_hours=args.max_session_hours,
            preview_refs=args.preview_refs,
        )
        host = issuer_host(args.gitlab_url)
        audience = args.audience or args.gitlab_url
        if args.oidc_provider_arn is not None:
            self.oidc_provider_arn = pulumi.Output.from_input(args.oidc_provider_arn)
        else:
            provider = aws.iam.OpenIdConnectProvider(
                self.child_name("gitlab"),
                url=args.gitlab_url,
                client_id_lists=[audience],
                thumbprint_lists=list(args.thumbprints) or None,
                tags={"Name": f"{host} (GitLab CI)"},
                opts=self.child(),
            )
            self.oidc_provider_arn = provider.arn

        preview_trust = [
            web_identity_statement(
                self.oidc_provider_arn, host, audience, preview_subjects(args.project_path, args.preview_refs)
            )
        ]
        if args.preview_trusted_role_arns:
            preview_trust.append(peer_statement(args.preview_trusted_role_arns))
        preview = self._role(
            "preview",
            args.preview_role_name,
            f"CI preview for {args.project_path} merge requests: read-only",
            preview_trust,
            args.max_session_hours,
        )
        aws.iam.RolePolicyAttachment(
            self.child_name("preview-read-only"),
            role=preview.name,
            policy_arn=READ_ONLY_POLICY,
            opts=self.child(),
        )
        preview_statements: list[dict[str, Any]] = []
        if args.state is not None:
            preview_statements += state_statements(args.state, write=False)
        if args.preview_assumable_role_arns:
            preview_statements.append(
                assume_statement("AssumeProjectPreviewRoles", args.preview_assumable_role_arns)
            )
        if not args.enable_preview_data_reads:
            preview_statements += data_read_denials(args.state)
        self._inline("preview", preview, preview_statements)

        deploy = self._role(
            "deploy",
            args.deploy_role_name,
            f"CI deploy for {args.project_path} protected refs: assumes the deploy roles",
            [
                web_identity_statement(
                    self.oidc_provider_arn,
                    host,
                    audience,
                    deploy_subjects(args.project_path, args.deploy_refs),
                )
            ],
            args.max_session_hours,
        )
        deploy_statements: list[dict[str, Any]] = []
        if args.state is not None:
            deploy_statements += state_statements(args.state, write=True)
        if args.deploy_assumable_role_arns:
            deploy_statements.append(assume_statement("AssumeDeployRoles", args.deploy_assumable_role_arns))
        self._inline("deploy", deploy, deploy_statements)

        self.preview_role_arn = preview.arn
        self.deploy_role_arn = deploy.arn
        self.register_outputs(
            {
                "oidc_provider_arn": self.oidc_provider_arn,
                "preview_role_arn": self.preview_role_arn,
                "deploy_role_arn": self.deploy_role_arn,
            }
        )

    def _role(
        self, role: str, role_name: str, description: str, trust: list[dict[str, Any]], hours: int
    ) -> aws.iam.Role:
        return aws.iam.Role(
            self.child_name(role),
            name=role_name,
            description=description,
            assume_role_policy=policy_json(trust),
            max_session_duration=hours * 3600,
            opts=self.child(),
        )

    def _inline(self, role: str, target: aws.iam.Role, statements: list[dict[str, Any]]) -> None:
        if statements:
            aws.iam.RolePolicy(
                self.child_name(role), role=target.id, policy=policy_json(statements), opts=self.child()
            )
