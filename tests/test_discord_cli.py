"""The Discord front door from the outside: `quizbot discord sync|invite`, `quizbot run discord`, sharding."""
from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest
import pytest_asyncio
from conftest import utc
from fake_discord import FakeDiscord
from fake_discord.harness import CONTENT, FakeClock, open_app, start_bot, stop_bot
from typer.testing import CliRunner

from adapters.cli import app as quizbot_app
from adapters.discord.bot import ShardedQuizBot
from adapters.discord.cli import discord_app


@pytest_asyncio.fixture
async def fake():
    server = await FakeDiscord().start()
    yield server
    await server.stop()


def cli_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "QUIZBOT_", "DATABASE_URL"))}
    env.update(QUIZBOT_DATA_DIR=str(tmp_path), QUIZBOT_CONTENT_DIR=str(CONTENT), LOG_LEVEL="INFO", **extra)
    return env


async def quizbot(*args: str, env: dict, cwd, timeout: float = 30) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "adapters.cli", *args, cwd=cwd, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode, out.decode(), err.decode()


async def test_sync_records_the_hash_so_the_bot_does_not_sync_again(fake, tmp_path):
    env = cli_env(tmp_path, **fake.env())
    code, out, err = await quizbot("discord", "sync", env=env, cwd=tmp_path)
    assert code == 0, err
    assert "synced 8 command(s) globally" in out
    assert len(fake.calls_to("PUT", f"/applications/{fake.app_id}/commands")) == 1

    code, out, err = await quizbot("discord", "sync", "--guild", str(fake.guild.id), env=env, cwd=tmp_path)
    assert code == 0, err
    assert f"to guild {fake.guild.id}" in out
    [guild_put] = fake.calls_to("PUT", f"/applications/{fake.app_id}/guilds/{fake.guild.id}/commands")
    assert {c["name"] for c in guild_put.body} >= {"lesson", "quizadmin"}

    app = await open_app(tmp_path / "quizbot.db")  # the database the CLI used (QUIZBOT_DATA_DIR)
    try:
        bot = await start_bot(fake, app, FakeClock(utc(2026, 3, 2, 8)))
        await stop_bot(bot)
    finally:
        await app.close()
    assert len(fake.calls_to("PUT", "/commands")) == 2, "the bot found the recorded hash and did not sync"
    assert fake.token not in out + err


UNSET = {"DISCORD_TOKEN": None, "DISCORD_APPLICATION_ID": None, "DISCORD_API_BASE": None,
         "DISCORD_GATEWAY_URL": None, "DISCORD_SHARD_COUNT": None, "DISCORD_SHARD_IDS": None}


async def invoke(app, args: list[str], **env):
    """The typer app in-process (in a thread: it runs its own event loop while the fake serves on ours)."""
    return await asyncio.to_thread(CliRunner().invoke, app, args, env={**UNSET, **env})


async def test_invite_prints_the_oauth_url_with_minimal_permissions(fake):
    result = await invoke(discord_app, ["invite"], DISCORD_APPLICATION_ID="1234567890")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("https://discord.com/oauth2/authorize?client_id=1234567890"
                                     "&scope=bot%20applications.commands&permissions=309237730304")

    result = await invoke(discord_app, ["invite"], **fake.env())
    assert result.exit_code == 0, result.output
    assert f"client_id={fake.app_id}&" in result.output  # looked up with the token

    result = await invoke(discord_app, ["invite"])
    assert result.exit_code == 1 and "DISCORD_APPLICATION_ID" in result.output


async def test_run_and_sync_need_a_token(tmp_path):
    result = await invoke(quizbot_app, ["run", "discord", "--db", str(tmp_path / "q.db")])
    assert result.exit_code == 1 and "DISCORD_TOKEN is not set" in result.output
    result = await invoke(discord_app, ["sync"])
    assert result.exit_code == 1 and "DISCORD_TOKEN is not set" in result.output
    assert not (tmp_path / "q.db").exists()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "docker-stop"])
async def test_quizbot_run_discord_serves_commands_and_stops_cleanly(fake, tmp_path, stop):
    env = cli_env(tmp_path, **fake.env(), DISCORD_GUILD_READY_TIMEOUT="0.1")
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "adapters.cli", "run", "discord", cwd=tmp_path,
                                                env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await fake.wait_for(lambda: any(s.identified for s in fake.sessions), 30, "the bot process to connect")
        await fake.wait_for(lambda: fake.commands.get("global"), what="the first sync")
        alice = fake.add_user("alice")
        reply = await fake.run(fake.command(alice, "lesson", lesson="mini"))
        assert reply.ephemeral and "part 1/2" in reply.text
        proc.send_signal(stop)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert fake.token not in out.decode() + err.decode()
    assert "synced 8 command(s) globally" in err.decode()
    assert (tmp_path / "quizbot.db").exists() and proc.returncode == 0


async def test_auto_sharded_bot_runs_the_shards_discord_recommends(fake, tmp_path, monkeypatch):
    async def no_identify_pause(self, shard_id, *, initial=False):
        pass  # discord.py waits 5 s between shard IDENTIFYs (Discord's rate limit); the fake has none
    monkeypatch.setattr(ShardedQuizBot, "before_identify_hook", no_identify_pause)
    fake.gateway_shards = 2
    app = await open_app(tmp_path / "quiz.db")
    try:
        bot = await start_bot(fake, app, FakeClock(utc(2026, 3, 2, 8)), shard_count="auto")
        try:
            assert fake.calls_to("GET", "/gateway/bot")
            assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
            assert type(bot).__name__ == "ShardedQuizBot" and bot.shard_count == 2
            assert [g.id for g in bot.guilds] == [fake.guild.id]
            alice = fake.add_user("alice")
            reply = await fake.run(fake.command(alice, "streak"))
            assert reply.ephemeral and "streak" in reply.text
        finally:
            await stop_bot(bot)
    finally:
        await app.close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def refusal_line(err: str) -> str:
    """The process's own refusal: one line, no traceback around it."""
    assert "Traceback" not in err and "│" not in err, err  # neither Python's nor rich's traceback
    [line] = [line for line in err.splitlines() if line.startswith("refusing to start")]
    return line


@pytest.mark.parametrize("where, error", [("127.0.0.1:{port}", "ClientConnectorError"),
                                          ("quizbot-test.invalid", "ClientConnectorDNSError")],
                         ids=["closed-port", "dns-failure"])
async def test_run_discord_when_discord_cannot_be_reached(fake, tmp_path, where, error):
    api = f"http://{where.format(port=closed_port())}/api/v10"
    env = cli_env(tmp_path, **{**fake.env(), "DISCORD_API_BASE": api})
    code, out, err = await quizbot("run", "discord", env=env, cwd=tmp_path)
    assert code != 0
    assert refusal_line(err) == (f"refusing to start: cannot reach Discord at {api} ({error}); "
                                 "check the network and DISCORD_API_BASE.")


async def test_run_discord_with_a_token_discord_rejects(fake, tmp_path):
    env = cli_env(tmp_path, **{**fake.env(), "DISCORD_TOKEN": "not-the-token"})
    code, out, err = await quizbot("run", "discord", env=env, cwd=tmp_path)
    assert code != 0
    assert refusal_line(err).startswith("refusing to start: Discord rejected DISCORD_TOKEN")
    assert fake.calls_to("GET", "/users/@me")  # it did ask Discord
