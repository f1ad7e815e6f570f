-- The route handlers: each takes the checked parameters (and the path
-- capture) and returns the table to encode, or nil, err.  The shapes:
--   logs, traces, metrics/query   {"rows": [...], "meta": {...}}
--   traces/{id}                   {"trace": {...}, "meta": {...}}
--   metrics/range, recipes, scripts  {"result": ..., "meta": {...}}
-- meta is exactly what the Lua API returns (what was asked of the backend).
local core = require "tinkr.core"
local errors = require "tinkr.errors"

local json = core.json
local _M = { _VERSION = "0.1.0" }

local function tinkr() return require "tinkr" end
local function metrics() return require "tinkr.metrics" end

local function rows_answer(rows, meta)
  if not rows then return nil, meta end
  return { rows = json.array(rows), meta = meta }
end

-- limit=0: every match, streamed as NDJSON while it is fetched (one row
-- per line, as `tinkr logs --format ndjson`).  Headers go out with the
-- first page, so a failure before it is still a JSON error with a status;
-- a failure after it ends the body with an {"error":...} line and a
-- truncated transfer.
local function export_logs(p, ctx)
  local stream = ctx.stream
  local started = false
  local function begin()
    if not started then
      started = true
      stream.begin("application/x-ndjson")
    end
  end
  local q = {}
  for k, v in pairs(p) do q[k] = v end
  q.ndjson = function(text)
    begin()
    local ok, err = stream.write(text)
    if not ok then error(errors.new("interrupted", err), 0) end
  end
  local ok, rows, meta = pcall(tinkr().logs, q)
  if ok and rows then
    begin()
    return { streamed = true }
  end
  local err = ok and meta or rows
  if not started then
    if ok then return nil, err end
    error(err, 0)
  end
  if not (errors.is_error(err) and err.code == "interrupted") then
    local msg = errors.is_error(err) and err or errors.new("internal", tostring(err))
    stream.write(json.encode{ error = { code = msg.code, message = tostring(msg.message) } } .. "\n")
  end
  return nil, errors.is_error(err) and err or errors.new("internal", tostring(err))
end

