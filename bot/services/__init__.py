"""Use cases that run beside the engine and keep their own state (e.g. live answer counts)."""
