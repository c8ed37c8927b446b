-- wrk script of benches/http_load.sh and benches/http_cpu.sh: POST the JSON body in the file
-- named by the first script argument with the API key of the second, and print what the
-- script reads at the end, one `name value` a line (latencies in microseconds). With a third
-- argument `check` it also counts the 200 responses whose body holds a TOTAL_PASSED verdict
-- (`load passed N`): it costs the load tool, not the server.
--
--   wrk -t1 -c32 -d15s -s benches/http_load.lua URL -- BODY_FILE KEY [check]

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    local file = assert(io.open(args[1], "rb"))
    wrk.method = "POST"
    wrk.body = file:read("*a")
    file:close()
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. args[2]
    if args[3] == "check" then
        -- Defined here, so that wrk reads the bodies only when asked.
        passed = 0
        response = function(status, headers, body)
            if status == 200 and body:find('"indication":"TOTAL_PASSED"', 1, true) then
                passed = passed + 1
            end
        end
    end
end

function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local e = summary.errors
    io.write(string.format("load requests %d\n", summary.requests))
    io.write(string.format("load seconds %.3f\n", seconds))
    io.write(string.format("load rps %.1f\n", summary.requests / seconds))
    io.write(string.format("load p50_us %d\n", latency:percentile(50)))
    io.write(string.format("load p99_us %d\n", latency:percentile(99)))
    io.write(string.format("load max_us %d\n", latency.max))
    -- status: responses above 399; the others: socket errors.
    io.write(string.format("load bad_status %d\n", e.status))
    io.write(string.format("load socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
    local passed = 0
    for _, thread in ipairs(threads) do
        passed = passed + (thread:get("passed") or 0)
    end
    io.write(string.format("load passed %d\n", passed))
end
