r"""Whether a regular expression could take the ``re`` engine more than linear time.

Python's ``re`` backtracks and cannot be given a time limit. A pattern such as ``(a+)+``
takes exponential time on a value like ``"aaaa...a!"``, and ``\d+\d+`` quadratic time on a
long run of digits, which a hostile payload can supply (a value may be megabytes long).
:func:`analyse` says why a pattern's matching time could grow faster than linearly with the
length of the value, or linearly but with a large factor (``pc_validate.safe_regex`` refuses
rule-file patterns on that ground; it imports this module only for patterns it cannot see
at a glance to be linear).

How: the pattern is parsed by Python's own parser (``re._parser``) into a *position
automaton*: one state per character-matching atom, with counted repetitions expanded, and
an edge for every distinct way the backtracking engine can go from one atom to the next
(through alternatives, optional parts, loop iterations, an empty last iteration), so that
the paths through it are the engine's. Then:

1. exponential (two copies of the automaton side by side on one text): a loop that two
   different paths go round reading the same text, as in nested repetition (``(a+)+``,
   ``(\w+\s?)+``) or overlapping alternatives under a repetition (``(a|aa)+``, ``(a|a?)+``);
2. polynomial (three copies): two loops p and q, q after p, and a text that can be read
   looping at p, going from p to q, and looping at q (``\d+\d+``, ``.*.*=.*``,
   ``(.*a){12}``);
3. crowded (all paths at once, as crowds of live paths per character class, counting the
   routes the engine tries from them): more than 16,384 tried at one character
   (``(a|a){40}``, nested counted repetitions, nested repetitions of empty matches), more
   than 131,072 along one text, or more than 64 at every character of a long text.

Character sets are compared as bit masks over a sample alphabet (every character the
pattern names, their neighbours and case variants, ASCII, Latin-1 and a few characters of
each Unicode category), computed by the ``re`` engine itself. The analysis assumes what
every check does: the pattern is matched in full (``fullmatch``), possibly ignoring letter
case. It is stricter than the engine where exactness would cost much: zero-width assertions
other than anchors and ``\b``/``\B`` let everything through (a lookaround's own pattern is
analysed separately, and one that scans far may not be tried at many places), atomic groups
and possessive repetitions of more than one character are taken to backtrack, very large
counted repetitions to be unbounded. Backreferences are refused. The analysis has a work
budget: a pattern too complex to analyse within it is refused as such.
"""

from __future__ import annotations

import functools
import importlib
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

_sre: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")

_LITERAL = _sre.LITERAL
_NOT_LITERAL = _sre.NOT_LITERAL
_ANY = _sre.ANY
_IN = _sre.IN
_RANGE = _sre.RANGE
_NEGATE = _sre.NEGATE
_CATEGORY = _sre.CATEGORY
_BRANCH = _sre.BRANCH
_SUBPATTERN = _sre.SUBPATTERN
_MAX_REPEAT = _sre.MAX_REPEAT
_MIN_REPEAT = _sre.MIN_REPEAT
_POSSESSIVE_REPEAT = getattr(_sre, "POSSESSIVE_REPEAT", object())
_ATOMIC_GROUP = getattr(_sre, "ATOMIC_GROUP", object())
_AT = _sre.AT
_ASSERT = _sre.ASSERT
_ASSERT_NOT = _sre.ASSERT_NOT
_GROUPREF = _sre.GROUPREF
_GROUPREF_EXISTS = _sre.GROUPREF_EXISTS
_MAXREPEAT = _sre.MAXREPEAT
_REPEATS = (_MAX_REPEAT, _MIN_REPEAT, _POSSESSIVE_REPEAT)
_CHARS = (_LITERAL, _NOT_LITERAL, _ANY, _IN)

#: A counted repetition is expanded copy by copy while it makes at most this many states;
#: a bigger one is analysed as if unbounded (stricter: more paths, never fewer).
_EXPAND_LIMIT = 300
#: Mandatory copies kept of an unbounded repetition such as x{50,} (analysed as x{3,}).
_MANDATORY_KEPT = 3
#: Stands for 'no limit' in lengths.
_NO_LIMIT = 1 << 40
#: More states than this after expansion: refused as too complex to analyse.
_MAX_STATES = 20_000
#: Steps the analysis may take (about a second or two): a pattern that needs more is refused
#: as too complex, so a hostile pattern cannot make the analysis itself hang.
_MAX_WORK = 3_000_000
#: What making one edge of the automaton counts for (it is the slowest step).
_EDGE_WORK = 8
#: The engine may try at most this many routes at one character of a text (a bounded
#: explosion beyond, e.g. ``(a|a){40}``), and this many along the whole of one text...
_MAX_TRIES = 1 << 14
_MAX_TRIES_PER_TEXT = 1 << 17
#: ...and this many at each character of a long text, again and again (the engine's work per
#: character of the value).
_MAX_SUSTAINED = 64
#: Routes between two states are counted up to this.
_COUNT_CAP = 1 << 20

