-- wrk script of benches/http_load.sh: POST the JSON body in the file named by the first
-- script argument with the API key of the second, and print what the script reads at the
-- end, one `name value` a line (latencies in microseconds).
--
--   wrk -t1 -c32 -d15s -s benches/http_load.lua URL -- BODY_FILE KEY

function init(args)
    local file = assert(io.open(args[1], "rb"))
    wrk.method = "POST"
    wrk.body = file:read("*a")
    file:close()
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer " .. args[2]
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
end
