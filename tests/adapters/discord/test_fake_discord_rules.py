"""The fake Discord refuses what Discord refuses, with Discord's error codes and texts.

Where discord.py can send the offending request, it does (so the test also shows how discord.py
surfaces the refusal); where it stops the mistake itself first, a plain HTTP client sends it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.support.fakes.discord_api import FakeDiscord
from tests.support.fakes.discord_rest import EPHEMERAL

pytestmark = pytest.mark.usefixtures("fail_on_error_logs")

Action = Callable[[discord.Interaction], Awaitable[Any]]


class Probe:
    """A bot whose ``/probe`` runs the action a test hands it and reports what it raised, if anything."""

    def __init__(self) -> None:
        self.bot = commands.Bot(
            command_prefix=commands.when_mentioned, intents=discord.Intents.default(), guild_ready_timeout=0.05
        )
        self.outcomes: asyncio.Queue[BaseException | None] = asyncio.Queue()
        self.action: Action | None = None

        @app_commands.command(name="probe", description="Run the test's action")
        async def probe(interaction: discord.Interaction) -> None:
            assert self.action is not None
            try:
                await self.action(interaction)
            except Exception as error:
                await self.outcomes.put(error)
            else:
                await self.outcomes.put(None)

        self.bot.tree.add_command(probe)

    async def run(self, fake: FakeDiscord, action: Action, *, age: float = 0.0) -> tuple[dict[str, Any], Any]:
        """``/probe`` (sent ``age`` seconds ago) doing ``action``: the interaction and the outcome."""
        self.action = action
        interaction = fake.slash_command("probe", age=age)
        await fake.dispatch("INTERACTION_CREATE", interaction)
        return interaction, await asyncio.wait_for(self.outcomes.get(), timeout=5)


@pytest.fixture
async def probe(fake_discord: FakeDiscord) -> AsyncIterator[Probe]:
    running = Probe()
    async with fake_discord.running(running.bot):
        yield running


async def post(fake: FakeDiscord, path: str, body: Any, *, auth: bool = False) -> tuple[int, Any, Any]:
    """A raw request to the fake's API: status, JSON answer and response headers."""
    headers = {"Authorization": f"Bot {fake.token}"} if auth else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.api_url + path, json=body, headers=headers) as response,
    ):
        return response.status, await response.json(), response.headers


async def test_a_first_response_after_three_seconds_is_an_unknown_interaction(
    probe: Probe, fake_discord: FakeDiscord
) -> None:
    _, late = await probe.run(fake_discord, lambda i: i.response.send_message("hi"), age=3.2)
    _, in_time = await probe.run(fake_discord, lambda i: i.response.send_message("hi"), age=2.5)

    assert isinstance(late, discord.NotFound) and late.code == 10062 and late.text == "Unknown interaction"
    assert in_time is None


async def test_a_second_response_is_refused(fake_discord: FakeDiscord) -> None:
    """discord.py refuses a second response itself (InteractionResponded), so a plain client sends it."""
    command = fake_discord.slash_command("probe")
    callback = f"/interactions/{command['id']}/{command['token']}/callback"
    reply = {"type": 4, "data": {"content": "hi"}}

    assert (await post(fake_discord, callback, reply))[0] == 200
    status, error, _ = await post(fake_discord, callback, reply)
    assert (status, error) == (400, {"code": 40060, "message": "Interaction has already been acknowledged."})


async def test_follow_ups_end_with_the_token_after_15_minutes(fake_discord: FakeDiscord) -> None:
    fresh, old = fake_discord.slash_command("probe"), fake_discord.slash_command("probe", age=15 * 60 + 1)
    for interaction in (fresh, old):  # as if each had been deferred in time
        fake_discord.interactions[int(interaction["id"])].acknowledged = True

    webhook = f"/webhooks/{fake_discord.application_id}"
    assert (await post(fake_discord, f"{webhook}/{fresh['token']}", {"content": "later"}))[0] == 200
    status, error, _ = await post(fake_discord, f"{webhook}/{old['token']}", {"content": "much later"})
    assert (status, error) == (401, {"code": 50027, "message": "Invalid Webhook Token"})


