-- wrk script: a mix of page views, API reads and writes against Parley.
-- Paths come from bench/load.py through the environment (one per line in LOAD_PATHS);
-- one request in WRITE_EVERY is a POST of a valid position (dated from the summit's
-- tabling day, 2 June 2025, on: an earlier date is rightly refused with a 400), by the editors' tokens in turn
-- (LOAD_TOKENS, one per line: several editors, as on a results evening; one editor
-- alone would meet the API's write throttle, PARLEY_API_WRITE_RATE, at ~40 req/s).
local paths = {}
for line in string.gmatch(os.getenv("LOAD_PATHS"), "[^\n]+") do
  table.insert(paths, line)
end
local tokens = {}
for line in string.gmatch(os.getenv("LOAD_TOKENS") or os.getenv("LOAD_TOKEN"), "[^\n]+") do
  table.insert(tokens, line)
end
local token = tokens[1]
local write_every = tonumber(os.getenv("WRITE_EVERY") or "20")
local proposal = os.getenv("LOAD_PROPOSAL")
local party = os.getenv("LOAD_PARTY")
local counter = 0

request = function()
  counter = counter + 1
  local headers = {["X-Forwarded-Proto"] = "https", ["Authorization"] = "Token " .. token}
  if counter % write_every == 0 then
    headers["Authorization"] = "Token " .. tokens[math.floor(counter / write_every) % #tokens + 1]
    headers["Content-Type"] = "application/json"
    local body = string.format(
      '{"proposal": %s, "party": %s, "stance": "%s", "stated_on": "2025-06-%02d", ' ..
      '"quote": "", "conditions": "", "note": "load test"}',
      proposal, party, (counter % 40 == 0) and "accepts" or "undecided", (counter % 9) + 2)
    return wrk.format("POST", "/api/v1/positions/", headers, body)
  end
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local out = io.open(os.getenv("LOAD_RESULT"), "w")
  out:write(string.format(
    '{"requests": %d, "seconds": %.2f, "rps": %.1f, "p50_ms": %.1f, "p90_ms": %.1f, ' ..
    '"p99_ms": %.1f, "max_ms": %.1f, "socket_errors": %d, "non_2xx_3xx": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
  out:close()
end
