"""Apply the sign-in and inventory rules to a stream of rows, in flat memory.

State is kept per subject (counters, a 24-bin hour histogram, the last located sign-in) and
per distinct IP / device / observation, never per row, so a million-row log costs what its
distinct values cost. Feed rows with :meth:`SignInEngine.feed`, then call ``finish()``.
The working-hours arithmetic is in :mod:`.hours`, the inventory rules in :mod:`.inventory`
(both re-exported here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from caseapp.domain.signals import rules as R
from caseapp.domain.signals.hours import asian_band as asian_band
from caseapp.domain.signals.hours import business_share as business_share
from caseapp.domain.signals.hours import in_asian_day as in_asian_day
from caseapp.domain.signals.hours import shift_hours as shift_hours
from caseapp.domain.signals.hours import working_hours
from caseapp.domain.signals.inventory import match_inventory as match_inventory
from caseapp.domain.signals.refdata import (
    Network,
    ProviderEntry,
    ProviderList,
    RangeTable,
)
from caseapp.domain.signals.rows import SignIn, SignInBatch
from caseapp.domain.signals.rules import Finding, Settings
from caseapp.domain.signals.state import NEVER, Plan, SubjectState, place_of
from caseapp.domain.signals.state import Locate as Locate
from caseapp.domain.signals.state import Observation as Observation
from caseapp.domain.signals.state import SubjectProfile as SubjectProfile
from caseapp.domain.signals.state import claimed_zone as claimed_zone
from caseapp.domain.signals.state import haversine_km as haversine_km


class SignInEngine:
    """Runs vpn-egress, geo-vs-residence, impossible-travel, shared-egress (within the
    import) and working-hours over sign-ins attributed to subjects."""

    def __init__(self, subjects: dict[int, SubjectProfile], ranges: RangeTable,
                 providers: ProviderList, locate: Locate | None = None,
                 settings: Settings | None = None) -> None:
        self.subjects = subjects
        self.ranges, self.providers = ranges, providers
        self.locate = locate or (lambda _c, _t: None)
        self.settings = settings or Settings()
        self._state: dict[int, SubjectState] = {}
        #: IP -> (network, VPN/hosting classification, network country, network coords)
        self._nets: dict[str, tuple[Network | None, ProviderEntry | None, str,
                                    tuple[float, float] | None]] = {}
        self._obs: dict[tuple[int, str, str, str], Observation] = {}
        self._seen: dict[tuple[int, str, str, str], Observation] | None = None
        self._rows: dict[int, int] | None = None  # subject -> sign-ins, once asked
        self._row_plans: dict[tuple[Any, ...], Plan] = {}  # feed(): by subject and cells
        self._source: list[SignIn] | None = None  # feed_batch(): the reader's templates
        self._plans: list[Plan] = []  # ... and their plans, by template index
        self._caches: dict[tzinfo, dict[int, int]] = {}
        self._places: dict[tuple[str, str], tuple[float, float] | None] = {}
        self._local: dict[tuple[tzinfo, int], int] = {}
        #: The zone each subject's hours are counted in: the claimed tz database zone, else
        #: a fixed offset when only that is known (no daylight saving then).
        self._tz: dict[int, tzinfo | None] = {sid: claimed_zone(p) for sid, p in subjects.items()}

    @property
    def observations(self) -> dict[tuple[int, str, str, str], Observation]:
        """(subject, account folded, IP, device) -> its sign-ins, in the order first seen."""
        if self._seen is None:
            self._seen = dict(sorted(((k, o) for k, o in self._obs.items() if o.count),
                                     key=lambda kv: kv[1].first_line))
        return self._seen

    def local_hour(self, tz: tzinfo, at: datetime) -> int:
        """The hour of ``at`` (aware) in ``tz`` at that instant, DST included. Cached per
        UTC quarter hour: every zone's offset is a multiple of 15 minutes and changes on a
        quarter hour, so the local hour is constant within one."""
        key = (tz, at.toordinal() * 96 + at.hour * 4 + at.minute // 15)
        hour = self._local.get(key)
        if hour is None:
            hour = self._local[key] = at.astimezone(tz).hour
        return hour

    def _net(self, ip: str) -> tuple[Network | None, ProviderEntry | None, str,
                                     tuple[float, float] | None]:
        hit = self._nets.get(ip)
        if hit is None:
            net = self.ranges.lookup(ip) if ip else None
            coords = (None if net is None or net.latitude is None or net.longitude is None
                      else (net.latitude, net.longitude))
            hit = self._nets[ip] = (net, self.providers.classify(net),
                                    net.country if net else "", coords)
        return hit

    def _coords(self, row: SignIn, net_coords: tuple[float, float] | None,
                ) -> tuple[float, float] | None:
        if row.latitude is not None and row.longitude is not None:
            return row.latitude, row.longitude
        if row.city and row.country:
            key = (row.country, row.city)
            if key not in self._places:
                self._places[key] = self.locate(*key)
            if self._places[key] is not None:
                return self._places[key]
        return net_coords

    def _plan(self, subject_id: int, row: SignIn) -> Plan:
        state = self._state.get(subject_id)
        if state is None:
            tz = self._tz[subject_id]
            state = self._state[subject_id] = SubjectState(
                claimed_country=self.subjects[subject_id].country, tz=tz,
                local_cache=self._caches.setdefault(tz, {}) if tz is not None else {})
        net, egress, net_country, net_coords = self._net(row.ip)
        key = (subject_id, row.account.lower(), row.ip, row.device_id)
        obs = self._obs.get(key)
        if obs is None:  # first line, time and place are set by its first row
            obs = self._obs[key] = Observation(
                subject_id, row.account, row.ip, row.device_id, 0, 0, NEVER, NEVER,
                network=(net.provider or net.org) if net else "",
                egress=egress.kind if egress else "")
        country = row.country or net_country
        foreign = (country if egress is None and country and state.claimed_country
                   and country != state.claimed_country else "")
        coords = (net_coords if row.latitude is None and not row.city
                  else self._coords(row, net_coords))
        return Plan(subject_id, state, obs, row, net, egress, foreign, coords, row.ok,
                     row.managed)

    def feed(self, subject_id: int, row: SignIn) -> None:
        """One sign-in of a subject (a JSON export's rows; CSV logs come in batches)."""
        key = (subject_id, row.account, row.ip, row.device_id, row.ok, row.managed,
               row.country, row.city, row.latitude, row.longitude)
        plan = self._row_plans.get(key)
        if plan is None:
            plan = self._row_plans[key] = self._plan(subject_id, row)
        self._run((plan,), (row.line,), (row.at,))

    def feed_batch(self, batch: SignInBatch) -> None:
        """A batch of a CSV log's sign-ins; ``batch.owners`` hold the subject ids."""
        if batch.templates is not self._source:
            self._source, self._plans = batch.templates, []
        plans, templates = self._plans, batch.templates
        for code in range(len(plans), len(templates)):
            plans.append(self._plan(batch.owners[code], templates[code]))
        self._run(map(plans.__getitem__, batch.codes), batch.lines, batch.stamps)

    def _run(self, plans: Iterable[Plan], lines: Iterable[int],
             stamps: Iterable[datetime]) -> None:
        """The rules over sign-ins (the hot loop: a million turns for a big log)."""
        self._seen = self._rows = None
        cites = R.MAX_CITES
        for plan, line, at in zip(plans, lines, stamps):  # noqa: B905 (equal by design)
            state = plan.state
            obs = plan.obs
            if not obs.count:
                obs.first_line, obs.first_at, obs.last_at = line, at, at
                obs.account, obs.country = plan.row.account, plan.row.country or (
                    plan.net.country if plan.net else "")
                obs.city = plan.row.city or (plan.net.city if plan.net else "")
            elif at > obs.last_at:  # a log is mostly in time order: this test first
                obs.last_at = at
            elif at < obs.first_at:
                obs.first_at = at
            obs.count += 1
            obs.last_line = line
            if plan.ok is False:
                obs.failures += 1
                continue  # failed sign-ins show attempts, not where the person is
            state.hours_utc[at.hour] += 1
            if plan.managed is False:
                state.unmanaged += 1
            if plan.egress is not None:
                found = plan.vpn or self._vpn(plan)
                found.line_count += 1
                if len(found.lines) < cites:
                    found.lines.append(line)
            elif plan.foreign:
                found = state.foreign or self._foreign(plan)
                found.line_count += 1
                if len(found.lines) < cites:
                    found.lines.append(line)
                (plan.country or self._country(plan, line))[0] += 1
            coords = plan.coords
            if coords is not None:
                last = state.last_plan
                if last is not None and last.coords is not coords and last.coords != coords:
                    self._travel(plan, line, at)
                state.last_at, state.last_line, state.last_plan = at, line, plan
            tz = state.tz
            if tz is not None:
                quarter = at.toordinal() * 96 + at.hour * 4 + at.minute // 15
                try:
                    local = state.local_cache[quarter]
                except KeyError:
                    local = state.local_cache[quarter] = at.astimezone(tz).hour
                state.hours_local[local] += 1
                if (local < 8 or local >= 18) and len(state.off_hours_lines) < cites:
                    state.off_hours_lines.append(line)

    def _foreign(self, plan: Plan) -> Finding:
        state = plan.state
        if state.foreign is None:
            state.foreign = Finding(R.GEO_RESIDENCE, plan.subject_id, "", 0.0, "geo",
                                    data=[self.ranges.data])
        return state.foreign

    def _country(self, plan: Plan, line: int) -> list[int]:
        plan.country = plan.state.countries.setdefault(plan.foreign, [0, line])
        return plan.country

    def _vpn(self, plan: Plan) -> Finding:
        egress, net = plan.egress, plan.net
        assert egress is not None
        label = egress.label or "unnamed network"
        finding = plan.state.vpn.get(label)
        if finding is None:
            finding = plan.state.vpn[label] = Finding(
                R.VPN_EGRESS, plan.subject_id, "", 0.0, f"vpn:{label.lower()}",
                detail={"provider": label, "kind": egress.kind, "source": egress.source,
                        "asn": net.asn if net else None, "ips": []},
                data=[self.ranges.data, self.providers.data])
        ips = finding.detail["ips"]
        if plan.row.ip not in ips and len(ips) < 20:
            ips.append(plan.row.ip)
        plan.vpn = finding
        return finding

    def _travel(self, plan: Plan, line: int, at: datetime) -> None:
        """Consecutive located sign-ins at two different places: too fast to travel?"""
        state = plan.state
        last = state.last_plan
        assert last is not None and last.coords is not None and plan.coords is not None
        hours = abs((at - state.last_at).total_seconds()) / 3600
        (lat1, lon1), (lat2, lon2) = last.coords, plan.coords
        km = haversine_km(lat1, lon1, lat2, lon2)
        if km < self.settings.min_travel_km:
            return
        speed = km / hours if hours > 0 else math.inf
        if speed <= self.settings.max_speed_kmh:
            return
        if state.travel is None:
            state.travel = Finding(R.IMPOSSIBLE_TRAVEL, plan.subject_id, "", 0.0, "travel",
                                   detail={"max_speed_kmh": self.settings.max_speed_kmh,
                                           "jumps": []}, data=[self.ranges.data])
        finding = state.travel
        finding.cite(state.last_line)
        finding.cite(line)
        jumps: list[dict[str, Any]] = finding.detail["jumps"]
        if len(jumps) < 20:
            jumps.append({"from": place_of(last.row, last.net),
                          "to": place_of(plan.row, plan.net), "from_line": state.last_line,
                          "to_line": line, "km": round(km), "hours": round(hours, 2),
                          "speed_kmh": None if math.isinf(speed) else round(speed)})

    def hours(self, subject_id: int) -> list[int]:
        state = self._state.get(subject_id)
        return list(state.hours_utc) if state else [0] * 24

    def hours_local(self, subject_id: int) -> list[int] | None:
        """Successful sign-ins by local hour of the claimed zone (None without a zone)."""
        state = self._state.get(subject_id)
        if self._tz[subject_id] is None:
            return None
        return list(state.hours_local) if state else [0] * 24

    def band(self, subject_id: int) -> list[float] | None:
        """Claimed-zone hours in a UTC+8/+9 day over the subject's days (:func:`asian_band`,
        daylight saving honoured); None without a zone or sign-ins."""
        zone = self._tz.get(subject_id)
        seen = [o for o in self._obs.values() if o.subject_id == subject_id and o.count]
        if zone is None or not seen:
            return None
        first = min(o.first_at for o in seen).astimezone(zone).date()
        return asian_band(zone, first, max(o.last_at for o in seen).astimezone(zone).date())

    def rows_of(self, subject_id: int) -> int:
        """Sign-ins of the subject, failed ones included."""
        if self._rows is None:
            self._rows = {}
            for o in self._obs.values():
                self._rows[o.subject_id] = self._rows.get(o.subject_id, 0) + o.count
        return self._rows.get(subject_id, 0)

    def shared(self) -> tuple[dict[str, dict[int, int]], dict[str, dict[int, int]]]:
        """IPs (not corporate ranges) and device ids seen for more than one subject of this
        import: subject -> first line, from the observations."""
        ips: dict[str, dict[int, int]] = {}
        devices: dict[str, dict[int, int]] = {}
        for obs in self.observations.values():
            net = self._nets[obs.ip][0] if obs.ip in self._nets else None
            if obs.ip and (net is None or net.kind != "corporate"):
                held = ips.setdefault(obs.ip, {})
                held[obs.subject_id] = min(held.get(obs.subject_id, obs.first_line),
                                           obs.first_line)
            if obs.device_id:
                held = devices.setdefault(obs.device_id, {})
                held[obs.subject_id] = min(held.get(obs.subject_id, obs.first_line),
                                           obs.first_line)
        return ({ip: s for ip, s in ips.items() if len(s) > 1},
                {d: s for d, s in devices.items() if len(s) > 1})

    def finish(self) -> list[Finding]:
        out: list[Finding] = []
        for subject_id, state in sorted(self._state.items()):
            if not self.rows_of(subject_id):
                continue
            profile = self.subjects[subject_id]
            ok_rows = sum(state.hours_utc) or 1
            for finding in state.vpn.values():
                finding.score = round(min(1.0, finding.line_count / ok_rows), 3)
                finding.detail["unmanaged_signins"] = state.unmanaged
                finding.summary = (f"{finding.line_count} of {sum(state.hours_utc)} "
                                   f"successful sign-ins via {finding.detail['provider']} "
                                   f"({finding.detail['kind']})")
                out.append(finding)
            if state.foreign is not None:
                found = state.foreign
                found.detail = {"claimed": profile.claimed, "claimed_country": profile.country,
                                "countries": {c: v[0] for c, v in state.countries.items()}}
                found.score = round(min(1.0, found.line_count / ok_rows), 3)
                found.summary = (f"{found.line_count} sign-ins located in "
                                 f"{', '.join(sorted(state.countries))}; claims "
                                 f"{profile.claimed or profile.country}")
                out.append(found)
            if state.travel is not None:
                jumps = state.travel.detail["jumps"]
                state.travel.score = 1.0
                state.travel.summary = (f"{len(jumps)} impossible jump(s), e.g. "
                                        f"{jumps[0]['from']} to {jumps[0]['to']} "
                                        f"({jumps[0]['km']} km in {jumps[0]['hours']} h)")
                out.append(state.travel)
            hours = working_hours(
                state.hours_utc, profile.utc_offset_hours, self.settings,
                hours_local=state.hours_local if self._tz[subject_id] else None)
            if hours is not None and hours.detail["fires"]:
                hours.subject_id = subject_id
                hours.lines = list(state.off_hours_lines)
                hours.line_count = len(state.off_hours_lines)
                hours.detail["zone"] = profile.zone
                hours.detail["dst_aware"] = profile.tz is not None
                hours.detail["utc8_9_band_claimed_zone"] = self.band(subject_id)
                out.append(hours)
        out.extend(self._shared_findings())
        located = self.ranges.data_sets()
        for finding in out:  # where a location came from the fallback database, say so
            if finding.rule in (R.GEO_RESIDENCE, R.IMPOSSIBLE_TRAVEL, R.VPN_EGRESS):
                finding.data.extend(d for d in located if d not in finding.data)
        return out

    def _shared_findings(self) -> list[Finding]:
        out: list[Finding] = []
        ips, devices = self.shared()
        for kind, table in (("ip", ips), ("device", devices)):
            for value, holders in sorted(table.items()):
                for subject_id, line in holders.items():
                    others = [self.subjects[s].name for s in holders if s != subject_id]
                    finding = Finding(R.SHARED_EGRESS, subject_id,
                                      f"{kind} {value} also used by {', '.join(others)}",
                                      1.0, f"{kind}:{value}",
                                      detail={"kind": kind, "value": value,
                                              "subjects": others, "elsewhere": []},
                                      data=[self.ranges.data])
                    finding.cite(line)
                    for other, other_line in holders.items():
                        if other != subject_id:
                            finding.cite(other_line)
                    out.append(finding)
        return out
