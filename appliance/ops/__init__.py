"""Operations helpers for technicians: self-tests and diagnostics."""
