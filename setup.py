"""Install the five top-level folders under one import name, ``rlwb``.

The repository keeps ``workbench/``, ``linkage/``, ``crypto/``, ``ui/`` and ``fixtures/`` at
its top (docs/architecture.md); installed, they are ``rlwb.workbench``, ``rlwb.linkage`` and
so on, so nothing with a generic name lands in site-packages.
"""

from setuptools import find_packages, setup

FOLDERS = ("workbench", "linkage", "crypto", "ui", "fixtures")

setup(
    packages=[f"rlwb.{p}" for p in find_packages(include=[f"{f}*" for f in FOLDERS])],
    package_dir={f"rlwb.{f}": f for f in FOLDERS},
)
