"""The shape of a document: how deep its operations nest and how many aliases they use.

Both numbers count fragments where they are spread, as if inlined, which is what execution
would do. Computing them by walking every spread is exponential: a fragment that spreads the
next one twice, 22 levels down, is a 900-byte document and four million walks. So each
fragment is measured once, as a function of nothing but itself, and reused at every spread:

* its *depth* is how deep it nests, relative to where it is spread, so a spread at depth ``n``
  reaches ``n + depth``;
* its *alias count* is the sum of the aliases inside it, spreads included.

That makes :func:`measure_shape` linear in the document's size, whatever its spreads. It needs
no schema and runs before standard validation, so a hostile document is refused before any
other rule walks it. Fragment cycles and unknown fragments count as empty here; validation
reports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True, slots=True)
class Shape:
    """How many selection sets nest below the top level, and the number of aliases.

    ``{ a }`` has depth 0 and ``{ a { b { c } } }`` depth 2, as strawberry's QueryDepthLimiter
    counts (so the ``max_depth`` setting keeps its meaning).
    """

    depth: int = 0
    aliases: int = 0

    def widest(self, other: Shape) -> Shape:
        """Two selections side by side: the deeper one's depth, both one's aliases."""
        return Shape(max(self.depth, other.depth), self.aliases + other.aliases)


EMPTY = Shape()


class ShapeMeter:
    """Measures selection sets, each fragment once; counts its visits so tests can see that."""

    def __init__(self, document: DocumentNode) -> None:
        self._fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self._measured: dict[str, Shape] = {}
        self._in_progress: set[str] = set()
        # Selection nodes looked at: a linear walk looks at each node of the document once.
        self.visits = 0

    def operation(self, operation: OperationDefinitionNode) -> Shape:
        return self.selection_set(operation.selection_set)

    def selection_set(self, selection_set: SelectionSetNode) -> Shape:
        shape = EMPTY
        for selection in selection_set.selections:
            self.visits += 1
            if isinstance(selection, FieldNode):
                shape = shape.widest(self._field(selection))
            elif isinstance(selection, InlineFragmentNode):
                shape = shape.widest(self.selection_set(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                shape = shape.widest(self._fragment(selection.name.value))
        return shape

    def _field(self, node: FieldNode) -> Shape:
        alias = 1 if node.alias else 0
        # Introspection fields are not descended into: their depth is bounded by the
        # introspection schema, and clients ask for it deeply by design.
        if node.selection_set is None or node.name.value.startswith("__"):
            return Shape(0, alias)
        inner = self.selection_set(node.selection_set)
        return Shape(1 + inner.depth, alias + inner.aliases)

    def _fragment(self, name: str) -> Shape:
        if name in self._measured:
            return self._measured[name]
        fragment = self._fragments.get(name)
        if fragment is None or name in self._in_progress:
            return EMPTY  # unknown or cyclic: validation says so
        self._in_progress.add(name)
        shape = self.selection_set(fragment.selection_set)
        self._in_progress.discard(name)
        self._measured[name] = shape
        return shape


def measure_shape(document: DocumentNode) -> Shape:
    """The deepest and most aliased of the document's operations (each counted on its own)."""
    meter = ShapeMeter(document)
    shape = EMPTY
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            measured = meter.operation(definition)
            shape = Shape(max(shape.depth, measured.depth), max(shape.aliases, measured.aliases))
    return shape
