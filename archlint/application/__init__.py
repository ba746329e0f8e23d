"""Use cases: the check pipeline and the steps that connect adapters, facts and checks."""
