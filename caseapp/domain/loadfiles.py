"""E-discovery load files: Concordance DAT and Opticon OPT, written and read back.

Pure text rules, no I/O; the production writer encodes what these return.

Concordance DAT (what Relativity, Everlaw and Concordance-style tools load):
  * UTF-8 with a byte-order mark, CRLF after every record (the header too);
  * every field wrapped in the text qualifier ``þ`` (U+00FE, "ASCII 254");
  * fields separated by U+0014 ("ASCII 20", shown as ``¶`` in Concordance's code page);
  * a line break inside a field becomes ``®`` (U+00AE, "ASCII 174"); a qualifier or
    separator character inside a value is dropped (it cannot be escaped in the format).

Opticon OPT (one line per page image, no header), ASCII, CRLF:
  ``BATES,VOLUME,IMAGE_PATH,DOC_BREAK,FOLDER_BREAK,BOX_BREAK,PAGE_COUNT`` where DOC_BREAK is
  ``Y`` on a document's first page (with its page count) and empty on the others. Images
  here are one PDF per document, so every page line of a document names the same file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

QUOTE = "\u00fe"
SEPARATOR = "\u0014"
NEWLINE = "\u00ae"
EOL = "\r\n"
BOM = "\ufeff"

DAT_FIELDS = ("BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "EXHIBIT", "CUSTODIAN",
              "TITLE", "FILENAME", "FILEEXT", "DOCDATE", "PAGES", "SHA256", "MD5",
              "NATIVELINK", "TEXTLINK", "IMAGELINK", "CONFIDENTIALITY")


def _field(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", NEWLINE)
    return QUOTE + text.replace(QUOTE, "").replace(SEPARATOR, "") + QUOTE


def dat_text(rows: Iterable[dict[str, object]], fields: Sequence[str] = DAT_FIELDS) -> str:
    """The DAT file's text (encode as UTF-8; it starts with a BOM)."""
    lines = [SEPARATOR.join(_field(f) for f in fields)]
    lines += [SEPARATOR.join(_field(row.get(f, "")) for f in fields) for row in rows]
    return BOM + EOL.join(lines) + EOL


def parse_dat(text: str) -> list[dict[str, str]]:
    """Read a DAT back (the inverse of :func:`dat_text`, ``®`` back to ``\\n``)."""
    if text.startswith(BOM):
        text = text[1:]
    if not text.endswith(EOL):
        raise ValueError("a DAT record does not end with CRLF")
    records = text[:-len(EOL)].split(EOL)

    def cells(line: str) -> list[str]:
        parts = line.split(SEPARATOR)
        for part in parts:
            if len(part) < 2 or part[0] != QUOTE or part[-1] != QUOTE:
                raise ValueError("a DAT field is not wrapped in the þ qualifier")
        return [p[1:-1].replace(NEWLINE, "\n") for p in parts]

    header = cells(records[0])
    out = []
    for line in records[1:]:
        values = cells(line)
        if len(values) != len(header):
            raise ValueError("a DAT record has another number of fields than the header")
        out.append(dict(zip(header, values, strict=True)))
    return out


@dataclass(frozen=True)
class OptPage:
    """One line of an Opticon file."""

    bates: str
    volume: str
    path: str
    doc_break: bool
    pages: int | None  # on a document's first page only


def opt_text(documents: Iterable[tuple[Sequence[str], str, str]]) -> str:
    """OPT text from ``(page Bates labels, volume, image path)`` per document (ASCII)."""
    lines = []
    for labels, volume, path in documents:
        for index, label in enumerate(labels):
            first = index == 0
            lines.append(",".join((label, volume, path, "Y" if first else "", "", "",
                                   str(len(labels)) if first else "")))
    text = "".join(line + EOL for line in lines)
    text.encode("ascii")  # raises for a non-ASCII path: the writer keeps paths ASCII
    return text


def parse_opt(text: str) -> list[OptPage]:
    """Read an OPT back."""
    if text and not text.endswith(EOL):
        raise ValueError("an OPT line does not end with CRLF")
    pages = []
    for line in text.split(EOL)[:-1]:
        parts = line.split(",")
        if len(parts) != 7:
            raise ValueError("an OPT line does not have 7 fields")
        pages.append(OptPage(parts[0], parts[1], parts[2], parts[3] == "Y",
                             int(parts[6]) if parts[6] else None))
    return pages


def bates_label(prefix: str, number: int) -> str:
    """``ACME-000001`` (the contract form; 7+ digits past 999999)."""
    return f"{prefix}-{number:06d}"


def windows_path(*parts: str) -> str:
    """A load-file path (backslashes, as review tools on Windows expect)."""
    return "\\".join(parts)
