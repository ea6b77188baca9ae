"""Reads ``template.yaml`` the way the local stack needs it: functions, their handlers, environment,
HTTP routes, SQS event sources, schedules and queues."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class TemplateError(RuntimeError):
    pass


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short tags (``!Ref``, ``!Sub`` ...) into their long form."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


@dataclass(frozen=True)
class HttpRoute:
    method: str
    path: str


@dataclass(frozen=True)
class SqsSource:
    queue_logical_id: str
    batch_size: int
    max_concurrency: int | None


@dataclass(frozen=True)
class Schedule:
    name: str
    expression: str
    timezone: str
    input: dict[str, Any]


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: Path
    handler: str
    timeout: int
    environment: dict[str, Any]
    routes: list[HttpRoute] = field(default_factory=list)
    sqs_sources: list[SqsSource] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)

    @property
    def module_file(self) -> Path:
        module, _, _ = self.handler.rpartition(".")
        return self.code_uri / (module.replace(".", "/") + ".py")

    @property
    def function_name(self) -> str:
        return self.handler.rpartition(".")[2]


@dataclass(frozen=True)
class Queue:
    logical_id: str
    properties: dict[str, Any]

    @property
    def fifo(self) -> bool:
        return bool(self.properties.get("FifoQueue"))

    @property
    def dead_letter_target(self) -> str | None:
        policy = self.properties.get("RedrivePolicy") or {}
        target = policy.get("deadLetterTargetArn")
        if isinstance(target, dict) and "Fn::GetAtt" in target:
            return str(target["Fn::GetAtt"][0])
        return None


@dataclass(frozen=True)
class Template:
    path: Path
    body: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> Template:
        try:
            body = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506
        except (OSError, yaml.YAMLError) as error:
            raise TemplateError(f"cannot read {path}: {error}") from None
        if not isinstance(body, dict) or "Resources" not in body:
            raise TemplateError(f"{path} has no Resources")
        return cls(path=path, body=body)

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.body["Resources"])

    def _globals(self) -> dict[str, Any]:
        return dict((self.body.get("Globals") or {}).get("Function") or {})

    def functions(self) -> dict[str, Function]:
        result = {}
        for logical_id, resource in self.resources.items():
            if resource.get("Type") == "AWS::Serverless::Function":
                result[logical_id] = self._function(logical_id, resource.get("Properties") or {})
        return result

    def function(self, logical_id: str) -> Function:
        functions = self.functions()
        if logical_id not in functions:
            known = ", ".join(sorted(functions)) or "none"
            raise TemplateError(f"no function {logical_id!r} in {self.path.name} (functions: {known})")
        return functions[logical_id]

    def queues(self) -> dict[str, Queue]:
        return {
            logical_id: Queue(logical_id, dict(resource.get("Properties") or {}))
            for logical_id, resource in self.resources.items()
            if resource.get("Type") == "AWS::SQS::Queue"
        }

    def _function(self, logical_id: str, props: dict[str, Any]) -> Function:
        defaults = self._globals()
        env = dict(((defaults.get("Environment") or {}).get("Variables")) or {})
        env.update(((props.get("Environment") or {}).get("Variables")) or {})
        routes, sources, schedules = [], [], []
        for name, event in (props.get("Events") or {}).items():
            kind, event_props = event.get("Type"), event.get("Properties") or {}
            if kind == "HttpApi":
                routes.append(HttpRoute(str(event_props["Method"]).upper(), str(event_props["Path"])))
            elif kind == "SQS":
                queue = event_props["Queue"]
                queue_id = queue["Fn::GetAtt"][0] if isinstance(queue, dict) else str(queue)
                scaling = event_props.get("ScalingConfig") or {}
                sources.append(
                    SqsSource(
                        queue_id,
                        int(event_props.get("BatchSize", 10)),
                        scaling.get("MaximumConcurrency"),
                    )
                )
            elif kind == "ScheduleV2":
                raw_input = event_props.get("Input") or "{}"
                schedules.append(
                    Schedule(
                        name=name,
                        expression=str(event_props["ScheduleExpression"]),
                        timezone=str(event_props.get("ScheduleExpressionTimezone", "UTC")),
                        input=yaml.safe_load(raw_input) if isinstance(raw_input, str) else raw_input,
                    )
                )
        return Function(
            logical_id=logical_id,
            code_uri=(self.path.parent / str(props.get("CodeUri", "."))).resolve(),
            handler=str(props.get("Handler") or defaults.get("Handler")),
            timeout=int(props.get("Timeout", defaults.get("Timeout", 3))),
            environment=env,
            routes=routes,
            sqs_sources=sources,
            schedules=schedules,
        )