#: Characters every analysis compares sets over, besides those the pattern names: ASCII,
#: Latin-1, Latin Extended-A (dotless i, long s) and a few of each Unicode category.
_BASE_ALPHABET = "".join(map(chr, range(0x180))) + (
    "\u0391\u03b1\u0410\u0430\u05d0\u0627\u0660\u0669\u06f0\u0966\u0e50\u1e9e\u2003\u2028"
    "\u2029\u200b\u0301\u2126\u212a\u2160\u3000\u3007\u3042\u4e2d\uac00\ufeff\uff10\uff21"
    "\uff41\ud800\U00010400\U0001d7ce\U0001f600\U0010ffff"
)

Tags = frozenset[tuple[Any, ...]]
_NO_TAGS: Tags = frozenset()


class _Refused(Exception):
    """Raised inside the analysis with the reason a pattern is refused."""


class _Budget:
    """The work the analysis of one pattern may still do."""

    def __init__(self) -> None:
        self.left = _MAX_WORK

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.left < 0:
            raise _Refused(
                "too complex to check for slow matching; simplify it (fewer alternatives, "
                "shorter counted repetitions)"
            )


@functools.lru_cache(maxsize=512)
def analyse(source: str, flags: int = 0) -> str | None:
    """Why `source` (a valid pattern) could take more than linear time, or None if it cannot.

    The analysis takes letter case to be ignored whatever `flags` say, since a check may
    match a rule's pattern ignoring case.
    """
    try:
        tree = _sre.parse(source, flags)
        flags = getattr(getattr(tree, "state", None), "flags", flags)  # with inline flags
        spans = None if flags & re.VERBOSE else _quantifier_spans(source)
        return _Analysis(source, tree, spans).run(tree, flags | re.IGNORECASE)
    except _Refused as refusal:
        return str(refusal)
    except RecursionError:
        return "nested too deeply to check"


# --------------------------------------------------------------------------------------------
# Where each repetition is in the source text (for messages)

_BRACES = re.compile(r"\{(?:\d+(?:,\d*)?|,\d*)\}")


def _quantifier_spans(source: str) -> list[tuple[int, int]]:
    """(start of the repeated atom, end of its quantifier) of every quantifier, in order.

    The parser numbers nothing, but it makes one repeat node per quantifier, and a
    post-order walk of its tree meets them in this order.
    """
    spans: list[tuple[int, int]] = []
    groups: list[int] = []
    atom: int | None = None
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "\\":
            atom = i
            end = source.find("}", i) if source.startswith("N{", i + 1) else -1
            i = end + 1 if end >= 0 else i + 2
        elif char == "[":
            atom = i
            i += 1
            i += source.startswith("^", i)
            i += source.startswith("]", i)
            while i < n and source[i] != "]":
                i += 2 if source[i] == "\\" else 1
            i += 1
        elif char == "(" and source.startswith("(?#", i):
            end = source.find(")", i)
            i = end + 1 if end >= 0 else n
        elif char == "(":
            groups.append(i)
            atom = None
            i += 1
        elif char == ")":
            atom = groups.pop() if groups else None
            i += 1
        elif char in "*+?" or (char == "{" and _BRACES.match(source, i)):
            braces = _BRACES.match(source, i) if char == "{" else None
            end = braces.end() if braces else i + 1
            end += end < n and source[end] in "?+"
            if atom is not None:
                spans.append((atom, end))
            atom = None
            i = end
        elif char in "|^$":
            atom = None
            i += 1
        else:
            atom = i
            i += 1
    return spans


def _children(op: Any, av: Any) -> tuple[Any, ...]:
    """The item sequences directly inside one parsed item (lookarounds included)."""
    if op in _REPEATS:
        return (av[2],)
    if op is _BRANCH:
        return tuple(av[1])
    if op is _SUBPATTERN:
        return (av[-1],)
    if op is _ATOMIC_GROUP:
        return (av,)
    if op in (_ASSERT, _ASSERT_NOT):
        return (av[1],)
    if op is _GROUPREF_EXISTS:
        return (av[1],) if av[2] is None else (av[1], av[2])
    return ()


def _repeat_order(tree: Any) -> tuple[dict[int, int], dict[int, int]]:
    """Number the repeat nodes in post-order (the order of their quantifiers in the source);
    also their nesting depth. Keyed by id() of the node's argument tuple."""
    order: dict[int, int] = {}
    depth: dict[int, int] = {}

    def walk(items: Iterable[Any], level: int) -> None:
        for op, av in items:
            repeat = op in _REPEATS
            for child in _children(op, av):
                walk(child, level + repeat)
            if repeat:
                order[id(av)] = len(order)
                depth[len(order) - 1] = level

    walk(tree, 0)
    return order, depth


# --------------------------------------------------------------------------------------------
# Character sets as bit masks over a sample alphabet


