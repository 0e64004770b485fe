"""Registry: ECR repositories for the application's services, scanned, immutable, encrypted, replicated."""

from social_components.registry.args import PULL_ACTIONS, PUSH_ACTIONS, RegistryArgs, RepositoryArgs
from social_components.registry.component import Registry, lifecycle_policy

__all__ = ["PULL_ACTIONS", "PUSH_ACTIONS", "Registry", "RegistryArgs", "RepositoryArgs", "lifecycle_policy"]
