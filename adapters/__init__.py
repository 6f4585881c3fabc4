"""Front doors (console, Discord, Slack): they translate and render, the engine decides."""
