"""The story the sample data tells, as plain span and log records.

Six services of a small shop, six hours ending at NOW:

    frontend -> checkout -> inventory, payments-api (gRPC), shipping (gRPC), email
    frontend -> inventory            (product pages)
    frontend -> checkout             (cart)
    payments-api                     (provider webhooks: its own root spans)

Things a test can rely on (the manifest states the numbers):
- error bursts: payments-api gateway timeouts 08:40-08:50 and 11:30-11:36,
  inventory's database pool exhausted 10:05-10:08;
- two FATAL logs (email at 07:45, shipping at 09:12);
- five traces much slower than all others, the slowest at 09:52 (7.8 s in
  payments-api's gateway call), the slowest of the last hour at 11:41;
- inventory logs a TRACE line every second, so it alone has > 10,000 logs.

Records are layout-free: span = dict(trace_id, span_id, parent_id, service,
name, kind, start, end, status, status_message, attributes, events);
log = dict(ts, service, level, body, trace_id, span_id, attributes).
Times are integer nanoseconds.
"""
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
                         scope="io.opentelemetry.grpc-1.6", scope_version="2.11.0-alpha"),
    "inventory": dict(version="0.9.12", language="python", sdk="1.29.0",
                      instance="inventory-84f6d9c7b-p4hxn", host="node-b2",
                      scope="opentelemetry.instrumentation.flask", scope_version="0.50b0"),
    "shipping": dict(version="2.3.1", language="go", sdk="1.33.0",
                     instance="shipping-7f5c9d8b4-w8r6t", host="node-c1",
                     scope="go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
                     scope_version="0.58.0"),
    "email": dict(version="1.4.0", language="ruby", sdk="1.4.0",
                  instance="email-59d7c6f8b-zz3cq", host="node-c2",
                  scope="OpenTelemetry::Instrumentation::Sinatra", scope_version="0.24.0"),
}


def at(clock, ms=0):
    """'HH:MM:SS' on the sample day -> ns"""
    return parse_utc("2026-11-26T%sZ" % clock) + ms * MS


BURSTS = [
    dict(service="payments-api", start=at("08:40:00"), end=at("08:50:00"),
         cause="payment gateway timeouts"),
    dict(service="inventory", start=at("10:05:00"), end=at("10:08:00"),
         cause="database connection pool exhausted"),
    dict(service="payments-api", start=at("11:30:00"), end=at("11:36:00"),
         cause="payment gateway timeouts"),
]

# (when, flow, which leaf is slow, how slow): the only traces over 2 s.
SLOW_TRACES = [
    (at("07:20:44", 100), "product", "db", 3200 * MS),
    (at("08:12:09", 900), "cart", "redis", 2600 * MS),
    (at("09:52:17", 250), "checkout", "gateway", 7800 * MS),
    (at("10:31:12", 700), "webhook", "db", 4400 * MS),
    (at("11:41:03", 500), "checkout", "shipping", 5900 * MS),
]

FATALS = [
    (at("07:45:02", 118), "email",
     "fatal: SMTP relay configuration invalid (smtp.relay.host is empty); exiting"),
    (at("09:12:07", 431), "shipping",
     "fatal error: runtime: out of memory allocating rate table (limit 512MiB); exiting"),
]

GATEWAY_TIMEOUT = 1500 * MS


def burst_for(service, t):
    for b in BURSTS:
        if b["service"] == service and b["start"] <= t < b["end"]:
            return b
    return None


