-- wrk script: every request POSTs one JSON reading of one of DEVICES devices (env BENCH_DEVICES, default 100).
-- "temp" is unique per request across up to 64 threads and across runs (BENCH_OFFSET + counter × 64 + thread
-- number; the harness gives each wrk run its own offset), so the fake ThingsBoard counts each delivered request once.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local threads = 0
function setup(thread)
    thread:set("thread_number", threads)
    threads = threads + 1
end

local counter = 0
local devices = tonumber(os.getenv("BENCH_DEVICES") or "100")
local offset = tonumber(os.getenv("BENCH_OFFSET") or "0")

function request()
    counter = counter + 1
    local body = string.format('{"sensorName":"SN-%05d","temp":%d,"hum":%d.5}',
        counter % devices + 1, offset + counter * 64 + thread_number, counter % 100)
    return wrk.format(nil, nil, nil, body)
end
