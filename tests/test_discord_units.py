"""The Discord adapter's pure parts: escaping, custom ids, settings, command checks, error mapping."""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import discord
import pytest
from discord.ext import commands
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord import cogs, components, render
from adapters.discord.cli import bot_permissions, invite_url
from adapters.discord.sender import discord_message_ref, discord_send_error, nonce_for
from adapters.discord.settings import DiscordConfigError, DiscordSettings, load_discord_settings

PING = re.compile(r"@(everyone|here)|<@[!&]?\d{17,20}>")
COMMANDS_JSON = Path(__file__).parent / "fixtures" / "discord_commands.json"


async def command_tree() -> discord.app_commands.CommandTree:
    """The tree the cogs build, on a bare Bot (the cogs reach the engine only when a command runs)."""
    bot = commands.Bot(command_prefix=commands.when_mentioned, help_command=None, intents=discord.Intents.none())
    await cogs.setup(bot)
    return bot.tree


@given(st.text(alphabet=st.sampled_from(list("@everyonhr<>&!*_~`|\\ 0123456789")), max_size=60))
def test_user_text_never_contains_a_working_mention(text):
    assert PING.search(render.user_text(text, 200)) is None


def test_user_text_escapes_markdown_and_mentions():
    out = render.user_text("@everyone **bold** <@&123456789012345678> `code`")
    assert "@everyone" not in out and "<@&123456789012345678>" not in out
    assert "\\*\\*bold\\*\\*" in out and "\\`code\\`" in out


def test_only_the_schedules_role_may_be_pinged():
    content, mentions = render.ping_content("123456789012345678")
    assert content.startswith("<@&123456789012345678>")
    assert mentions.to_dict() == {"parse": [], "roles": [123456789012345678]}
    assert render.ping_content(None) == (None, render.NO_PINGS)
    assert render.NO_PINGS.to_dict() == {"parse": []}


def test_custom_ids_fit_discord_and_round_trip():
    slug = "a" * 64
    big = 10 ** 19
    items = [components.PostChoiceButton(big, slug), components.PostTextButton(big),
             components.DeliveryChoiceButton(big, slug), components.DeliveryTextButton(big),
             components.LessonStepButton(slug, 999), components.LessonStepButton(slug, "done"),
             components.PracticeButton()]
    for item in items:
        assert len(item.custom_id) <= 100
        assert item.template.fullmatch(item.custom_id)
    assert len(components.answer_modal("post", big, "x" * 500).custom_id) <= 100
    assert components.MODAL_RE.fullmatch(f"quiz:modal:dlv:{big}")


def test_modal_answer_reads_classic_rows_and_labels():
    rows = {"components": [{"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "KL"}]}]}
    labels = {"components": [{"type": 18, "component": {"type": 4, "custom_id": "answer", "value": "KL"}}]}
    assert components.modal_answer(rows) == components.modal_answer(labels) == "KL"
    assert components.modal_answer({}) == ""


async def test_the_synced_commands_are_the_recorded_ones():
    # Every name, option, description, permission default and autocomplete flag, in Discord's order: a
    # changed payload changes the hash, and every bot re-syncs once. When a change is meant, regenerate
    # the file from cogs.command_payload.
    tree = await command_tree()
    assert cogs.command_payload(tree) == json.loads(COMMANDS_JSON.read_text())


async def test_every_admin_command_checks_manage_server_itself():
    admin = next(c for c in (await command_tree()).get_commands() if c.name == "quizadmin")
    assert admin.default_permissions == discord.Permissions(manage_guild=True) and admin.guild_only
    leaves = [c for c in admin.walk_commands() if isinstance(c, discord.app_commands.Command)]
    assert len(leaves) == 13
    for command in leaves:
        assert command.checks, f"/quizadmin {command.qualified_name} has no permission check"


async def test_the_admin_check_refuses_without_manage_server():
    admin = next(c for c in (await command_tree()).get_commands() if c.name == "quizadmin")
    check = next(c for c in admin.walk_commands() if c.name == "list").checks[0]
    nobody = SimpleNamespace(permissions=discord.Permissions.none())
    boss = SimpleNamespace(permissions=discord.Permissions(manage_guild=True))
    with pytest.raises(discord.app_commands.MissingPermissions):
        check(nobody)
    assert check(boss)


def test_invite_asks_only_for_what_the_bot_uses():
    perms = bot_permissions()
    assert {name for name, on in perms if on} == {"read_messages", "send_messages", "embed_links", "read_message_history",
                                                   "create_public_threads", "send_messages_in_threads"}  # read_messages is view_channel
    assert invite_url(42) == ("https://discord.com/oauth2/authorize?client_id=42&scope=bot%20applications.commands"
                              f"&permissions={perms.value}")


def test_settings_shards_and_token(monkeypatch):
    for var in ("DISCORD_TOKEN", "DISCORD_SHARD_COUNT", "DISCORD_SHARD_IDS", "DISCORD_API_BASE"):
        monkeypatch.delenv(var, raising=False)
    settings = DiscordSettings(shard_count="4", shard_ids="0-1, 3")
    assert settings.sharded and settings.shard_total == 4 and settings.shard_id_list == [0, 1, 3]
    assert DiscordSettings(shard_count="auto").shard_total is None
    assert not DiscordSettings().sharded and DiscordSettings().api_base == "https://discord.com/api/v10"
    with pytest.raises(DiscordConfigError, match="DISCORD_TOKEN is not set"):
        DiscordSettings().require_token()
    monkeypatch.setenv("DISCORD_SHARD_IDS", "0,1")
    with pytest.raises(DiscordConfigError, match="DISCORD_SHARD_COUNT"):
        load_discord_settings()
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "2")
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token")
    loaded = load_discord_settings()
    assert loaded.require_token() == "secret-token" and "secret-token" not in repr(loaded)
    monkeypatch.setenv("DISCORD_API_BASE", "discord.com/api")
    with pytest.raises(DiscordConfigError, match="DISCORD_API_BASE"):
        load_discord_settings()


def _http_error(cls, status: int, code: int = 0):
    return cls(SimpleNamespace(status=status, reason="x"), {"code": code, "message": "nope"})


def test_send_errors_say_whether_a_retry_can_help():
    assert not discord_send_error(_http_error(discord.Forbidden, 403, 50013), "posting").retryable
    assert not discord_send_error(_http_error(discord.NotFound, 404, 10003), "posting").retryable
    assert not discord_send_error(_http_error(discord.HTTPException, 400, 50035), "posting").retryable
    assert discord_send_error(_http_error(discord.DiscordServerError, 503), "posting").retryable
    assert discord_send_error(OSError("connection reset"), "posting").retryable
    assert "missing permission" in str(discord_send_error(_http_error(discord.Forbidden, 403, 50013), "posting"))


def test_nonce_and_message_refs():
    token = "0b5e7c1e-7f9e-4a55-9a3c-2f0d8e1b9c11"
    assert nonce_for(token) == nonce_for(token) and len(nonce_for(token)) <= 25
    assert nonce_for(token) != nonce_for(token[::-1]) and nonce_for("") is None
    assert discord_message_ref("12:34") == (12, 34) and discord_message_ref(None) is None and discord_message_ref("msg-1") is None


def test_a_verdict_note_replaces_the_wrong_title():
    from bot.views import Verdict
    v = Verdict("new", "q1", your_answer="idk", right_answer="KL", explanation="Why.", non_answer=True,
                note="No worries — here is the answer.")
    embed = render.verdict_embed(v)
    assert "No worries — here is the answer." in embed.title and "Not quite" not in embed.title
    assert "KL" in embed.description