def _collect_chars(items: Iterable[Any], found: set[str]) -> None:
    """Every character the pattern names, with its neighbours (range ends) and case variants."""
    for op, av in items:
        codes: list[int] = []
        if op in (_LITERAL, _NOT_LITERAL):
            codes = [av]
        elif op is _IN:
            for kind, arg in av:
                if kind is _LITERAL:
                    codes.append(arg)
                elif kind is _RANGE:
                    codes.extend((arg[0] - 1, arg[0], arg[1], arg[1] + 1))
        for child in _children(op, av):
            _collect_chars(child, found)
        for code in codes:
            if 0 <= code <= sys.maxunicode:
                char = chr(code)
                found.update(v for v in (char, char.lower(), char.upper()) if len(v) == 1)


@functools.lru_cache(maxsize=1)
def _base_chars() -> tuple[str, ...]:
    return tuple(sorted(set(_BASE_ALPHABET)))


#: The engine's escapes for the categories of a parsed character set.
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
#: The flags that decide which characters a set takes.
_SET_FLAGS = re.IGNORECASE | re.ASCII | re.DOTALL


def _code(code: int) -> str:
    return f"\\U{code:08x}"


def _char_source(op: Any, av: Any) -> str:
    """A pattern for one character-matching atom of the parse tree."""
    if op is _LITERAL:
        return _code(av)
    if op is _NOT_LITERAL:
        return f"[^{_code(av)}]"
    if op is _ANY:
        return "."
    parts: list[str] = []
    for kind, arg in av:
        if kind is _NEGATE:
            parts.insert(0, "^")
        elif kind is _LITERAL:
            parts.append(_code(arg))
        elif kind is _RANGE:
            parts.append(f"{_code(arg[0])}-{_code(arg[1])}")
        elif kind is _CATEGORY and str(arg) in _CATEGORIES:
            parts.append(_CATEGORIES[str(arg)])
        else:
            raise _Refused(f"the character set item {kind} {arg} is not supported")
    return "[" + "".join(parts) + "]"


class _Alphabet:
    """The sample alphabet of one pattern (the shared base, then the characters only this
    pattern names), and character sets as bit masks over it, as the engine itself decides
    (letter case, Unicode categories and all): each set is matched against the alphabet."""

    def __init__(self, extra: set[str]) -> None:
        base = _base_chars()
        self.chars = base + tuple(sorted(extra.difference(base)))
        self.text = "".join(self.chars)
        self.all = (1 << len(self.chars)) - 1
        self.newline = 1 << self.text.index("\n")
        self._masks: dict[tuple[str, int], int] = {}
        self.word = self.scan(r"\w", 0)
        self.ascii_word = self.scan(r"\w", re.ASCII)

    def scan(self, source: str, flags: int) -> int:
        """The mask of the alphabet's characters that the one-character pattern takes."""
        key = (source, flags & _SET_FLAGS)
        mask = self._masks.get(key)
        if mask is None:
            mask = 0
            for match in re.compile(source, key[1]).finditer(self.text):
                mask |= 1 << match.start()
            self._masks[key] = mask
        return mask

    def mask(self, op: Any, av: Any, flags: int) -> int:
        """The characters one character-matching atom (LITERAL, NOT_LITERAL, ANY, IN) takes."""
        return self.scan(_char_source(op, av), flags)


# --------------------------------------------------------------------------------------------
# The position automaton


class _Fragment:
    """A part of the pattern: its first and last states (with the zero-width conditions met
    on the way in or out, and how many distinct routes), and its routes that read nothing."""

    __slots__ = ("empty", "first", "last")

    def __init__(self) -> None:
        self.first: dict[tuple[int, Tags], int] = {}
        self.last: dict[tuple[int, Tags], int] = {}
        self.empty: dict[Tags, int] = {}


def _add(table: dict[Any, int], key: Any, count: int) -> None:
    table[key] = min(_COUNT_CAP, table.get(key, 0) + count)


def _empty(tags: Tags = _NO_TAGS, count: int = 1) -> _Fragment:
    fragment = _Fragment()
    fragment.empty[tags] = count
    return fragment


