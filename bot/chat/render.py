"""Answers as plain text (terminal, scripts) and as JSON (``recommend --json``).

Platform adapters render rich messages themselves; this module is the
reference rendering and the one the README's example conversation shows.
"""

from __future__ import annotations

from typing import Any

from bot.chat.replies import Answer, AnswerKind, ItemRef

__all__ = ["to_text", "to_json", "item_json"]


def item_json(item: ItemRef) -> dict[str, Any]:
    return {"kind": item.kind, "title": item.title, "artist": item.artist, "korean": item.korean}


def to_json(answer: Answer) -> dict[str, Any]:
    """The documented JSON shape: query, match, suggestions, picks (plus kind and notes)."""
    return {
        "kind": answer.kind.value,
        "query": answer.query,
        "match": item_json(answer.match) if answer.match and answer.kind == AnswerKind.PICKS else None,
        "suggestions": [item_json(s) for s in answer.suggestions],
        "picks": [
            {
                "title": p.title,
                "artist": p.artist,
                "spotify_url": p.spotify_url,
                "youtube_url": p.youtube_url,
                "distance": None if p.distance is None else round(p.distance, 4),
                "reason": p.reason,
            }
            for p in answer.picks
        ],
        "text": answer.text,
        "notes": list(answer.notes),
    }


def to_text(answer: Answer) -> str:
    """A readable plain-text answer with numbered picks and links."""
    lines: list[str] = []
    if answer.kind == AnswerKind.PICKS and answer.match is not None:
        lines.append(f"If you like {answer.match.label}, try:")
        for pick in answer.picks:
            lines.append(f"{pick.rank}. {pick.title} \u2014 {pick.artist}")
            lines.append(f"   {pick.reason}")
            links = [f"Spotify {pick.spotify_url}"] if pick.spotify_url else []
            links.append(f"YouTube {pick.youtube_url}")
            lines.append("   " + " | ".join(links))
        if answer.suggestions:
            lines.append("Or did you mean:")
            lines.extend(f"  {number}. {s.label}" for number, s in enumerate(answer.suggestions, start=1))
    else:
        if answer.text:
            lines.append(answer.text)
        for number, suggestion in enumerate(answer.suggestions, start=1):
            lines.append(f"  {number}. {suggestion.label}")
    lines.extend(f"({note})" for note in answer.notes)
    return "\n".join(lines)
