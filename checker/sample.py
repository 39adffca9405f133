"""Generate a realistic sample account export from the playbook itself.

Clean accounts start from their stage's textbook `profile` (in the YAML), get some
noise, and are kept only if the evaluator finds nothing wrong with them: they are clean
by construction. Drifting accounts behave like another stage, show warning signs, or
carry the data problems real exports have. Used for the bundled sample and for benchmarks.
"""
from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from checker.evaluate import Evaluator
from checker.inputs.accounts import table_from_values
from checker.inputs.values import canonical_text
from checker.playbook.model import Playbook

_PLACES = ["Pohjolan", "Järvi", "Kaakon", "Länsi", "Saimaan", "Botnia", "Kainuun", "Aura", "Vuoksen", "Tunturi", "Nordic", "Baltic", "Kymen", "Hämeen", "Arctic"]
_TRADES = ["Logistiikka", "Konepaja", "Rakennus", "Elintarvike", "Energia", "Metsä", "Terveys", "Data", "Kuljetus", "Kiinteistöt", "Pakkaus", "Teknologia", "Vesi", "Media", "Kemia"]
_FORMS = ["Oy", "Oyj", "Ab", "Ltd", "Group Oy"]
_OWNERS = ["Aino", "Eero", "Helmi", "Juho", "Kaisa", "Lauri", "Mervi", "Oskari", "Pirjo", "Sami"]

#: The columns before the signals; then one column per signal, in the catalogue's order.
FIXED_COLUMNS = ["account_id", "account_name", "owner", "declared_stage"]

# Healthy background values (days for dates) for signals a stage profile leaves out.
_BACKGROUND = {
    "price_share_90d": 0.15, "contact_changes_unhandled_12m": 0, "repeat_complaints_open": 0,
    "development_prev_12m": None, "last_health_check": 120, "last_purchase": 40,
}
_ENDINGS = {
    "abrupt": {"last_purchase": 200, "last_interaction": 150, "joint_projects_active": 0, "confidential_exchange": False, "repeat_complaints_open": 0, "purchases_12m": 1},
    "drawn-out": {"last_purchase": 20, "last_interaction": 30, "next_review": -45, "repeat_complaints_open": 0, "purchases_12m": 3},
    "paused": {"last_purchase": 160, "last_interaction": 60, "next_review": -90, "purchases_12m": 1},
    "fading": {"last_purchase": 120, "last_interaction": 90, "next_review": -30, "repeat_complaints_open": 0, "last_health_check": 60, "purchases_12m": 2},
}


def _jitter(rng: random.Random, signal_type: str, value: object) -> object:
    if isinstance(value, bool) or value is None or signal_type == "category":
        return value
    if signal_type == "share":
        return round(min(1.0, max(0.0, value + rng.uniform(-0.08, 0.08))), 2)
    if signal_type == "date":
        return max(-400, round(value * rng.uniform(0.6, 1.3)))
    return max(0, round(value * rng.uniform(0.7, 1.35) + rng.choice([-1, 0, 0, 1])))


