-- wrk's script for bench/intake.py: POSTs the bodies of a file, one per line
-- ("PATH<TAB>BODY"), each thread over one keep-alive connection, and times every
-- request itself.
--
--   wrk -t N -c N -d LIMIT -s intake_client.lua URL -- BODIES SECONDS OUTDIR IDLE_PATH
--
-- With one connection per thread, a thread that is done at its first answer after
-- SECONDS has no POST in flight: every one it sent was answered and counted, so
-- the server's rows can be counted against the 201s. Each thread then writes
-- OUTDIR/thread-<n>.txt and GETs IDLE_PATH (which writes nothing) until wrk is
-- stopped: bench/intake.py waits for every thread's file and stops wrk (SIGINT)
-- instead of waiting out LIMIT. A thread that stopped instead would leave the
-- connection wrk opens again after a server's "Connection: close" (sync workers)
-- idle, and a sync worker waits on it until its timeout, stalling the rest.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local threads = 0

function setup(thread)
  thread:set("index", threads)
  threads = threads + 1
end

local requests, cursor = {}, 0
local deadline, outdir, idle_request
local done = false
local sent_at, first_sent, last_answered
local ok, latencies, other, sample = 0, {}, {}, nil

function init(args)
  for line in io.lines(args[1]) do
    local path, body = line:match("^(%S+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", path, nil, body)
  end
  deadline = now_us() + tonumber(args[2]) * 1000000
  outdir = args[3]
  idle_request = wrk.format("GET", args[4])
  -- Threads start at different bodies, so no two send the same one at once.
  cursor = (index * 7919) % #requests
end

function request()
  if done then
    return idle_request
  end
  cursor = cursor % #requests + 1
  sent_at = now_us()
  first_sent = first_sent or sent_at
  return requests[cursor]
end

function response(status, headers, body)
  if done then
    return
  end
  local now = now_us()
  latencies[#latencies + 1] = now - sent_at
  last_answered = now
  if status == 201 then
    ok = ok + 1
  else
    other[status] = (other[status] or 0) + 1
    sample = sample or (status .. " " .. body:sub(1, 300):gsub("[\r\n\t]", " "))
  end
  if now >= deadline then
    local out = assert(io.open(outdir .. "/thread-" .. index .. ".txt", "w"))
    out:write("ok ", ok, " start ", first_sent, " end ", last_answered, "\n")
    for code, n in pairs(other) do
      out:write("status ", code, " ", n, "\n")
    end
    if sample then
      out:write("sample ", sample, "\n")
    end
    out:write("latencies ", table.concat(latencies, " "), "\n")
    out:close()
    done = true
  end
end
