-- Signing, for bench/petitions.py: every request POSTs the signing form with an address never
-- used before (run id, thread id, counter), a random country (Iraq with a random governorate
-- most of the time), in Arabic or English, some through the partner's page. One connection
-- per thread; see bench/petitions_common.lua.
--
--   PETITIONS_BENCH_PARAMS=params.txt wrk -t4 -c4 -d20s -s bench/petitions_sign.lua http://127.0.0.1:PORT

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
  countries = common.split(P.countries)
  governorates = common.split(P.governorates)
  domains = common.split(P.domains)
  iraq_share = tonumber(P.iraq_share)
  partner_share = tonumber(P.partner_share)
  arabic_share = tonumber(P.arabic_share)
  counter = 0
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. P.csrf_cookie,
  }
  fixed = "&csrfmiddlewaretoken=" .. common.urlencode(P.csrf_token)
    .. "&started=" .. common.urlencode(P.stamp)
    .. "&consent_petition=on&website=&organisation_name="
end

function delay()
  return pace()
end

function request()
  counter = counter + 1
  local address = string.format(
    "s%s-%d-%d@%s", P.run, id, counter, domains[math.random(#domains)]
  )
  local country, governorate = "IQ", governorates[math.random(#governorates)]
  if math.random() >= iraq_share then
    country, governorate = countries[math.random(#countries)], ""
  end
  local language = math.random() < arabic_share and "ar" or "en"
  local name = language == "ar" and ("موقّع رقم " .. counter) or ("Signer number " .. counter)
  local path = "/" .. language .. P.petition_path
  local body = "name=" .. common.urlencode(name)
    .. "&public=" .. (math.random() < 0.5 and "show" or "hide")
    .. "&email=" .. common.urlencode(address)
    .. "&country=" .. country
    .. "&governorate=" .. governorate
    .. (math.random() < 0.3 and "&consent_lead=on" or "")
  if math.random() < partner_share then
    path = "/" .. language .. P.partner_path
    body = body .. "&consent_partner=on"
  end
  pending = address
  sent_at = common.now_us()
  return wrk.format("POST", path, headers, body .. fixed)
end

function response(status, headers, body)
  local took = common.now_us() - sent_at
  common.count(status)
  local location = headers["Location"] or headers["location"] or ""
  local ok = (status == 302 and location:find("/check%-your%-email/", 1) ~= nil) and 1 or 0
  log:write(pending, "\t", status, "\t", ok, "\t", took, "\t-\n")
  pending = nil
end

function done(summary, latency, requests)
  common.report(threads, summary, latency)
end
