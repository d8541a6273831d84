"""What an OS error number means to a user (no I/O here: the numbers only)."""

from __future__ import annotations

import errno

#: "No room": a full disk, a quota, or a file-size limit (RLIMIT_FSIZE gives EFBIG).
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)})
