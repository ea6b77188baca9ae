"""A reader backed by any OpenAI-compatible chat-completions endpoint (OpenAI, DeepSeek, Gemini's and
Qwen's compatible APIs differ only in base URL, model and key).

One call per turn: the model answers with function calls (the client's intents, see
``conversation/llm_intents.py``) and perhaps a short text. A malformed call is told its error once
and the model corrects it in a second call; a second malformed answer, a timeout, a connection or
HTTP error, or a truncated answer (``finish_reason: length``) raises ``ReaderUnavailable`` so the
chain moves on. Text that carries tool-call markup is never passed on as something to say.
Gemini's ``extra_content`` (thought signatures) on a tool call is sent back with it, as Gemini requires.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import openai
from openai.types.chat import ChatCompletionMessageFunctionToolCall

from ai_admin.conversation.claims import has_markup
from ai_admin.conversation.llm_intents import Call, Converter, MalformedCall, openai_tools, parse_call
from ai_admin.conversation.llm_prompt import estimate_request_tokens, prompt_messages
from ai_admin.conversation.reader import ReaderUnavailable
from ai_admin.conversation.tools.resolve import detect_language
from ai_admin.conversation.turn import TurnContext
from ai_admin.conversation.understanding import ReadContext, Understanding

if TYPE_CHECKING:
    from openai.types.chat import (
        ChatCompletion,
        ChatCompletionMessage,
        ChatCompletionMessageParam,
        ChatCompletionToolUnionParam,
    )

MIN_CALL_S = 0.2  # less time than this left: a call cannot come back, fail over now
LASTING_STATUSES = frozenset({401, 403, 408, 429})  # and every 5xx: the next turn would meet it too


@dataclass
class _Turn:
    messages: list[dict[str, Any]]
    calls: int = 0
    largest_prompt: int = 0


class OpenAiReader:
    """``prompt_tokens`` is the largest prompt sent while reading the turn (the API's
    ``usage.prompt_tokens``, or the estimate when a provider does not report usage)."""

    def __init__(
        self,
        name: str,
        client: openai.OpenAI,
        model: str,
        call_timeout_s: float,
        own_words: Callable[[ReadContext], Understanding],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._client = client.with_options(max_retries=0)  # failover is the chain's job, not the SDK's
        self._model = model
        self._call_timeout_s = call_timeout_s
        self._own_words = own_words
        self._monotonic = monotonic
        self._tools = openai_tools()

    def understand(self, ctx: TurnContext, deadline: float) -> Understanding:
        turn = _Turn(prompt_messages(ctx))
        message = self._complete(turn, deadline)
        raw = [c for c in message.tool_calls or [] if isinstance(c, ChatCompletionMessageFunctionToolCall)]
        calls, problems = _parse(raw)
        if problems:
            # The well-formed calls are kept as read (nothing is done at reading time, so nothing is
            # reported done); the model sends the malformed ones again, corrected.
            turn.messages.append(_assistant(message, raw))
            for call in raw:
                problem = problems.get(call.id)
                result = (
                    {"error": f"{problem}. Send this call again, corrected."}
                    if problem
                    else {"read": True, "note": "understood; do not send it again"}
                )
                turn.messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
            message = self._complete(turn, deadline)
            raw = [c for c in message.tool_calls or [] if isinstance(c, ChatCompletionMessageFunctionToolCall)]
            corrected, problems = _parse(raw)
            if problems:
                # the reason names the function only: validation errors may quote the client's words
                raise ReaderUnavailable(f"{self.name}: a second malformed tool call")
            calls += [c for c in corrected if c not in calls]  # a model may send the read ones again
        converter = Converter(ctx, lambda: self._own_words(ctx.reading()))
        text = (message.content or "").strip()
        return Understanding(
            intents=converter.intents(calls),
            language=detect_language(ctx.text),
            reply=text if text and not has_markup(text) else None,
            reader=self.name,
            llm_calls=turn.calls,
            prompt_tokens=turn.largest_prompt,
        )

    def _complete(self, turn: _Turn, deadline: float) -> ChatCompletionMessage:
        remaining = deadline - self._monotonic()
        if remaining < MIN_CALL_S:
            raise ReaderUnavailable(f"{self.name}: no time left for a model call")
        try:
            completion: ChatCompletion = self._client.chat.completions.create(
                model=self._model,
                messages=cast("list[ChatCompletionMessageParam]", turn.messages),
                tools=cast("list[ChatCompletionToolUnionParam]", self._tools),
                tool_choice="auto",
                timeout=min(self._call_timeout_s, remaining),
            )
        except openai.APITimeoutError:
            raise ReaderUnavailable(f"{self.name}: timed out", lasting=True) from None
        except openai.APIConnectionError:
            raise ReaderUnavailable(f"{self.name}: connection failed", lasting=True) from None
        except openai.APIStatusError as error:
            lasting = error.status_code in LASTING_STATUSES or error.status_code >= 500
            raise ReaderUnavailable(f"{self.name}: HTTP {error.status_code}", lasting=lasting) from None
        except (openai.OpenAIError, ValueError) as error:  # an unreadable body is a ValueError
            raise ReaderUnavailable(f"{self.name}: unreadable response ({type(error).__name__})") from None
        turn.calls += 1
        if not completion.choices:
            raise ReaderUnavailable(f"{self.name}: a response without choices")
        reported = completion.usage.prompt_tokens if completion.usage else 0
        turn.largest_prompt = max(turn.largest_prompt, reported or estimate_request_tokens(turn.messages, self._tools))
        choice = completion.choices[0]
        if choice.finish_reason == "length":
            raise ReaderUnavailable(f"{self.name}: the answer was cut off (finish_reason length)")
        return choice.message


def _parse(raw: list[ChatCompletionMessageFunctionToolCall]) -> tuple[list[Call], dict[str, str]]:
    calls: list[Call] = []
    problems: dict[str, str] = {}
    for call in raw:
        try:
            arguments = json.loads(call.function.arguments or "{}")
        except ValueError:
            arguments = None
        try:
            calls.append(parse_call(call.function.name, arguments))
        except MalformedCall as problem:
            problems[call.id] = str(problem)
    return calls, problems


def _assistant(message: ChatCompletionMessage, raw: list[ChatCompletionMessageFunctionToolCall]) -> dict[str, Any]:
    """The model's message as it goes back to it, provider extras (Gemini's thought signatures) kept."""
    calls = []
    for call in raw:
        sent: dict[str, Any] = {
            "id": call.id,
            "type": "function",
            "function": {"name": call.function.name, "arguments": call.function.arguments},
        }
        sent.update(call.model_extra or {})
        calls.append(sent)
    return {"role": "assistant", "content": message.content, "tool_calls": calls}
