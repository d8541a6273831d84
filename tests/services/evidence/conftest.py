"""The real S3 endpoint (moto_server) for the evidence-in-a-bucket tests."""

from s3server import moto_endpoint, s3_bucket, s3_env  # noqa: F401
from store_backends import ws_on_both_stores  # noqa: F401, E402 - ws on SQLCipher and PostgreSQL
