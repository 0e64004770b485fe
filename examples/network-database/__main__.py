"""A VPC and an Aurora PostgreSQL cluster from `social_components`, nothing from the platform.

    pulumi stack init dev && pulumi config set aws:region eu-west-1 && pulumi up

The repository's tests render it offline with `social_components.testing` from a virtualenv that
holds only the components distribution (tests/test_components_distribution.py).
"""

import pulumi

from social_components.database import Database, DatabaseArgs
from social_components.network import Network, NetworkArgs

network = Network("example", NetworkArgs(vpc_cidr="10.20.0.0/16", az_count=2, nat_strategy="single"))

database = Database(
    "example-db",
    DatabaseArgs(
        vpc_id=network.vpc_id,
        db_subnet_group_name=network.db_subnet_group_name,
        availability_zones=network.az_names,
        max_acu=4,
    ),
    protect=True,  # keep the data: `pulumi destroy` refuses until you unprotect it
)

pulumi.export("vpc_id", network.vpc_id)
pulumi.export("writer_endpoint", database.writer_endpoint)
pulumi.export("master_secret_arn", database.secret_arn)
