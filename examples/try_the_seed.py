"""Reproduce the seed case on any machine, in a few seconds, without AWS.

An EC2 instance has ExampleInstanceRole attached, and someone left an IAM
user's keys in ~/.aws/credentials. Here the instance metadata service is a
loopback fake and HOME a temporary directory, so nothing reaches AWS:

    python try_the_seed.py
"""

import credchain
from credchain.testing import FakeIMDS, Sandbox

with Sandbox() as sandbox, FakeIMDS(role_name="ExampleInstanceRole") as imds:
    sandbox.use_imds(imds)
    sandbox.write_credentials(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )

    # 1. The diagnosis: the keys win, the instance role is shadowed.
    print(credchain.explain())

    # 2. The fix: remove the keys.
    sandbox.credentials_file.unlink()

    # 3. The start-up check: passes now (decided from configuration; on a real
    #    instance leave verify=True and STS confirms it).
    identity = credchain.assert_role("ExampleInstanceRole", verify=False)
    print(f"\nafter the fix: {identity}")
