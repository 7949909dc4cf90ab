-- GET /api/v1/users/{id}, the id drawn at random from [first, last] for every request.
-- Arguments after `--`: first last [limit]. With a limit above 0 the thread stops once it
-- has sent that many requests (the memory scenario counts requests, not seconds).
-- The Authorization header comes from wrk's -H option, which wrk.format() adds.

local first, last, limit = 1, 1, 0
local sent = 0

function init(args)
   first = tonumber(args[1])
   last = tonumber(args[2])
   limit = tonumber(args[3] or "0")
   math.randomseed(os.time())
end

function request()
   sent = sent + 1
   if limit > 0 and sent > limit then
      wrk.thread:stop()
   end
   return wrk.format("GET", "/api/v1/users/" .. math.random(first, last))
end
