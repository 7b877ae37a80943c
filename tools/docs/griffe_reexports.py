"""A griffe extension for the API reference: a package's re-exports are its public API.

Our packages define objects in private modules and re-export them from ``__init__`` with
``from ._mod import Name as Name``. Where a package declares no ``__all__``, griffe counts those
imports as private; this marks each alias pointing into the package itself as exported, so the
reference documents exactly what ``import <package>`` offers.
"""

from __future__ import annotations

from typing import Any

import griffe


class PackageReexports(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.exports is not None:  # __all__ decides
            return
        prefix = pkg.path + "."
        pkg.exports = [
            name
            for name, member in pkg.members.items()
            if not name.startswith("_")
            and member.is_alias
            and isinstance(member, griffe.Alias)
            and member.target_path.startswith(prefix)
        ]