class _Node:
    """A span before it has times: children run one after another."""

    def __init__(self, service, name, kind, pre, post=0, children=(), attributes=None,
                 status="Unset", status_message="", logs=(), error=None):
        self.service, self.name, self.kind = service, name, kind
        self.pre, self.post, self.children = pre, post, list(children)
        self.attributes = attributes or {}
        self.status, self.status_message = status, status_message
        self.logs = list(logs)      # (level, body, attributes, position 0..1)
        self.error = error          # (exception.type, exception.message)
        self.access = None          # (method, route, status): frontend access line


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
        for level, body, attrs, pos in node.logs:
            ts = start + int(pos * (end - start))
            self._log(ts, node.service, level, body, attrs, trace_id, span_id)
        return end

    def _log(self, ts, service, level, body, attributes=None, trace_id="", span_id=""):
        self.logs.append(dict(ts=ts, service=service, level=level, body=body,
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

    def _http_client(self, service, method, peer, path, status, server):
        return _Node(service, method, "Client", self._net(), self._net(), [server],
                     {"http.request.method": method, "server.address": peer,
                      "server.port": 8080, "url.full": "http://%s:8080%s" % (peer, path),
                      "http.response.status_code": status},
                     status="Error" if status >= 500 else "Unset")

    @staticmethod
    def _rpc_attrs(rpc_service, method, code):
        return {"rpc.system": "grpc", "rpc.service": rpc_service, "rpc.method": method,
                "rpc.grpc.status_code": code}

    def _rpc_pair(self, caller, callee, rpc_service, method, code, message, server_children,
                  server_logs=(), ok_status="Unset", pre=0, post=0, error=None):
        name = "%s/%s" % (rpc_service, method)
        failed = code != 0
        server = _Node(callee, name, "Server", pre or self._overhead(), post or self._overhead(),
                       server_children, self._rpc_attrs(rpc_service, method, code),
                       status="Error" if failed else ok_status,
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

    # -- flows -----------------------------------------------------------------
    def _checkout(self, t, slow=None):
        rng = self.rng
        sku = "SKU-%04d" % rng.between(1, 2400)
        qty = rng.between(1, 4)
        order = "ord-" + rng.hex_id(4)
        amount = round(rng.uniform(9.0, 480.0), 2)
        items = rng.between(1, 6)
        fail = None
        if not slow:
            pay_burst = burst_for("payments-api", t)
            inv_burst = burst_for("inventory", t)
            if inv_burst and rng.chance(0.7):
                fail = "inventory"
            elif pay_burst and rng.chance(0.6):
                fail = "payment"
            elif rng.chance(0.004):
                fail = rng.pick(["inventory", "payment"])
        slow_leaf, slow_ns = slow or (None, 0)

        # inventory: reserve stock
        if fail == "inventory":
            msg = "QueuePool limit of size 20 overflow 10 reached, connection timed out, timeout 0.25"
            db = self._db("inventory", "postgresql", "SELECT inventory.stock", "SELECT",
                          "SELECT qty FROM stock WHERE sku = %s FOR UPDATE",
                          250 * MS + rng.between(0, 4000) * US, failed=True, message=msg)
            inv = self._http_server("inventory", "GET", "/stock/{sku}", "/stock/" + sku, 500, [db],
                                    self._overhead(), self._overhead(),
                                    logs=[("ERROR", "stock lookup failed for %s: %s" % (sku, msg),
                                           {"sku": sku}, 0.97)])
        else:
            db = self._db("inventory", "postgresql", "SELECT inventory.stock", "SELECT",
                          "SELECT qty FROM stock WHERE sku = %s FOR UPDATE", self._dur(4))
            inv = self._http_server("inventory", "GET", "/stock/{sku}", "/stock/" + sku, 200, [db],
                                    self._overhead(), self._overhead(),
                                    logs=[("DEBUG", "reserved %d x %s" % (qty, sku),
                                           {"sku": sku, "quantity": qty}, 0.9)])
        calls = [self._http_client("checkout", "GET", "inventory", "/stock/" + sku,
                                   500 if fail == "inventory" else 200, inv)]

        # payments-api: charge the card through the external gateway
        if fail != "inventory":
            if fail == "payment":
                gw = _Node("payments-api", "POST", "Client", GATEWAY_TIMEOUT + rng.between(0, 9000) * US,
                           0, (), {"http.request.method": "POST", "server.address": "api.gateway.example",
                                   "server.port": 443, "url.full": "https://api.gateway.example/v1/charges",
                                   "error.type": "timeout"},
                           status="Error", status_message="context deadline exceeded",
                           error=("java.net.SocketTimeoutException", "Read timed out after 1500 ms"))
                pay = self._rpc_pair(
                    "checkout", "payments-api", "payments.PaymentService", "Charge", 14,
                    "gateway timeout", [gw],
                    server_logs=[("ERROR", "charge failed for %s: payment gateway timeout after 1500 ms"
                                  % order, {"order.id": order, "payment.amount": amount}, 0.98)],
                    error=("io.grpc.StatusRuntimeException", "UNAVAILABLE: gateway timeout"))
            else:
                gw_ns = slow_ns if slow_leaf == "gateway" else self._dur(90, 0.45)
                gw = _Node("payments-api", "POST", "Client", gw_ns, 0, (),
                           {"http.request.method": "POST", "server.address": "api.gateway.example",
                            "server.port": 443, "url.full": "https://api.gateway.example/v1/charges",
                            "http.response.status_code": 200})
                pay = self._rpc_pair(
                    "checkout", "payments-api", "payments.PaymentService", "Charge", 0, "", [gw],
                    server_logs=[("INFO", "charge authorized for %s: %.2f EUR" % (order, amount),
                                  {"order.id": order, "payment.amount": amount}, 0.95)],
                    ok_status="Ok")
            calls.append(pay)

        if fail is None:
            ship_ns = slow_ns if slow_leaf == "shipping" else self._dur(18)
            carrier = rng.pick(["dhl", "ups", "gls"])
            calls.append(self._rpc_pair(
                "checkout", "shipping", "shipping.ShippingService", "Quote", 0, "", [],
                server_logs=[("INFO", "quote %s for %d items: %.2f EUR" % (carrier, items, rng.uniform(4, 30)),
                              {"shipping.carrier": carrier}, 0.9)],
                pre=ship_ns))
            mail = self._http_server("email", "POST", "/send", "/send", 200, [], self._dur(12),
                                     self._overhead(),
                                     logs=[("INFO", "order confirmation for %s queued" % order,
                                            {"order.id": order}, 0.8)])
            calls.append(self._http_client("checkout", "POST", "email", "/send", 200, mail))

        if fail is None:
            co_logs = [("DEBUG", "cart loaded: %d items" % items, {"cart.items": items}, 0.02),
                       ("INFO", "order %s placed: %.2f EUR" % (order, amount),
                        {"order.id": order, "payment.amount": amount}, 0.98)]
            co_status, fe_status = 200, 200
        else:
            why = "payment failed" if fail == "payment" else "stock reservation failed"
            co_logs = [("DEBUG", "cart loaded: %d items" % items, {"cart.items": items}, 0.02),
                       ("WARN", "%s for order %s, not retrying" % (why, order), {"order.id": order}, 0.96),
                       ("ERROR", "checkout of %s failed: %s" % (order, why), {"order.id": order}, 0.99)]
            co_status, fe_status = 500, 502
        co = self._http_server("checkout", "POST", "/checkout", "/checkout", co_status, calls,
                               self._overhead(), self._overhead(), logs=co_logs,
                               error=("CheckoutError", "checkout failed") if fail else None)
        fe_client = self._http_client("frontend", "POST", "checkout", "/checkout", co_status, co)
        return self._frontend_root("POST", "/api/checkout", "/api/checkout", fe_status, fe_client)

    def _frontend_root(self, method, route, path, status, child):
        root = self._http_server("frontend", method, route, path, status, [child],
                                 self._overhead(), self._overhead())
        root.access = (method, route, status)   # logged once the duration is known
        return root

    def _product(self, t, slow=None):
        rng = self.rng
        pid = rng.between(1, 2400)
        failed = False
        if not slow:
            failed = (burst_for("inventory", t) and rng.chance(0.7)) or rng.chance(0.003)
        if failed:
            msg = "QueuePool limit of size 20 overflow 10 reached, connection timed out, timeout 0.25"
            db = self._db("inventory", "postgresql", "SELECT inventory.products", "SELECT",
                          "SELECT * FROM products WHERE id = %s", 250 * MS + rng.between(0, 4000) * US,
                          failed=True, message=msg)
            logs = [("ERROR", "product %d lookup failed: %s" % (pid, msg), {"product.id": pid}, 0.97)]
        else:
            ns = slow[1] if slow else self._dur(3)
            db = self._db("inventory", "postgresql", "SELECT inventory.products", "SELECT",
                          "SELECT * FROM products WHERE id = %s", ns)
            logs = [("DEBUG", "product %d served from database" % pid, {"product.id": pid}, 0.9)]
        status = 500 if failed else 200
        inv = self._http_server("inventory", "GET", "/products/{id}", "/products/%d" % pid, status,
                                [db], self._overhead(), self._overhead(), logs=logs)
        client = self._http_client("frontend", "GET", "inventory", "/products/%d" % pid, status, inv)
        return self._frontend_root("GET", "/api/products/{id}", "/api/products/%d" % pid,
                                   502 if failed else 200, client)

    def _cart(self, t, slow=None):
        rng = self.rng
        items = rng.between(0, 6)
        ns = slow[1] if slow else self._dur(0.8, 0.4)
        redis = _Node("checkout", "HGETALL", "Client", ns, 0, (),
                      {"db.system": "redis", "db.operation": "HGETALL",
                       "db.statement": "HGETALL cart:?", "server.address": "redis"})
        co = self._http_server("checkout", "GET", "/cart", "/cart", 200, [redis],
                               self._overhead(), self._overhead(),
                               logs=[("DEBUG", "cart fetched: %d items" % items, {"cart.items": items}, 0.9)])
        client = self._http_client("frontend", "GET", "checkout", "/cart", 200, co)
        return self._frontend_root("GET", "/api/cart", "/api/cart", 200, client)

    def _webhook(self, t, slow=None):
        rng = self.rng
        event = rng.pick(["charge.succeeded", "charge.refunded", "payout.paid"])
        ns = slow[1] if slow else self._dur(6)
        verify = _Node("payments-api", "verify-signature", "Internal", self.rng.between(200, 900) * US)
        db = self._db("payments-api", "postgresql", "UPDATE payments.charges", "UPDATE",
                      "UPDATE charges SET state = ? WHERE provider_id = ?", ns)
        return self._http_server("payments-api", "POST", "/webhooks/provider", "/webhooks/provider",
                                 200, [verify, db], self._overhead(), self._overhead(),
                                 logs=[("INFO", "webhook %s processed" % event,
                                        {"webhook.event": event}, 0.97)])

    FLOWS = {"checkout": _checkout, "product": _product, "cart": _cart, "webhook": _webhook}

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
        if node.access:
            method, route, status = node.access
            ms = (span["end"] - span["start"]) / MS
            if status >= 500:
                level, body = "ERROR", "%s %s -> %d after %.1f ms: upstream failed" % (method, span["attributes"]["url.path"], status, ms)
            elif ms > 1000:
                level, body = "WARN", "slow request: %s %s -> %d took %.1f ms" % (method, span["attributes"]["url.path"], status, ms)
            else:
                level, body = "INFO", "%s %s -> %d in %.1f ms" % (method, span["attributes"]["url.path"], status, ms)
            self._log(span["end"] - self.rng.between(5, 40) * US, "frontend", level, body,
                      {"http.request.method": method, "http.route": route,
                       "http.response.status_code": status},
                      span["trace_id"], span["span_id"])

    # -- logs without a trace --------------------------------------------------
    def _background(self):
        rng = self.rng
        streams = [
            # service, level, per hour, body
            ("inventory", "TRACE", 3600, lambda: ("cache lookup sku=SKU-%04d hit=%s" % (
                rng.between(1, 2400), rng.pick(["true", "true", "true", "false"])), {})),
            ("inventory", "DEBUG", 600, lambda: ("stock sync batch applied: %d rows" % rng.between(5, 400), {})),
            ("inventory", "INFO", 12, lambda: ("reindexed product search (%d products)" % rng.between(2300, 2400), {})),
            ("frontend", "TRACE", 400, lambda: ("session %s refreshed" % rng.hex_id(6), {})),
            ("frontend", "DEBUG", 800, lambda: ("static asset served from cache: /assets/app.%s.js" % rng.hex_id(4), {})),
            ("frontend", "INFO", 240, lambda: ("GET /healthz -> 200", {"http.route": "/healthz"})),
            ("frontend", "WARN", 6, lambda: ("event loop lag %d ms" % rng.between(120, 600), {})),
            ("frontend", "ERROR", 2, lambda: ("unhandled promise rejection: ECONNRESET from analytics beacon", {})),
            ("checkout", "DEBUG", 800, lambda: ("cart cache refresh: %d carts" % rng.between(10, 90), {})),
            ("checkout", "INFO", 60, lambda: ("outbox flushed %d order events" % rng.between(1, 30), {})),
            ("checkout", "WARN", 4, lambda: ("order event publish retried (broker busy)", {})),
            ("payments-api", "DEBUG", 360, lambda: ("gateway keepalive ok in %d ms" % rng.between(20, 90), {})),
            ("payments-api", "INFO", 12, lambda: ("settlement batch %s closed" % rng.hex_id(3), {})),
            ("payments-api", "WARN", 3, lambda: ("GC pause %d ms (G1 Evacuation Pause)" % rng.between(180, 450), {})),
            ("shipping", "DEBUG", 200, lambda: ("carrier rate table refreshed (%d lanes)" % rng.between(200, 260), {})),
            ("shipping", "INFO", 30, lambda: ("tracking updates pulled: %d" % rng.between(0, 80), {})),
            ("email", "DEBUG", 300, lambda: ("smtp pool: %d idle, %d busy" % (rng.between(1, 8), rng.between(0, 4)), {})),
            ("email", "INFO", 20, lambda: ("digest batch sent (%d recipients)" % rng.between(5, 60), {})),
        ]
        for service, level, per_hour, body in streams:
            mean = 3600 * NS / per_hour
            t = START + int(rng.exponential(mean))
            while t < NOW:
                text, attrs = body()
                self._log(t, service, level, text, attrs)
                t += max(1, int(rng.exponential(mean)))

        for b in BURSTS:
            t = b["start"] + int(rng.uniform(0, 2) * NS)
            while t < b["end"]:
                if b["service"] == "payments-api":
                    text = "gateway health probe failed: read timeout after 1500 ms (api.gateway.example)"
                    every = 3
                else:
                    text = "database pool exhausted: %d requests waiting for a connection" % rng.between(20, 90)
                    every = 1
                self._log(t, b["service"], "ERROR", text, {"error.type": "timeout"})
                t += int(rng.uniform(0.5, 1.5) * every * NS)

        for t, service, text in FATALS:
            self._log(t, service, "FATAL", text, {})
            self._log(t + 14 * NS + 300 * MS, service, "INFO",
                      "%s %s starting" % (service, SERVICES[service]["version"]), {})

    # -- the whole day ---------------------------------------------------------
    def build(self):
        rng = self.rng
        slow = sorted(SLOW_TRACES)
        t = START + int(rng.exponential(8 * NS))
        while t < NOW - 30 * NS:
            while slow and slow[0][0] <= t:
                when, flow, leaf, ns = slow.pop(0)
                self._trace(when, flow, (leaf, ns))
            flow = rng.weighted([("checkout", 30), ("product", 45), ("cart", 15), ("webhook", 10)])
            self._trace(t, flow)
            t += int(rng.exponential(8 * NS))
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
