"""Command-line tools over the cases: measure claims over many seeds, write docs/claims.md, measure harness overhead."""
