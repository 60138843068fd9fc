"""The json (one report document) and jsonl (a result a line, then the summary) formats."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pc_validate.render.outputs import Context
from pc_validate.report import document, dumps

if TYPE_CHECKING:
    from pc_validate.report import Summary


class JsonWriter:
    def __init__(self, language: str) -> None:
        self.language = language
        self.results: list[Any] = []

    def add(self, result: Any) -> str:
        self.results.append(result)
        return ""

    def end(self, summary: Summary) -> str:
        return dumps(document(self.results, summary, self.language)) + "\n"


class JsonLinesWriter:
    def __init__(self, language: str) -> None:
        self.language = language

    def add(self, result: Any) -> str:
        return (result if isinstance(result, str) else dumps(result, indent=None)) + "\n"

    def end(self, summary: Summary) -> str:
        last = {"summary": summary.to_dict(), "language": self.language}
        return dumps(last, indent=None) + "\n"


def writer(fmt: str, context: Context) -> JsonWriter | JsonLinesWriter:
    language = context.language_tag
    return JsonWriter(language) if fmt == "json" else JsonLinesWriter(language)
