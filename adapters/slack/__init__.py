"""The Slack front door (slack-bolt AsyncApp): `/quiz`, daily posts, modals, App Home, OAuth install.

Entry point: `adapters.slack.main.open_slack_door` (registered in adapters/doors.py), run by `quizbot run slack [--http --port N]`.
"""
