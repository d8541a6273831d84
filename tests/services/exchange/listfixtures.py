"""Watchlist files shaped like the published ones (fictional entries), built in the tests."""

from __future__ import annotations

import json
from pathlib import Path

WALLET = "0x52908400098527886E0F7030069857D2E4169EE7"  # demo case 3 (Li Wei)
EMAIL = "alex.morgan.qa@mailbox.example"  # demo case 2 (Alex Morgan)

SDN_CSV = (
    '36001,"KOREA SOFTWARE FRONT CO., LTD.","-0- ","DPRK3] [CYBER2","-0- ","-0- ","-0- ",'
    '"-0- ","-0- ","-0- ","-0- ","Website www.front-company.example; Email Address '
    f'{EMAIL}; Digital Currency Address - ETH {WALLET}; alt. Digital Currency Address - '
    'XBT bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh; Secondary sanctions risk: North '
    'Korea Sanctions Regulations."\n'
    '36002,"KIM, Min Jun","individual","DPRK4","-0- ","-0- ","-0- ","-0- ","-0- ","-0- ",'
    '"-0- ","DOB 01 Jan 1990; nationality Korea, North; Gender Male; a.k.a. \'PARK, '
    'Daniel\'."\n'
    '36003,"UNRELATED TRADING LLC","-0- ","SDGT","-0- ","-0- ","-0- ","-0- ","-0- ",'
    '"-0- ","-0- ","Email Address nobody@unrelated.example."\n'
    '\x1a\n')
ALT_CSV = '36002,5001,"aka","KIM, Chol Su","-0- "\n'
ADD_CSV = '36001,7001,"Ryugyong Street 1","Pyongyang","Korea, North","-0- "\n'

SDN_XML = f"""<?xml version="1.0" standalone="yes"?>
<sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://tempuri.org/sdnList.xsd">
  <publshInformation><Publish_Date>12/01/2026</Publish_Date><Record_Count>2</Record_Count></publshInformation>
  <sdnEntry>
    <uid>36001</uid><lastName>KOREA SOFTWARE FRONT CO., LTD.</lastName><sdnType>Entity</sdnType>
    <programList><program>DPRK3</program><program>CYBER2</program></programList>
    <idList>
      <id><uid>1</uid><idType>Digital Currency Address - ETH</idType><idNumber>{WALLET}</idNumber></id>
      <id><uid>2</uid><idType>Email Address</idType><idNumber>{EMAIL}</idNumber></id>
      <id><uid>3</uid><idType>Website</idType><idNumber>www.front-company.example</idNumber></id>
    </idList>
    <addressList><address><uid>9</uid><address1>Ryugyong Street 1</address1><city>Pyongyang</city><country>Korea, North</country></address></addressList>
  </sdnEntry>
  <sdnEntry>
    <uid>36002</uid><firstName>Min Jun</firstName><lastName>KIM</lastName><sdnType>Individual</sdnType>
    <programList><program>DPRK4</program></programList>
    <akaList><aka><uid>5</uid><type>a.k.a.</type><category>strong</category><lastName>김민준</lastName></aka></akaList>
  </sdnEntry>
</sdnList>
"""


def stix_bundle() -> dict[str, object]:
    author = "identity--11111111-1111-4111-8111-111111111111"
    return {"type": "bundle", "id": "bundle--22222222-2222-4222-8222-222222222222",
            "objects": [
                {"type": "identity", "spec_version": "2.1", "id": author,
                 "name": "Partner CERT (fictional)", "identity_class": "organization",
                 "created": "2026-11-30T00:00:00Z", "modified": "2026-11-30T00:00:00Z"},
                {"type": "indicator", "spec_version": "2.1", "created_by_ref": author,
                 "id": "indicator--33333333-3333-4333-8333-333333333333",
                 "name": "IT worker VPN exit", "pattern_type": "stix",
                 "pattern": "[ipv4-addr:value = '198.51.100.23'] OR "
                            "[email-addr:value = 'x@y.example']",
                 "valid_from": "2026-11-30T00:00:00Z", "created": "2026-11-30T00:00:00Z",
                 "modified": "2026-11-30T00:00:00Z", "indicator_types": ["attribution"]},
                {"type": "indicator", "spec_version": "2.1", "created_by_ref": author,
                 "id": "indicator--44444444-4444-4444-8444-444444444444",
                 "name": "hash", "pattern_type": "stix",
                 "pattern": "[file:hashes.'SHA-256' = 'ab' AND file:size = 3]",
                 "valid_from": "2026-11-30T00:00:00Z", "created": "2026-11-30T00:00:00Z",
                 "modified": "2026-11-30T00:00:00Z"},
                {"type": "domain-name", "spec_version": "2.1",
                 "id": "domain-name--55555555-5555-4555-8555-555555555555",
                 "value": "front-company.example"},
                {"type": "x-unknown-thing", "id": "x-unknown-thing--6", "spec_version": "2.1"},
                {"type": "threat-actor", "spec_version": "2.1", "created_by_ref": author,
                 "id": "threat-actor--77777777-7777-4777-8777-777777777777",
                 "name": "Alex Morgan", "aliases": ["Алексей Морозов"],
                 "created": "2026-11-30T00:00:00Z", "modified": "2026-11-30T00:00:00Z"},
            ]}


def misp_event() -> dict[str, object]:
    return {"Event": {"info": "Advisory: IT worker infrastructure (fictional)",
                      "date": "2026-11-29", "uuid": "aaaaaaaa-0000-4000-8000-000000000001",
                      "Orgc": {"name": "Sharing community (fictional)"},
                      "Tag": [{"name": "tlp:green"}, {"name": "dprk-it-workers"}],
                      "Attribute": [
                          {"type": "ip-src", "category": "Network activity",
                           "value": "198.51.100.23", "uuid": "b1"},
                          {"type": "btc", "category": "Financial fraud",
                           "value": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "uuid": "b2"},
                          {"type": "sha256", "category": "Payload delivery",
                           "value": "ab" * 32, "uuid": "b3"}]}}


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def write_json(folder: Path, name: str, data: object) -> Path:
    return write(folder, name, json.dumps(data, ensure_ascii=False))
