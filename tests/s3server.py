"""A real S3 endpoint for tests: moto's standalone server on a loopback port.

``moto_endpoint`` (session) starts ``moto_server -H 127.0.0.1 -p <free port>`` once, waits (30 s
at most) until it answers and stops it at the end. ``s3_env`` points boto3 at it the standard
way (``AWS_ENDPOINT_URL`` and dummy credentials; the user's own AWS files are hidden), and
``s3_bucket`` makes a fresh bucket per test. Conftests import these fixtures by name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

#: moto refuses multipart parts under this size (except the last); tests use small parts.
TEST_MIN_PART = 64 << 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MotoServer:
    """One moto_server process."""

    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        exe = Path(sys.executable).with_name("moto_server")
        command = [str(exe)] if exe.exists() else [shutil.which("moto_server") or "moto_server"]
        env = {**os.environ, "S3_UPLOAD_PART_MIN_SIZE": str(TEST_MIN_PART)}
        self.process = subprocess.Popen(
            [*command, "-H", "127.0.0.1", "-p", str(self.port)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/moto-api/", timeout=1):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto_server did not answer within the time allowed")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of a moto S3 server running for the whole session."""
    server = MotoServer(free_port())
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def use_endpoint(monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path) -> None:
    """Point boto3 at ``url`` through the standard variables, with dummy credentials."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture
def s3_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    use_endpoint(monkeypatch, moto_endpoint, tmp_path)
    return moto_endpoint


@pytest.fixture
def s3_bucket(s3_env: str) -> Iterator[str]:
    """A fresh, empty bucket on the moto server; emptied and removed afterwards."""
    import boto3

    client = boto3.client("s3")
    name = f"caseapp-test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    yield name
    with contextlib.suppress(Exception):
        for upload in client.list_multipart_uploads(Bucket=name).get("Uploads", []):
            client.abort_multipart_upload(Bucket=name, Key=upload["Key"],
                                          UploadId=upload["UploadId"])
        for item in client.list_objects_v2(Bucket=name).get("Contents", []):
            client.delete_object(Bucket=name, Key=item["Key"])
        client.delete_bucket(Bucket=name)