class _Analysis:
    """One pattern's automaton and the three questions asked of it."""

    def __init__(self, source: str, tree: Any, spans: list[tuple[int, int]] | None) -> None:
        self.source = source
        self.order, self.depth = _repeat_order(tree)
        self.spans = spans if spans is not None and len(spans) == len(self.order) else None
        extra: set[str] = set()
        _collect_chars(tree, extra)
        self.alphabet = _Alphabet(extra)
        self.loops: set[int] = set()  # the repeats analysed as loops
        self.budget = _Budget()
        self._sizes: dict[int, int] = {}
        self._longest: dict[int, int] = {}

    # -- messages

    def quote(self, repeat: int | None) -> str | None:
        """The repetition's text and place, "'(a+)+' at position 3"; None if unknown."""
        if repeat is None or self.spans is None:
            return None
        start, end = self.spans[repeat]
        text = self.source[start:end]
        if len(text) > 40:
            text = text[:18] + "..." + text[-18:]
        if not text.isprintable():
            text = repr(text)[1:-1]
        return f"'{text}' at position {start}"

    def describe(self, repeat: int | None) -> str:
        """The repetition for a message: "the repetition '(a+)+' at position 3"."""
        quoted = self.quote(repeat)
        return "a repetition" if quoted is None else f"the repetition {quoted}"

    def outermost(self, repeats: Iterable[int]) -> int | None:
        return min(repeats, key=lambda r: (self.depth[r], r), default=None)

    # -- building

    def run(self, tree: Any, flags: int) -> str | None:
        return _Automaton(self).judge_items(tree, flags)

    def size(self, items: Any) -> int:
        """States the items make when expanded (as _Automaton.build expands them)."""
        key = id(items)
        if key not in self._sizes:
            total = 0
            for op, av in items:
                if op in _CHARS:
                    total += 1
                elif op in _REPEATS:
                    body = self.size(av[2])
                    total += body * _copies(av[0], av[1], body)[0]
                elif op not in (_ASSERT, _ASSERT_NOT):  # a lookaround is an automaton apart
                    total += sum(self.size(child) for child in _children(op, av))
            self._sizes[key] = min(total, _MAX_STATES + 1)
        return self._sizes[key]

    def long(self, items: Any) -> bool:
        """Whether the items can match a long stretch of text (more than _EXPAND_LIMIT)."""
        return self.longest(items) > _EXPAND_LIMIT

    def longest(self, items: Any) -> int:
        """The most characters the items can match (capped)."""
        return min(_NO_LIMIT, sum(self.item_longest(op, av) for op, av in items))

    def item_longest(self, op: Any, av: Any) -> int:
        if op in _CHARS:
            return 1
        key = id(av)
        if key not in self._longest:
            if op in _REPEATS:
                body = self.longest(av[2])
                found = body and (_NO_LIMIT if av[1] == _MAXREPEAT else av[1] * body)
            elif op in (_ASSERT, _ASSERT_NOT):
                found = 0
            else:
                found = max((self.longest(child) for child in _children(op, av)), default=0)
            self._longest[key] = min(found, _NO_LIMIT)
        return self._longest[key]


def _copies(low: int, high: int, body: int) -> tuple[int, bool]:
    """How many copies of a repetition's body are made, and whether the last one loops."""
    if high != _MAXREPEAT and high * max(body, 1) <= _EXPAND_LIMIT:
        return high, False
    return min(low, _MANDATORY_KEPT) + 1, True


