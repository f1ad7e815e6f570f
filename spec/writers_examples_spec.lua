-- examples/ loaded into the real programs (scripts/build-writers builds
-- them): the Collector validates the product document's config as
-- corrected, and refuses the document's own; Jaeger v2 validates its
-- OpenSearch config.  The contrib opensearch exporter cannot be built here:
-- its block is swapped for the otlphttp stand-in before validating (the
-- rest of the file is validated as written).  The Python example runs in
-- spec/writers_spec.lua (the sample shop is built on it); the Prometheus
-- examples are the configs the stack's Prometheus 3 instances run.
local helpers = require "helpers"

local q = helpers.shell_quote

-- The product document's Collector configuration, as given (seed/otel-backend.md).
local DOCUMENT_CONFIG = [[
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
      http:
        endpoint: 0.0.0.0:4318
processors:
  batch:
  resource:
    attributes:
      - key: service.name
        action: upsert
exporters:
  opensearch:
    http:
      endpoint: http://opensearch:9200
    logs_index: otel-logs
    traces_index: otel-traces
  prometheusremotewrite:
    endpoint: http://prometheus:9090/api/v1/write
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [batch, resource]
      exporters: [opensearch]
    traces:
      receivers: [otlp]
      processors: [batch, resource]
      exporters: [opensearch]
    metrics:
      receivers: [otlp]
      processors: [batch]
      exporters: [prometheusremotewrite]
]]

local function binary(name)
  local out, err, status = helpers.run(q(helpers.root .. "/scripts/build-writers") .. " --path " .. name)
  assert(status == 0, name .. " is not built (make writers): " .. err)
  return (out:gsub("%s+$", ""))
end

-- The opensearch exporter block (two-space key `opensearch:` and its deeper
-- lines) becomes the otlphttp stand-in; pipelines name the stand-in.
local function without_opensearch_exporter(text)
  local out, skipping = {}, false
  for line in (text .. "\n"):gmatch("(.-)\n") do
    if line:match("^  opensearch:%s*$") then
      skipping = true
      out[#out + 1] = "  otlp_http/opensearch-stand-in:\n    endpoint: http://127.0.0.1:4350\n    encoding: json"
    elseif skipping and (line:match("^   ") or line == "" or line:match("^%s*#")) then
      -- inside the dropped block
    else
      skipping = false
      out[#out + 1] = (line:gsub("%[opensearch%]", "[otlp_http/opensearch-stand-in]"))
    end
  end
  return table.concat(out, "\n") .. "\n"
end

local function validate(bin, files, env)
  local args = { q(bin), "validate" }
  for _, f in ipairs(files) do args[#args + 1] = "--config " .. q(f) end
  return helpers.run("timeout 60 " .. table.concat(args, " "), { env = env })
end

describe("examples/ in the real programs", function()
  local otelcol

  setup(function() otelcol = binary("otelcol") end)

  it("the Collector refuses the product document's config: the resource action has no value", function()
    local path = helpers.write_temp(without_opensearch_exporter(DOCUMENT_CONFIG), ".yaml")
    local _, err, status = validate(otelcol, { path })
    os.remove(path)
    assert.is_not.equal(0, status)
    assert.matches('error creating AttrProc. Either field "value"', err, 1, true)
  end)

  it("the Collector validates examples/collector/otel-collector.yaml (opensearch exporter swapped)", function()
    local text = assert(helpers.read_file(helpers.root .. "/examples/collector/otel-collector.yaml"))
    assert.matches("\n  opensearch:\n", text, 1, true)
    local swapped = without_opensearch_exporter(text)
    assert.is_nil(swapped:find("opensearch:", 1, true), "the exporter block is gone")
    local path = helpers.write_temp(swapped, ".yaml")
    local out, err, status = validate(otelcol, { path })
    os.remove(path)
    assert.equal(0, status, out .. err)
  end)

  it("the Collector validates the stack's config with and without the Jaeger overlay", function()
    local dir = helpers.root .. "/examples/collector/"
    local _, err, status = validate(otelcol, { dir .. "stack.yaml" })
    assert.equal(0, status, err)
    _, err, status = validate(otelcol, { dir .. "stack.yaml", dir .. "to-jaeger.yaml" })
    assert.equal(0, status, err)
  end)

  it("Jaeger v2 validates examples/jaeger/config-opensearch.yaml", function()
    local _, err, status = validate(binary("jaeger"), { helpers.root .. "/examples/jaeger/config-opensearch.yaml" })
    assert.equal(0, status, err)
  end)
end)
