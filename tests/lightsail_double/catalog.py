"""Static catalogue the double serves: regions, blueprints and bundles.

Region names come from botocore's own model, so the double knows exactly the regions the SDK
knows. Blueprints and bundles are a small, realistic subset of what Lightsail lists.
"""

from __future__ import annotations

from typing import Any

import botocore.session

_MODEL = botocore.session.get_session().get_service_model("lightsail")
REGIONS: list[str] = list(_MODEL.shape_for("RegionName").enum)


def zones(region: str) -> list[str]:
    """Availability zones the double offers in a region (a, b, c)."""
    return [f"{region}{letter}" for letter in "abc"]


def region_entries(include_zones: bool) -> list[dict[str, Any]]:
    return [
        {
            "continentCode": region.split("-")[0].upper()[:2],
            "description": f"Lightsail test double region {region}",
            "displayName": region,
            "name": region,
            "availabilityZones": (
                [{"zoneName": zone, "state": "available"} for zone in zones(region)]
                if include_zones
                else []
            ),
            "relationalDatabaseAvailabilityZones": [],
        }
        for region in REGIONS
    ]


def _blueprint(
    blueprint_id: str, name: str, group: str, version: str, platform: str = "LINUX_UNIX"
) -> dict[str, Any]:
    return {
        "blueprintId": blueprint_id,
        "name": name,
        "group": group,
        "type": "os",
        "description": f"{name} {version}",
        "isActive": True,
        "minPower": 0,
        "version": version,
        "versionCode": "1",
        "productUrl": "https://aws.amazon.com/marketplace/",
        "licenseUrl": "https://aws.amazon.com/marketplace/",
        "platform": platform,
        "appCategory": "LfR",
    }


BLUEPRINTS: list[dict[str, Any]] = [
    _blueprint("debian_12", "Debian", "debian_12", "12.8"),
    _blueprint("debian_11", "Debian", "debian", "11.11"),
    _blueprint("ubuntu_24_04", "Ubuntu", "ubuntu_24", "24.04 LTS"),
    _blueprint("amazon_linux_2023", "Amazon Linux 2023", "amazon_linux_2023", "2023.6"),
    _blueprint(
        "windows_server_2022",
        "Windows Server 2022",
        "windows_2022",
        "2022",
        platform="WINDOWS",
    ),
]
# Debian's default login user on Lightsail is "admin".
BLUEPRINT_USERS = {"debian_12": "admin", "debian_11": "admin", "ubuntu_24_04": "ubuntu"}


def _bundle(
    bundle_id: str, price: float, ram: float, disk: int, transfer: int, power: int
) -> dict[str, Any]:
    return {
        "price": price,
        "cpuCount": 2,
        "diskSizeInGb": disk,
        "bundleId": bundle_id,
        "instanceType": bundle_id.split("_")[0],
        "isActive": True,
        "name": bundle_id.split("_")[0].capitalize(),
        "power": power,
        "ramSizeInGb": ram,
        "transferPerMonthInGb": transfer,
        "supportedPlatforms": ["LINUX_UNIX"],
        "supportedAppCategories": ["LfR"],
        "publicIpv4AddressCount": 1,
    }


BUNDLES: list[dict[str, Any]] = [
    _bundle("nano_3_0", 5.0, 0.5, 20, 1024, 300),
    _bundle("micro_3_0", 7.0, 1.0, 40, 2048, 500),
    _bundle("small_3_0", 12.0, 2.0, 60, 3072, 1000),
    _bundle("medium_3_0", 24.0, 4.0, 80, 4096, 2000),
]
