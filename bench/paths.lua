-- wrk script: every request asks the next path of a file, so a run cycles through many
-- different URLs instead of one (which the server's result cache would answer).
--
--   wrk -t2 -c8 -d15s -s bench/paths.lua http://127.0.0.1:8000 -- paths.txt START
--
-- Thread i starts START + i * (number of paths / number of threads) into the file, so the
-- threads ask disjoint stretches and a path comes back only after about as many requests
-- as the file has lines. At the end it prints "next start N": where thread 0 stopped, so
-- the next run (after a warm-up, or the next row) continues the cycle instead of asking
-- again what the cache holds from the last run.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("no paths in " .. args[1])
  end
  local start = tonumber(args[2] or "0")
  local spacing = math.floor(#paths / tonumber(args[3] or "1"))
  position = (start + id * spacing) % #paths
  if id == 0 then
    -- wrk calls the first thread's request() once before the run, to check it, and never
    -- sends that request: start one path early so that the first path sent is `start`.
    position = (position - 1) % #paths
  end
end

function request()
  local path = paths[position + 1]
  position = (position + 1) % #paths
  return wrk.format(nil, path)
end

function done(summary, latency, requests)
  io.write(string.format("next start %d\n", threads[1]:get("position")))
end
