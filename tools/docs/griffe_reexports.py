"""A griffe extension for the API reference: a package's re-exports are its public API.

Our packages define objects in private modules and re-export them from ``__init__`` with
``from ._mod import Name as Name``. Where a package declares no ``__all__``, griffe counts those
imports as private; this marks each alias pointing into the package itself as exported, so the
reference documents exactly what ``import <package>`` offers.

A class built in layers (``StreamResponse`` over ``_response_head.ResponseHead`` and
``_response_coding.ResponseCoding``, ``Application`` over ``_app_state.AppState`` and
``_app_lifecycle.AppLifecycle``...) is documented with the public members of the bases the
package does not export: to a user they are the class's own, as they were before the split.
"""

from __future__ import annotations

from typing import Any

import griffe


class PackageReexports(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        prefix = pkg.path + "."
        if pkg.exports is None:  # no __all__: the re-exports decide
            pkg.exports = [
                name
                for name, member in pkg.members.items()
                if not name.startswith("_")
                and member.is_alias
                and isinstance(member, griffe.Alias)
                and member.target_path.startswith(prefix)
            ]
        public = [member for name, member in pkg.members.items() if name in pkg.exports]
        exported = {m.target_path if isinstance(m, griffe.Alias) else m.path for m in public}
        for member in public:
            if isinstance(member, griffe.Alias):
                if not member.target_path.startswith(prefix):
                    continue  # re-exported from another package: documented there
                member = member.final_target
            if isinstance(member, griffe.Class):
                _inline_layers(member, exported, prefix)


def _inline_layers(cls: griffe.Class, exported: set[str], prefix: str) -> None:
    """Give ``cls`` the public members of its unexported bases inside the package."""
    for base in cls.resolved_bases:  # griffe leaves out the bases it cannot resolve
        if not isinstance(base, griffe.Class):
            continue
        if not base.path.startswith(prefix) or base.path in exported:
            continue  # a public base is documented on its own; an outside one is not ours
        _inline_layers(base, exported, prefix)
        for name, member in base.members.items():
            if name.startswith("_") or name in cls.members:
                continue
            cls.set_member(name, griffe.Alias(name, member, parent=cls))
