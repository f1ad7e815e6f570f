"""The MCP specs' client: the official `mcp` Python SDK (PyPI), run from the
venv scripts/mcp-client-venv makes.  Connects to tinkr over one transport,
lists the tools, checks each input schema with jsonschema, calls each tool
with the arguments given, and prints one JSON report on stdout.

usage: mcp_client.py stdio|http TARGET MODE CALLS_JSON [TOKEN]
  TARGET  stdio: the tinkr binary; http: the /mcp URL
  MODE    auto (the SDK's default: 2026-07-28 if the server has it) or legacy
  CALLS   [[tool, {arguments}], ...]"""
import asyncio, json, os, sys, traceback

import jsonschema
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

transport_kind, target, mode, calls_json = sys.argv[1:5]
token = sys.argv[5] if len(sys.argv) > 5 else None
calls = json.loads(calls_json)


def dump(x):
    return x.model_dump(by_alias=True, mode="json", exclude_none=True)


async def main():
    report = {"ok": False}
    if transport_kind == "stdio":
        server = StdioServerParameters(command=target, args=["mcp"], env=dict(os.environ))
    else:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        server = streamable_http_client(target, http_client=create_mcp_http_client(headers=headers))
    try:
        async with Client(server, mode=mode) as client:
            session = client.session
            report["protocol_version"] = getattr(session, "negotiated_version", None) or getattr(session, "_negotiated_version", None)
            tools = await client.list_tools()
            report["tools"] = {}
            for t in tools.tools:
                schema = t.input_schema if hasattr(t, "input_schema") else t.inputSchema
                jsonschema.Draft202012Validator.check_schema(schema)
                report["tools"][t.name] = {"schema": schema, "description": t.description}
            report["calls"] = []
            for name, args in calls:
                entry = {"tool": name, "arguments": args}
                try:
                    schema = report["tools"].get(name, {}).get("schema")
                    if schema is not None:
                        errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(args)]
                        entry["schema_errors"] = errors
                    r = await client.call_tool(name, args)
                    d = dump(r)
                    entry["is_error"] = d.get("isError", False)
                    entry["structured"] = d.get("structuredContent")
                    entry["text"] = "".join(c.get("text", "") for c in d.get("content", []))
                except Exception as e:  # a protocol error (MCPError) is part of the report
                    entry["exception"] = type(e).__name__
                    entry["message"] = str(e)
                    entry["code"] = getattr(getattr(e, "error", None), "code", None)
                report["calls"].append(entry)
            report["ok"] = True
    except BaseException as e:  # connect / auth failures
        inner = e
        while isinstance(inner, BaseExceptionGroup) and inner.exceptions:
            inner = inner.exceptions[0]
        report["exception"] = type(inner).__name__
        report["message"] = str(inner)
        report["code"] = getattr(getattr(inner, "error", None), "code", None)
        report["traceback"] = traceback.format_exc()[-1500:]
    print(json.dumps(report))


asyncio.run(main())
