-- Runs Lua that switchbench generates, for hostile-strings.test.ts, under LuaJIT (as Snabb does):
--   luajit snabb-stubs.lua programs FILE...   each file a Snabb program, run against stubs of the
--                                            parts of Snabb's API it uses (test/unit/datapaths/
--                                            snabb.test.ts cites them); prints every call it makes
--   luajit snabb-stubs.lua literals FILE      a chunk returning a list of strings; prints each as hex
-- Output lines are tab-separated fields, control and non-ASCII bytes written \ddd. No generated
-- code can start a process or touch a file: in its environment os and io are stubs that record, and
-- the real ones are replaced too, so a call that escaped the sandbox is reported, not made.

local loadfile, setfenv, pcall, select, write = loadfile, setfenv, pcall, select, io.write

local function escape(value)
  return (tostring(value):gsub("[%z%c\\\128-\255]", function(c) return string.format("\\%03d", c:byte()) end))
end

local function line(...)
  local fields = {}
  for i = 1, select("#", ...) do fields[i] = escape((select(i, ...))) end
  write(table.concat(fields, "\t"), "\n")
end

-- Anything that escaped a sandbox ends up here; the test requires none.
local escaped = {}
local function trap(name)
  return function(...)
    escaped[#escaped + 1] = { name, ... }
    error("escaped the sandbox: " .. name)
  end
end
for _, name in ipairs({ "execute", "remove", "rename", "exit", "tmpname", "getenv" }) do os[name] = trap("os." .. name) end
for _, name in ipairs({ "popen", "open", "lines", "input", "output", "read" }) do io[name] = trap("io." .. name) end
for _, name in ipairs({ "dofile", "loadstring", "load", "require" }) do _G[name] = trap(name) end
package.loadlib = trap("package.loadlib")

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return type(a) .. tostring(a) < type(b) .. tostring(b) end)
  return keys
end

local function serialize(v)
  if type(v) == "string" then return '"' .. v .. '"' end
  if type(v) ~= "table" then return tostring(v) end
  local parts = {}
  for _, k in ipairs(sorted_keys(v)) do parts[#parts + 1] = tostring(k) .. "=" .. serialize(v[k]) end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- A table whose unknown fields are recorded as forbidden: what a stub does not offer, the program
-- must not use.
local function only(name, fields, record)
  return setmetatable(fields, {
    __index = function(_, k)
      record("forbidden", name .. "." .. tostring(k))
      return nil
    end,
  })
end

local function sandbox(record)
  local forbidden = function(name)
    return function(...)
      record("forbidden", name, ...)
      error("forbidden: " .. name)
    end
  end
  local apps, links, timers = {}, {}, {}
  local app_table, link_table = {}, {}
  local classes = { VhostUser = { "VhostUser" }, bridge = { "apps.bridge.learning.bridge" } }
  local engine
  engine = only("engine", {
    app_table = app_table,
    link_table = link_table,
    configure = function(c)
      record("configure", c.id)
      for _, name in ipairs(apps) do
        app_table[name] = { dev = { supported_features = 0 }, listen_socket = "fd:" .. name }
      end
      for _, spec in ipairs(links) do link_table[spec] = { spec } end
    end,
    main = function() record("main", "busywait", tostring(engine.busywait)) end,
  }, record)
  local modules = {
    ["core.config"] = only("config", {
      new = function() return { id = "c" } end,
      app = function(c, name, class, arg)
        apps[#apps + 1] = name
        record("app", c.id, name, type(class) == "table" and class[1] or tostring(class), serialize(arg))
      end,
      link = function(c, spec)
        links[#links + 1] = spec
        record("link", c.id, spec)
      end,
    }, record),
    ["core.app"] = engine,
    ["core.timer"] = only("timer", {
      new = function(name, fn, nanos, mode) return { name = name, fn = fn, nanos = nanos, mode = mode } end,
      activate = function(t)
        timers[#timers + 1] = t
        record("timer", t.name, t.nanos, t.mode)
      end,
    }, record),
    ["core.link"] = only("link", {
      stats = function(l) return { txpackets = 10, txdrop = 1, rxpackets = 9, spec = l[1] } end,
    }, record),
    ["syscall"] = only("syscall", {
      fcntl = function(fd, cmd, arg)
        record("fcntl", fd, cmd, arg)
        return 2
      end,
      c = { F = { GETFL = "GETFL", SETFL = "SETFL" }, O = { NONBLOCK = 2048 } },
    }, record),
    ["apps.vhost.vhost_user"] = { VhostUser = classes.VhostUser },
    ["apps.bridge.learning"] = { bridge = classes.bridge },
  }
  local file = only("file", {
    write = function(_, ...) record("write", ...) end,
    close = function() record("close") end,
  }, record)
  local env = {
    require = function(name)
      if modules[name] then return modules[name] end
      record("forbidden", "require", name)
      error("no module " .. tostring(name))
    end,
    io = only("io", {
      open = function(path, mode)
        record("open", path, mode)
        return file
      end,
    }, record),
    os = only("os", {
      rename = function(from, to)
        record("rename", from, to)
        return true
      end,
    }, record),
    assert = assert, ipairs = ipairs, pairs = pairs, pcall = pcall, tonumber = tonumber, tostring = tostring,
    type = type, error = error, select = select, bit = bit, string = string, table = table, math = math,
  }
  for _, name in ipairs({ "dofile", "loadstring", "load", "loadfile", "setfenv", "getfenv", "rawset", "print" }) do
    env[name] = forbidden(name)
  end
  setmetatable(env, {
    __index = function(_, k) record("forbidden", "global " .. tostring(k)) end,
    __newindex = function(t, k, v)
      record("forbidden", "set global " .. tostring(k))
      rawset(t, k, v)
    end,
  })
  -- What the engine would do once running: turn each timer once, then report the vhost_user apps.
  local function finish()
    for _, t in ipairs(timers) do
      local ok, err = pcall(t.fn)
      record("timer-ran", t.name, ok and "ok" or err)
    end
    for _, name in ipairs(sorted_keys(app_table)) do
      record("features", name, string.format("%.0f", app_table[name].dev.supported_features))
    end
  end
  return env, finish
end

local mode = ...
if mode == "programs" then
  for i = 2, select("#", ...) do
    local path = select(i, ...)
    line("program", path)
    local record = function(...) line("call", ...) end
    local env, finish = sandbox(record)
    local chunk, err = loadfile(path)
    local ok = chunk ~= nil
    if ok then
      setfenv(chunk, env)
      ok, err = pcall(chunk)
      if ok then finish() end
    end
    line("end", path, ok and "ok" or "error", ok and "" or err)
  end
elseif mode == "literals" then
  local chunk = assert(loadfile((select(2, ...))))
  setfenv(chunk, {})
  local strings = chunk()
  line("count", #strings)
  for i, s in ipairs(strings) do
    line("literal", i, (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)))
  end
else
  error("usage: snabb-stubs.lua programs FILE... | literals FILE")
end
for _, call in ipairs(escaped) do line("escaped", unpack(call)) end
line("done")
