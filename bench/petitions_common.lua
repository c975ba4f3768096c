-- Shared by the wrk scripts of bench/petitions.py (loaded with require; wrk runs from the
-- project's root, where bench/ is).
--
-- Every wrk thread has exactly one connection (wrk -t N -c N), so a response always belongs to
-- the last request of its thread: each thread times its own requests (gettimeofday through
-- LuaJIT's ffi) and writes one line per response to its own log file,
-- `key<TAB>status<TAB>ok<TAB>microseconds<TAB>note`. The request still in flight when wrk
-- stops is reported by done(), with wrk's own latency percentiles and the count of each
-- status code, as one JSON line starting with "WRK ".
--
-- Parameters come from a file named by the environment variable PETITIONS_BENCH_PARAMS
-- (key=value lines, written by bench/petitions.py).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_usec; } petitions_bench_timeval;
int gettimeofday(petitions_bench_timeval *tv, void *tz);
]])

local M = {}
local tv = ffi.new("petitions_bench_timeval")

function M.now_us()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000000 + tonumber(tv.tv_usec)
end

function M.params()
  local path = os.getenv("PETITIONS_BENCH_PARAMS")
  local file = assert(io.open(path, "r"), "cannot read " .. tostring(path))
  local values = {}
  for line in file:lines() do
    local key, value = line:match("^([%w_]+)=(.*)$")
    if key then
      values[key] = value
    end
  end
  file:close()
  return values
end

function M.split(text)
  local items = {}
  for item in (text or ""):gmatch("[^,]+") do
    items[#items + 1] = item
  end
  return items
end

function M.urlencode(text)
  return (text:gsub("[^%w%-%._~]", function(char)
    return string.format("%%%02X", string.byte(char))
  end))
end

-- This thread's log file (line-buffered: what was answered is on disk even if wrk is killed).
function M.open_log(params, id)
  local file = assert(io.open(params.log_prefix .. "-" .. id .. ".tsv", "w"))
  file:setvbuf("line")
  return file
end

-- wrk2-style pacing: with `rate` requests a second for the whole wrk process (0: as fast as
-- the server answers), the milliseconds this thread waits before its next request. The next
-- slot never lies in the past (no catch-up burst after a slow answer), so a slow server
-- lowers the achieved rate instead of queueing requests here.
function M.pacer(rate, threads)
  local interval = 0
  if rate and rate > 0 then
    interval = 1000000 * threads / rate
  end
  local next_at = nil
  return function()
    if interval == 0 then
      return 0
    end
    local now = M.now_us()
    if next_at == nil then
      -- Spread the threads' first requests over one interval.
      next_at = now + math.random() * interval
    end
    if next_at < now then
      next_at = now
    end
    local wait = next_at - now
    next_at = next_at + interval
    return math.floor(wait / 1000)
  end
end

-- Responses of this thread by status code (a global, so that done() can read it).
statuses = {}

function M.count(status)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

local function json_string(text)
  return '"' .. tostring(text):gsub('[%c"\\]', function(char)
    return string.format("\\u%04x", string.byte(char))
  end) .. '"'
end

-- Called from done() in wrk's main Lua state: one "WRK {...}" line on stdout.
function M.report(threads, summary, latency)
  local pending, counted = {}, {}
  for _, thread in ipairs(threads) do
    local key = thread:get("pending")
    if key then
      pending[#pending + 1] = json_string(key)
    end
    for status, n in pairs(thread:get("statuses") or {}) do
      counted[status] = (counted[status] or 0) + n
    end
  end
  local codes = {}
  for status, n in pairs(counted) do
    codes[#codes + 1] = string.format('"%s": %d', status, n)
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, '
      .. '"timeout": %d}, "statuses": {%s}, "pending": [%s]}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, table.concat(codes, ", "), table.concat(pending, ", ")
  ))
end

return M
