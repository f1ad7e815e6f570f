-- How `tinkr errors` turns messages into signatures: the variable parts of
-- a message are masked, and lines whose masked text is the same are one
-- signature.  Copy this file to ~/.config/tinkr/queries/masks.lua (or a
-- TINKR_PATH directory) and edit it; no rebuild.
return {
  -- Your own masks, applied first and in order: a Lua pattern and what
  -- replaces each match (string.gsub).  For example an order number
  -- written as "A-2024-000123", or a tenant name you do not want to split on:
  --   { "A%-%d+%-%d+", "<order>" },
  --   { "tenant=%w+", "tenant=<*>" },
  patterns = {
  },

  -- The built-in masks (done in C, one pass over each message), on or off.
  builtin = {
    uuid = true,       -- 8-4-4-4-12 hex                          -> <uuid>
    email = true,      -- name@host.tld                            -> <email>
    ip = true,         -- 10.0.0.7, 10.0.0.7:5432                  -> <ip>
    duration = true,   -- 250ms, 1.5s, 3m                          -> <duration>
    digits = true,     -- any other word with a digit: 42, ord-9f3a, v2 -> <*>
    hex = true,        -- hex runs of 8+ characters without a digit -> <*>
    quoted = true,     -- "..." and '...'                          -> "<*>"
    url = true,        -- URL path segments with a digit, one by one
    kv = true,         -- key=value: the value, when it has a digit
    kv_all = false,    -- key=value: every value (hit=true, user=bob)
  },
}
