"""The Discord front door (discord.py 2.7): slash commands, buttons, modals and daily posts.

It translates interactions into engine calls and renders the engine's views; it holds no rules.
`quizbot run discord` starts it (see main.py); `quizbot discord sync|invite` are the tools (cli.py).
"""
