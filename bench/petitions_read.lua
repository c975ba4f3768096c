-- Reading the counters, for bench/petitions.py: GET the petition's page (counter, tables,
-- map and the signing form) and its widget (the counter other sites embed), in turn, half of
-- the pages in Arabic. One connection per thread; see bench/petitions_common.lua.

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
  pace = common.pacer(tonumber(P.rate), tonumber(P.threads))
  turn = id
end

function delay()
  return pace()
end

function request()
  turn = turn + 1
  local language = math.random() < 0.5 and "ar" or "en"
  sent_at = common.now_us()
  if turn % 2 == 0 then
    pending = "page"
    return wrk.format("GET", "/" .. language .. P.petition_path)
  end
  pending = "widget"
  return wrk.format("GET", "/" .. language .. P.petition_path .. "widget/")
end

function response(status, headers, body)
  local took = common.now_us() - sent_at
  common.count(status)
  local ok = status == 200 and 1 or 0
  log:write(pending, "\t", status, "\t", ok, "\t", took, "\t-\n")
  pending = nil
end

function done(summary, latency, requests)
  common.report(threads, summary, latency)
end
