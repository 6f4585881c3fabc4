"""Starting the Slack front door: Socket Mode through `run_door` (the CLI's entry point), the OAuth
install flow for many workspaces with per-workspace tokens and uninstall clean-up, the settings'
error messages, and the manifest."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
import pytest
import yaml
from fake_slack import FakeSlack, SlackRequests
from fake_slack.harness import APP_TOKEN, BOT_TOKEN, SECRET, start_http
from waiting import GUARD, eventually

from adapters.doors import DoorOptions, run_door
from adapters.slack.install import BOT_SCOPES
from adapters.slack.settings import SlackConfigError, SlackSettings
from bot.engine import Engine
from bot.settings import Settings
from bot.views import ScheduleSpec

FIXTURE_CONTENT = Path(__file__).resolve().parent / "fixtures" / "content"
MANIFEST = Path(__file__).resolve().parents[1] / "adapters" / "slack" / "manifest.yml"
SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
              "SLACK_API_BASE_URL", "SLACK_ADMIN_USER_IDS", "SLACK_ADMIN_USERGROUP")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file
    monkeypatch.setenv("QUIZBOT_CONTENT_DIR", str(FIXTURE_CONTENT))
    monkeypatch.setenv("QUIZBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return monkeypatch


async def forgotten(installations, team_id: str) -> bool:
    return await installations.bot_token(team_id) is None


# Socket Mode ----------------------------------------------------------------------------------
async def test_socket_mode_connects_and_handles_a_slash_command(clean_env, tmp_path):
    fake = await FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN).start()
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    clean_env.setenv("SLACK_API_BASE_URL", fake.api_url)
    clean_env.setenv("SLACK_CLIENT_ID", "111.222")  # bolt would turn these into an OAuth app; we don't let it
    clean_env.setenv("SLACK_CLIENT_SECRET", "not-used-in-socket-mode")
    task = asyncio.create_task(run_door("slack", Settings(), tmp_path / "quiz.db", DoorOptions()))
    try:
        await eventually(lambda: fake.sockets or task.done(), "the socket mode connection")
        assert not task.done(), task.exception()
        [opened] = fake.calls_to("apps.connections.open")
        assert opened.token == APP_TOKEN
        assert fake.calls_to("auth.test")[0].token == BOT_TOKEN

        envelope = {"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
                    "payload": SlackRequests("", SECRET, fake).command_fields("streak")}
        await fake.socket_send(envelope)
        ack = await fake.socket_ack("env-1")
        assert ack["envelope_id"] == "env-1"
        [reply] = await fake.wait_for("response_url")
        assert "Streak: 0 day(s)" in reply["text"]

        event = SlackRequests("", SECRET, fake).event_body(
            {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home", "event_ts": "1.0"}, "Ev-s1")
        await fake.socket_send({"envelope_id": "env-2", "type": "events_api", "accepts_response_payload": False,
                                "retry_attempt": 0, "retry_reason": "", "payload": event})
        await fake.socket_ack("env-2")
        [home] = await fake.wait_for("views.publish")
        assert home["user_id"] == "U1" and home.token == BOT_TOKEN
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, GUARD)
        await fake.stop()


async def test_run_door_slack_names_missing_variables(clean_env, tmp_path):
    with pytest.raises(SystemExit) as exc:
        await run_door("slack", Settings(), tmp_path / "quiz.db", DoorOptions())
    assert "SLACK_BOT_TOKEN" in str(exc.value) and "SLACK_APP_TOKEN" in str(exc.value)
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-secret-value")
    with pytest.raises(SystemExit) as exc:
        await run_door("slack", Settings(), tmp_path / "quiz.db", DoorOptions(http=True, port=0))
    assert "SLACK_SIGNING_SECRET" in str(exc.value) and "xoxb-secret-value" not in str(exc.value)


async def test_run_door_slack_when_slack_cannot_be_reached(clean_env, tmp_path):
    import socket
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        api = f"http://127.0.0.1:{s.getsockname()[1]}/api/"
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    clean_env.setenv("SLACK_API_BASE_URL", api)
    with pytest.raises(SystemExit) as exc:
        await run_door("slack", Settings(), tmp_path / "quiz.db", DoorOptions())
    assert str(exc.value) == (f"refusing to start: cannot reach Slack at {api} (ClientConnectorError); "
                              "check the network and SLACK_API_BASE_URL.")


def test_settings_errors_name_the_variables_and_hide_secrets():
    def settings(**values) -> SlackSettings:
        return SlackSettings(_env_file=None, **values)

    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN, SLACK_APP_TOKEN"):
        settings().check(http=False)
    with pytest.raises(SlackConfigError, match="SLACK_APP_TOKEN"):
        settings(bot_token="xoxb-1", app_token="  ").check(http=False)
    with pytest.raises(SlackConfigError, match="xapp-"):
        settings(bot_token="xoxb-1", app_token="xoxb-wrong-kind").check(http=False)
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN"):
        settings().check(http=True)
    with pytest.raises(SlackConfigError, match="SLACK_CLIENT_SECRET") as exc:
        settings(signing_secret="s3cret-signing", client_id="111.222").check(http=True)
    assert "s3cret-signing" not in str(exc.value)
    assert settings(signing_secret="x", client_id="1.2", client_secret="y").check(http=True) == "oauth"
    assert settings(signing_secret="x", bot_token="xoxb-1").check(http=True) == "http"
    full = settings(bot_token="xoxb-very-secret", app_token="xapp-very-secret", client_secret="cs-very-secret",
                    admin_user_ids="U1, U2;U3", api_base_url="http://127.0.0.1:9/api")
    assert "very-secret" not in repr(full) and "very-secret" not in str(full.model_dump())
    assert full.admin_ids == {"U1", "U2", "U3"} and full.api_base_url.endswith("/api/")


def test_manifest_matches_the_code():
    manifest = yaml.safe_load(MANIFEST.read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/quiz"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert {"app_home_opened", "app_uninstalled", "tokens_revoked"} <= set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True


# OAuth: many workspaces ---------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_oauth_install_tokens_per_workspace_and_uninstall(store, mini_catalog):
    engine = Engine(store, mini_catalog)
    h = await start_http(engine, mode="oauth", bot_token=None, client_id="111.222", client_secret="cs-secret")
    try:
        fake = h.fake
        fake.tokens["xoxb-T2"] = "T2"
        fake.oauth_answer = {"ok": True, "app_id": "A1", "authed_user": {"id": "U9"}, "scope": ",".join(BOT_SCOPES),
                             "token_type": "bot", "access_token": "xoxb-T2", "bot_user_id": "UBOT2",
                             "team": {"id": "T2", "name": "Second Co"}, "enterprise": None,
                             "is_enterprise_install": False}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=GUARD)) as http:
            async with http.get(f"{h.base_url}/slack/install") as resp:
                page = await resp.text()
                assert resp.status == 200
                # The state cookie is Secure (https only); a browser behind TLS would send it back.
                cookie = next(c.split(";")[0] for c in resp.headers.getall("Set-Cookie") if "oauth-state" in c)
            state = re.search(r"state=([\w-]+)", page).group(1)
            assert "client_id=111.222" in page and "chat%3Awrite" in page.replace(":", "%3A")
            async with http.get(f"{h.base_url}/slack/oauth_redirect", params={"code": "c-1", "state": state},
                                headers={"Cookie": cookie}) as resp:
                assert resp.status == 200, await resp.text()
        [exchange] = fake.calls_to("oauth.v2.access")
        assert exchange["code"] == "c-1"
        installations = h.door.bundle.installations
        assert await installations.bot_token("T2") == "xoxb-T2"

        # Requests from the new workspace are answered with its own token.
        t2 = SlackRequests(h.slack.endpoint, SECRET, fake, team_id="T2", domain="second")
        assert (await t2.command("streak", user="U9")).status == 200
        [reply] = await fake.wait_for("response_url")
        assert "Streak: 0" in reply["text"]
        assert {c.token for c in fake.calls_to("users.info")} == {"xoxb-T2"}

        # Daily posts go out with the token of the post's workspace; a workspace without one fails for good.
        await engine.schedules.create(h.actor("U9", admin=True, team="T2"), ScheduleSpec("C2", "08:00", "daily", "UTC"),
                                      h.clock())
        await engine.schedules.create(h.actor("U9", admin=True, team="T1"), ScheduleSpec("C1", "08:00", "daily", "UTC"),
                                      h.clock())
        outcomes = {o.status: o for o in await engine.tick(h.clock.at(8, 0))}
        [post] = fake.calls_to("chat.postMessage")
        assert post["channel"] == "C2" and post.token == "xoxb-T2"
        assert "not installed in workspace T1" in outcomes["failed"].detail

        # Uninstalling removes the workspace's installation: nothing can be sent there any more.
        assert (await t2.event({"type": "app_uninstalled"})).status == 200
        await eventually(lambda: forgotten(installations, "T2"), "the uninstall to be stored")
        assert await installations.bot_token("T2") is None
    finally:
        await h.close()


async def test_tokens_revoked_forgets_the_bot_token(store, mini_catalog):
    h = await start_http(Engine(store, mini_catalog), mode="oauth", bot_token=None, client_id="111.222",
                         client_secret="cs-secret")
    try:
        from slack_sdk.oauth.installation_store import Installation
        installations = h.door.bundle.installations
        await installations.store.async_save(Installation(app_id="A1", team_id="T1", user_id="U9", bot_token=BOT_TOKEN,
                                                          bot_id="BBOT", bot_user_id="UBOT", bot_scopes=list(BOT_SCOPES)))
        assert await installations.bot_token("T1") == BOT_TOKEN
        reply = await h.slack.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}})
        assert reply.status == 200
        await eventually(lambda: forgotten(installations, "T1"), "the revoked token to be forgotten")
        assert await installations.bot_token("T1") is None
    finally:
        await h.close()
