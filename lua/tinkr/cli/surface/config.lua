-- What tinkr-config(5) says about the configuration file and the editable
-- queries.  The profile keys come from tinkr.config.SETTINGS and the lists
-- of built-in files from the tree (tools/manpage.lua), so neither can drift.
return {
  name = "tinkr-config",
  summary = "the configuration file and the editable queries of tinkr",
  description = [[
tinkr reads its profiles from one TOML file, and every question it asks a
backend from Lua files under queries/ that a user may copy and edit. Both are
shared by tinkr(1), tinkr-server(8) and the Lua API.]],
  location = {
    "--config FILE (tinkr and tinkr-server's --profile users alike)",
    "else TINKR_CONFIG",
    "else $XDG_CONFIG_HOME/tinkr/config.toml (~/.config/tinkr/config.toml)",
  },
  location_note = [[
A missing file at the default location is fine as long as no profile is asked
for. A file named by --config or TINKR_CONFIG must exist. An unknown key, a value
of the wrong type or a default_profile that names no profile is an error naming
the file, the profile and the key.]],
  selection = [[
The profile is --profile NAME, else TINKR_PROFILE, else the file's
default_profile, else none (environment variables and defaults only). For each
setting the first of these wins: a flag (--layout, --now), the selected profile,
the environment variable, the default.]],
  env_reference = [[
Any value may be written "env:VAR": it is read from the environment when the
setting is used, and an unset VAR is an error naming VAR and the profile. Keep
secrets out of the file this way.]],
  example = [[
default_profile = "otel-prod"

[profiles.otel-prod]
backend = "otel"
opensearch_url = "env:OTEL_OPENSEARCH_URL"
prometheus_url = "env:OTEL_PROMETHEUS_URL"
log_index = "otel-logs-*"
trace_index = "otel-traces-*"

[profiles.staging]
opensearch_url = "https://search.staging.example:9200"
opensearch_api_key = "env:STAGING_OPENSEARCH_API_KEY"
timeout = 60]],
  queries_intro = [[
To change what tinkr asks, copy a file under queries/ (or lua/) to the same
relative path in a directory of TINKR_PATH or in ~/.config/tinkr/, and edit the
copy: it shadows the built-in one, and nothing is rebuilt. A file with a new name
adds a recipe, a layout or a script. These files run in a sandbox: string, table,
math, utf8 and the basic functions, no io, os, package or require; reading or
assigning an undefined global is an error naming the file and the line.]],
  -- directory -> what its files are; tools/manpage.lua lists the built-in ones.
  queries = {
    { "queries/templates", "OpenSearch DSL templates: a function of the query and a field resolver, returning the request body" },
    { "queries/mappings", "data layouts: where each layout keeps each tinkr field, and how to recognise it in _mapping" },
    { "queries/recipes", "PromQL recipes: named questions with parameters, for every metric naming style" },
    { "queries/scripts", "tinkr-server's automation hooks (POST /v1/scripts/NAME), run within the script budgets" },
  },
  docs = "docs/PROFILES.md, docs/TEMPLATES.md, docs/RECIPES.md and docs/SERVER.md, installed under share/doc/tinkr",
}
