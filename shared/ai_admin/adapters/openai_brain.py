"""A brain backed by any OpenAI-compatible chat-completions endpoint (OpenAI, DeepSeek, Gemini's and
Qwen's compatible APIs differ only in base URL, model and key).

One turn is a short tool loop: the model either answers or calls tools; tool results go back to it,
at most ``max_tool_rounds`` times, after which it must answer in text. Anything that makes the answer
late or unsound (timeouts, connection errors, HTTP errors, a second malformed tool call, an empty
answer) raises ``BrainUnavailable`` so the chain moves on to the next provider.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

import openai
from openai.types.chat import ChatCompletionMessageFunctionToolCall

from ai_admin.conversation.brain import BrainReply, BrainUnavailable, Toolbox, ToolResult, TurnContext
from ai_admin.conversation.brain_prompt import CONTEXT_TTL, estimate_request_tokens, prompt_messages
from ai_admin.conversation.tool_args import TOOLS, openai_tools
from ai_admin.domain.messages import ReplyButton

if TYPE_CHECKING:
    from openai.types.chat import (
        ChatCompletion,
        ChatCompletionMessage,
        ChatCompletionMessageParam,
        ChatCompletionToolUnionParam,
    )

MIN_CALL_S = 0.2  # less time than this left: a call cannot come back, fail over now


@dataclass
class _Turn:
    """What one reply has gathered so far."""

    messages: list[dict[str, Any]]
    calls: int = 0
    largest_prompt: int = 0
    malformed: int = 0
    last_say: str = ""
    finals: int = 0  # tool results that answer the client completely (ToolResult.final)
    buttons: list[ReplyButton] = field(default_factory=list)


class OpenAiBrain:
    """``prompt_tokens`` of a reply is the largest prompt sent during the turn (the API's
    ``usage.prompt_tokens``, or the estimate when a provider does not report usage)."""

    def __init__(
        self,
        name: str,
        client: openai.OpenAI,
        model: str,
        call_timeout_s: float,
        max_tool_rounds: int = 4,
        *,
        context_ttl: timedelta = CONTEXT_TTL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._client = client.with_options(max_retries=0)  # failover is the chain's job, not the SDK's
        self._model = model
        self._call_timeout_s = call_timeout_s
        self._max_tool_rounds = max_tool_rounds
        self._context_ttl = context_ttl
        self._monotonic = monotonic
        self._tools = openai_tools()

    def reply(self, ctx: TurnContext, tools: Toolbox, deadline: float) -> BrainReply:
        turn = _Turn(prompt_messages(ctx, context_ttl=self._context_ttl))
        for _round in range(self._max_tool_rounds):
            message = self._complete(turn, deadline, final=False)
            calls = [c for c in message.tool_calls or [] if isinstance(c, ChatCompletionMessageFunctionToolCall)]
            if not calls:
                return self._answer(turn, message.content)
            turn.messages.append(
                {
                    "role": "assistant",
                    "content": message.content,
                    "tool_calls": [
                        {
                            "id": c.id,
                            "type": "function",
                            "function": {"name": c.function.name, "arguments": c.function.arguments},
                        }
                        for c in calls
                    ],
                }
            )
            finals_before = turn.finals
            for call in calls:
                content = self._run(turn, tools, call.function.name, call.function.arguments)
                turn.messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
            if len(calls) == 1 and turn.finals == finals_before + 1:
                # One tool call whose result is a complete answer: its sentence (true by construction)
                # is the reply, so no second model call is spent on rewording it.
                return self._answer(turn, None)
        message = self._complete(turn, deadline, final=True)
        return self._answer(turn, message.content)

    def _complete(self, turn: _Turn, deadline: float, *, final: bool) -> ChatCompletionMessage:
        remaining = deadline - self._monotonic()
        if remaining < MIN_CALL_S:
            raise BrainUnavailable(f"{self.name}: no time left for a model call")
        try:
            completion: ChatCompletion = self._client.chat.completions.create(
                model=self._model,
                messages=cast("list[ChatCompletionMessageParam]", turn.messages),
                tools=cast("list[ChatCompletionToolUnionParam]", self._tools),
                tool_choice="none" if final else "auto",
                timeout=min(self._call_timeout_s, remaining),
            )
        except openai.APITimeoutError:
            raise BrainUnavailable(f"{self.name}: timed out") from None
        except openai.APIConnectionError:
            raise BrainUnavailable(f"{self.name}: connection failed") from None
        except openai.APIStatusError as error:
            raise BrainUnavailable(f"{self.name}: HTTP {error.status_code}") from None
        except (openai.OpenAIError, ValueError) as error:  # an unreadable body is a ValueError
            raise BrainUnavailable(f"{self.name}: unreadable response ({type(error).__name__})") from None
        turn.calls += 1
        if not completion.choices:
            raise BrainUnavailable(f"{self.name}: a response without choices")
        reported = completion.usage.prompt_tokens if completion.usage else 0
        prompt = reported or estimate_request_tokens(turn.messages, self._tools)
        turn.largest_prompt = max(turn.largest_prompt, prompt)
        return completion.choices[0].message

    def _run(self, turn: _Turn, tools: Toolbox, name: str, arguments: str) -> str:
        """Runs one tool call and returns what the model is told; a malformed call is told its error once."""
        problem: str | None = None
        result: ToolResult | None = None
        if name not in TOOLS:
            problem = f"unknown tool {name!r}; the tools are: {', '.join(TOOLS)}"
        else:
            try:
                args = json.loads(arguments or "{}")
            except ValueError:
                args = None
            if not isinstance(args, dict):
                problem = "the arguments must be a JSON object"
            else:
                result = tools.run(name, args)
                if not result.ok and "error" in result.data:
                    problem = f"invalid arguments: {result.data['error']}"
        if problem is not None:
            turn.malformed += 1
            if turn.malformed > 1:
                # the reason names the tool only: validation errors may quote the client's words
                raise BrainUnavailable(f"{self.name}: a second malformed tool call ({name[:40]})")
            return json.dumps({"ok": False, "error": problem + ". Correct the call once."}, ensure_ascii=False)
        assert result is not None
        if result.say:
            turn.last_say = result.say
            turn.finals += int(result.final)
        if result.ok and result.buttons:
            turn.buttons = list(result.buttons)
        return json.dumps(result.for_model(), ensure_ascii=False, default=str)

    def _answer(self, turn: _Turn, content: str | None) -> BrainReply:
        text = (content or "").strip() or turn.last_say
        if not text:
            raise BrainUnavailable(f"{self.name}: an empty answer")
        return BrainReply(
            text=text,
            buttons=turn.buttons,
            llm_calls=turn.calls,
            prompt_tokens=turn.largest_prompt,
            brain=self.name,
        )
