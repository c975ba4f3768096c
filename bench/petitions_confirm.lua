-- Confirming, for bench/petitions.py: POSTs each confirmation link once. The links come from
-- the sink's ledger (bench/petitions_sink.py: `recipient<TAB>path` per message), read again
-- whenever this thread has used up what it had, so links of signatures made during the run
-- are confirmed too. Thread i of N takes the ledger's lines i, i+N, i+2N… so no link is taken
-- twice. When no link is waiting the thread polls the ledger every 200 ms, and if there is
-- still none it GETs the "check your e-mail" page instead (logged as "-idle-", left out of
-- the confirmation figures). One connection per thread; see bench/petitions_common.lua.

package.path = "bench/?.lua;" .. package.path
local common = require("petitions_common")

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  P = common.params()
  log = common.open_log(P, id)
  math.randomseed(tonumber(P.seed) * 1000 + id)
  nthreads = tonumber(P.threads)
  pace = common.pacer(tonumber(P.rate), nthreads)
  -- queue[head..tail] are the links not used yet (no `#queue`: used ones are nil).
  queue, head, tail = {}, 1, 0
  offset, line_number = 0, 0
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. P.csrf_cookie,
  }
  body = "csrfmiddlewaretoken=" .. common.urlencode(P.csrf_token)
end

-- New complete lines of the ledger since the last read; this thread's share of them.
local function refill()
  local file = io.open(P.ledger, "rb")
  if not file then
    return
  end
  file:seek("set", offset)
  local chunk = file:read("*a") or ""
  file:close()
  local consumed = 0
  for line in chunk:gmatch("([^\n]*)\n") do
    consumed = consumed + #line + 1
    line_number = line_number + 1
    if line_number % nthreads == id - 1 then
      local path = line:match("\t(/%S+/confirm/[%w_%-]+/)$")
      if path then
        tail = tail + 1
        queue[tail] = path
      end
    end
  end
  offset = offset + consumed
end

function delay()
  local wait = pace()
  if head > tail then
    refill()
    if head > tail then
      return math.max(wait, 200)
    end
  end
  return wait
end

function request()
  if head > tail then
    refill()
  end
  sent_at = common.now_us()
  if head > tail then
    pending = "-idle-"
    return wrk.format("GET", "/en" .. P.petition_path .. "check-your-email/")
  end
  pending = queue[head]
  queue[head] = nil
  head = head + 1
  return wrk.format("POST", pending, headers, body)
end

function response(status, headers, body)
  local took = common.now_us() - sent_at
  common.count(status)
  local location = headers["Location"] or headers["location"] or ""
  local ok = (status == 302 and location:find("/confirmed/", 1, true) ~= nil) and 1 or 0
  -- "Already confirmed" also leads to /confirmed/, with a message in a cookie.
  local cookie = headers["Set-Cookie"] or headers["set-cookie"] or ""
  local note = cookie:find("messages=", 1, true) and "already" or "-"
  log:write(pending, "\t", status, "\t", ok, "\t", took, "\t", note, "\n")
  pending = nil
end

function done(summary, latency, requests)
  common.report(threads, summary, latency)
end
