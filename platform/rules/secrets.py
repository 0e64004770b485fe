"""Secrets: every secret rotates, or carries a reviewed exemption saying why and how it is renewed."""

from __future__ import annotations

from collections.abc import Iterator

from social_platform.rulebook import ResourceView, StackView, _num, rule

SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
MAX_ROTATION_DAYS = 90


@rule(
    "secrets-rotate",
    f"Every Secrets Manager secret rotates at least every {MAX_ROTATION_DAYS} days (a SecretRotation), "
    "or has a reviewed exemption with its reason (RDS-managed secrets rotate in RDS, outside the stack)",
    types=(SECRET,),
    needs_stack=True,
)
def _secrets_rotate(r: ResourceView, stack: StackView) -> Iterator[str]:
    rotations = stack.referring_to(r, (ROTATION,), "secretId")
    if not rotations:
        yield "has no aws.secretsmanager.SecretRotation (or a reviewed exemption in policies.EXEMPTIONS)"
    for rotation in rotations:
        days = _num(rotation.get("rotationRules.automaticallyAfterDays"), 0)
        if not rotation.get("rotationRules.scheduleExpression") and not 0 < days <= MAX_ROTATION_DAYS:
            yield f"{rotation.name} must rotate at least every {MAX_ROTATION_DAYS} days"
