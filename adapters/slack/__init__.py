"""The Slack front door (slack-bolt AsyncApp): `/quiz`, daily posts, modals, App Home, OAuth install.

Entry point: `adapters.slack.main.run_slack`, wired to `quizbot run slack [--http --port N]`.
"""