def fields(count: int, value: str = "v") -> discord.Embed:
    embed = discord.Embed(title="t")
    for n in range(count):
        embed.add_field(name=f"n{n}", value=value)
    return embed


@pytest.mark.parametrize(
    ("embeds", "error"),
    [
        ([discord.Embed(title="x" * 257)], "In data.embeds.0.title: Must be 256 or fewer in length."),
        ([discord.Embed(description="x" * 4097)], "In data.embeds.0.description: Must be 4096 or fewer in length."),
        ([fields(26)], "In data.embeds.0.fields: Must be 25 or fewer in length."),
        ([discord.Embed().add_field(name="n" * 257, value="v")], "In data.embeds.0.fields.0.name: Must be 256 or"),
        ([discord.Embed().add_field(name="n", value="v" * 1025)], "In data.embeds.0.fields.0.value: Must be 1024 or"),
        ([discord.Embed().set_footer(text="f" * 2049)], "In data.embeds.0.footer.text: Must be 2048 or fewer"),
        ([fields(6, "v" * 1000)], "In data.embeds: Embed size exceeds maximum size of 6000"),
    ],
)
async def test_embeds_over_the_limits_are_an_invalid_form_body(
    probe: Probe, fake_discord: FakeDiscord, embeds: list[discord.Embed], error: str
) -> None:
    _, refused = await probe.run(fake_discord, lambda i: i.response.send_message(embeds=embeds))

    assert isinstance(refused, discord.HTTPException) and refused.code == 50035
    assert refused.text.startswith("Invalid Form Body\n" + error)


def buttons(*rows: list[dict[str, str]]) -> dict[str, Any]:
    """A message body with these rows of (primary) buttons."""
    components = [{"type": 1, "components": [{"type": 2, "style": 1, **b} for b in row]} for row in rows]
    return {"content": "c", "components": components}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (buttons([{"label": "x" * 81, "custom_id": "a"}]), "In components.0.components.0.label: Must be 80 or"),
        (buttons([{"label": "x", "custom_id": "a" * 101}]), "In components.0.components.0.custom_id: Must be 100"),
        (
            buttons([{"label": "x", "custom_id": "a"}], [{"label": "y", "custom_id": "a"}]),
            "In components.1.components.0.custom_id: Component custom id cannot be duplicated",
        ),
        (buttons(*([{"label": "x", "custom_id": f"r{n}"}] for n in range(6))), "In components: Must be 5 or fewer"),
        (buttons([{"label": "x", "custom_id": f"b{n}"} for n in range(6)]), "In components.0.components: Must be 5"),
        ({"embeds": [{"title": "t"}] * 11}, "In embeds: Must be 10 or fewer in length."),
        ({"content": "x" * 2001}, "In content: Must be 2000 or fewer in length."),
    ],
)
async def test_bodies_discord_py_lets_through_or_stops_itself_are_refused_too(
    fake_discord: FakeDiscord, body: dict[str, Any], error: str
) -> None:
    """discord.py stops too many buttons or embeds before sending, so the raw API is used here."""
    path = f"/channels/{fake_discord.channel['id']}/messages"
    status, refused, _ = await post(fake_discord, path, body, auth=True)

    assert status == 400 and refused["code"] == 50035 and refused["message"] == "Invalid Form Body"
    flattened = discord.errors._flatten_error_dict(refused["errors"])
    assert any(f"In {key}: {text}".startswith(error) for key, text in flattened.items()), flattened


