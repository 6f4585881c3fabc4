"""The terminal front door: no account, no token; reads commands line by line.

Import `adapters.console.session` for the session itself; this package stays light so the CLI
can use its renderers without loading the engine.
"""
