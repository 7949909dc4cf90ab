-- GET the URL given on wrk's command line, every connection waiting `pause` milliseconds
-- between a response and its next request, so that the server is not saturated and the
-- latency measured is that of a lightly loaded server. Argument after `--`: pause.

local pause = 10

function init(args)
   pause = tonumber(args[1] or "10")
end

function delay()
   return pause
end
