"""remote-tools and kvm-hardware: an endpoint inventory against the shipped tool list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from caseapp.domain.signals import rules as R
from caseapp.domain.signals.refdata import ToolList
from caseapp.domain.signals.rows import InventoryItem, InventoryKind
from caseapp.domain.signals.rules import Finding


def match_inventory(items: list[InventoryItem] | Any, tools: ToolList,
                    subject_of: Callable[[InventoryItem], int | None]) -> list[Finding]:
    """remote-tools and kvm-hardware findings, one per subject and tool/device label."""
    found: dict[tuple[int, str, str], Finding] = {}
    for item in items:
        subject_id = subject_of(item)
        if subject_id is None:
            continue
        name, host = item.name.lower(), item.host.lower()
        usb = f"{item.vendor_id}:{item.product_id}" if item.kind is InventoryKind.USB else ""
        for entry in tools.entries:
            if entry.match == "name":
                hit = entry.value in name
            elif entry.match == "usb":
                hit = bool(usb) and usb == entry.value
            else:
                hit = entry.value in host
            if not hit:
                continue
            rule = R.REMOTE_TOOLS if entry.kind == "tool" else R.KVM_HARDWARE
            key = (subject_id, rule.name, entry.label)
            finding = found.get(key)
            if finding is None:
                finding = found[key] = Finding(
                    rule, subject_id, f"{entry.label} on {item.host}", 1.0,
                    f"{rule.name}:{entry.label.lower()}",
                    detail={"label": entry.label, "source": entry.source, "hosts": [],
                            "seen_as": item.name, "kind": item.kind.value},
                    data=[tools.data])
            finding.cite(item.line)
            if item.host not in finding.detail["hosts"]:
                finding.detail["hosts"].append(item.host)
            break
    return list(found.values())
