"""The compiled reads' HTTP fast path: a query the general path has answered compiled before is
answered again without Strawberry's request machinery (issue 10).

For a small query (one success case's detail), what is left per request after compiled reads
is mostly Python around them: Strawberry's request parsing, its execution context, seven
extensions' hooks, the result's processing and encoding. Here a request whose document text
and operation name are known (:class:`~csm_graphql.graphql.compiled.execute.KnownDocument`:
the general path parsed, validated and answered it compiled) runs only what depends on the
request, each step the very function the general path runs:

1. the body as the endpoint decodes it (``decode_json``: JSON, an object, the members' types);
2. the variables' text (``input_text``: no NUL, no lone surrogate);
3. the cost, from the same cache of measured costs, and the node limit and page sizes;
4. the compiled read itself (``CompiledReader.answer``: plan cached per role set, variables
   and the viewer's ids bound, the prepared statement run);
5. the response: PostgreSQL's JSON text as ``data``, the same ``extensions`` (cost, and
   ``compiledReads`` in development), the same media type, status and headers, and the
   operation and error codes in the request's record (access log, metrics).

Anything else goes the general way, which then answers exactly as before: a request with
``extensions`` (persisted queries), a trusted-documents manifest, tracing on (its operation
span), a document not known,
variables that do not coerce or hold unstorable text, a cost over a limit, a read the compiler
refuses. Whether parsing and validation would pass is a pure function of the text, the parse
options and the rules, all fixed for the schema; so a known text needs neither.

A statement that fails is answered here too, coded as the general path codes it
(``CodeErrors``), so that it is not run twice. With rate limiting on, the viewer's bucket is
charged the same cost before the statement is sent; a refusal (which takes nothing from the
bucket) goes the general way, which charges again and answers the 429 with its Retry-After.
A finisher that raises after the charge also hands the request on (the general path then
words the error); the charge goes with it (``PREPAID`` in the request's state, the
context's ``prepaid``), so that the request is charged once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from graphql import GraphQLSchema
from starlette.requests import Request
from starlette.responses import Response
from strawberry.http.parse_content_type import parse_content_type

from csm_graphql.access.viewer import Viewer
from csm_graphql.graphql.compiled.execute import CompiledReader
from csm_graphql.graphql.context import Context
from csm_graphql.graphql.cost import MUTATION_POINTS, QueryCost, measure, node_limit_errors
from csm_graphql.graphql.extensions import DOCUMENT_CACHE_SIZE, CodeErrors, MeasuredCosts
from csm_graphql.graphql.input_text import _variable_errors as variable_errors
from csm_graphql.graphql.transport import JSON
from csm_graphql.observability.record import current_request
from csm_graphql.settings import Settings
from csm_graphql.throttle import Throttle

if TYPE_CHECKING:
    from csm_graphql.repositories.database import Database

# The members a plain request has; any other (``extensions``) goes the general way.
_MEMBERS = frozenset({"query", "variables", "operationName"})
# The request state's key for a charge taken here before the request went the general way.
PREPAID = "prepaid_charge"


@dataclass(slots=True)
class _Where:
    """What ``CodeErrors`` reads of an execution context to word and log a failure."""

    context: Context
    operation_name: str | None


class FastPath:
    """Answers known compiled queries; ``answer`` returns None for everything else."""

    def __init__(
        self,
        reader: CompiledReader,
        schema: GraphQLSchema,
        settings: Settings,
        db: Database,
        decode_json: Any,
        throttle: Throttle | None = None,
    ) -> None:
        self.reader = reader
        self.schema = schema
        self.settings = settings
        self.db = db
        self.limits = settings.limits
        self.debug = not settings.production
        self.decode_json = decode_json
        self.throttle = throttle
        self.costs = MeasuredCosts(DOCUMENT_CACHE_SIZE)
        self.maximum_cost = settings.limits.max_nodes + MUTATION_POINTS

    @staticmethod
    def takes(request: Request) -> bool:
        """A JSON POST: the only requests whose body this path reads (a multipart upload's
        is streamed by the general path, unread)."""
        if request.method != "POST":
            return False
        content_type, _ = parse_content_type(request.headers.get("content-type") or "")
        return content_type == JSON

    async def answer(self, request: Request, body: bytes, media_type: str) -> Response | None:
        """The response to a known compiled query (``takes`` it), else None."""
        try:
            data = self.decode_json(body)
        except Exception:  # the general path refuses it, in its words
            return None
        if not _MEMBERS.issuperset(data):
            return None
        query, provided_name = data.get("query"), data.get("operationName")
        variables = data.get("variables")
        if not isinstance(query, str) or not (variables is None or isinstance(variables, dict)):
            return None
        known = self.reader.known(query, provided_name)
        if known is None:
            return None
        document, operation_name = known.document, known.operation_name
        if variables and variable_errors(variables, document, operation_name):
            return None
        cost = self._cost(query, operation_name, variables, known.document)
        if node_limit_errors(cost, self.limits):
            return None
        state = request.scope.get("state", {})
        viewer: Viewer = state["viewer"]
        context = Context.build(self.settings, self.db, viewer, state.get("request_id"))
        report: dict[str, Any] = {
            "requestedQueryCost": cost.points,
            "maximumQueryCost": self.maximum_cost,
        }

        async def charge() -> bool:
            """The rate limit, charged once the statement is ready and before it is sent (a
            refused request reads nothing). A refusal takes nothing from the bucket: the
            general path charges again and answers the 429 with its Retry-After."""
            if self.throttle is None:
                return True
            charged = await self.throttle.charge(viewer.principal_key, cost.points)
            if charged.allowed:
                state[PREPAID] = (cost.points, charged)
            report["throttleStatus"] = {
                "maximumAvailable": self.throttle.capacity,
                "currentlyAvailable": int(charged.available),
                "restoreRate": self.throttle.rate,
            }
            return charged.allowed

        answered, outcome = await self.reader.answer(
            query,
            operation_name,
            document,
            self.schema,
            variables,
            context,
            count_fallbacks=False,
            before_read=charge,
        )
        if answered is None:
            return None
        extensions: dict[str, Any] = {"cost": report}
        if self.debug:
            extensions["compiledReads"] = outcome.as_extension()
        codes: list[str] = []
        payload: dict[str, Any]
        if answered.failure is None:
            assert answered.data is not None
            payload = {"data": orjson.Fragment(answered.data), "extensions": extensions}
        else:
            coder = CodeErrors(production=self.settings.production)
            coder.execution_context = _Where(context, operation_name)  # type: ignore[assignment]
            errors = coder._process_errors([answered.failure])
            codes = [str((error.extensions or {}).get("code", "other")) for error in errors]
            formatted = [error.formatted for error in errors]
            payload = {"data": None, "errors": formatted, "extensions": extensions}
        record = current_request.get()
        if record is not None:
            record.ran_graphql = True
            record.operation = operation_name
            record.error_codes = codes
        return Response(orjson.dumps(payload), 200, media_type=media_type)

    def _cost(
        self,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        document: Any,
    ) -> QueryCost:
        """As ValidateWithinLimits measures it (a pure function of these, cached alike)."""
        key = self.costs.key(query, operation_name, variables)
        cost = self.costs.get(key) if key is not None else None
        if cost is None:
            cost = measure(
                self.schema,
                document,
                variables,
                operation_name=operation_name,
                default_first=self.limits.default_first,
            )
            if key is not None:
                self.costs.add(key, cost)
        return cost


__all__ = ["FastPath"]
