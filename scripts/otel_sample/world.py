"""The story the sample data tells, as plain span and log records.

Six services of a small shop, six hours ending at NOW, every request traced:

    frontend -> inventory              GET /products/{id}        (product pages)
    frontend -> checkout               GET /cart                 (cart, redis)
    frontend -> checkout               POST /checkout            (orders), which calls
        inventory  gRPC inventory.InventoryService/Reserve
        payments-api  POST /v1/charges  -> the external payment gateway
        shipping   POST /quotes         -> the external carrier API
        email      POST /send
    payments-api                        provider events (its own root spans, a consumer)

One world, three signals: the metrics (scripts/otel_sample/metrics.py) are
the server spans counted into histograms, so a rate, an error share or a
latency quantile in Prometheus is the same requests the traces hold, and
every log line written while a request was served carries its trace and
span ids.

The incidents (INCIDENTS; the manifest states every number):
- error:   payments-api's payment gateway times out, 08:40-08:50 and again
           11:30-11:36 (charges fail with 503, checkout 500, frontend 502);
- error:   inventory's database connection pool is exhausted 10:05-10:08;
- latency: shipping's carrier API is slow 11:10-11:25 (quotes take seconds,
           so checkouts do too), no errors;
- a quiet baseline otherwise, with rare one-off failures and outliers;
- two FATAL logs (email at 07:45, shipping at 09:12);
- inventory logs a TRACE line every second, so it alone has > 10,000 logs.

Every ERROR/FATAL message comes from a format string whose variable parts
are numbers, ids, durations, addresses or quoted strings: the log records
carry that template, and the manifest counts lines per true template.

Records are layout-free: span = dict(trace_id, span_id, parent_id, service,
name, kind, start, end, status, status_message, attributes, events);
log = dict(ts, service, level, body, template, trace_id, span_id, attributes).
Times are integer nanoseconds.
"""
import re

from .rng import Rng
from .timefmt import NS, parse_utc

SEED = 20261126
NOW = parse_utc("2026-11-26T12:00:00Z")
START = NOW - 6 * 3600 * NS
MS = 1_000_000
US = 1_000

LEVELS = {"TRACE": 1, "DEBUG": 5, "INFO": 9, "WARN": 13, "ERROR": 17, "FATAL": 21}

SERVICES = {
    "frontend": dict(version="1.14.2", language="nodejs", sdk="1.28.0",
                     instance="frontend-7d9f6c5b8-qx2lp", host="node-a1",
                     scope="@opentelemetry/instrumentation-http", scope_version="0.57.1"),
    "checkout": dict(version="3.2.0", language="go", sdk="1.33.0",
                     instance="checkout-5c8d7f9b6-mt7wz", host="node-a2",
                     scope="go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
                     scope_version="0.58.0"),
    "payments-api": dict(version="2.7.4", language="java", sdk="1.45.0",
                         instance="payments-api-6b4f8d7c9-k9d2s", host="node-b1",
                         scope="io.opentelemetry.okhttp-3.0", scope_version="2.11.0-alpha"),
    "inventory": dict(version="0.9.12", language="python", sdk="1.29.0",
                      instance="inventory-84f6d9c7b-p4hxn", host="node-b2",
                      scope="opentelemetry.instrumentation.grpc", scope_version="0.50b0"),
    "shipping": dict(version="2.3.1", language="go", sdk="1.33.0",
                     instance="shipping-7f5c9d8b4-w8r6t", host="node-c1",
                     scope="go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
                     scope_version="0.58.0"),
    "email": dict(version="1.4.0", language="ruby", sdk="1.4.0",
                  instance="email-59d7c6f8b-zz3cq", host="node-c2",
                  scope="OpenTelemetry::Instrumentation::Sinatra", scope_version="0.24.0"),
}

# The status an HTTP server answers when it fails (every route of a service).
ERROR_STATUS = {"frontend": 502, "checkout": 500, "payments-api": 503, "inventory": 500,
                "shipping": 500, "email": 500}
GRPC_UNAVAILABLE = 14


