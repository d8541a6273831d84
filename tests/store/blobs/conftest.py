"""The real S3 endpoint (moto_server) for the blob-backend tests."""

from s3server import moto_endpoint, s3_bucket, s3_env  # noqa: F401
