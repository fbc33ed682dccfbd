-- dbward audit record -> Elastic Common Schema, for Fluent Bit's lua filter.
-- The mapping is the table in docs/audit.md; deploy/vector/vector.toml does
-- the same. Fields ECS has no name for go under `dbward.`, and so does any
-- field a later dbward version adds, so nothing is lost on the way.

local category = {
  connection = "session",
  auth = "authentication",
  audit = "process",
}

-- ECS knows success, failure and unknown; a refused statement is a failure
-- (dbward.outcome keeps "blocked").
local ecs_outcome = {
  success = "success",
  failure = "failure",
  blocked = "failure",
  unknown = "unknown",
}

-- dbward field -> { ECS object, key } (nested tables, no dotted keys).
local renames = {
  action       = { "event", "action" },
  seq          = { "event", "sequence" },
  severity     = { "log", "level" },
  protocol     = { "network", "protocol" },
  user         = { "user", "name" },
  database     = { "db", "name" },
  operation    = { "db", "operation" },
  statement    = { "db", "statement" },
  rule         = { "rule", "name" },
  policy       = { "rule", "ruleset" },
  reason       = { "event", "reason" },
  sqlstate     = { "error", "code" },
  error        = { "error", "message" },
}

local function put(out, obj, key, value)
  if value == nil then
    return
  end
  if out[obj] == nil then
    out[obj] = {}
  end
  out[obj][key] = value
end

function dbward_to_ecs(tag, timestamp, record)
  local out = {
    ecs = { version = "8.11.0" },
    event = { kind = "event", module = "dbward", dataset = "dbward.audit" },
  }
  local extra = {}
  local chain = {}

  for k, v in pairs(record) do
    local r = renames[k]
    if r then
      put(out, r[1], r[2], v)
    elseif k == "log" then
      out.event.original = v
    elseif k == "event" then
      out.event.category = { category[v] or "database" }
      extra.event = v
    elseif k == "outcome" then
      out.event.outcome = ecs_outcome[v] or "unknown"
      extra.outcome = v
    elseif k == "client" and type(v) == "table" then
      put(out, "source", "ip", v.ip)
      put(out, "source", "port", v.port)
      put(out, "tls", "established", v.tls)
    elseif k == "objects" then
      out.db = out.db or {}
      out.db.sql = { table = v }
    elseif k == "duration_us" and type(v) == "number" then
      out.event.duration = v * 1000 -- ECS wants nanoseconds
    elseif k == "prev" or k == "hash" or k == "previous_file_hash" then
      chain[k] = v
    elseif k ~= "ts" and k ~= "@timestamp" then
      extra[k] = v -- session, listener, backend, fingerprint, rows, mode, ...
    end
  end
  -- A decision's reason also describes its rule.
  if out.rule and out.rule.name and record.reason then
    out.rule.description = record.reason
  end
  if next(chain) ~= nil then
    extra.chain = chain
  end
  out.dbward = extra
  -- 2: record replaced, timestamp (the record's ts) kept.
  return 2, timestamp, out
end