def at(clock, ms=0):
    """'HH:MM:SS' on the sample day -> ns"""
    return parse_utc("2026-11-26T%sZ" % clock) + ms * MS


INCIDENTS = [
    dict(name="payments-gateway-1", kind="error", service="payments-api",
         start=at("08:40:00"), end=at("08:50:00"), cause="payment gateway timeouts"),
    dict(name="inventory-db-pool", kind="error", service="inventory",
         start=at("10:05:00"), end=at("10:08:00"), cause="database connection pool exhausted"),
    dict(name="shipping-carrier-slow", kind="latency", service="shipping",
         start=at("11:10:00"), end=at("11:25:00"), cause="carrier rate API slow"),
    dict(name="payments-gateway-2", kind="error", service="payments-api",
         start=at("11:30:00"), end=at("11:36:00"), cause="payment gateway timeouts"),
]
BURSTS = [i for i in INCIDENTS if i["kind"] == "error"]

# (when, flow, which leaf is slow, how slow): isolated outliers of the baseline.
SLOW_TRACES = [
    (at("07:20:44", 100), "product", "db", 3200 * MS),
    (at("08:12:09", 900), "cart", "redis", 2600 * MS),
    (at("09:52:17", 250), "checkout", "gateway", 7800 * MS),
    (at("10:31:12", 700), "provider_event", "db", 4400 * MS),
]

FATALS = [
    (at("07:45:02", 118), "email",
     "fatal: SMTP relay configuration invalid (smtp.relay.host is empty); exiting"),
    (at("09:12:07", 431), "shipping",
     "fatal error: runtime: out of memory allocating rate table (limit 512MiB); exiting"),
]

GATEWAY_TIMEOUT = 1500 * MS
MEAN_ARRIVAL_S = 3.0            # one user request every 3 s on average
POOL_ERROR = "QueuePool limit of size 20 overflow 10 reached, connection timed out, timeout 0.25"

_CONVERSION = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?[sdfx]")


def template_of(fmt):
    """'charge failed for %s after %d ms' -> 'charge failed for <*> after <*> ms'"""
    return _CONVERSION.sub("<*>", fmt).replace("%%", "%")


def msg(fmt, *args):
    """A log message and the format string it came from."""
    return (fmt % args if args else fmt.replace("%%", "%")), template_of(fmt)


def incident_for(service, t, kind=None):
    for i in INCIDENTS:
        if i["service"] == service and i["start"] <= t < i["end"] and kind in (None, i["kind"]):
            return i
    return None


def burst_for(service, t):
    return incident_for(service, t, "error")


class _Node:
    """A span before it has times: children run one after another."""

    def __init__(self, service, name, kind, pre, post=0, children=(), attributes=None,
                 status="Unset", status_message="", logs=(), error=None):
        self.service, self.name, self.kind = service, name, kind
        self.pre, self.post, self.children = pre, post, list(children)
        self.attributes = attributes or {}
        self.status, self.status_message = status, status_message
        self.logs = list(logs)      # (level, (body, template), attributes, position 0..1)
        self.error = error          # (exception.type, exception.message)
        self.access = None          # (method, route, status, path format, path args)


