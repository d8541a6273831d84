"""Column names per export format, from the vendors' public documentation, and detection.

Sign-in logs (canonical fields ``account, time, ip, user_agent, device_id, result`` plus the
provider's own location and device-management flags where it exports them):

- **Microsoft Entra ID**, sign-in log "Download" as CSV (Entra admin center > Monitoring >
  Sign-in logs): ``Date (UTC)``, ``Username``, ``IP address``, ``Location`` ("City, State,
  CC"), ``Status`` (Success/Failure/Interrupted), ``User agent``, ``Device ID``, ``Managed``,
  ``Compliant``. JSON (the portal's JSON download or Microsoft Graph ``signIn`` resources,
  bare list or ``{"value": [...]}``): ``createdDateTime``, ``userPrincipalName``,
  ``ipAddress``, ``location.city/countryOrRegion/geoCoordinates.latitude/longitude``,
  ``status.errorCode`` (0 = success), ``deviceDetail.deviceId/isManaged/isCompliant``,
  ``userAgent``.
- **Okta System Log** (``LogEvent`` objects from ``/api/v1/logs``, JSON list or one per line;
  CSV with the same dotted field names): ``published``, ``eventType`` (only
  ``user.session.start`` and ``user.authentication.*`` count as sign-ins),
  ``actor.alternateId``, ``client.ipAddress``, ``client.userAgent.rawUserAgent``,
  ``device.id``, ``outcome.result`` (SUCCESS/ALLOW = success, FAILURE/DENY = failure),
  ``client.geographicalContext.country/city/geolocation.lat/lon``.
- **Google Workspace** Admin console > Reporting > Audit and investigation > Login log
  events, "Download" as CSV: ``Event`` (Login success, Login failure, Suspicious login...,
  or the Reports API names ``login_success``...), ``User`` (or ``Actor``), ``Date``,
  ``IP address``, ``Login type``.
- **generic** (documented in docs/cli.md): ``user, time, ip, user_agent, device_id, result``;
  ``time`` must carry a zone; ``result`` success/failure/empty.

Endpoint inventories (``host, user, kind, name, vendor, vendor_id, product_id, seen_at``):

- **inventory** (generic): those columns; ``kind`` software/process/usb.
- **mde**: Microsoft Defender for Endpoint advanced-hunting results exported as CSV:
  ``DeviceTvmSoftwareInventory`` (``DeviceName, SoftwareVendor, SoftwareName``: software),
  ``DeviceProcessEvents`` (``Timestamp, DeviceName, AccountName, FileName``: process) and
  ``DeviceEvents`` with ``ActionType`` ``PnpDeviceConnected``/``UsbDriveMounted``
  (``AdditionalFields`` JSON with ``DeviceId`` ``USB\\VID_xxxx&PID_yyyy\\...`` and
  ``DeviceDescription``: usb).
"""

from __future__ import annotations

from caseapp.domain.signals.rows import SignalFormat

F = SignalFormat

#: Canonical field -> accepted header names (lower case), per CSV format.
CSV_COLUMNS: dict[SignalFormat, dict[str, tuple[str, ...]]] = {
    F.ENTRA: {
        "time": ("date (utc)", "date"), "account": ("username", "user principal name", "upn"),
        "ip": ("ip address",), "location": ("location",), "result": ("status",),
        "user_agent": ("user agent",), "device_id": ("device id",), "managed": ("managed",),
        "compliant": ("compliant",)},
    F.OKTA: {
        "time": ("published",), "account": ("actor.alternateid",), "event": ("eventtype",),
        "ip": ("client.ipaddress",), "user_agent": ("client.useragent.rawuseragent",),
        "device_id": ("device.id",), "result": ("outcome.result",),
        "country": ("client.geographicalcontext.country",),
        "city": ("client.geographicalcontext.city",),
        "lat": ("client.geographicalcontext.geolocation.lat",),
        "lon": ("client.geographicalcontext.geolocation.lon",)},
    F.GWORKSPACE: {
        "time": ("date",), "account": ("user", "actor"), "event": ("event", "event name"),
        "ip": ("ip address",), "login_type": ("login type",)},
    F.GENERIC: {
        "time": ("time",), "account": ("user",), "ip": ("ip",), "user_agent": ("user_agent",),
        "device_id": ("device_id",), "result": ("result",)},
    F.INVENTORY: {
        "host": ("host",), "user": ("user",), "kind": ("kind",), "name": ("name",),
        "vendor": ("vendor",), "vendor_id": ("vendor_id",), "product_id": ("product_id",),
        "seen_at": ("seen_at",)},
    F.MDE: {
        "host": ("devicename",), "user": ("accountname", "initiatingprocessaccountname",
                                          "accountupn", "initiatingprocessaccountupn"),
        "software": ("softwarename",), "vendor": ("softwarevendor",),
        "file": ("filename",), "action": ("actiontype",), "fields": ("additionalfields",),
        "seen_at": ("timestamp",)},
}