class SampleGenerator:
    def __init__(self, playbook: Playbook, as_of: date, seed: int = 7, verify: bool = True):
        self.playbook = playbook
        self.verify = verify
        self.as_of = as_of
        self.rng = random.Random(seed)
        self.evaluator = Evaluator(playbook, as_of, "en", "http://localhost")

    def _profile(self, phase_id: str) -> dict[str, object]:
        stages = [s.id for s in self.playbook.stages]
        base = dict(_BACKGROUND)
        if phase_id in stages:
            base.update(self.playbook.phases[phase_id].data["profile"])
            order = stages.index(phase_id)
        else:
            order = self.rng.randrange(0, 3)
            base.update(self.playbook.phases[stages[order]].data["profile"])
            base.update(_ENDINGS.get(phase_id, {}))
        base["development_prev_12m"] = base.get("development_12m", 0)
        base["relationship_start"] = 200 + 500 * order
        base["revenue_12m"] = (base.get("purchases_12m") or 0) * 4800
        base["revenue_prev_12m"] = base["revenue_12m"]
        base["portfolio_class"] = self.rng.choice(["++", "+-", "-+"] if order >= 2 else ["-+", "+-", "--"])
        return base

    def _values(self, phase_id: str) -> dict[str, object]:
        signals = self.playbook.signals
        out = {}
        for name, value in self._profile(phase_id).items():
            out[name] = _jitter(self.rng, signals[name].type, value)
        if out.get("portfolio_class") == "--":
            out["our_contacts_12m"] = min(out.get("our_contacts_12m") or 1, 2)
            out["interactions_90d"] = min(out.get("interactions_90d") or 2, 4)
        if out.get("portfolio_class") == "++":
            out["interactions_90d"] = max(out.get("interactions_90d") or 0, 4)
            out["our_contacts_12m"] = max(out.get("our_contacts_12m") or 0, 2)
        return out

    def _dated(self, values: dict[str, object]) -> dict[str, object]:
        signals = self.playbook.signals
        return {k: (self.as_of - timedelta(days=v) if signals[k].type == "date" and v is not None else v) for k, v in values.items()}

    def clean(self, phase_id: str) -> dict[str, object]:
        """Values for an account that meets every expectation of `phase_id` (unverified when `verify` is off)."""
        if not self.verify:
            return self._dated(self._values(phase_id))
        for _ in range(200):
            values = self._dated(self._values(phase_id))
            table = table_from_values(self.playbook, [{"account_id": "x", "declared": phase_id, **values}])
            if not self.evaluator.evaluate(table).findings[0]:
                return values
        raise RuntimeError(f"could not generate a clean {phase_id} account")

    def drifting(self, phase_id: str) -> dict[str, object]:
        """Values for an account declared in `phase_id` that behaves otherwise."""
        stages = [s.id for s in self.playbook.stages]
        rng = self.rng
        if phase_id in stages and rng.random() < 0.6:
            here = stages.index(phase_id)
            other = rng.choice([i for i in range(len(stages)) if i != here and abs(i - here) <= 2])
            return self.clean(stages[other])
        values = self.clean(phase_id)
        sign = rng.choice(["contact", "price", "handover", "complaints", "health", "review", "buying", "portfolio"])
        if sign == "contact" and values.get("interactions_prev_90d") is not None:
            values["interactions_prev_90d"] = max(6, values["interactions_prev_90d"])
            values["interactions_90d"] = values["interactions_prev_90d"] // 4
        elif sign == "price":
            values["interactions_90d"] = max(4, values.get("interactions_90d") or 0)
            values["price_share_90d"] = round(rng.uniform(0.5, 0.8), 2)
        elif sign == "handover":
            values["contact_changes_unhandled_12m"] = rng.choice([1, 2])
        elif sign == "complaints":
            values["repeat_complaints_open"] = rng.choice([1, 2, 3])
        elif sign == "health":
            values["last_health_check"] = self.as_of - timedelta(days=rng.randrange(400, 900))
        elif sign == "review":
            values["next_review"] = None if rng.random() < 0.5 else self.as_of - timedelta(days=rng.randrange(10, 120))
        elif sign == "portfolio":
            if rng.random() < 0.5:
                values.update(portfolio_class="--", our_contacts_12m=rng.randrange(4, 9), interactions_90d=rng.randrange(8, 20))
            else:
                values.update(portfolio_class="++", our_contacts_12m=1, interactions_90d=rng.randrange(0, 2))
        else:
            values["last_purchase"] = self.as_of - timedelta(days=rng.randrange(1, 25))
        return values

    def rows(self, count: int, drift_share: float = 0.35) -> list[dict[str, object]]:
        phases = [p.id for p in self.playbook.stages] * 3 + [p.id for p in self.playbook.endings]
        rows = []
        for n in range(1, count + 1):
            phase = self.rng.choice(phases)
            values = self.drifting(phase) if self.rng.random() < drift_share else self.clean(phase)
            name = f"{self.rng.choice(_PLACES)} {self.rng.choice(_TRADES)} {self.rng.choice(_FORMS)}"
            declared = self.rng.choice([phase, phase, phase, self.playbook.phases[phase].name["fi"], self.playbook.phases[phase].name["en"].upper()])
            rows.append({"account_id": f"ACC-{n:05d}", "account_name": name, "owner": self.rng.choice(_OWNERS), "declared_stage": declared, **values})
        return rows


def sample_csv(playbook: Playbook, as_of: date, count: int, seed: int = 7, with_problems: bool = True, verify: bool = True) -> str:
    """A canonical account export as CSV text."""
    generator = SampleGenerator(playbook, as_of, seed, verify)
    rows = generator.rows(count)
    if with_problems and count >= 50:
        # The kinds of mistakes real exports carry, a few rows each.
        rows[5]["share_of_wallet"] = "150 %"
        rows[11]["last_health_check"] = "31.2.2026"
        rows[17]["purchases_12m"] = "several"
        rows[23]["declared_stage"] = "cooperatoin"
        rows[29]["declared_stage"] = ""
        rows.append(dict(rows[31]))  # a duplicate account id
    out = io.StringIO()
    columns = [*FIXED_COLUMNS, *playbook.signals]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: canonical_text(row.get(k)) for k in columns})
    return out.getvalue()
