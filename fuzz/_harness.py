"""Shared start-up of the atheris harnesses: Django without a database, then the target's
code instrumented for coverage (see tadamun/security_suite/fuzz_targets.py)."""

import gc
import os
import sys
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent


# Where coverage feedback comes from: the code a target runs through, not all of Django (whose
# ~19,000 functions would take minutes to instrument on a small machine). nh3 is compiled
# Rust, opaque to atheris: its output is what the targets check.
INSTRUMENTED = (
    "tadamun.",
    "email.",
    "html.",
    "markdown_it.",
    "mdurl.",
    "urllib.parse",
    "quopri",
    "base64",
    "django.utils.html",
    "django.utils.text",
    "django.utils.encoding",
    "django.template.defaultfilters",
)


def instrument_targets() -> int:
    """atheris.instrument_all(), limited to the modules named in INSTRUMENTED."""
    count = 0
    for obj in gc.get_objects():
        module = getattr(obj, "__module__", None)
        if (
            isinstance(module, str)
            and f"{module}.".startswith(INSTRUMENTED)
            and module in sys.modules
            and callable(obj)
            and isinstance(getattr(obj, "__code__", None), type(run.__code__))
        ):
            try:
                atheris.instrument_func(obj)
                count += 1
            except Exception as exc:  # a function atheris cannot rewrite stays as it is
                print(f"INFO: not instrumented {obj!r}: {exc}", file=sys.stderr)
    return count


def run(target_name: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")
    os.environ.setdefault("LOG_LEVEL", "CRITICAL")
    import django

    django.setup()  # settings and app registry only: the targets never touch the database
    from tadamun.security_suite import fuzz_targets

    target = fuzz_targets.TARGETS[target_name]
    target(b"")  # import everything the target uses before instrumenting it
    print(f"INFO: instrumented {instrument_targets()} functions", file=sys.stderr)
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