class _Automaton:
    """States (0 is the start), their character masks and the edges between them."""

    def __init__(self, analysis: _Analysis) -> None:
        self.analysis = analysis
        self.alphabet = analysis.alphabet
        self.masks: list[int] = [0]
        self.stacks: list[tuple[int, ...]] = [()]
        #: edges[s][(t, tags)] = [how many routes, repeats whose loop made it]
        self.edges: list[dict[tuple[int, Tags], list[Any]]] = [{}]
        #: how many routes the engine tries from each state (set by judge_items)
        self.tries: list[int] = []

    def state(self, mask: int, stack: tuple[int, ...]) -> _Fragment:
        if len(self.masks) > _MAX_STATES:
            raise _Refused(
                "too complex to check for slow matching "
                f"(more than {_MAX_STATES} parts once counted repetitions are expanded)"
            )
        number = len(self.masks)
        self.masks.append(mask)
        self.stacks.append(stack)
        self.edges.append({})
        fragment = _Fragment()
        fragment.first[(number, _NO_TAGS)] = 1
        fragment.last[(number, _NO_TAGS)] = 1
        return fragment

    def edge(self, source: int, target: int, tags: Tags, count: int, loops: frozenset[int]) -> None:
        self.analysis.budget.spend(_EDGE_WORK)
        edges = self.edges[source]
        entry = edges.get((target, tags))
        if entry is None:
            edges[(target, tags)] = [min(count, _COUNT_CAP), loops]
        else:
            entry[0] = min(_COUNT_CAP, entry[0] + count)
            if not loops <= entry[1]:
                entry[1] = entry[1] | loops

    # -- combinators

    def sequence(self, first: _Fragment, second: _Fragment) -> _Fragment:
        for (source, out_tags), out_count in first.last.items():
            for (target, in_tags), in_count in second.first.items():
                self.edge(source, target, out_tags | in_tags, out_count * in_count, frozenset())
        joined = _Fragment()
        joined.first = dict(first.first)
        for (target, in_tags), count in second.first.items():
            for tags, empty_count in first.empty.items():
                _add(joined.first, (target, tags | in_tags), count * empty_count)
        joined.last = dict(second.last)
        for (source, out_tags), count in first.last.items():
            for tags, empty_count in second.empty.items():
                _add(joined.last, (source, out_tags | tags), count * empty_count)
        for tags_a, count_a in first.empty.items():
            for tags_b, count_b in second.empty.items():
                _add(joined.empty, tags_a | tags_b, count_a * count_b)
        return joined

    @staticmethod
    def either(fragments: Iterable[_Fragment]) -> _Fragment:
        joined = _Fragment()
        for fragment in fragments:
            for key, count in fragment.first.items():
                _add(joined.first, key, count)
            for key, count in fragment.last.items():
                _add(joined.last, key, count)
            for tags, count in fragment.empty.items():
                _add(joined.empty, tags, count)
        return joined

    # -- the walk over the parsed pattern

    def build(self, items: Any, flags: int, stack: tuple[int, ...], spread: bool) -> _Fragment:
        """The fragment of a sequence of items. `spread`: whether the engine can reach its
        start at many places in the text (inside a loop, or after a repetition)."""
        result = _empty()
        for op, av in items:
            result = self.sequence(result, self.item(op, av, flags, stack, spread))
            spread = spread or self.analysis.item_longest(op, av) > _EXPAND_LIMIT
        return result

    def item(self, op: Any, av: Any, flags: int, stack: tuple[int, ...], spread: bool) -> _Fragment:
        if op in _CHARS:
            return self.state(self.alphabet.mask(op, av, flags), stack)
        if op is _BRANCH:
            return self.either(self.build(branch, flags, stack, spread) for branch in av[1])
        if op is _SUBPATTERN:
            add, remove = av[1], av[2]
            return self.build(av[-1], (flags | add) & ~remove, stack, spread)
        if op is _ATOMIC_GROUP:
            return self.build(av, flags, stack, spread)
        if op in _REPEATS:
            return self.repeat(av, flags, stack, spread, possessive=op is _POSSESSIVE_REPEAT)
        if op is _AT:
            return _empty(_anchor(str(av), flags))
        if op in (_ASSERT, _ASSERT_NOT):
            body = av[1]
            if spread and self.analysis.long(body):
                raise _Refused(
                    "a lookaround that scans a long stretch of text is tried at many places "
                    "(it is repeated, or comes after a repetition), so a long value may take "
                    "quadratic time"
                )
            problem = _Automaton(self.analysis).judge_items(body, flags)
            if problem is not None:
                raise _Refused(f"{problem} (inside a lookaround)")
            return _empty()
        if op is _GROUPREF:
            raise _Refused(
                "backreferences (\\1, (?P=name)) are not allowed in rule patterns, "
                "as their matching time cannot be bounded"
            )
        if op is _GROUPREF_EXISTS:
            no = self.build(av[2], flags, stack, spread) if av[2] is not None else _empty()
            return self.either((self.build(av[1], flags, stack, spread), no))
        raise _Refused(f"the construct {op} is not supported in rule patterns")

    def repeat(
        self, av: Any, flags: int, stack: tuple[int, ...], spread: bool, *, possessive: bool
    ) -> _Fragment:
        low, high, body = av
        number = self.analysis.order[id(av)]
        inner = (*stack, number)
        copies, loops = _copies(low, high, self.analysis.size(body))
        mandatory = min(low, copies - 1) if loops else low
        result = _empty()
        for _ in range(mandatory):
            result = self.sequence(result, self.build(body, flags, inner, spread))
        if loops:
            self.analysis.loops.add(number)
            result = self.sequence(result, self.loop(body, flags, inner, number))
        else:
            result = self.sequence(result, self.optional(body, flags, inner, spread, copies - low))
        single = len(body) == 1 and body[0][0] in _CHARS
        if possessive and single and high == _MAXREPEAT:
            # x*+ / x++ leave only where x cannot go on: the next character is not an x.
            ((single_op, single_av),) = body
            exclude = frozenset({("not", self.alphabet.mask(single_op, single_av, flags))})
            result.last = {(s, tags | exclude): n for (s, tags), n in result.last.items()}
            result.empty = {tags | exclude: n for tags, n in result.empty.items()}
        return result

    def loop(self, body: Any, flags: int, stack: tuple[int, ...], number: int) -> _Fragment:
        """Zero or more iterations; only the last may read nothing (the engine stops after an
        empty iteration), so leaving may go through one more, empty, iteration."""
        once = self.build(body, flags, stack, True)
        for (source, out_tags), out_count in once.last.items():
            for (target, in_tags), in_count in once.first.items():
                tags = out_tags | in_tags
                self.edge(source, target, tags, out_count * in_count, frozenset({number}))
        leave = dict(once.empty)
        _add(leave, _NO_TAGS, 1)
        result = _Fragment()
        result.first = dict(once.first)
        for (source, out_tags), count in once.last.items():
            for tags, leave_count in leave.items():
                _add(result.last, (source, out_tags | tags), count * leave_count)
        result.empty = leave
        return result

    def optional(
        self, body: Any, flags: int, stack: tuple[int, ...], spread: bool, count: int
    ) -> _Fragment:
        """Up to `count` more iterations, each after the one before; an empty one ends them."""
        result = _empty()
        for _ in range(count):
            once = self.build(body, flags, stack, spread)
            stop = dict(once.empty)
            _add(stop, _NO_TAGS, 1)
            once.empty = {}
            stopped = _Fragment()
            stopped.empty = stop
            result = self.either((stopped, self.sequence(once, result)))
        return result

    # -- the questions

    def judge_items(self, items: Any, flags: int) -> str | None:
        """Build the automaton of a whole pattern (or a lookaround's) and judge it."""
        fragment = self.build(items, flags, (), False)
        for (state, tags), count in fragment.first.items():
            self.edge(0, state, tags, count, frozenset())
        # The routes the engine tries from each state: on to the next states, or to the end.
        self.tries = [sum(entry[0] for entry in edges.values()) for edges in self.edges]
        for (state, _), count in fragment.last.items():
            self.tries[state] += count
        self.tries[0] += sum(fragment.empty.values())
        return self.judge()

    def allowed(self, tags: Tags, source: int) -> int:
        """The characters that may come next, after `source`, past the conditions `tags`."""
        alphabet = self.alphabet
        allowed = alphabet.all
        if not tags:
            return allowed
        previous = self.masks[source] if source else None
        for tag in tags:
            kind = tag[0]
            if kind == "not":
                allowed &= ~tag[1]
            elif kind in ("b", "B"):
                word = alphabet.ascii_word if tag[1] else alphabet.word
                if previous is None or not previous & word:
                    after_word = False
                elif not previous & ~word:
                    after_word = True
                else:
                    continue
                allowed &= word if after_word != (kind == "b") else ~word
            elif kind == "start":
                allowed &= alphabet.all if previous is None else 0
            elif kind == "line_start":
                fits = previous is None or previous & alphabet.newline
                allowed &= alphabet.all if fits else 0
            elif kind == "end":
                allowed &= alphabet.newline
            elif kind == "end_of_text":
                allowed = 0
        return allowed

    def judge(self) -> str | None:
        analysis = self.analysis
        moves: list[list[tuple[int, int, int, frozenset[int]]]] = []
        for source, edges in enumerate(self.edges):
            out = []
            for (target, tags), (count, loops) in edges.items():
                label = self.masks[target] & self.allowed(tags, source)
                if label:
                    out.append((target, label, count, loops))
            moves.append(out)
        budget = analysis.budget
        budget.spend(len(moves))
        pairs = _Pairs(moves, budget)
        return (
            pairs.ambiguous_loop(analysis)
            or _polynomial(moves, self.stacks, analysis)
            or _crowding(moves, self.tries, self.stacks, analysis)
        )


