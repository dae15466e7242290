"""English translations of the admin shell's Italian source text."""

MESSAGES: dict[str, str] = {}
