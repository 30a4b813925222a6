"""A conftest.py for a project whose code creates boto3 clients.

Copy it as tests/conftest.py. With credchain installed, the plugin's fixtures
are available; this file makes every test run inside an AWS sandbox, so no test
can pick up a developer's real keys or reach the instance metadata service.
"""

import pytest


@pytest.fixture(autouse=True)
def _isolated_aws(aws_sandbox):
    """Every test gets an empty, isolated AWS environment."""
    return aws_sandbox


def test_code_sees_the_instance_role(fake_imds):
    """With fake_imds, botocore itself resolves the instance role."""
    import boto3

    assert boto3.Session().get_credentials().method == "iam-role"