def _anchor(name: str, flags: int) -> Tags:
    name = name.upper()
    multiline = bool(flags & re.MULTILINE)
    ascii_only = bool(flags & re.ASCII)
    if name.endswith("NON_BOUNDARY"):
        return frozenset({("B", ascii_only)})
    if name.endswith("BOUNDARY"):
        return frozenset({("b", ascii_only)})
    if name.endswith("BEGINNING_STRING"):
        return frozenset({("start",)})
    if name.endswith("BEGINNING") or name.endswith("BEGINNING_LINE"):
        return frozenset({("line_start",) if multiline else ("start",)})
    if name.endswith("END_STRING"):
        return frozenset({("end_of_text",)})
    if name.endswith("END") or name.endswith("END_LINE"):
        return frozenset({("end",)})
    return _NO_TAGS


# --------------------------------------------------------------------------------------------
# Two copies side by side: exponential paths


class _Pairs:
    """Pairs of states two paths can be in after reading the same text from the start."""

    def __init__(
        self, moves: list[list[tuple[int, int, int, frozenset[int]]]], budget: _Budget
    ) -> None:
        self.nodes: list[tuple[int, int]] = [(0, 0)]
        index = {(0, 0): 0}
        #: adjacency: (node, merges, loops) where merges: two paths become one
        self.adjacent: list[list[tuple[int, bool, frozenset[int]]]] = []
        position = 0
        while position < len(self.nodes):
            left, right = self.nodes[position]
            budget.spend(1 + len(moves[left]) * len(moves[right]))
            found: list[tuple[tuple[int, int], bool, frozenset[int]]] = []
            if left == right:
                out = moves[left]
                for i, (target, label, count, loops) in enumerate(out):
                    found.append(((target, target), count > 1, loops))
                    for other, other_label, _, other_loops in out[i + 1 :]:
                        if label & other_label:
                            pair = (min(target, other), max(target, other))
                            found.append((pair, target == other, loops | other_loops))
            else:
                for target, label, _, loops in moves[left]:
                    for other, other_label, _, other_loops in moves[right]:
                        if label & other_label:
                            pair = (min(target, other), max(target, other))
                            found.append((pair, target == other, loops | other_loops))
            adjacent = []
            for pair, merges, loops in found:
                number = index.get(pair)
                if number is None:
                    number = index[pair] = len(self.nodes)
                    self.nodes.append(pair)
                adjacent.append((number, merges, loops))
            self.adjacent.append(adjacent)
            position += 1

    def ambiguous_loop(self, analysis: _Analysis) -> str | None:
        """A loop that two different paths go round reading the same text: a merge of two
        paths inside a strongly connected component of pairs."""
        components = _components([[t for t, _, _ in out] for out in self.adjacent])
        component = components.of
        for node, out in enumerate(self.adjacent):
            for target, merges, _ in out:
                if merges and component[target] == component[node]:
                    members = component[node]
                    loops: set[int] = set()
                    for inner, inner_out in enumerate(self.adjacent):
                        if component[inner] == members:
                            for other, _, other_loops in inner_out:
                                if component[other] == members:
                                    loops |= other_loops
                    culprit = analysis.describe(analysis.outermost(loops))
                    return (
                        f"{culprit} repeats a part that can match the same text in more than "
                        "one way (nested or overlapping repetitions), so a value that does not "
                        "match may take exponential time"
                    )
        return None


