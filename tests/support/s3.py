"""moto's S3 server on loopback, with the machine's AWS settings kept out."""
import contextlib
import os

import boto3
import pytest
from moto.server import ThreadedMotoServer

_AWS_SETTINGS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                 "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")


@contextlib.contextmanager
def isolated_aws_environment():
    """Keep the machine's AWS profile, endpoints and proxies out of boto3 while inside."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_CONFIG_FILE", os.devnull)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        mp.setenv("NO_PROXY", "127.0.0.1,localhost")
        for name in _AWS_SETTINGS:
            mp.delenv(name, raising=False)
        yield


def start_moto(bucket=None):
    """Start moto's S3 server on 127.0.0.1 (a free port), creating ``bucket`` if given; returns (server, port)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server.get_host_and_port()[1]
    if bucket:
        boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id="test",
                     aws_secret_access_key="test", region_name="us-east-1").create_bucket(Bucket=bucket)
    return server, port
