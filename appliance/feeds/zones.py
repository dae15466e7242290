"""One table that ties the town's alert zone to every name and code the sources use for it.

allertaLOM says ``IM-06``, the DPC bulletin and its CAP say ``Lomb-06`` or "Orobie
bergamasche", a CAP area may carry the comune's ISTAT code, MeteoAlarm names the whole region
(``EMMA_ID`` IT003, "Lombardia"). Data about any other zone is never taken as ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appliance.core.config import Config

# Lombardy's homogeneous zones as the DPC bulletin numbers them (Lomb-NN = IM-NN).
LOMBARDY = (
    "Valchiavenna",
    "Media-bassa Valtellina",
    "Alta Valtellina",
    "Laghi e Prealpi Varesine",
    "Lario e Prealpi occidentali",
    "Orobie bergamasche",
    "Valcamonica",
    "Laghi e Prealpi orientali",
    "Nodo Idraulico di Milano",
    "Pianura centrale",
    "Alta pianura orientale",
    "Bassa pianura occidentale",
    "Bassa pianura centro-occidentale",
    "Bassa pianura centro-orientale",
    "Bassa pianura orientale",
    "Appennino pavese",
)
# MeteoAlarm's region for Lombardy (region-wide, not our zone).
LOMBARDY_EMMA_ID = "IT003"
_CODE = re.compile(r"^(?:IM|LOMB)-?0*(\d{1,2})$")


def name_key(text: str) -> str:
    """Names compared without case, accents of apostrophes or extra spaces."""
    return " ".join(text.replace("’", "'").replace("`", "'").casefold().split())


def zone_number(code: str) -> int | None:
    """``IM-06``, ``Lomb-06``, ``IM06`` → 6; anything else → None."""
    found = _CODE.match(code.strip().upper())
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class TownZone:
    """The town's zone under every name and code; ``matches_*`` say whether data is ours."""

    regional: str  # allertaLOM code, "IM-06"
    national: str  # DPC code, "Lomb-06"
    name: str  # "Orobie bergamasche"
    istat: str  # the comune, "016186"
    town: str
    region: str = "Lombardia"
    emma_id: str = LOMBARDY_EMMA_ID

    @classmethod
    def from_config(cls, config: Config) -> TownZone:
        """From ``[town] alert_zone``, ``istat_code`` and ``name``."""
        town = config.town
        number = zone_number(town.alert_zone)
        name = LOMBARDY[number - 1] if number and number <= len(LOMBARDY) else ""
        national = f"Lomb-{number:02d}" if name else ""
        return cls(town.alert_zone, national, name, town.istat_code, town.name)

    def matches_code(self, code: str) -> bool:
        """A zone code or a comune code that is ours (IM-06, Lomb-06, 016186, 16186)."""
        code = code.strip()
        if code and code.upper() == self.regional.upper():
            return True
        if code and code.lstrip("0") == self.istat.lstrip("0") and code.isdigit():
            return True
        number = zone_number(code)
        return number is not None and number == zone_number(self.regional)

    def matches_name(self, text: str) -> bool:
        """An area name that is exactly ours: "Orobie bergamasche", "IM-06 Orobie…", the town."""
        wanted = {self.town, f"Comune di {self.town}"}
        if self.name:
            wanted |= {self.name, f"{self.regional} {self.name}", f"{self.national} {self.name}"}
        return name_key(text) in {name_key(w) for w in wanted}

    def matches_region(self, code: str, text: str) -> bool:
        """MeteoAlarm's region-wide area that includes the town (EMMA_ID or region name)."""
        return code.strip().upper() == self.emma_id or name_key(text) == name_key(self.region)