class _Components:
    """Strongly connected components, numbered in reverse topological order."""

    def __init__(self) -> None:
        self.of: list[int] = []
        self.members: list[list[int]] = []


def _components(adjacent: Sequence[Sequence[int]]) -> _Components:
    """Tarjan's algorithm, without recursion."""
    result = _Components()
    count = len(adjacent)
    result.of = [-1] * count
    order = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    stack: list[int] = []
    counter = 0
    for root in range(count):
        if order[root] != -1:
            continue
        work = [(root, 0)]
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            node, next_edge = work[-1]
            edges = adjacent[node]
            if next_edge < len(edges):
                work[-1] = (node, next_edge + 1)
                target = edges[next_edge]
                if order[target] == -1:
                    order[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack[target] = True
                    work.append((target, 0))
                elif on_stack[target]:
                    low[node] = min(low[node], order[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == order[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    result.of[member] = len(result.members)
                    members.append(member)
                    if member == node:
                        break
                result.members.append(members)
    return result


# --------------------------------------------------------------------------------------------
# Three copies side by side: polynomial paths


def _polynomial(
    moves: list[list[tuple[int, int, int, frozenset[int]]]],
    stacks: list[tuple[int, ...]],
    analysis: _Analysis,
) -> str | None:
    """Two loops p and q, q after p, with a text w that loops p -> p, goes p -> q and loops
    q -> q: a value made of many copies of w (then something that fails) is tried at every
    split between the two loops, a quadratic number of ways (more with more such loops)."""
    adjacent = [[target for target, _, _, _ in out] for out in moves]
    components = _components(adjacent)
    component = components.of
    looping = [
        state
        for state in range(1, len(moves))
        if len(components.members[component[state]]) > 1 or state in adjacent[state]
    ]
    if len(looping) < 2:
        return None
    budget = analysis.budget
    reverse = _reverse(adjacent)
    leads_to: dict[int, set[int]] = {}
    for p in looping:
        budget.spend(len(moves))
        reach = _reachable(adjacent, p)
        for q in looping:
            # Both in one component would be an exponential case, found before this.
            if component[q] == component[p] or q not in reach:
                continue
            if q not in leads_to:
                budget.spend(len(moves))
                leads_to[q] = _reachable(reverse, q)
            if _triple_path(moves, p, q, component, leads_to[q] & reach, budget):
                return _polynomial_message(analysis, stacks, p, q)
    return None


def _reachable(adjacent: Sequence[Sequence[int]], start: int) -> set[int]:
    seen = {start}
    todo = [start]
    while todo:
        for target in adjacent[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _reverse(adjacent: Sequence[Sequence[int]]) -> list[list[int]]:
    reverse: list[list[int]] = [[] for _ in adjacent]
    for source, targets in enumerate(adjacent):
        for target in targets:
            reverse[target].append(source)
    return reverse


def _triple_path(
    moves: list[list[tuple[int, int, int, frozenset[int]]]],
    p: int,
    q: int,
    component: list[int],
    between: set[int],
    budget: _Budget,
) -> bool:
    """Whether (p, p, q) leads to (p, q, q) reading one text with all three paths."""
    start = (p, p, q)
    goal = (p, q, q)
    seen = {start}
    todo = [start]
    while todo:
        x, y, z = todo.pop()
        budget.spend(1 + len(moves[x]) * len(moves[y]))
        for x2, label_x, _, _ in moves[x]:
            if component[x2] != component[p]:
                continue
            for y2, label_y, _, _ in moves[y]:
                common = label_x & label_y
                if not common or y2 not in between:
                    continue
                for z2, label_z, _, _ in moves[z]:
                    if not common & label_z or component[z2] != component[q]:
                        continue
                    triple = (x2, y2, z2)
                    if triple == goal:
                        return True
                    if triple not in seen:
                        budget.spend(len(moves[z]))
                        seen.add(triple)
                        todo.append(triple)
    return False


def _polynomial_message(analysis: _Analysis, stacks: list[tuple[int, ...]], p: int, q: int) -> str:
    def innermost_loop(state: int) -> int | None:
        return next((r for r in reversed(stacks[state]) if r in analysis.loops), None)

    first, second = innermost_loop(p), innermost_loop(q)
    first_text, second_text = analysis.quote(first), analysis.quote(second)
    if first_text is not None and first == second:
        shared = [r for r in stacks[p] if r in stacks[q] and r != first]
        outer = analysis.quote(analysis.outermost(shared))
        where = f"copies of the repetition {first_text}"
        if outer is not None:
            where += f", made by the repetition {outer},"
    elif first_text is not None and second_text is not None:
        where = f"the repetitions {first_text} and {second_text}"
    else:
        where = "two repetitions"
    return (
        f"{where} can match the same text one after the other (overlapping repetitions), "
        "so a long value that does not match may take quadratic or worse time"
    )


# --------------------------------------------------------------------------------------------
# Every path at once: how many can be alive on one text


def _crowding(
    moves: list[list[tuple[int, int, int, frozenset[int]]]],
    tries: list[int],
    stacks: list[tuple[int, ...]],
    analysis: _Analysis,
) -> str | None:
    """Follow every text at once, as crowds of live paths (how many paths are in each
    state), one character class at a time, and count the routes the engine tries from each
    crowd: too many at once, too many again and again on a long text (a crowd that can
    come back), or too many along one text all told, and the pattern is refused.

    With no exponential or polynomial case (checked before), the number of paths a text
    can keep alive is bounded, so the crowds are finitely many.
    """
    budget = analysis.budget
    classes = [analysis.alphabet.all]
    for label in {label for out in moves for _, label, _, _ in out}:
        budget.spend(len(classes))
        classes = [part for cls in classes for part in (cls & label, cls & ~label) if part]
    steps: list[dict[int, list[tuple[int, int]]]] = []
    for out in moves:
        by_class: dict[int, list[tuple[int, int]]] = {}
        for target, label, count, _ in out:
            budget.spend(len(classes))
            for number, cls in enumerate(classes):
                if cls & label:
                    by_class.setdefault(number, []).append((target, count))
        steps.append(by_class)

    def tried(crowd: dict[int, int]) -> int:
        return sum(paths * tries[state] for state, paths in crowd.items())

    crowds: list[tuple[tuple[int, int], ...]] = [((0, 1),)]
    work = [tried({0: 1})]
    if work[0] > _MAX_TRIES:
        return _crowd_message(analysis, moves, tries, stacks, {0: 1}, _MAX_TRIES, "at once")
    index = {crowds[0]: 0}
    following_crowds: list[list[int]] = []
    position = 0
    while position < len(crowds):
        successors = []
        budget.spend(len(classes) * len(crowds[position]))
        for number in range(len(classes)):
            following: dict[int, int] = {}
            for state, paths in crowds[position]:
                for target, count in steps[state].get(number, ()):
                    following[target] = min(_COUNT_CAP, following.get(target, 0) + paths * count)
            if not following:
                continue
            key = tuple(sorted(following.items()))
            if key not in index:
                budget.spend(len(key))
                cost = tried(following)
                if cost > _MAX_TRIES:
                    return _crowd_message(
                        analysis, moves, tries, stacks, following, _MAX_TRIES, "at once"
                    )
                index[key] = len(crowds)
                crowds.append(key)
                work.append(cost)
            successors.append(index[key])
        following_crowds.append(successors)
        position += 1
    components = _components(following_crowds)
    # A crowd the text can come back to, again and again: its work is done for every
    # character of a long value.
    for number, crowd in enumerate(crowds):
        members = components.members[components.of[number]]
        recurs = len(members) > 1 or number in following_crowds[number]
        if recurs and work[number] > _MAX_SUSTAINED:
            return _crowd_message(
                analysis, moves, tries, stacks, dict(crowd), _MAX_SUSTAINED, "at every character"
            )
    # The most work along one text, a crowd after the other (components come successors
    # first; a recurring crowd counts once, its repetitions are bounded just above).
    most = [0] * len(components.members)
    for number, members in enumerate(components.members):
        after = max(
            (
                most[components.of[t]]
                for m in members
                for t in following_crowds[m]
                if components.of[t] != number
            ),
            default=0,
        )
        most[number] = after + max(work[m] for m in members)
    if most[components.of[0]] > _MAX_TRIES_PER_TEXT:
        busiest = max(range(len(crowds)), key=work.__getitem__)
        return _crowd_message(
            analysis,
            moves,
            tries,
            stacks,
            dict(crowds[busiest]),
            _MAX_TRIES_PER_TEXT,
            "on one value",
        )
    return None


def _crowd_message(
    analysis: _Analysis,
    moves: list[list[tuple[int, int, int, frozenset[int]]]],
    tries: list[int],
    stacks: list[tuple[int, ...]],
    crowd: dict[int, int],
    limit: int,
    when: str,
) -> str:
    busiest = max(crowd, key=lambda state: crowd[state] * tries[state])
    if not stacks[busiest] and moves[busiest]:  # e.g. the start: name where its routes go
        busiest = max(moves[busiest], key=lambda move: move[2])[0]
    culprit = analysis.describe(analysis.outermost(stacks[busiest]))
    return (
        f"more than {limit:,} partial matches are tried {when} (around {culprit}): parts of "
        "the pattern can match the same text in more than one way, so a long value that does "
        "not match may take a very long time"
    )
