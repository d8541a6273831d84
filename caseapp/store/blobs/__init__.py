"""Where the vault's ciphertext blobs are kept: a local folder, a shared folder, an S3 bucket.

The vault (``caseapp.security.vault``) encrypts and authenticates; a backend here only stores
and returns opaque bytes under a blob id. ``boto3`` is imported by ``s3.py`` alone.
"""
