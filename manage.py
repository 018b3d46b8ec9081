#!/usr/bin/env python
"""Django's command-line utility for the platform."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> None:
    # `platform/` is a source root (not a package: the name is taken by the stdlib).
    # Appended, never prepended, so `import platform` always finds the standard library.
    for source_root in (ROOT / "platform", ROOT):
        if str(source_root) not in sys.path:
            sys.path.append(str(source_root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from devstack.entry import embedded_services_for_development

    embedded_services_for_development()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