-- The rows of a logs answer as JSON text straight from the search
-- response: tinkr.logs' ndjson path (C writes each hit from the raw text
-- of its values, timestamps normalised), its lines joined into an array.
-- The same rows as encoding tinkr.logs' Lua rows, without building them
-- (spec/server_spec.lua compares the two on every sample layout).
local function logs_text(p)
  local pages = {}
  local q = {}
  for k, v in pairs(p) do q[k] = v end
  q.ndjson = function(text) pages[#pages + 1] = text end
  local rows, meta = tinkr().logs(q)
  if not rows then return nil, meta end
  -- One line per hit, each ending in "\n" (a JSON line holds no raw
  -- newline).  Cut with a plain find: gsub would try a match at every byte.
  local items, find, sub = {}, string.find, string.sub
  for _, text in ipairs(pages) do
    local pos = 1
    while true do
      local nl = find(text, "\n", pos, true)
      if not nl then break end
      items[#items + 1] = sub(text, pos, nl - 1)
      pos = nl + 1
    end
  end
  return { rows_json = "[" .. table.concat(items, ",") .. "]", meta = meta }
end

function _M.logs(p, _, ctx)
  if p.limit == 0 and ctx and ctx.stream then return export_logs(p, ctx) end
  -- With fields=, Lua rows keep the layout's own fields beside the chosen
  -- ones and the ndjson path writes only the chosen: the Lua rows answer.
  if p.fields ~= nil then return rows_answer(tinkr().logs(p)) end
  return logs_text(p)
end

function _M.traces(p) return rows_answer(tinkr().traces(p)) end

-- A span tree as JSON: spans once each, in depth-first order, with depth
-- and parent_span_id; roots as ids (the Lua value nests children, which
-- would repeat every span under each of its ancestors).
local function flat_trace(t)
  local spans, roots = {}, {}
  for i, s in ipairs(t.spans) do
    local c = {}
    for k, v in pairs(s) do c[k] = v end
    c.children = nil
    spans[i] = c
  end
  for i, r in ipairs(t.roots) do roots[i] = r.span_id end
  local out = {}
  for k, v in pairs(t) do out[k] = v end
  out.spans, out.roots = json.array(spans), json.array(roots)
  out.logs = json.array(t.logs or {})
  out.services = json.array(t.services or {})
  return out
end

function _M.trace(p, id)
  local t, meta = tinkr().trace(id, p)
  if not t then return nil, meta end
  return { trace = flat_trace(t), meta = meta }
end

function _M.metrics_query(p)
  return rows_answer(metrics().query(p.query, { time = p.time }))
end

local function result_answer(result, meta)
  if not result then return nil, meta end
  return { result = json.array(result), meta = meta }
end

function _M.metrics_range(p)
  return result_answer(metrics().range(p.query, { since = p.since, from = p.from, to = p.to, step = p.step }))
end

function _M.recipe(p, name)
  return result_answer(metrics().recipe(name, p))
end

--- GET /readyz: both backends answer (OpenSearch GET /, Prometheus
--- buildinfo), checked at once with a short timeout.  The answer says
--- which one failed; the caller turns failure into 503.
function _M.readyz(_, _, ctx)
  local config = require "tinkr.config"
  local cur = config.get()
  local overrides = {}
  for k, v in pairs(cur.overrides) do overrides[k] = v end
  overrides.timeout, overrides.connect_timeout = ctx.readyz_timeout, ctx.readyz_timeout
  local quick = config.new{ overrides = overrides, profile = cur.profile, profile_name = cur.profile_name }

  local results = require("tinkr.parallel").run{
    opensearch = function()
      local client, err = require("tinkr.opensearch").new(quick)
      if not client then return nil, err end
      local info
      info, err = client:json("GET", "/")
      if not info then return nil, err end
      return { version = type(info.version) == "table" and info.version.number or nil }
    end,
    prometheus = function()
      local version, err = metrics().new(quick):buildinfo()
      if not version then return nil, err end
      return { version = version }
    end,
  }
  local checks, failed = {}, {}
  for _, name in ipairs{ "opensearch", "prometheus" } do
    local ok, err = results[name][1], results[name][2]
    if ok then
      checks[name] = { ok = true, version = ok.version }
    else
      checks[name] = { ok = false, error = { code = err.code, message = tostring(err.message) } }
      failed[#failed + 1] = name
    end
  end
  if #failed > 0 then
    return nil, errors.new("unavailable", ("not ready: %s unreachable"):format(table.concat(failed, " and ")),
      { checks = checks, first_error = results[failed[1]][2] })
  end
  return { status = "ready", checks = checks }
end

-- POST /mcp: one MCP message (JSON-RPC 2.0) in, its answer out, as
-- Streamable HTTP with JSON answers: 200 and the response, 202 and no
-- body for a notification, 400 for a body that is not JSON.  Nothing is
-- kept between requests (no session id).
function _M.mcp(_, _, ctx)
  local mcp = require "tinkr.mcp"
  local reply, bad = mcp.handle_text(ctx.body or "")
  if reply == nil then return { http_status = 202, http_body = "" } end
  if ctx.max_response and #reply > ctx.max_response then
    local msg = json.decode(reply)
    reply = json.encode(mcp.error_response(type(msg) == "table" and msg.id or nil, "internal",
      ("the answer is %d bytes, over the server's limit of %d: ask for fewer rows (limit) or fields"):format(
        #reply, ctx.max_response)))
  end
  return { http_status = bad and 400 or 200, http_body = reply }
end

function _M.script(_, name, ctx)
  local scripts = require "tinkr.server.scripts"
  local params, err = scripts.params(ctx.body)
  if not params then return nil, err end
  local result, meta = scripts.run(name, params, ctx.script_limits, ctx.log)
  if meta == nil or errors.is_error(meta) then return nil, meta end
  if result == nil then result = json.null end
  local encodable, why = pcall(json.encode, result)
  if not encodable then
    return nil, errors.new("script_error", ("script '%s' returned a value JSON cannot hold: %s"):format(name, tostring(why)))
  end
  return { result = result, meta = meta }
end

return _M
