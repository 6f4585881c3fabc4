"""The terminal front door: no account, no token; reads commands line by line."""
from adapters.console.session import ConsoleSession, run_console

__all__ = ["ConsoleSession", "run_console"]