class World:
    def __init__(self, seed=SEED):
        self.rng = Rng(seed)
        self.spans = []
        self.logs = []
        self.traces = []            # [(trace_id, flow, root span, all its spans)]

    # -- small draws -------------------------------------------------------
    def _dur(self, median_ms, sigma=0.5, cap_ms=900):
        return int(min(cap_ms, self.rng.lognormal(median_ms, sigma)) * MS)

    def _net(self):
        return self.rng.between(150, 900) * US

    def _overhead(self):
        return self.rng.between(80, 1500) * US

    def _hex(self, nbytes):
        """A hex id for a message: always with a digit, as ids in real logs mostly are."""
        while True:
            h = self.rng.hex_id(nbytes)
            if any(c.isdigit() for c in h):
                return h

    # -- placing a tree in time ---------------------------------------------
    def _place(self, trace_id, node, parent_id, t):
        span_id = self.rng.hex_id(8)
        start = t
        cur = t + node.pre
        for child in node.children:
            cur = self._place(trace_id, child, span_id, cur + self._net())
        end = cur + node.post
        events = []
        if node.error:
            events.append(dict(ts=end - self.rng.between(10, 60) * US, name="exception",
                               attributes={"exception.type": node.error[0],
                                           "exception.message": node.error[1]}))
        span = dict(trace_id=trace_id, span_id=span_id, parent_id=parent_id,
                    service=node.service, name=node.name, kind=node.kind,
                    start=start, end=end, status=node.status,
                    status_message=node.status_message,
                    attributes=node.attributes, events=events)
        self.spans.append(span)
        for level, text, attrs, pos in node.logs:
            ts = start + int(pos * (end - start))
            self._log(ts, node.service, level, text, attrs, trace_id, span_id)
        return end

    def _log(self, ts, service, level, text, attributes=None, trace_id="", span_id=""):
        body, template = text if isinstance(text, tuple) else (text, text)
        self.logs.append(dict(ts=ts, service=service, level=level, body=body, template=template,
                              attributes=attributes or {}, trace_id=trace_id,
                              span_id=span_id))

    # -- building blocks -------------------------------------------------------
    @staticmethod
    def _http_server(service, method, route, path, status, children=(), pre=0, post=0,
                     logs=(), error=None):
        return _Node(service, "%s %s" % (method, route), "Server", pre, post, children,
                     {"http.request.method": method, "http.route": route,
                      "url.path": path, "http.response.status_code": status},
                     status="Error" if status >= 500 else "Unset",
                     logs=logs, error=error)

    def _http_call(self, caller, method, peer, route, path, status, children=(), logs=(),
                   pre=None, post=None, error=None):
        """A client span in `caller` and the server span in `peer` it leads to."""
        server = self._http_server(peer, method, route, path, status, children,
                                   self._overhead() if pre is None else pre,
                                   self._overhead() if post is None else post,
                                   logs=logs, error=error)
        return _Node(caller, method, "Client", self._net(), self._net(), [server],
                     {"http.request.method": method, "server.address": peer,
                      "server.port": 8080, "url.full": "http://%s:8080%s" % (peer, path),
                      "http.response.status_code": status},
                     status="Error" if status >= 500 else "Unset")

    def _external(self, service, peer, path, ns, status=200, failed=None):
        """An HTTP client span to a third party (no server span of ours)."""
        attrs = {"http.request.method": "POST", "server.address": peer, "server.port": 443,
                 "url.full": "https://%s%s" % (peer, path)}
        if failed:
            attrs["error.type"] = "timeout"
            return _Node(service, "POST", "Client", ns, 0, (), attrs, status="Error",
                         status_message="context deadline exceeded", error=failed)
        attrs["http.response.status_code"] = status
        return _Node(service, "POST", "Client", ns, 0, (), attrs)

    @staticmethod
    def _rpc_attrs(rpc_service, method, code):
        return {"rpc.system": "grpc", "rpc.service": rpc_service, "rpc.method": method,
                "rpc.grpc.status_code": code}

    def _rpc_pair(self, caller, callee, rpc_service, method, code, message, server_children,
                  server_logs=(), error=None):
        name = "%s/%s" % (rpc_service, method)
        failed = code != 0
        server = _Node(callee, name, "Server", self._overhead(), self._overhead(),
                       server_children, self._rpc_attrs(rpc_service, method, code),
                       status="Error" if failed else "Unset",
                       status_message=message if failed else "", logs=server_logs, error=error)
        return _Node(caller, name, "Client", self._net(), self._net(), [server],
                     self._rpc_attrs(rpc_service, method, code),
                     status="Error" if failed else "Unset",
                     status_message=message if failed else "")

    @staticmethod
    def _db(service, system, name, operation, statement, duration, failed=False, message=""):
        return _Node(service, name, "Client", duration, 0, (),
                     {"db.system": system, "db.name": service, "db.operation": operation,
                      "db.statement": statement},
                     status="Error" if failed else "Unset", status_message=message,
                     error=("OperationalError", message) if failed else None)

    def _pool_timeout(self):
        return 250 * MS + self.rng.between(0, 4000) * US

    # -- flows -----------------------------------------------------------------
    def _checkout(self, t, slow=None):
        rng = self.rng
        sku = "SKU-%04d" % rng.between(1, 2400)
        qty = rng.between(1, 4)
        order = "ord-" + self._hex(4)
        amount = round(rng.uniform(9.0, 480.0), 2)
        items = rng.between(1, 6)
        fail = None
        if not slow:
            if burst_for("inventory", t) and rng.chance(0.7):
                fail = "inventory"
            elif burst_for("payments-api", t) and rng.chance(0.6):
                fail = "payment"
            elif rng.chance(0.003):
                fail = rng.pick(["inventory", "payment"])
        slow_leaf, slow_ns = slow or (None, 0)

        # inventory: reserve stock (gRPC)
        if fail == "inventory":
            db = self._db("inventory", "postgresql", "SELECT inventory.stock", "SELECT",
                          "SELECT qty FROM stock WHERE sku = %s FOR UPDATE",
                          self._pool_timeout(), failed=True, message=POOL_ERROR)
            reserve = self._rpc_pair(
                "checkout", "inventory", "inventory.InventoryService", "Reserve", GRPC_UNAVAILABLE,
                "connection pool exhausted", [db],
                server_logs=[("ERROR", msg("stock reservation for %s failed: " + POOL_ERROR, sku),
                              {"sku": sku}, 0.97)],
                error=("sqlalchemy.exc.TimeoutError", POOL_ERROR))
        else:
            db = self._db("inventory", "postgresql", "SELECT inventory.stock", "SELECT",
                          "SELECT qty FROM stock WHERE sku = %s FOR UPDATE", self._dur(4))
            reserve = self._rpc_pair(
                "checkout", "inventory", "inventory.InventoryService", "Reserve", 0, "", [db],
                server_logs=[("DEBUG", msg("reserved %d x %s", qty, sku),
                              {"sku": sku, "quantity": qty}, 0.9)])
        calls = [reserve]

        # payments-api: charge the card through the external gateway
        if fail != "inventory":
            if fail == "payment":
                gw = self._external("payments-api", "api.gateway.example", "/v1/charges",
                                    GATEWAY_TIMEOUT + rng.between(0, 9000) * US,
                                    failed=("java.net.SocketTimeoutException",
                                            "Read timed out after 1500 ms"))
                calls.append(self._http_call(
                    "checkout", "POST", "payments-api", "/v1/charges", "/v1/charges", 503, [gw],
                    logs=[("ERROR", msg("charge failed for order %s: payment gateway timeout after 1500 ms",
                                        order), {"order.id": order, "payment.amount": amount}, 0.98)],
                    error=("PaymentGatewayTimeout", "gateway timeout")))
            else:
                gw_ns = slow_ns if slow_leaf == "gateway" else self._dur(90, 0.45)
                gw = self._external("payments-api", "api.gateway.example", "/v1/charges", gw_ns)
                calls.append(self._http_call(
                    "checkout", "POST", "payments-api", "/v1/charges", "/v1/charges", 200, [gw],
                    logs=[("INFO", msg("charge authorized for order %s: %.2f EUR", order, amount),
                           {"order.id": order, "payment.amount": amount}, 0.95)]))

        if fail is None:
            carrier = rng.pick(["dhl", "ups", "gls"])
            shipping_logs = []
            if slow_leaf == "shipping":
                carrier_ns = slow_ns
            elif incident_for("shipping", t, "latency"):
                carrier_ns = int(min(6500.0, rng.lognormal(2200, 0.35)) * MS)
            else:
                carrier_ns = self._dur(18)
            if carrier_ns > 1000 * MS:
                shipping_logs.append(("WARN", msg("carrier %s answered in %d ms (slow)", carrier,
                                                  carrier_ns // MS),
                                      {"shipping.carrier": carrier}, 0.8))
            shipping_logs.append(("INFO", msg("quote %s for %d items: %.2f EUR", carrier, items,
                                              rng.uniform(4, 30)),
                                  {"shipping.carrier": carrier}, 0.9))
            api = self._external("shipping", "api.carrier.example", "/rates", carrier_ns)
            calls.append(self._http_call("checkout", "POST", "shipping", "/quotes", "/quotes", 200,
                                         [api], logs=shipping_logs))
            calls.append(self._http_call(
                "checkout", "POST", "email", "/send", "/send", 200, pre=self._dur(12),
                logs=[("INFO", msg("order confirmation for %s queued", order), {"order.id": order}, 0.8)]))

        if fail is None:
            co_logs = [("DEBUG", msg("cart loaded: %d items", items), {"cart.items": items}, 0.02),
                       ("INFO", msg("order %s placed: %.2f EUR", order, amount),
                        {"order.id": order, "payment.amount": amount}, 0.98)]
            co_status = 200
        else:
            why = "payment failed" if fail == "payment" else "stock reservation failed"
            co_logs = [("DEBUG", msg("cart loaded: %d items", items), {"cart.items": items}, 0.02),
                       ("WARN", msg(why + " for order %s, not retrying", order), {"order.id": order}, 0.96),
                       ("ERROR", msg("checkout of order %s failed: " + why, order), {"order.id": order}, 0.99)]
            co_status = 500
        co = self._http_call("frontend", "POST", "checkout", "/checkout", "/checkout", co_status, calls,
                             logs=co_logs,
                             error=("CheckoutError", "checkout failed") if fail else None)
        return self._frontend_root("POST", "/api/checkout", ("/api/checkout", ()),
                                   200 if fail is None else ERROR_STATUS["frontend"], co)

    def _frontend_root(self, method, route, path, status, child):
        path_fmt, path_args = path
        root = self._http_server("frontend", method, route, path_fmt % path_args, status, [child],
                                 self._overhead(), self._overhead())
        root.access = (method, route, status, path_fmt, path_args)   # logged once timed
        return root

    def _product(self, t, slow=None):
        rng = self.rng
        pid = rng.between(1, 2400)
        failed = False
        if not slow:
            failed = (burst_for("inventory", t) and rng.chance(0.7)) or rng.chance(0.002)
        if failed:
            db = self._db("inventory", "postgresql", "SELECT inventory.products", "SELECT",
                          "SELECT * FROM products WHERE id = %s", self._pool_timeout(),
                          failed=True, message=POOL_ERROR)
            logs = [("ERROR", msg("product %d lookup failed: " + POOL_ERROR, pid), {"product.id": pid}, 0.97)]
        else:
            ns = slow[1] if slow else self._dur(3)
            db = self._db("inventory", "postgresql", "SELECT inventory.products", "SELECT",
                          "SELECT * FROM products WHERE id = %s", ns)
            logs = [("DEBUG", msg("product %d served from database", pid), {"product.id": pid}, 0.9)]
        status = ERROR_STATUS["inventory"] if failed else 200
        inv = self._http_call("frontend", "GET", "inventory", "/products/{id}", "/products/%d" % pid,
                              status, [db], logs=logs)
        return self._frontend_root("GET", "/api/products/{id}", ("/api/products/%d", (pid,)),
                                   ERROR_STATUS["frontend"] if failed else 200, inv)

    def _cart(self, t, slow=None):
        rng = self.rng
        items = rng.between(0, 6)
        ns = slow[1] if slow else self._dur(0.8, 0.4)
        redis = _Node("checkout", "HGETALL", "Client", ns, 0, (),
                      {"db.system": "redis", "db.operation": "HGETALL",
                       "db.statement": "HGETALL cart:?", "server.address": "redis"})
        co = self._http_call("frontend", "GET", "checkout", "/cart", "/cart", 200, [redis],
                             logs=[("DEBUG", msg("cart fetched: %d items", items), {"cart.items": items}, 0.9)])
        return self._frontend_root("GET", "/api/cart", ("/api/cart", ()), 200, co)

    def _provider_event(self, t, slow=None):
        """The payment provider's events, consumed from a queue: payments-api's own roots."""
        rng = self.rng
        event = rng.pick(["charge.succeeded", "charge.refunded", "payout.paid"])
        ns = slow[1] if slow else self._dur(6)
        verify = _Node("payments-api", "verify-signature", "Internal", rng.between(200, 900) * US)
        db = self._db("payments-api", "postgresql", "UPDATE payments.charges", "UPDATE",
                      "UPDATE charges SET state = ? WHERE provider_id = ?", ns)
        return _Node("payments-api", "provider-events process", "Consumer", self._overhead(),
                     self._overhead(), [verify, db],
                     {"messaging.system": "kafka", "messaging.operation": "process",
                      "messaging.destination.name": "provider-events"},
                     logs=[("INFO", msg("provider event %s processed", event),
                            {"webhook.event": event}, 0.97)])

    FLOWS = {"checkout": _checkout, "product": _product, "cart": _cart,
             "provider_event": _provider_event}

    def _trace(self, t, flow, slow=None):
        trace_id = self.rng.hex_id(16)
        root = self.FLOWS[flow](self, t, slow)
        first = len(self.spans)
        self._place(trace_id, root, "", t)
        root_span = self.spans[-1]           # the root is placed last (post-order)
        self._access_log(root, root_span)
        self.traces.append((trace_id, flow, root_span, self.spans[first:]))

    def _access_log(self, node, span):
        """The frontend's access line needs the final duration, so it comes last."""
        if not node.access:
            return
        method, route, status, path_fmt, path_args = node.access
        ms = (span["end"] - span["start"]) / MS
        head = "%s %s -> %d" % (method, path_fmt, status)
        if status >= 500:
            level, text = "ERROR", msg(head + " after %.1f ms: upstream failed", *(path_args + (ms,)))
        elif ms > 1000:
            level, text = "WARN", msg("slow request: " + head + " took %.1f ms", *(path_args + (ms,)))
        else:
            level, text = "INFO", msg(head + " in %.1f ms", *(path_args + (ms,)))
        self._log(span["end"] - self.rng.between(5, 40) * US, "frontend", level, text,
                  {"http.request.method": method, "http.route": route,
                   "http.response.status_code": status},
                  span["trace_id"], span["span_id"])

    # -- logs without a trace --------------------------------------------------
    def _background(self):
        rng = self.rng
        names = ["anna.k", "j.smith", "lee", "m.garcia", "ops-team", "n.okafor"]
        flags = ["new-checkout", "free-shipping-banner", "recs-v2", "dark-mode"]
        streams = [
            # service, level, per hour, message
            ("inventory", "TRACE", 3600, lambda: msg("cache lookup sku=SKU-%04d hit=%s", rng.between(1, 2400),
                                                     rng.pick(["true", "true", "true", "false"]))),
            ("inventory", "DEBUG", 600, lambda: msg("stock sync batch applied: %d rows", rng.between(5, 400))),
            ("inventory", "INFO", 12, lambda: msg("reindexed product search (%d products)", rng.between(2300, 2400))),
            ("frontend", "TRACE", 400, lambda: msg("session %s refreshed", self._hex(6))),
            ("frontend", "DEBUG", 800, lambda: msg("static asset served from cache: /assets/app.%s.js", self._hex(4))),
            ("frontend", "INFO", 240, lambda: msg("GET /healthz -> 200")),
            ("frontend", "WARN", 6, lambda: msg("event loop lag %d ms", rng.between(120, 600))),
            ("frontend", "ERROR", 2, lambda: msg("unhandled promise rejection: ECONNRESET from analytics beacon")),
            ("frontend", "ERROR", 1.5, lambda: msg('feature flag "%s" evaluation failed: timeout after %dms',
                                                   rng.pick(flags), rng.between(200, 900))),
            ("checkout", "DEBUG", 800, lambda: msg("cart cache refresh: %d carts", rng.between(10, 90))),
            ("checkout", "INFO", 60, lambda: msg("outbox flushed %d order events", rng.between(1, 30))),
            ("checkout", "WARN", 4, lambda: msg("order event publish retried (broker busy)")),
            ("checkout", "ERROR", 1, lambda: msg("idempotency key %s reused with a different payload",
                                                 self._uuid())),
            ("payments-api", "DEBUG", 360, lambda: msg("gateway keepalive ok in %d ms", rng.between(20, 90))),
            ("payments-api", "INFO", 12, lambda: msg("settlement batch %s closed", self._hex(3))),
            ("payments-api", "WARN", 3, lambda: msg("GC pause %d ms (G1 Evacuation Pause)", rng.between(180, 450))),
            ("payments-api", "ERROR", 1, lambda: msg("provider callback https://api.gateway.example/v1/charges/ch_%s returned 404",
                                                     self._hex(8))),
            ("shipping", "DEBUG", 200, lambda: msg("carrier rate table refreshed (%d lanes)", rng.between(200, 260))),
            ("shipping", "INFO", 30, lambda: msg("tracking updates pulled: %d", rng.between(0, 80))),
            ("shipping", "ERROR", 0.5, lambda: msg("label upload to carrier sftp 10.%d.%d.%d:22 failed after %.1fs",
                                                   rng.between(0, 255), rng.between(0, 255), rng.between(1, 254),
                                                   rng.uniform(5, 30))),
            ("email", "DEBUG", 300, lambda: msg("smtp pool: %d idle, %d busy", rng.between(1, 8), rng.between(0, 4))),
            ("email", "INFO", 20, lambda: msg("digest batch sent (%d recipients)", rng.between(5, 60))),
            ("email", "ERROR", 1.5, lambda: msg("delivery to %s@example.org failed: 451 4.7.1 greylisted by 203.0.113.%d",
                                                rng.pick(names), rng.between(1, 254))),
        ]
        for service, level, per_hour, text in streams:
            mean = 3600 * NS / per_hour
            t = START + int(rng.exponential(mean))
            while t < NOW:
                self._log(t, service, level, text(), {})
                t += max(1, int(rng.exponential(mean)))

        for b in BURSTS:
            t = b["start"] + int(rng.uniform(0, 2) * NS)
            while t < b["end"]:
                if b["service"] == "payments-api":
                    text = msg("gateway health probe failed: read timeout after 1500 ms (api.gateway.example)")
                    every = 20
                else:
                    text = msg("database pool exhausted: %d requests waiting for a connection", rng.between(20, 90))
                    every = 1
                self._log(t, b["service"], "ERROR", text, {"error.type": "timeout"})
                t += int(rng.uniform(0.5, 1.5) * every * NS)

        for t, service, text in FATALS:
            self._log(t, service, "FATAL", msg(text), {})
            self._log(t + 14 * NS + 300 * MS, service, "INFO",
                      msg("%s %s starting", service, SERVICES[service]["version"]), {})

    def _uuid(self):
        h = self.rng.hex_id(16)
        return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:])

    # -- the whole day ---------------------------------------------------------
    def build(self):
        rng = self.rng
        slow = sorted(SLOW_TRACES)
        t = START + int(rng.exponential(MEAN_ARRIVAL_S * NS))
        while t < NOW - 30 * NS:
            while slow and slow[0][0] <= t:
                when, flow, leaf, ns = slow.pop(0)
                self._trace(when, flow, (leaf, ns))
            flow = rng.weighted([("checkout", 25), ("product", 45), ("cart", 20), ("provider_event", 10)])
            self._trace(t, flow)
            t += int(rng.exponential(MEAN_ARRIVAL_S * NS))
        self._background()
        self._unique_log_times()
        self.spans.sort(key=lambda s: (s["start"], s["span_id"]))
        return self

    def _unique_log_times(self):
        """Every log gets its own millisecond, so any sort on time is total."""
        self.logs.sort(key=lambda l: (l["ts"], l["service"], l["body"]))
        last_ms = -1
        for log in self.logs:
            ms = log["ts"] // MS
            if ms <= last_ms:
                ms = last_ms + 1
                log["ts"] = ms * MS + log["ts"] % MS
            last_ms = ms
        assert self.logs[-1]["ts"] < NOW
