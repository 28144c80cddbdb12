"""The collection policy as data: every SPEC parameter typed and validated, versioned by effective date.

    from arrears.policy import policy_on
    policy_on(date(2026, 3, 1)).penalty.markup   # Decimal('0.50')

No Django import here: the Django shell stores versions in its own table and builds a `PolicyBook` from them.
"""

from arrears.policy.model import Policy
from arrears.policy.versions import (
    SPEC_DEFAULTS,
    SPEC_VERSION,
    PolicyBook,
    PolicyError,
    PolicyVersion,
    book_from_files,
    build_policy,
    default_book,
    flatten,
    load_policy_file,
    parameter_rows,
    parse_policy_toml,
    policy_on,
    to_jsonable,
)

__all__ = [
    "SPEC_DEFAULTS",
    "SPEC_VERSION",
    "Policy",
    "PolicyBook",
    "PolicyError",
    "PolicyVersion",
    "book_from_files",
    "build_policy",
    "default_book",
    "flatten",
    "load_policy_file",
    "parameter_rows",
    "parse_policy_toml",
    "policy_on",
    "to_jsonable",
]
