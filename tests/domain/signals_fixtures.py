"""Small exports in each vendor's documented shape, shared by the signals tests."""

from __future__ import annotations

import json

ENTRA_CSV = (
    "Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type,"
    "Application,IP address,Location,Status,Sign-in error code,Failure reason,Client app,"
    "Device ID,Browser,Operating System,Compliant,Managed\n"
    "2026-03-02T01:15:00Z,r1,Mozilla/5.0,c1,u1,Jane Roe,jane.roe@example.com,Member,Office 365,"
    "192.0.2.10,\"Dallas, Texas, US\",Success,0,,Browser,,Edge,Windows10,False,False\n"
    "2026-03-02T01:45:00Z,r2,Mozilla/5.0,c2,u1,Jane Roe,jane.roe@example.com,Member,Office 365,"
    "198.51.100.7,\"Shenyang, Liaoning, CN\",Success,0,,Browser,dev-1,Edge,Windows10,False,False\n"
    "not-a-time,r3,Mozilla/5.0,c3,u1,Jane Roe,jane.roe@example.com,Member,Office 365,"
    "192.0.2.10,,Failure,50126,Invalid password,Browser,,Edge,Windows10,,\n")

ENTRA_JSON = json.dumps({"@odata.context": "x", "value": [
    {"createdDateTime": "2026-03-02T01:15:00Z", "userPrincipalName": "jane.roe@example.com",
     "ipAddress": "192.0.2.10", "userAgent": "Mozilla/5.0",
     "location": {"city": "Dallas", "countryOrRegion": "US",
                  "geoCoordinates": {"latitude": 32.78, "longitude": -96.8}},
     "status": {"errorCode": 0},
     "deviceDetail": {"deviceId": "", "isManaged": False, "isCompliant": False}},
    {"createdDateTime": "2026-03-02T02:15:00Z", "userPrincipalName": "jane.roe@example.com",
     "ipAddress": "198.51.100.7", "status": {"errorCode": 50126}, "deviceDetail": {}},
]}, indent=1)

OKTA_JSON = json.dumps([
    {"published": "2026-03-02T01:15:00.000Z", "eventType": "user.session.start",
     "actor": {"alternateId": "sam.poe@example.com", "type": "User"},
     "client": {"ipAddress": "203.0.113.200",
                "userAgent": {"rawUserAgent": "Mozilla/5.0"},
                "geographicalContext": {"country": "NL", "city": "Amsterdam",
                                        "geolocation": {"lat": 52.37, "lon": 4.89}}},
     "outcome": {"result": "SUCCESS"}},
    {"published": "2026-03-02T01:16:00.000Z", "eventType": "user.account.update_profile",
     "actor": {"alternateId": "sam.poe@example.com"}, "client": {},
     "outcome": {"result": "SUCCESS"}},
    {"published": "2026-03-02T01:17:00.000Z", "eventType": "user.authentication.sso",
     "actor": {}, "client": {}, "outcome": {"result": "FAILURE"}},
], indent=2)

OKTA_CSV = (
    "uuid,published,eventType,actor.alternateId,client.ipAddress,"
    "client.userAgent.rawUserAgent,outcome.result,client.geographicalContext.country,"
    "client.geographicalContext.city,device.id\n"
    "e1,2026-03-02T01:15:00Z,user.session.start,sam.poe@example.com,203.0.113.200,UA,SUCCESS,"
    "NL,Amsterdam,d-9\n"
    "e2,2026-03-02T01:20:00Z,user.session.end,sam.poe@example.com,203.0.113.200,UA,SUCCESS,"
    "NL,Amsterdam,d-9\n")

GWS_CSV = (
    "Event,Description,User,Login type,Date,IP address\n"
    "Login success,sam logged in,sam.poe@example.com,Google Password,"
    "2026-03-02T01:15:00Z,203.0.113.5\n"
    "Logout,sam logged out,sam.poe@example.com,,2026-03-02T02:15:00Z,203.0.113.5\n"
    "Login failure,sam failed,sam.poe@example.com,Google Password,"
    "\"Mar 2, 2026, 3:15:00 AM GMT-5\",203.0.113.5\n")

GENERIC_CSV = (
    "user,time,ip,user_agent,device_id,result\n"
    "jane.roe@example.com,2026-03-02T09:00:00-06:00,192.0.2.70,UA,lap-1,success\n"
    "jane.roe@example.com,2026-03-02T10:00:00,192.0.2.70,UA,lap-1,success\n"
    "jane.roe@example.com,2026-03-02T11:00:00Z,192.0.2.70,UA,lap-1,maybe\n")

INVENTORY_CSV = (
    "host,user,kind,name,vendor,vendor_id,product_id,seen_at\n"
    "LAP-JR-01,jane.roe@example.com,software,AnyDesk,philandro Software GmbH,,,2026-03-01\n"
    "LAP-JR-01,jane.roe@example.com,usb,Composite Device,,1D6B,0104,2026-03-01\n"
    "LAP-JR-01,jane.roe@example.com,software,Microsoft Teams,Microsoft,,,2026-03-01\n"
    "LAP-SP-02,sam.poe@example.com,software,Microsoft Teams,Microsoft,,,2026-03-01\n"
    "LAP-SP-02,sam.poe@example.com,gadget,Thing,,,,\n")

MDE_CSV = (
    "Timestamp,DeviceId,DeviceName,ActionType,AccountName,FileName,AdditionalFields\n"
    "2026-03-01T10:00:00Z,m1,lap-jr-01,ProcessCreated,jane.roe,TeamViewer.exe,\n"
    "2026-03-01T10:05:00Z,m1,lap-jr-01,PnpDeviceConnected,jane.roe,,"
    "\"{\"\"DeviceId\"\":\"\"USB\\\\VID_1D6B&PID_0104\\\\6&1\"\",\"\"DeviceDescription\"\":"
    "\"\"PiKVM Composite Device\"\"}\"\n")