#: Header names that must all be present to recognise (and accept) a CSV format.
REQUIRED: dict[SignalFormat, tuple[str, ...]] = {
    F.ENTRA: ("time", "account", "ip"),
    F.OKTA: ("time", "account", "ip"),
    F.GWORKSPACE: ("time", "account", "ip", "event"),
    F.GENERIC: ("time", "account"),
    F.INVENTORY: ("host", "kind", "name"),
    F.MDE: ("host",),
}

#: Detection order: the most specific header sets first.
_DETECT_ORDER = (F.OKTA, F.ENTRA, F.GWORKSPACE, F.GENERIC, F.INVENTORY, F.MDE)


def columns_for(fmt: SignalFormat, header: list[str]) -> dict[str, int]:
    """Canonical field -> column index for ``header`` under ``fmt`` (first match wins)."""
    names = [cell.strip().lower() for cell in header]
    result: dict[str, int] = {}
    for field, accepted in CSV_COLUMNS[fmt].items():
        for name in accepted:
            if name in names:
                result[field] = names.index(name)
                break
    return result


def _fits(fmt: SignalFormat, columns: dict[str, int]) -> bool:
    if not all(f in columns for f in REQUIRED[fmt]):
        return False
    if fmt is F.MDE:  # one of the three table shapes
        return any(f in columns for f in ("software", "file", "action"))
    if fmt is F.GWORKSPACE:
        return "login_type" in columns
    return True


def detect_csv(header: list[str]) -> SignalFormat:
    """The format a CSV header belongs to; raises ValueError naming what was expected."""
    for fmt in _DETECT_ORDER:
        if _fits(fmt, columns_for(fmt, header)):
            return fmt
    raise ValueError("the header matches no known export: expected an Entra ID sign-in CSV "
                     "(Date (UTC), Username, IP address...), an Okta System Log CSV "
                     "(published, actor.alternateId, client.ipAddress...), a Google "
                     "Workspace login audit CSV (Event, User, Date, IP address, Login type), "
                     "the generic sign-in CSV (user, time, ip, user_agent, device_id, "
                     "result) or an endpoint inventory CSV (host, user, kind, name...)")


def check_csv(fmt: SignalFormat, header: list[str]) -> dict[str, int]:
    """Columns of ``header`` under a format the user named; ValueError if it does not fit."""
    columns = columns_for(fmt, header)
    if not _fits(fmt, columns):
        missing = [CSV_COLUMNS[fmt][f][0] for f in REQUIRED[fmt] if f not in columns]
        raise ValueError(f"the header is not a {fmt.value} export"
                         + (f" (missing: {', '.join(missing)})" if missing else ""))
    return columns


def detect_json(first: dict[str, object]) -> SignalFormat:
    """Entra (``createdDateTime`` + ``userPrincipalName``) or Okta (``published`` +
    ``eventType``) from the first JSON object; raises ValueError."""
    if "createdDateTime" in first and "userPrincipalName" in first:
        return F.ENTRA
    if "published" in first and "eventType" in first:
        return F.OKTA
    raise ValueError("the JSON objects are neither Entra ID sign-ins (createdDateTime, "
                     "userPrincipalName) nor Okta System Log events (published, eventType)")