@pytest.mark.parametrize(
    ("choices", "where"),
    [
        ([{"name": str(n), "value": str(n)} for n in range(26)], "data.choices"),
        ([{"name": "n" * 101, "value": "v"}], "data.choices.0.name"),
        ([{"name": "n", "value": "v" * 101}], "data.choices.0.value"),
        ([{"name": "n", "value": ""}], "data.choices.0.value"),
    ],
)
async def test_autocomplete_choices_over_the_limits_are_refused(
    fake_discord: FakeDiscord, choices: list[dict[str, str]], where: str
) -> None:
    typing = fake_discord.autocomplete("probe", {"query": "x"}, focused="query")
    callback = f"/interactions/{typing['id']}/{typing['token']}/callback"
    status, refused, _ = await post(fake_discord, callback, {"type": 8, "data": {"choices": choices}})

    assert (status, refused["code"]) == (400, 50035)
    assert where in discord.errors._flatten_error_dict(refused["errors"])


async def test_a_deferred_answer_keeps_the_visibility_of_the_defer(probe: Probe, fake_discord: FakeDiscord) -> None:
    async def public_defer_then_private(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("meant for one person", ephemeral=True)

    async def private_defer_then_plain(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        await interaction.followup.send("stays private")

    async def public_defer_removed_then_private(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.delete_original_response()
        await interaction.followup.send("private after all", ephemeral=True)

    leaked, _ = await probe.run(fake_discord, public_defer_then_private)
    kept, _ = await probe.run(fake_discord, private_defer_then_plain)
    replaced, _ = await probe.run(fake_discord, public_defer_removed_then_private)

    shown = fake_discord.original_response(leaked)
    assert shown is not None and shown["content"] == "meant for one person"
    assert not shown["flags"] & EPHEMERAL  # the follow-up's ephemeral flag did not count
    private = fake_discord.original_response(kept)
    assert private is not None and private["flags"] & EPHEMERAL and private["content"] == "stays private"
    assert fake_discord.original_response(replaced) is None
    [last] = [m for m in fake_discord.messages.values() if m["content"] == "private after all"]
    assert last["flags"] & EPHEMERAL


async def test_responses_carry_rate_limit_headers_and_a_full_bucket_answers_429(fake_discord: FakeDiscord) -> None:
    route = "POST /channels/{channel_id}/messages"
    fake_discord.rate_limits[route] = (2, 0.5)
    path = f"/channels/{fake_discord.channel['id']}/messages"
    answers = [await post(fake_discord, path, {"content": str(n)}, auth=True) for n in range(3)]

    (first_status, _, first), (_, _, second), (status, limited, third) = answers
    assert first_status == 200 and (first["X-RateLimit-Limit"], first["X-RateLimit-Remaining"]) == ("2", "1")
    assert second["X-RateLimit-Remaining"] == "0" and 0 < float(second["X-RateLimit-Reset-After"]) <= 0.5
    assert first["X-RateLimit-Bucket"] == second["X-RateLimit-Bucket"]
    assert status == 429 and limited["global"] is False and 0 < limited["retry_after"] <= 0.5
    assert third["Retry-After"] and third["Via"]  # what discord.py needs to wait and retry


async def test_discord_py_waits_for_the_bucket_instead_of_being_refused(fake_discord: FakeDiscord) -> None:
    fake_discord.rate_limits["POST /channels/{channel_id}/messages"] = (2, 0.3)
    probe = Probe()
    async with fake_discord.running(probe.bot):
        channel = probe.bot.get_channel(int(fake_discord.channel["id"]))
        assert isinstance(channel, discord.TextChannel)
        for n in range(4):
            await channel.send(f"message {n}")

    sent = [r for r in fake_discord.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert [r.status for r in sent] == [200] * 4  # it read the headers and paused: no 429


async def test_only_buttons_a_message_has_can_be_clicked(probe: Probe, fake_discord: FakeDiscord) -> None:
    view = discord.ui.View().add_item(discord.ui.Button(label="More", custom_id="kpop:more:1"))
    interaction, _ = await probe.run(fake_discord, lambda i: i.response.send_message("picks", view=view))
    message = fake_discord.original_response(interaction)
    assert message is not None

    assert fake_discord.button_click(message, "kpop:more:1")["data"]["custom_id"] == "kpop:more:1"
    with pytest.raises(ValueError, match="has no button 'kpop:more:2'"):
        fake_discord.button_click(message, "kpop:more:2")
